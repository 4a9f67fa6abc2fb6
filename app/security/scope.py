"""The grid scope: which communities and grids the acting user may see and change.

The one choke point for row-level access. Lists, detail pages, edits, deletes and actions (through
``ScopeFilter`` on every screen), pickers, exports, charts, map layers and the API all ask
``clause(model)``; every flush asks ``refuse_writes_outside_scope``, so no write path can skip it.
Both come from the model's one rule in ``app.security.scope_rules`` (``RULES``); a model under
``app.models`` without a rule stops the start (``check_rules``).

Who acts is ``app.security.actor``'s: the request's user, or the system (everything) in an explicit
``actor.system(...)`` block; with neither, reading or writing scoped data raises ``NoActor``.

Levels: ``grid`` — the grids whose people a user looks after (a grid manager's own grids, all
grids of a secretary's community); ``community`` — every grid of the user's communities (the map
and facilities, which a grid manager reads for the whole community).
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_appbuilder import Model
from flask_appbuilder.models.filters import BaseFilter
from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, any_, func, literal, or_, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from ..caching import per_request
from ..database import StartupError
from ..extensions import db
from ..models import Community, Grid, UserScope
from . import actor, memo, roles
from .scope_rules import RULES


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

    def in_listed_communities(self, column):
        """``column`` among this scope's communities, always as a list (a column that is not a
        foreign key may hold communities that are gone)."""
        return among(column, self.community_ids)


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
    """The scope of the acting user (``actor.current``): the system's is everything."""
    acting = actor.current()
    if acting.is_system:
        return EVERYTHING

    def read() -> Scope:
        user = acting.user
        if not acting.signed_in or any(role.name in roles.UNSCOPED_ROLES for role in user.roles):
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


def clause(model, level: str = "grid", scope: Scope | None = None):
    """A WHERE clause keeping ``model``'s rows inside the scope; None when nothing is hidden."""
    scope = scope or current()
    if scope.everything:
        return None
    if model not in RULES:
        raise TypeError(f"{model.__name__} has no grid scope: add its rule to app.security.scope_rules")
    return RULES[model].read(model, scope, level)


def restrict(query, model, level: str = "grid", scope: Scope | None = None):
    condition = clause(model, level, scope)
    return query if condition is None else query.where(condition)


class ScopeFilter(BaseFilter):
    """FAB base filter of every screen: ``base_filters = [["id", ScopeFilter, level]]``."""

    name = "grid scope"

    def apply(self, query, value):
        condition = clause(self.model, value or "grid")
        return query if condition is None else query.filter(condition)


_ALLOWED = {"grid": "grid_ids", "community": "community_ids", "whole_community": "whole_community_ids"}


def may_write(obj, scope: Scope) -> bool:
    """Whether ``scope`` may write ``obj`` where it is, was and is going (its rule's places)."""
    rule = RULES.get(type(obj))
    if scope.everything or rule is None or not rule.checks_writes:
        return True
    return all(kind in _ALLOWED and value in getattr(scope, _ALLOWED[kind]) for kind, value in rule.writes(obj))


def refuse_writes_outside_scope(session: Session, _context, _instances) -> None:
    """Refuse any write outside the acting user's scope. Runs after the registry's derivations
    (``app.hooks`` installs them first), so a household's grid is already its building's."""
    if actor.is_system():
        return  # before looking at the rows: the seeds flush thousands at once
    dirty = [obj for obj in session.dirty if session.is_modified(obj)]
    checked = [obj for obj in (*session.new, *dirty, *session.deleted)
               if getattr(RULES.get(type(obj)), "checks_writes", False)]
    if not checked:
        return  # FAB's own tables, the audit log, bookkeeping: no one's grid, no actor needed
    scope = current()  # NoActor with no request and no system block
    if not all(may_write(obj, scope) for obj in checked):
        raise OutOfScope()


def check_rules() -> None:
    """At start-up: every model under ``app.models`` has its scope rule, naming columns it has."""
    problems = []
    for mapper in Model.registry.mappers:
        model = mapper.class_
        rule = RULES.get(model)
        if rule is None:
            if model.__module__.startswith("app.models"):
                problems.append(f"{model.__name__} has no scope rule")
            continue
        problems += [f"{model.__name__}'s scope rule names {column}, which it has not"
                     for column in rule.columns if column not in mapper.columns]
        problems += [f"{model.__name__}'s scope rule names {relation}, which it has not"
                     for relation in rule.relations if relation not in mapper.relationships]
    if problems:
        raise StartupError("Grid scope: " + "; ".join(sorted(problems))
                           + " (declare each model's rule in app/security/scope_rules.py).")
