"""一支队: teams, volunteers (with their hours), activities and who attended."""
from __future__ import annotations

from flask import flash, redirect, url_for
from flask_appbuilder import action
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, FloatField
from wtforms.validators import InputRequired, NumberRange, Optional

from ..models import Activity, Attendance, Team, Volunteer
from ..models.choices import ACTIVITY_KIND, VOLUNTEER_KIND
from ..services import volunteering
from ..timekeeping import local_today
from ..security import actor
from .base import ScopedView
from .fields import choice_field, picker

LABELS = {
    "name": _l("Name"), "community": _l("Community"), "founded_on": _l("Founded on"), "note": _l("Note"),
    "team": _l("Team"), "kind": _l("Kind"), "resident": _l("Resident"), "organisation": _l("School or unit"),
    "phone": _l("Phone"), "user": _l("Sign-in account"), "active": _l("Active"), "total_hours": _l("Hours"),
    "grid": _l("Grid"), "title": _l("Title"), "held_on": _l("Date"), "hours": _l("Hours"),
    "organiser": _l("Organiser"), "attendance_count": _l("Attended"), "activity": _l("Activity"),
    "volunteer": _l("Volunteer"),
}


class AttendanceView(ScopedView):
    datamodel = SQLAInterface(Attendance)
    data_kind = "attendance"
    list_title = show_title = _l("Attendance")
    add_title = _l("Add attendance")
    edit_title = _l("Edit attendance")
    label_columns = LABELS
    base_order = ("id", "asc")
    list_columns = show_columns = ["activity", "volunteer", "hours"]
    add_columns = edit_columns = ["activity", "volunteer", "hours"]
    search_columns = ["activity", "volunteer"]
    add_form_extra_fields = edit_form_extra_fields = {
        "activity": picker(LABELS["activity"], "activity"),
        "volunteer": picker(LABELS["volunteer"], "volunteer"),
        "hours": FloatField(LABELS["hours"], [InputRequired(), NumberRange(0.5, 24)]),
    }
    search_form_extra_fields = {"activity": picker(LABELS["activity"], "activity"),
                                "volunteer": picker(LABELS["volunteer"], "volunteer")}


class ActivityView(ScopedView):
    datamodel = SQLAInterface(Activity)
    data_kind = "activity"
    list_title = show_title = _l("Volunteer activities")
    add_title = _l("Add activity")
    edit_title = _l("Edit activity")
    label_columns = LABELS
    base_order = ("held_on", "desc")
    list_columns = ["held_on", "title", "kind", "team", "grid", "attendance_count", "organiser"]
    show_columns = ["held_on", "title", "kind", "team", "community", "grid", "hours", "organiser", "note"]
    add_columns = edit_columns = ["community", "held_on", "title", "kind", "team", "grid", "hours", "organiser",
                                  "note"]
    search_columns = ["held_on", "kind", "team", "grid", "title"]
    formatters_columns = {"kind": ACTIVITY_KIND.label}
    method_permission_name = {"attend": "attend"}
    related_views = [AttendanceView]
    add_form_extra_fields = edit_form_extra_fields = {
        "community": picker(LABELS["community"], "community"),
        "held_on": DateField(LABELS["held_on"], [InputRequired()], default=local_today),
        "kind": choice_field(LABELS["kind"], ACTIVITY_KIND),
        "team": picker(LABELS["team"], "team", required=False),
        "grid": picker(LABELS["grid"], "grid", required=False),
        "hours": FloatField(LABELS["hours"], [InputRequired(), NumberRange(0.5, 24)], default=2.0),
    }
    search_form_extra_fields = {"kind": choice_field(LABELS["kind"], ACTIVITY_KIND),
                                "team": picker(LABELS["team"], "team"), "grid": picker(LABELS["grid"], "grid")}

    @action("attend", _l("I took part"), None, "fa-hand-paper-o", multiple=False)
    def attend(self, item):
        """A volunteer logs their own attendance (their volunteer record names their account)."""
        activity = item[0] if isinstance(item, list) else item
        try:
            _attendance, recorded = volunteering.attend(activity, actor.current().user_id)
        except volunteering.AttendanceError as error:
            flash(str(error), "danger")
        else:
            if recorded:
                flash(_l("Your attendance is recorded: %(hours)s hours.", hours=activity.hours), "success")
            else:
                flash(_l("Your attendance is already recorded."), "info")
        return redirect(url_for(".show", pk=activity.id))


class VolunteerView(ScopedView):
    datamodel = SQLAInterface(Volunteer)
    data_kind = "volunteer"
    list_title = show_title = _l("Volunteers")
    add_title = _l("Add volunteer")
    edit_title = _l("Edit volunteer")
    label_columns = LABELS
    base_order = ("id", "asc")
    list_columns = ["name", "kind", "team", "organisation", "phone", "total_hours", "active"]
    show_columns = ["name", "kind", "team", "community", "resident", "organisation", "phone", "user",
                    "total_hours", "active"]
    add_columns = edit_columns = ["community", "team", "name", "kind", "resident", "organisation", "phone", "user",
                                  "active"]
    search_columns = ["name", "kind", "team", "active"]
    formatters_columns = {"kind": VOLUNTEER_KIND.label,
                          "active": lambda value: str(_l("Yes") if value else _l("No"))}
    related_views = [AttendanceView]
    add_form_extra_fields = edit_form_extra_fields = {
        "community": picker(LABELS["community"], "community"),
        "team": picker(LABELS["team"], "team", required=False),
        "kind": choice_field(LABELS["kind"], VOLUNTEER_KIND),
        "resident": picker(LABELS["resident"], "resident", required=False),
        "user": picker(LABELS["user"], "user", required=False),
        "active": BooleanField(LABELS["active"], default=True),
    }
    search_form_extra_fields = {"kind": choice_field(LABELS["kind"], VOLUNTEER_KIND),
                                "team": picker(LABELS["team"], "team")}


class TeamView(ScopedView):
    datamodel = SQLAInterface(Team)
    data_kind = "team"
    list_title = show_title = _l("Volunteer teams")
    add_title = _l("Add team")
    edit_title = _l("Edit team")
    label_columns = LABELS
    base_order = ("id", "asc")
    list_columns = ["name", "founded_on", "community"]
    show_columns = add_columns = edit_columns = ["community", "name", "founded_on", "note"]
    search_columns = ["name", "community"]
    related_views = [VolunteerView, ActivityView]
    add_form_extra_fields = edit_form_extra_fields = {
        "community": picker(LABELS["community"], "community"),
        "founded_on": DateField(LABELS["founded_on"], [Optional()]),
    }
