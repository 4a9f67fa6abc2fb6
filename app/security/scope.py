"""The grid scope: which communities and grids the signed-in user may see and change.

The one choke point for row-level access. Lists, detail pages, edits, deletes and actions (through
``ScopeFilter`` on every screen), pickers, exports, charts, map layers and the API all ask
``clause(model)``; every flush asks ``refuse_writes_outside_scope``, so no write path can skip it.

Levels: ``grid`` — the grids whose people a user looks after (a grid manager's own grids, all
grids of a secretary's community); ``community`` — every grid of the user's communities (the map
and facilities, which a grid manager reads for the whole community).
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import g, has_request_context
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.security.sqla.models import User
from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, and_, any_, exists, func, inspect, literal, or_, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from ..caching import per_request
from ..extensions import db
from ..models import (Activity, Attendance, AuditEntry, BranchPairing, CardHandover, CobuildingUnit, Community,
                      ContactHousehold, FieldReceipt, FundEntry, Grid, GridSupervisor, GroupFeedback, Meeting,
                      MeetingFollowUp, Patrol, PatrolPoint, StockMove, StockTally, SupervisionDay, SupervisionOpinion,
                      UnitSupport, UserScope, Voucher)
from . import memo, roles


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    community_ids: frozenset[int] = frozenset()
    grid_ids: frozenset[int] = frozenset()  # level "grid"
    area_grid_ids: frozenset[int] = frozenset()  # level "community"
    whole_community_ids: frozenset[int] = frozenset()  # given whole: community-wide records too
    # How many grids and communities there are: a scope holding them all (a district's office)
    # needs no list of them in its queries (see ``among``).
    grid_total: int = -1
    community_total: int = -1

    def grids(self, level: str) -> list[int]:
        return sorted(self.grid_ids if level == "grid" else self.area_grid_ids)

    def in_grids(self, column, grid_ids):
        """``column`` among ``grid_ids`` (some of this scope's grids; see ``among``)."""
        return among(column, grid_ids, self.grid_total)

    def in_communities(self, column, community_ids=None):
        """``column`` among this scope's communities (or ``community_ids``, some of them)."""
        return among(column, self.community_ids if community_ids is None else community_ids, self.community_total)


NOTHING = Scope()
EVERYTHING = Scope(everything=True)


class OutOfScope(PermissionError):
    def __init__(self):
        super().__init__(str(_l("This record is outside the grids you were given.")))


def for_user(user) -> Scope:
    """A user's scope: assigned grids and communities, and the grids they manage or supervise."""
    if user is None or not getattr(user, "is_authenticated", False):
        return NOTHING
    if any(role.name in roles.UNSCOPED_ROLES for role in user.roles):
        return EVERYTHING
    uid = user.id
    # What the user was given, and how many grids and communities there are (see ``among``).
    given = db.session.execute(select(
        UserScope.community_id, UserScope.grid_id, select(func.count(Grid.id)).scalar_subquery(),
        select(func.count(Community.id)).scalar_subquery()).where(UserScope.user_id == uid)).all()
    grid_total, community_total = given[0][2:] if given else (-1, -1)
    given_communities = {row[0] for row in given if row[0] is not None}
    given_grids = sorted({row[1] for row in given if row[1] is not None})
    kept = or_(Grid.id.in_(given_grids), Grid.manager_id == uid, Grid.supervisor_id == uid)
    # Every grid of the communities the user works in, and whether it is one of theirs.
    grid_rows = db.session.execute(select(Grid.id, Grid.community_id, kept).where(or_(
        among(Grid.community_id, given_communities),
        Grid.community_id.in_(select(Grid.community_id).where(kept).scalar_subquery())))).all()
    grid_ids = {grid_id for grid_id, community_id, own in grid_rows if own or community_id in given_communities}
    community_ids = given_communities | {community_id for _, community_id, _ in grid_rows}
    area = {grid_id for grid_id, _, _ in grid_rows}
    return Scope(False, frozenset(community_ids), frozenset(grid_ids), frozenset(area),
                 frozenset(given_communities), grid_total, community_total)


def current() -> Scope:
    """The scope of this request's user; outside a request (CLI, seeds, migrations) the system's."""
    if not has_request_context():
        return EVERYTHING

    def read() -> Scope:
        user = getattr(g, "user", None)
        if user is None or not getattr(user, "is_authenticated", False) \
                or any(role.name in roles.UNSCOPED_ROLES for role in user.roles):
            return for_user(user)  # NOTHING or EVERYTHING: no query
        # Read from the assignment and grid tables alone: kept while they stand (``memo``).
        return memo.remembered("scope", user.id, lambda: for_user(user))
    return per_request("grid.scope", read)


def among(column, ids, total: int = -1):
    """``column IN ids``. Holding all ``total`` of them, no list at all (the foreign key keeps the
    column to them): cheaper, and PostgreSQL's estimate of a 606-value list assumes overlap and
    undercounts a district by a third. On PostgreSQL one array parameter (``= ANY``): 606 grids as
    606 parameters cost 3 ms a query to send and plan, as one array under 1 ms."""
    if total >= 0 and len(ids) == total:
        return column.is_not(None)
    ids = sorted(ids)
    if db.engine.dialect.name == "postgresql":
        return column == any_(literal(ids, ARRAY(Integer)))
    return column.in_(ids)


def _given_inside(scope: Scope, user_id):
    """``user_id`` was given a grid or community inside my communities."""
    return exists().where(UserScope.user_id == user_id, or_(
        scope.in_grids(UserScope.grid_id, scope.area_grid_ids),
        scope.in_communities(UserScope.community_id)))


def _user_clause(scope: Scope, level: str):
    """Users given something inside my communities, or nothing at all yet (so they can be given)."""
    return or_(_given_inside(scope, User.id), ~exists().where(UserScope.user_id == User.id))


def _audit_clause(scope: Scope, level: str):
    """My communities' records, and the sign-ins and exports of people working in them."""
    return or_(among(AuditEntry.community_id, scope.community_ids),  # not a foreign key: always listed
               and_(AuditEntry.community_id.is_(None), _given_inside(scope, AuditEntry.user_id)))


def _ledger(model):
    """Aid records of a household's grid, or of the whole station (no grid: donations, purchases),
    which only users given the whole community see."""
    def clause(scope: Scope, level: str):
        return or_(scope.in_grids(model.grid_id, scope.grids(level)), and_(
            model.grid_id.is_(None), scope.in_communities(model.community_id, scope.whole_community_ids)))
    return clause


def _community_wide(model):
    """A grid's records, or the whole community's (no grid: a community meeting and what it
    decided, an opinion about the community), which everyone working in the community reads;
    writing those needs the whole community (see ``_write_targets``)."""
    def clause(scope: Scope, level: str):
        return or_(scope.in_grids(model.grid_id, scope.grids(level)), and_(
            model.grid_id.is_(None), scope.in_communities(model.community_id)))
    return clause


def _by_grid(model):
    return lambda scope, level: scope.in_grids(model.grid_id, scope.grids(level))


def _by_community(model):
    return lambda scope, level: scope.in_communities(model.community_id)


_LINKS = {
    Community: lambda scope, level: scope.in_communities(Community.id),
    Grid: lambda scope, level: (scope.in_communities(Grid.community_id)
                                if level == "community" else scope.in_grids(Grid.id, scope.grid_ids)),
    UserScope: lambda scope, level: or_(scope.in_grids(UserScope.grid_id, scope.area_grid_ids),
                                        scope.in_communities(UserScope.community_id)),
    User: _user_clause,
    AuditEntry: _audit_clause,
    Voucher: _ledger(Voucher),
    GroupFeedback: _ledger(GroupFeedback),
    # Activities are the community's (not personal): every user of the community reads them.
    Activity: lambda scope, level: scope.in_communities(Activity.community_id),
    Attendance: lambda scope, level: Attendance.activity_id.in_(
        select(Activity.id).where(scope.in_communities(Activity.community_id))),
    StockMove: _ledger(StockMove),
    StockTally: _ledger(StockTally),  # the moves summed: their rule
    FundEntry: _ledger(FundEntry),
    # Part 三 of the report. A supervisor, a contact household, a card handed over: their grid's (a
    # contact household's and a card's grid is their household's). A pairing is its building's grid's,
    # read community-wide (its screen's level). Supervision days, units and their support are the
    # community's. Meetings, their follow-ups and supervision opinions: a grid's, or the community's.
    GridSupervisor: _by_grid(GridSupervisor),
    ContactHousehold: _by_grid(ContactHousehold),
    CardHandover: _by_grid(CardHandover),
    BranchPairing: _by_grid(BranchPairing),
    SupervisionDay: _by_community(SupervisionDay),
    CobuildingUnit: _by_community(CobuildingUnit),
    UnitSupport: _by_community(UnitSupport),
    Meeting: _community_wide(Meeting),
    MeetingFollowUp: _community_wide(MeetingFollowUp),
    SupervisionOpinion: _community_wide(SupervisionOpinion),
    # The field app. A patrol is its grid's (that of its first position); one with no position yet
    # is read by those given the whole community. Its points are its own; a receipt is its record's grid's.
    Patrol: _ledger(Patrol),
    PatrolPoint: lambda scope, level: PatrolPoint.patrol_id.in_(
        select(Patrol.id).where(_ledger(Patrol)(scope, level))),
    FieldReceipt: _by_grid(FieldReceipt),
}


def clause(model, level: str = "grid", scope: Scope | None = None):
    """A WHERE clause keeping ``model``'s rows inside the scope; None when nothing is hidden."""
    scope = scope or current()
    if scope.everything:
        return None
    if model in _LINKS:
        return _LINKS[model](scope, level)
    if hasattr(model, "grid_id"):
        return scope.in_grids(model.grid_id, scope.grids(level))
    if hasattr(model, "community_id"):
        return scope.in_communities(model.community_id)
    raise TypeError(f"{model.__name__} has no grid scope: add it to app.security.scope")


def restrict(query, model, level: str = "grid", scope: Scope | None = None):
    condition = clause(model, level, scope)
    return query if condition is None else query.where(condition)


class ScopeFilter(BaseFilter):
    """FAB base filter of every screen: ``base_filters = [["id", ScopeFilter, level]]``."""

    name = "grid scope"

    def apply(self, query, value):
        condition = clause(self.model, value or "grid")
        return query if condition is None else query.filter(condition)


def _places(state, column: str) -> set:
    """Every value ``column`` has or had in this flush, through the column or its relationship
    (a relationship set in code reaches the column only during the flush)."""
    found = set()
    for name, read in ((column, lambda value: value), (column.removesuffix("_id"), lambda row: row.id)):
        if name in state.attrs:
            history = state.attrs[name].history
            found |= {read(item) for item in (*history.added, *history.unchanged, *history.deleted)
                      if item is not None}
    found.discard(None)
    return found or {None}


def _write_targets(obj) -> list[tuple[str, int | None]]:
    """(level, id) pairs a write of ``obj`` touches: where it is, was, and is going."""
    state = inspect(obj)
    if isinstance(obj, Community):
        return [("community", obj.id)] if obj.id is not None else [("everything", None)]
    if isinstance(obj, Grid):
        return [("community", value) for value in _places(state, "community_id")]
    if isinstance(obj, (Voucher, StockMove, FundEntry, GroupFeedback, Activity, Meeting, MeetingFollowUp,
                        SupervisionOpinion)):
        grids = _places(state, "grid_id")
        if grids == {None}:
            return [("whole_community", value) for value in _places(state, "community_id")]
        return [("grid", value) for value in grids]
    if isinstance(obj, Patrol):
        # A patrol is its walker's own: one with no position yet needs only their community.
        grids = _places(state, "grid_id") - {None}
        if not grids:
            return [("community", value) for value in _places(state, "community_id")]
        return [("grid", value) for value in grids]
    if isinstance(obj, PatrolPoint):
        patrol = obj.patrol or (db.session.get(Patrol, obj.patrol_id) if obj.patrol_id else None)
        return _write_targets(patrol) if patrol is not None else []
    if isinstance(obj, FieldReceipt):
        return [("grid", value) for value in _places(state, "grid_id")]
    if isinstance(obj, UserScope):
        if obj.grid_id is not None or obj.grid is not None:
            return [("grid", value) for value in _places(state, "grid_id")]
        return [("community", value) for value in _places(state, "community_id")]
    if hasattr(obj, "grid_id"):
        return [("grid", value) for value in _places(state, "grid_id")]
    if hasattr(obj, "community_id"):
        return [("community", value) for value in _places(state, "community_id")]
    return []


def refuse_writes_outside_scope(session: Session, _context, _instances) -> None:
    """Refuse any write outside the user's scope. Runs after the registry's derivations
    (``app.hooks`` installs them first), so a household's grid is already its building's."""
    scope = current()
    if scope.everything:
        return
    dirty = [obj for obj in session.dirty if session.is_modified(obj)]
    for obj in [*session.new, *dirty, *session.deleted]:
        if isinstance(obj, AuditEntry):
            continue
        for level, value in _write_targets(obj):
            allowed = {"grid": scope.grid_ids, "community": scope.community_ids,
                       "whole_community": scope.whole_community_ids}.get(level, frozenset())
            if value not in allowed:
                raise OutOfScope()
