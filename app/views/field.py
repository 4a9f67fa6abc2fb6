"""在路上: the field app (``/field/``) for grid managers and volunteers on a phone — today, report a
problem, home visits, patrols — and its installable parts (manifest, service worker, icons), plus
the patrols screen where the secretary sees tracks and counts per person and day.

The page is a shell holding nothing personal (the service worker keeps it for a start with no
signal); the user's data comes as JSON. Writes go through ``app.services.field``.
"""
from __future__ import annotations

import functools
import io
import json

from flask import Blueprint, Response, current_app, jsonify, redirect, request, session, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.hooks import before_request
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext, lazy_gettext as _l
from flask_login import logout_user
from sqlalchemy import select

from ..extensions import db
from ..models import Patrol
from ..models.choices import VISIT_PURPOSE
from ..security import actor, scope, sessions
from ..security.access import may
from ..services import field
from . import formatters as fmt
from .base import ScopedView

# -- the installable parts: the same for everyone, no data (like static files) ---------------------------
assets = Blueprint("field_assets", __name__, url_prefix="/field")
ICON_SIZES = (192, 512)


@assets.route("/manifest.webmanifest")
def manifest():
    body = {"name": gettext("Grid field app"), "short_name": gettext("Grid field"), "lang": "zh-CN",
            "start_url": "/field/", "scope": "/field/", "display": "standalone",
            "background_color": "#ffffff", "theme_color": "#c8161d",
            "icons": [{"src": f"/field/icon-{size}.png", "sizes": f"{size}x{size}", "type": "image/png",
                       "purpose": "any maskable"} for size in ICON_SIZES]}
    return Response(json.dumps(body, ensure_ascii=False), mimetype="application/manifest+json")


