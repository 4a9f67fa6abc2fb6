"""FAB's security manager with our sign-in audit and a logout that only POST can trigger."""
from __future__ import annotations

from flask import current_app, redirect, request
from flask_appbuilder import expose
from flask_appbuilder.hooks import before_request
from flask_appbuilder.security.api import SecurityApi
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.views import AuthDBView


class GridAuthDBView(AuthDBView):
    @expose("/logout/", methods=["POST"])
    def logout(self):
        from ..services import audit

        user = self._get_authenticated_user()
        if user is not None:
            audit.record("logout")
            self.appbuilder.sm.session.commit()
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
        return None


class GridSecurityManager(SecurityManager):
    authdbview = GridAuthDBView
    security_api = GridSecurityApi

    def register_views(self):
        super().register_views()
        # FAB limits its sign-in page only; its JSON sign-in (JWT) takes passwords too.
        if self.is_auth_limited:
            for view in self.appbuilder.baseviews:
                if isinstance(view, SecurityApi):
                    self.limiter.limit(self.auth_rate_limit, methods=["POST"])(view.blueprint)

    def auth_user_db(self, username, password):
        from ..services import audit

        user = super().auth_user_db(username, password)
        if user is not None:
            audit.record("login", username=user.username, user_id=user.id)
        else:
            audit.record("login_failed", username=username or "")
        self.session.commit()
        return user
