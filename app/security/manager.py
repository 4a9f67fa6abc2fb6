"""FAB's security manager with our sign-in audit and budget (``signin``), sessions that end
everywhere (``sessions``), a logout that only POST can trigger, and a user's permissions loaded
once per request (FAB asks the database once per menu entry and button: some fifty queries for
one list page)."""
from __future__ import annotations

from flask import current_app, flash, g, has_request_context, redirect, request, session
from flask_appbuilder import expose
from flask_appbuilder.hooks import before_request
from flask_appbuilder.security.api import SecurityApi
from flask_appbuilder.security.decorators import no_cache
from flask_appbuilder.security.forms import LoginForm_db
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.views import AuthDBView
from flask_login import current_user, user_logged_in

from ..caching import per_request
from . import memo, sessions, signin


class GridAuthDBView(AuthDBView):
    @expose("/login/", methods=["GET", "POST"])
    @no_cache
    def login(self):
        refused = signin.refusal(request.form.get("username")) if request.method == "POST" else None
        if refused is None:
            return super().login()
        flash(refused.message, "danger")
        page = self.render_template(self.login_template, title=self.title, form=LoginForm_db(),
                                    appbuilder=self.appbuilder)
        return page, 429, {"Retry-After": str(refused.retry_after)}

    @expose("/logout/", methods=["POST"])
    def logout(self):
        user = self._get_authenticated_user()
        if user is not None:
            sessions.sign_out(user.id)
        response = super().logout()
        return response if user is not None else redirect(current_app.appbuilder.get_url_for_index)


class GridSecurityApi(SecurityApi):
    """FAB's JSON sign-in (JWT). Its document makes ``provider`` optional but its code needs it
    (a 500 without): absent, it is this app's only provider, the database."""

    @before_request(only=["login"])
    def _default_provider(self):
        body = request.get_json(silent=True) if request.is_json else None
        if isinstance(body, dict):
            body.setdefault("provider", "db")  # the parsed body is cached: the sign-in reads this one
            refused = signin.refusal(body.get("username") if isinstance(body.get("username"), str) else None)
            if refused is not None:
                response = self.response(429, message=refused.message)
                response.headers["Retry-After"] = str(refused.retry_after)
                return response
        return None


