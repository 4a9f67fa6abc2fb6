"""Roles and their permissions made to match ``roles`` — idempotently, at start-up and on demand.

Airflow-style: the role table is data; anything clicked together in the UI for our roles is put
back the next time this runs.
"""
from __future__ import annotations

import threading

from flask import current_app
from flask_appbuilder.security.sqla.models import Permission, PermissionView, Role, ViewMenu, assoc_permissionview_role
from sqlalchemy import func, select

from ..extensions import db
from ..services.commands import command
from . import roles


def _menu_entries(appbuilder) -> dict[str, list[tuple[str, str | None]]]:
    """A view's permission name → its menu entries (item and category), each with the permission
    it needs (None: any permission on the view)."""
    found: dict[str, list[tuple[str, str | None]]] = {}
    for category in appbuilder.menu.get_list():
        for item in category.childs or [category]:
            view = getattr(item, "baseview", None)
            if view is not None:
                required = getattr(item, "required_permission", None)
                entries = [(item.name, required)] + ([(category.name, required)] if category is not item else [])
                found.setdefault(view.class_permission_name, []).extend(entries)
    return found


def desired_permissions(appbuilder) -> dict[str, set[tuple[str, str]]]:
    """Role → its (permission, view menu) pairs, from the role table and the registered views."""
    menus = _menu_entries(appbuilder)
    wanted = {role: set(roles.SELF_SERVICE) for role in roles.ROLES}
    for view in appbuilder.baseviews:
        name = view.class_permission_name
        kind = getattr(view, "data_kind", None)
        for role in roles.ROLES:
            if getattr(view, "for_every_role", False):
                granted = set(view.base_permissions or [])
            elif kind is not None:
                allowed = roles.verbs(role, kind)
                granted = {perm for perm in view.base_permissions or []
                           if perm.removeprefix("can_") in allowed}
            else:
                continue
            wanted[role] |= {(perm, name) for perm in granted}
            wanted[role] |= {("menu_access", menu) for menu, required in menus.get(name, [])
                             if (granted if required is None else required in granted)}
    for capability, holders in roles.CAPABILITIES.items():
        for role in holders:
            wanted[role].add(capability)
    return wanted


_syncing = threading.local()


def syncing() -> bool:
    """Whether this thread is inside sync_roles (which looks up the roles it is creating)."""
    return getattr(_syncing, "on", False)


@command
def sync_roles() -> dict[str, int]:
    """Create or update every role; returns each role's number of permissions. Committed (FAB's
    own calls commit as they go)."""
    _syncing.on = True
    try:
        return _sync_roles()
    finally:
        _syncing.on = False


def _sync_roles() -> dict[str, int]:
    appbuilder = current_app.appbuilder
    sm = appbuilder.sm
    for role in (roles.ADMIN, *roles.ROLES):
        if sm.find_role(role) is None:
            sm.add_role(role)
    appbuilder.add_permissions(update_perms=True)
    for permission, view_menu in roles.CAPABILITIES:
        sm.add_permission_view_menu(permission, view_menu)

    by_name = {(pv.permission.name, pv.view_menu.name): pv
               for pv in db.session.scalars(select(PermissionView))}
    sm.find_role(roles.ADMIN).permissions = list(by_name.values())
    counts = {roles.ADMIN: len(by_name)}
    for role, pairs in desired_permissions(appbuilder).items():
        missing = pairs - by_name.keys()
        if missing:
            raise RuntimeError(f"permissions named in the role table do not exist: {sorted(missing)}")
        sm.find_role(role).permissions = [by_name[pair] for pair in sorted(pairs)]
        counts[role] = len(pairs)
    return counts


def roles_in_place() -> bool:
    """Whether every role of the role table exists with exactly its permissions, and Admin with all
    of them (two queries; sync_roles takes seconds)."""
    wanted = desired_permissions(current_app.appbuilder)
    held = {name: set() for name in (roles.ADMIN, *roles.ROLES)}
    for role, permission, view_menu in db.session.execute(
            select(Role.name, Permission.name, ViewMenu.name)
            .join(assoc_permissionview_role, assoc_permissionview_role.c.role_id == Role.id)
            .join(PermissionView, PermissionView.id == assoc_permissionview_role.c.permission_view_id)
            .join(Permission, Permission.id == PermissionView.permission_id)
            .join(ViewMenu, ViewMenu.id == PermissionView.view_menu_id)
            .where(Role.name.in_(held))):
        held[role].add((permission, view_menu))
    everything = db.session.scalar(select(func.count(PermissionView.id)))
    return (bool(held[roles.ADMIN]) and len(held[roles.ADMIN]) == everything
            and all(held[role] == pairs for role, pairs in wanted.items()))


def ensure_roles() -> None:
    """The roles brought up to date if they are not: before an account is given one."""
    if not roles_in_place():
        sync_roles()
