"""The demo's sign-in accounts, one per role (and one per grid): demo mode only.

Password ``demo123`` for all. Grid managers are given their grid (and shown as its manager);
the secretary, supervisor and volunteer are given the whole community.
"""
from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models import Community, Grid, UserScope
from app.security.roles import ADMIN, MANAGER, SECRETARY, SUPERVISOR, VOLUNTEER

from .demo import COMMUNITY, GRIDS

DEMO_PASSWORD = "demo123"
WHOLE_COMMUNITY = "community"

# username, role, given (the community, or a grid's code), first and last name shown in the UI
ACCOUNTS = [
    ("admin", ADMIN, None, "系统", "管理员"),
    ("secretary", SECRETARY, WHOLE_COMMUNITY, "党总支", "书记"),
    *[(f"grid{n}", MANAGER, code, name, "网格员") for n, (code, name, *_rest) in enumerate(GRIDS, start=1)],
    ("supervisor", SUPERVISOR, WHOLE_COMMUNITY, "社区", "监督员"),
    ("volunteer", VOLUNTEER, WHOLE_COMMUNITY, "巡逻队", "志愿者"),
]


def seed_demo_accounts() -> list[str]:
    """Create the accounts that are missing; returns their usernames. Refuses outside demo mode."""
    if not current_app.config.get("GRID_DEMO"):
        raise RuntimeError("demo accounts are only created in demo mode (GRID_DEMO=1)")
    from app.security.sync import ensure_roles

    ensure_roles()  # after `db upgrade` alone there are none: an account is never made without its role
    sm = current_app.appbuilder.sm
    community = db.session.scalars(select(Community).where(Community.name == COMMUNITY["name"])).first()
    created = []
    for username, role, given, first_name, last_name in ACCOUNTS:
        if sm.find_user(username=username) is not None:
            continue
        if given is not None and community is None:
            continue  # the demo community is not there: nothing to give
        user = sm.add_user(username, first_name, last_name, f"{username}@demo.invalid",
                           sm.find_role(role), password=DEMO_PASSWORD)
        if not user:  # FAB answers False on an error
            raise RuntimeError(f"could not create the demo account {username}")
        if given == WHOLE_COMMUNITY:
            db.session.add(UserScope(user_id=user.id, community_id=community.id))
        elif given is not None:
            grid = db.session.scalars(select(Grid).where(Grid.community_id == community.id,
                                                         Grid.code == given)).one()
            grid.manager_id = user.id
            db.session.add(UserScope(user_id=user.id, grid_id=grid.id))
        created.append(username)
    db.session.commit()
    return created