class GridSecurityManager(SecurityManager):
    authdbview = GridAuthDBView
    security_api = GridSecurityApi

    @property
    def is_auth_limited(self) -> bool:
        """FAB's own limit counts every sign-in per address, successes too: ``signin``'s budget
        (failures, per account and per address) replaces it."""
        return False

    def auth_user_db(self, username, password):
        from ..services import audit

        # Both sign-ins ask first; this keeps any other caller within the budget too.
        user = super().auth_user_db(username, password) if signin.refusal(username) is None else None
        if user is not None:
            audit.signed_in(user)
        else:
            audit.sign_in_refused(username or "")
            signin.failed(username)
        return user

    def find_role(self, name):
        """FAB's; a role of the role table that is not there yet (a database only migrated) is
        brought into being first, so whoever looks one up to give it (the demo's accounts, FAB's
        ``fab create-admin``) never gets None."""
        from . import sync
        from .role_names import ADMIN, ROLES

        role = super().find_role(name)
        if role is None and name in (ADMIN, *ROLES) and not sync.syncing():
            sync.ensure_roles()
            role = super().find_role(name)
        return role

    def add_user(self, username, first_name, last_name, email, role=None, password="", hashed_password="",
                 groups=None, commit=True):
        """FAB's, refusing an account with no role: a role looked up before the roles were synced
        (``find_role`` answers None) would make a user who can open nothing."""
        given = role if isinstance(role, list) else [role]
        if (not given or any(one is None for one in given)) and not groups:
            raise ValueError(f"the account {username} needs a role, and that role does not exist yet: "
                             "run `flask --app run sync-roles` (or `prepare`) first")
        return super().add_user(username, first_name, last_name, email, role, password, hashed_password, groups,
                                commit)

    # -- sessions: each carries its user's epoch (``sessions``) ----------------------------------------
    def create_login_manager(self, app):
        manager = super().create_login_manager(app)
        # FAB passes current_app, a proxy: the signal's sender is the app itself.
        user_logged_in.connect(self._stamp_session, current_app._get_current_object())
        return manager

    def _stamp_session(self, _app, user, **_extra):
        import time

        session[sessions.SESSION_KEY] = sessions.epoch_of(self.session, user.id)
        session[sessions.SIGNED_IN_KEY] = int(time.time())

    def create_jwt_manager(self, app):
        manager = super().create_jwt_manager(app)
        manager.additional_claims_loader(
            lambda identity: {sessions.CLAIM: sessions.epoch_of(self.session, int(identity))})
        return manager

    def load_user(self, pk):
        """The session's user, if active and the session is of their current epoch."""
        user, epoch = self._user_and_epoch(pk)
        return user if user is not None and session.get(sessions.SESSION_KEY, 0) == epoch else None

    def load_user_jwt(self, _jwt_header, jwt_data):
        """The token's user, if active and the token is of their current epoch (refresh tokens too)."""
        user, epoch = self._user_and_epoch(jwt_data["sub"])
        if user is None or jwt_data.get(sessions.CLAIM, 0) != epoch:
            return None
        g.user = user  # as FAB's
        return user

    def _user_and_epoch(self, pk):
        """(the active user ``pk`` with their roles and groups, their session epoch) in one query, the
        one each request makes anyway; (None, None) for an unknown or inactive user."""
        from sqlalchemy import select
        from sqlalchemy.orm import joinedload

        from ..models import SessionEpoch

        model = self.user_model
        try:
            pk = int(pk)
        except (TypeError, ValueError):
            return None, None
        row = self.session.execute(
            select(model, SessionEpoch.epoch).outerjoin(SessionEpoch, SessionEpoch.user_id == model.id)
            .where(model.id == pk).options(joinedload(model.roles), joinedload(model.groups))).unique().first()
        if row is None or not row[0].is_active:
            return None, None
        return row[0], row[1] or 0

    def get_user_by_id(self, pk):
        """The user with their roles and groups in one query (FAB's lazy loads made three)."""
        from sqlalchemy.orm import joinedload

        model = self.user_model
        return self.session.get(model, pk, options=[joinedload(model.roles), joinedload(model.groups)])

    # -- permissions, once per request ---------------------------------------------------------------
    def _permissions_of(self, roles) -> set[tuple[str, str]] | None:
        """(permission, view) pairs of ``roles`` (database roles only), cached for the request and
        kept while the permission tables stand (``memo``);
        None where FAB's own rules apply (built-in roles, outside a request)."""
        if not has_request_context() or any(role.name in self.builtin_roles for role in roles):
            return None
        key = tuple(sorted(role.id for role in roles))
        return per_request(f"grid.permissions.{','.join(map(str, key))}",
                           lambda: memo.remembered("permissions", key, lambda: self._read_permissions(key)))

    def _read_permissions(self, role_ids) -> frozenset[tuple[str, str]]:
        from flask_appbuilder.security.sqla.models import (Permission, PermissionView, ViewMenu,
                                                           assoc_permissionview_role as granted)
        from sqlalchemy import select

        return frozenset(self.session.execute(
            select(Permission.name, ViewMenu.name).select_from(PermissionView)
            .join(Permission, Permission.id == PermissionView.permission_id)
            .join(ViewMenu, ViewMenu.id == PermissionView.view_menu_id)
            .join(granted, granted.c.permission_view_id == PermissionView.id)
            .where(granted.c.role_id.in_(role_ids))).all())

    def has_access(self, permission_name, view_name) -> bool:
        """A set lookup for a signed-in user: a page asks some sixty times (menu entries, buttons),
        and FAB resolves the user and their roles on every call."""
        permissions = self._request_permissions()
        if permissions is None:
            return super().has_access(permission_name, view_name)
        return (permission_name, view_name) in permissions

    def _request_permissions(self):
        """The (permission, view) pairs of the request's signed-in user, found once per request and
        user; None where FAB's own rules apply (outside a request, tokens, the public, built-in
        roles)."""
        if not has_request_context():
            return None
        values = vars(g._get_current_object())  # each proxy once: ~60 calls a page

        def principal():
            return id(values.get("user")), id(values.get("_login_user")), values.get("_api_key_user", False)

        def read():
            permissions = self._session_user_permissions()
            # Keyed after the call, which loads the signed-in user into ``g`` on a request's first ask.
            return principal(), permissions
        return per_request("grid.access", read, fresh=lambda kept: kept[0] == principal())[1]

    def _session_user_permissions(self):
        if g.get("_api_key_user", False) or not current_user.is_authenticated:
            return None
        user = self._get_safe_user(g.user)
        if user is None or not user.is_active:
            return frozenset()  # FAB: no access
        return self._permissions_of(self.get_user_roles(user))

    def _has_view_access(self, user, permission_name, view_name) -> bool:
        permissions = self._permissions_of(self.get_user_roles(user))
        if permissions is None:
            return super()._has_view_access(user, permission_name, view_name)
        return (permission_name, view_name) in permissions

    def _get_user_permission_view_menus(self, user, permission_name, view_menus_name):
        permissions = None if user is None else self._permissions_of(self.get_user_roles(user))
        if permissions is None:
            return super()._get_user_permission_view_menus(user, permission_name, view_menus_name)
        return {view for permission, view in permissions
                if permission == permission_name and (view_menus_name is None or view in view_menus_name)}
