"""Roles are data: synced idempotently, put back when tampered with, no user management but Admin's."""
from click.testing import CliRunner
from flask_appbuilder.security.sqla.models import PermissionView, Role
from sqlalchemy import select

from app.extensions import db
from app.security import roles
from app.security.sync import desired_permissions, sync_roles


def held(role_name):
    db.session.expire_all()
    role = db.session.scalars(select(Role).where(Role.name == role_name)).one()
    return {(pv.permission.name, pv.view_menu.name) for pv in role.permissions}


def test_sync_is_idempotent(app):
    first = {role: held(role) for role in (roles.ADMIN, *roles.ROLES)}
    assert sync_roles() == {role: len(pairs) for role, pairs in first.items()}
    assert {role: held(role) for role in first} == first


def test_permissions_clicked_together_in_the_ui_are_put_back(app):
    sm = app.appbuilder.sm
    supervisor = sm.find_role(roles.SUPERVISOR)
    sm.add_permission_role(supervisor, sm.find_permission_view_menu("can_delete", "ResidentView"))
    manager = sm.find_role(roles.MANAGER)
    sm.del_permission_role(manager, sm.find_permission_view_menu("can_list", "ResidentView"))
    runner = CliRunner()
    result = runner.invoke(app.cli, ["sync-roles"], catch_exceptions=False)
    assert "Supervisor:" in result.output and "Grid Manager:" in result.output
    assert ("can_delete", "ResidentView") not in held(roles.SUPERVISOR)
    assert ("can_list", "ResidentView") in held(roles.MANAGER)


def test_no_role_but_admin_manages_users_or_roles(app):
    security_views = {"UserDBModelView", "RoleModelView", "UserGroupModelView", "PermissionModelView",
                      "ViewMenuModelView", "PermissionViewModelView", "UserStatsChartView"}
    management = {"can_list", "can_show", "can_add", "can_edit", "can_delete", "can_chart", "copyrole",
                  "resetpasswords"}
    for role in roles.ROLES:
        leaked = {pair for pair in held(role) if pair[1] in security_views and pair[0] in management}
        assert not leaked, f"{role}: {leaked}"


def test_roles_that_edit_people_also_see_their_sensitive_fields(app):
    """An edit form shows ID numbers whole, so editing implies the sensitive-data permission."""
    people = ("household", "resident")
    for role in roles.ROLES:
        edits = any({"add", "edit"} & roles.verbs(role, kind) for kind in people)
        if edits:
            assert roles.has_capability(role, roles.VIEW_SENSITIVE), role


def test_supervisor_holds_read_permissions_only(app):
    writes = {pair for pair in held(roles.SUPERVISOR) if pair[0] in ("can_add", "can_edit", "can_delete")}
    assert not writes
    assert ("can_list", "ResidentView") in held(roles.SUPERVISOR)


def test_the_role_table_names_only_permissions_that_exist(app):
    existing = {(pv.permission.name, pv.view_menu.name) for pv in db.session.scalars(select(PermissionView))}
    for role, pairs in desired_permissions(app.appbuilder).items():
        assert pairs <= existing, role
