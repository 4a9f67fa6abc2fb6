"""How each model's rows reach a grid or a community: one rule per model (``RULES``), from which the
grid scope (``app.security.scope``) derives both what a user reads (``read``: a WHERE clause) and
what they may write (``writes``: the places a write touches, each checked against the scope).

A place is (kind, id): ``grid`` must be one of the user's grids, ``community`` one of their
communities, ``whole_community`` a community given to them whole (a secretary's), and
``everything`` only the unscoped (a new community). A rule's ``read`` at level ``"grid"`` and its
``writes`` name the same rows, unless ``reads_wider`` says some rows are read and not written
(a community meeting a grid manager reads); nothing is ever written that is not read at level
``"community"`` (``tests/security/test_scope_rules.py`` holds both for every model).

Every model under ``app.models`` has a rule, or ``Unscoped`` saying why it holds no community's
data; ``scope.check_rules`` refuses the start otherwise.
"""
from __future__ import annotations

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import and_, exists, inspect, or_, select

from ..models import (Activity, AidItem, Attendance, AuditEntry, BranchPairing, Building, Campaign, Case, CaseCategory,
                      CaseEvent, CasePhoto, CaseTally, CardHandover, CobuildingUnit, Community, ContactHousehold,
                      DataVersion, DiaryEntry, DiaryTally, Donor, Facility, FieldReceipt, FigureCacheEntry, FundEntry, Grid,
                      GridSupervisor, GroupFeedback, GroupSize, Household, HouseholdTally, Meeting, MeetingFollowUp,
                      Notice, NumberSeries, Patrol, PatrolPoint, Resident, ResidentTally, SessionEpoch, StockMove, StockTally,
                      SupervisionDay, SupervisionOpinion, Team, UnitSupport, UserScope, Visit, Volunteer, Voucher,
                      VoucherLine)


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


class Rule:
    reads_wider = False  # some rows are read (at level "grid") and not written
    checks_writes = True  # False: a write of the model is not the grid scope's to refuse
    columns: tuple[str, ...] = ()  # the model's columns the rule reads: checked at start-up
    relations: tuple[str, ...] = ()  # and its relationships

    def read(self, model, scope, level: str):
        """A WHERE clause keeping ``model``'s rows that ``scope`` reads at ``level``."""
        raise NotImplementedError

    def writes(self, obj) -> list[tuple[str, int | None]]:
        """The places a write of ``obj`` touches: where it is, was, and is going."""
        raise NotImplementedError


class ByGrid(Rule):
    """A grid's records: read and written by those given the grid."""

    def __init__(self, column: str = "grid_id"):
        self.column, self.columns = column, (column,)

    def read(self, model, scope, level):
        return scope.in_grids(getattr(model, self.column), scope.grids(level))

    def writes(self, obj):
        return [("grid", value) for value in _places(inspect(obj), self.column)]


class ByCommunity(Rule):
    """A community's records: read and written by everyone working in the community."""

    def __init__(self, column: str = "community_id"):
        self.column, self.columns = column, (column,)

    def read(self, model, scope, level):
        return scope.in_communities(getattr(model, self.column))

    def writes(self, obj):
        return [("community", value) for value in _places(inspect(obj), self.column)]


class _GridOrCommunity(Rule):
    """A grid's record, or (no grid) the whole community's, which only those given the whole
    community write."""
    columns = ("grid_id", "community_id")

    def writes(self, obj):
        state = inspect(obj)
        grids = _places(state, "grid_id")
        if grids == {None}:
            return [("whole_community", value) for value in _places(state, "community_id")]
        return [("grid", value) for value in grids]


class Ledger(_GridOrCommunity):
    """Aid records of a household's grid, or of the whole station (no grid: donations, purchases),
    which only users given the whole community see."""

    def read(self, model, scope, level):
        return or_(scope.in_grids(model.grid_id, scope.grids(level)), and_(
            model.grid_id.is_(None), scope.in_communities(model.community_id, scope.whole_community_ids)))


class CommunityWide(_GridOrCommunity):
    """A grid's records, or the whole community's (no grid: a community meeting and what it
    decided), which everyone working in the community reads."""
    reads_wider = True

    def read(self, model, scope, level):
        return or_(scope.in_grids(model.grid_id, scope.grids(level)), and_(
            model.grid_id.is_(None), scope.in_communities(model.community_id)))


class SharedInCommunity(_GridOrCommunity):
    """The community's (not personal) records, read by every user of the community, whichever
    grid they are held in."""
    reads_wider = True

    def read(self, model, scope, level):
        return scope.in_communities(model.community_id)


class Walk(Ledger):
    """A patrol: its grid's, read as an aid record is (no grid: the whole community's); one with
    no position yet is its walker's, who needs only the community to start it."""

    def writes(self, obj):
        state = inspect(obj)
        grids = _places(state, "grid_id") - {None}
        if not grids:
            return [("community", value) for value in _places(state, "community_id")]
        return [("grid", value) for value in grids]


class Via(Rule):
    """A part of another record (a case's events, a voucher's lines): the parent's rule, through
    the foreign key ``relation + "_id"``."""

    def __init__(self, relation: str, parent, rule: Rule):
        self.relation, self.parent, self.rule = relation, parent, rule
        self.columns, self.relations, self.reads_wider = (f"{relation}_id",), (relation,), rule.reads_wider

    def read(self, model, scope, level):
        return getattr(model, f"{self.relation}_id").in_(
            select(self.parent.id).where(self.rule.read(self.parent, scope, level)))

    def writes(self, obj):
        state = inspect(obj)
        parents = [row for row in (*state.attrs[self.relation].history.sum(),) if row is not None]
        known = {row.id for row in parents}
        session = state.session
        for value in _places(state, f"{self.relation}_id") - known - {None}:
            parents.append(session.get(self.parent, value))
        return [place for row in parents if row is not None for place in self.rule.writes(row)] \
            or [("everything", None)]


