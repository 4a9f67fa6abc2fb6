"""The landing page: the community's figures and charts for the user's scope, each clicking
through to its rows."""
from __future__ import annotations

import json

from flask import g, redirect, request, url_for
from flask_appbuilder import BaseView, IndexView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l

from ..services import dashboard

PERIODS = (("all", _l("All time")), ("year", _l("This year")), ("month", _l("This month")))


class GridIndexView(IndexView):
    """Signed in: the dashboard; otherwise FAB's welcome with its sign-in link."""

    public = True  # shows nothing of the data

    @expose("/")
    def index(self):
        user = getattr(g, "user", None)
        if user is not None and user.is_authenticated:
            return redirect(url_for("DashboardView.show"))
        return super().index()


class DashboardView(BaseView):
    route_base = "/dashboard"
    default_view = "show"
    data_kind = "dashboard"
    method_permission_name = {"show": "view"}

    @expose("/")
    @has_access
    def show(self):
        period = request.args.get("period", "all")
        period = period if period in dict(PERIODS) else "all"
        cards, charts = dashboard.page(period)
        return self.render_template(
            "grid/dashboard.html", title=_l("Dashboard"), period=period, periods=PERIODS,
            cards=cards, charts=json.dumps(charts, ensure_ascii=False))


class MonthlyPackView(BaseView):
    """/export/monthly?month=YYYY-MM: the street office's monthly ZIP, audited."""

    route_base = "/export"
    default_view = "monthly"
    data_kind = "monthly_pack"

    @expose("/monthly")
    @has_access
    def monthly(self):
        from flask import Response, flash

        from ..services import audit, monthly

        month = request.args.get("month", "")
        try:
            name, data = monthly.pack(month)
        except ValueError:
            flash(_l("Give the month as YYYY-MM, e.g. 2026-10."), "danger")
            return redirect(url_for("DashboardView.show"))
        audit.exported("monthly_pack", month)
        return Response(data, mimetype="application/zip",
                        headers={"Content-Disposition": f"attachment; filename={name}"})
