"""FAB's security manager with our sign-in audit and a logout that only POST can trigger."""
from __future__ import annotations

from flask import current_app, redirect
from flask_appbuilder import expose
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


class GridSecurityManager(SecurityManager):
    authdbview = GridAuthDBView

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