@functools.cache
def _icon(size: int) -> bytes:
    """The app's icon, drawn here (no third-party asset): a red square with a white map grid."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (size, size), "#c8161d")
    draw = ImageDraw.Draw(image)
    margin, width = size // 5, max(2, size // 32)
    box = (margin, margin, size - margin, size - margin)
    draw.rectangle(box, outline="white", width=width)
    for step in (1, 2):
        at = margin + (size - 2 * margin) * step // 3
        draw.line((at, margin, at, size - margin), fill="white", width=width)
        draw.line((margin, at, size - margin, at), fill="white", width=width)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@assets.route("/icon-<int:size>.png")
def icon(size: int):
    if size not in ICON_SIZES:
        return Response(status=404)
    return Response(_icon(size), mimetype="image/png", headers={"Cache-Control": "public, max-age=86400"})


@assets.route("/sw.js")
def service_worker():
    """Served from /field/ so that its scope is the field app."""
    path = current_app.static_folder + "/js/field-sw.js"
    with open(path, encoding="utf-8") as source:
        response = Response(source.read(), mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response


# -- the app ---------------------------------------------------------------------------------------------
class FieldView(BaseView):
    route_base = "/field"
    default_view = "index"
    data_kind = "field"
    method_permission_name = {"index": "use", "today": "use", "report": "report", "households": "visit",
                              "visit": "visit", "patrol_start": "patrol", "patrol_point": "patrol",
                              "patrol_end": "patrol"}

    @before_request
    def _working_day(self):
        """A field-app session ends a working day after its sign-in (config GRID_FIELD_SESSION_HOURS)."""
        hours = current_app.config["GRID_FIELD_SESSION_HOURS"]
        if not actor.current().signed_in or not sessions.older_than(session, hours * 3600):
            return None
        logout_user()
        session.clear()
        if request.method == "GET" and request.path.rstrip("/") == self.route_base:
            return redirect(url_for("GridAuthDBView.login", next=request.path))
        return jsonify(error=gettext("Your session has ended: sign in again."), signed_out=True), 401

    @expose("/")
    @has_access
    def index(self):
        strings = {key: str(value) for key, value in STRINGS.items()}
        purposes = [{"code": code, "label": str(label)} for code, label in VISIT_PURPOSE]
        from flask_babel import get_locale

        return self.render_template("grid/field.html", lang="en" if str(get_locale()) == "en" else "zh-CN",
                                    strings=json.dumps(strings, ensure_ascii=False),
                                    purposes=json.dumps(purposes, ensure_ascii=False))

    @expose("/today")
    @has_access
    def today(self):
        from flask_wtf.csrf import generate_csrf

        user = actor.current().user
        return jsonify(user={"name": f"{user.first_name}{user.last_name}", "username": user.username},
                       csrf_token=generate_csrf(),
                       may={"report": may("field", "report"), "visit": may("field", "visit"),
                            "patrol": may("field", "patrol")},
                       categories=field.categories(), patrol=field.open_patrol(),
                       **field.today(may("case", "list"), may("meeting_follow_up", "list")))

    @expose("/households")
    @has_access
    def households(self):
        if request.args.get("building"):
            return jsonify(households=field.households(building_id=request.args["building"]))
        term = request.args.get("q", "").strip()
        if term:
            return jsonify(households=field.households(term=term))
        return jsonify(buildings=field.buildings())

    @staticmethod
    def _answer(work):
        try:
            return work()
        except field.FieldRefusal as refusal:
            return jsonify(error=str(refusal)), 422

    @expose("/report", methods=["POST"])
    @has_access
    def report(self):
        def work():
            form = request.form
            uploads = [(upload.read(), upload.filename) for upload in request.files.getlist("photo")
                       if upload.filename]
            case, created = field.report(form.get("client_id"), category_id=form.get("category"),
                                         text=form.get("text"), lng=form.get("lng"), lat=form.get("lat"),
                                         patrol_key=form.get("patrol"), uploads=uploads)
            return jsonify(created=created, number=case.number, grid=field.grid_name(case.grid_id),
                           photos=len(case.photos)), 201 if created else 200
        return self._answer(work)

    @expose("/visit", methods=["POST"])
    @has_access
    def visit(self):
        def work():
            form = request.form
            record, created = field.visit(form.get("client_id"), household_id=form.get("household"),
                                          purpose=form.get("purpose"), notes=form.get("notes"),
                                          follow_up=form.get("follow_up") == "1", visited_at=form.get("at"))
            return jsonify(created=created, id=record.id), 201 if created else 200
        return self._answer(work)

    @expose("/patrol/start", methods=["POST"])
    @has_access
    def patrol_start(self):
        def work():
            patrol, created = field.start_patrol(request.form.get("client_id"), started_at=request.form.get("at"))
            return jsonify(created=created, client_id=patrol.client_id), 201 if created else 200
        return self._answer(work)

    @expose("/patrol/point", methods=["POST"])
    @has_access
    def patrol_point(self):
        def work():
            form = request.form
            _row, created = field.add_point(form.get("patrol"), form.get("client_id"), at=form.get("at"),
                                            lng=form.get("lng"), lat=form.get("lat"), accuracy=form.get("accuracy"))
            return jsonify(created=created), 201 if created else 200
        return self._answer(work)

    @expose("/patrol/end", methods=["POST"])
    @has_access
    def patrol_end(self):
        def work():
            patrol = field.end_patrol(request.form.get("patrol"), ended_at=request.form.get("at"))
            return jsonify(ended=True, points=patrol.point_count)
        return self._answer(work)


# The page's words (its script shows them), English here and Chinese in the catalogue.
STRINGS = {
    "today": _l("Today"), "report": _l("Report a problem"), "visit": _l("Home visits"), "patrol": _l("Go on patrol"),
    "my_cases": _l("My open cases"), "follow_ups": _l("Follow-ups due"), "visits_to_follow": _l("Visits to follow up"),
    "my_reports": _l("Reports I sent"), "nothing": _l("Nothing here"), "due": _l("due"),
    "queued": _l("%(count)s waiting to be sent"), "refused": _l("Refused by the server"),
    "offline": _l("No signal: kept on the phone, sent when the signal is back"),
    "saved_offline": _l("Kept on the phone: it will be sent when the signal is back"),
    "sent": _l("Sent"), "case_made": _l("Case %(number)s, grid %(grid)s"),
    "sign_in_again": _l("Your session has ended: sign in again."),
    "sign_out": _l("Sign out"),
    "sign_out_queue": _l("%(count)s items have not been sent and will be lost. Sign out anyway?"),
    "position": _l("Position"), "locating": _l("Finding your position…"),
    "no_position": _l("No position: allow the phone to give its position"),
    "accuracy": _l("accurate to %(metres)s m"), "use_position": _l("Use my position"),
    "category": _l("Kind of problem"), "text": _l("What is wrong"), "photos": _l("Photos"),
    "send": _l("Send"), "building": _l("Building"), "household": _l("Household"), "unit": _l("Unit"),
    "search": _l("Search building or room"), "purpose": _l("Purpose"), "notes": _l("Notes"),
    "follow_up": _l("Needs a follow-up"), "record_visit": _l("Record the visit"),
    "start_patrol": _l("Start patrol"), "end_patrol": _l("End patrol"),
    "on_patrol": _l("On patrol since %(time)s: %(count)s positions"), "no_patrol": _l("Not on patrol"),
    "choose": _l("Choose…"), "dismiss": _l("Dismiss"),
}


# -- the secretary's view of the patrols -----------------------------------------------------------------
LABELS = {"username": _l("Patrolled by"), "grid": _l("Grid"), "community": _l("Community"),
          "started_at": _l("Started"), "ended_at": _l("Ended"), "point_count": _l("Positions"),
          "report_count": _l("Problems reported")}


class PatrolView(ScopedView):
    """Patrols (巡查): each person's, with its track on the map (layer "patrols") and counts per day."""

    datamodel = SQLAInterface(Patrol)
    data_kind = "patrol"
    list_title = show_title = _l("Patrols")
    label_columns = LABELS
    base_order = ("started_at", "desc")
    list_columns = ["username", "grid", "started_at", "ended_at", "point_count", "report_count"]
    show_columns = ["username", "community", "grid", "started_at", "ended_at", "point_count", "report_count"]
    search_columns = ["username", "started_at"]
    add_columns = edit_columns = ["username"]  # no add or edit route; FAB builds the forms anyway
    include_route_methods = {"list", "show", "export", "days"}
    method_permission_name = {"days": "list"}
    formatters_columns = {"started_at": fmt.local_time, "ended_at": fmt.local_time}

    @expose("/days/")
    @has_access
    def days(self):
        """Patrols and positions per person and day (the community's local day), the latest first."""
        query = scope.restrict(select(Patrol.username, Patrol.started_at, Patrol.point_count)
                               .order_by(Patrol.started_at.desc()), Patrol, self.scope_level).limit(DAYS_READ)
        counts: dict[tuple[str, str], list[int]] = {}
        for name, started, points in db.session.execute(query):
            row = counts.setdefault((fmt.local_time(started)[:10], name), [0, 0])
            row[0] += 1
            row[1] += points or 0
        rows = [{"day": day, "person": name, "patrols": patrols, "points": points}
                for (day, name), (patrols, points) in sorted(counts.items(), key=lambda kv: (kv[0][0], kv[0][1]),
                                                              reverse=True)]
        return self.render_template("grid/patrol_days.html", rows=rows, title=_l("Patrols per person and day"))


DAYS_READ = 5000  # the latest patrols counted per day: months of a community's