class TheCommunity(Rule):
    """A community: its users read and change it; a new one is the unscoped's to make."""

    def read(self, model, scope, level):
        return scope.in_communities(Community.id)

    def writes(self, obj):
        return [("community", obj.id)] if obj.id is not None else [("everything", None)]


class TheGrid(Rule):
    """A grid: read by its own users (level "grid") or by everyone of its community (level
    "community": the map); changed by the users of its community (boundaries, managers)."""
    columns = ("community_id",)

    def read(self, model, scope, level):
        return (scope.in_communities(Grid.community_id) if level == "community"
                else scope.in_grids(Grid.id, scope.grid_ids))

    def writes(self, obj):
        return [("community", value) for value in _places(inspect(obj), "community_id")]


class Assignment(Rule):
    """A user's grid or community: read for every grid of my communities, given for my grids and
    communities."""
    reads_wider = True
    columns = ("grid_id", "community_id")

    def read(self, model, scope, level):
        return or_(scope.in_grids(UserScope.grid_id, scope.area_grid_ids), scope.in_communities(UserScope.community_id))

    def writes(self, obj):
        state = inspect(obj)
        if obj.grid_id is not None or obj.grid is not None:
            return [("grid", value) for value in _places(state, "grid_id")]
        return [("community", value) for value in _places(state, "community_id")]


def _given_inside(scope, user_id):
    """``user_id`` was given a grid or community inside my communities."""
    return exists().where(UserScope.user_id == user_id, or_(
        scope.in_grids(UserScope.grid_id, scope.area_grid_ids),
        scope.in_communities(UserScope.community_id)))


class Account(Rule):
    """Users given something inside my communities, or nothing at all yet (so they can be given).
    Writing accounts is FAB's user management, which its permissions guard (the Admin's)."""
    checks_writes = False

    def read(self, model, scope, level):
        return or_(_given_inside(scope, User.id), ~exists().where(UserScope.user_id == User.id))

    def writes(self, obj):
        return []


class AuditLog(Rule):
    """My communities' records, and the sign-ins and exports of people working in them. Written by
    the app for whoever acts, never by a screen: no write check."""
    checks_writes = False

    def read(self, model, scope, level):
        return or_(scope.in_listed_communities(AuditEntry.community_id),  # not a foreign key
                   and_(AuditEntry.community_id.is_(None), _given_inside(scope, AuditEntry.user_id)))

    def writes(self, obj):
        return []


class Unscoped(Rule):
    """No community's data (why: ``reason``); asking for its scope is a mistake."""
    checks_writes = False

    def __init__(self, reason: str):
        self.reason = reason

    def read(self, model, scope, level):
        raise TypeError(f"{model.__name__} has no grid scope: {self.reason}")

    def writes(self, obj):
        return []


_ledger, _community_wide, _by_grid, _by_community = Ledger(), CommunityWide(), ByGrid(), ByCommunity()

RULES: dict[type, Rule] = {
    Community: TheCommunity(),
    Grid: TheGrid(),
    UserScope: Assignment(),
    User: Account(),
    AuditEntry: AuditLog(),
    # The registry, the map's facilities, cases and the diary: their grid's.
    Building: _by_grid, Household: _by_grid, Resident: _by_grid, Facility: _by_grid,
    Case: _by_grid, DiaryEntry: _by_grid, Visit: _by_grid,
    # The field app: patrols and their tracks; what a phone sent, by the grid it landed in.
    Patrol: Walk(), PatrolPoint: Via("patrol", Patrol, Walk()), FieldReceipt: _by_grid,
    CaseEvent: Via("case", Case, _by_grid), CasePhoto: Via("case", Case, _by_grid),
    # The figures counted per grid (and the stock per grid or station: the moves' rule).
    CaseTally: _by_grid, DiaryTally: _by_grid, HouseholdTally: _by_grid, ResidentTally: _by_grid,
    StockTally: _ledger,
    # The aid station: a household's grid, or the whole station.
    Voucher: _ledger, StockMove: _ledger, FundEntry: _ledger, GroupFeedback: _ledger,
    VoucherLine: Via("voucher", Voucher, _ledger),
    # The community's lists: case categories, aid items, campaigns, donors, the residents' group,
    # the volunteer teams.
    CaseCategory: _by_community, AidItem: _by_community, Campaign: _by_community, Donor: _by_community,
    Notice: _by_community, GroupSize: _by_community, Team: _by_community, Volunteer: _by_community,
    # Activities are the community's (not personal): every user of the community reads them, and
    # records attendance at them.
    Activity: SharedInCommunity(),
    Attendance: Via("activity", Activity, _by_community),
    # Part 三 of the report. A supervisor, a contact household, a card handed over: their grid's (a
    # contact household's and a card's grid is their household's). A pairing is its building's grid's,
    # read community-wide (its screen's level). Supervision days, units and their support are the
    # community's. Meetings, their follow-ups and supervision opinions: a grid's, or the community's.
    GridSupervisor: _by_grid, ContactHousehold: _by_grid, CardHandover: _by_grid, BranchPairing: _by_grid,
    SupervisionDay: _by_community, CobuildingUnit: _by_community, UnitSupport: _by_community,
    Meeting: _community_wide, MeetingFollowUp: _community_wide, SupervisionOpinion: _community_wide,
    # Bookkeeping.
    SessionEpoch: Unscoped("a user's sign-in generation"),
    NumberSeries: Unscoped("the next number of a series of receipts or cases"),
    DataVersion: Unscoped("a table's data version"),
    FigureCacheEntry: Unscoped("stored figures, keyed by the scope that counted them"),
}
