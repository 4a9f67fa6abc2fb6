"""网格服务工作例会: meetings of the community or of one grid, and their follow-up items (overdue
like cases; "make a case" once per item)."""
from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional, ValidationError

from ..models import Meeting, MeetingFollowUp
from ..models.choices import MEETING_STATUS, SLA_STATE
from ..timekeeping import local_today
from .base import ScopedView
from .cases import MakesCases, sla_mark
from .diary import short
from .fields import MultiPickerField, PickerField, choice_field, picker

LABELS = {
    "community": _l("Community"), "grid": _l("Grid"), "title": _l("Title"), "held_on": _l("Date"),
    "place": _l("Place"), "status": _l("Status"), "chair": _l("Chaired by"), "attendees": _l("Attendees"),
    "other_attendees": _l("Other attendees"), "agenda": _l("Agenda"), "minutes": _l("Minutes"),
    "decisions": _l("Decisions"), "meeting": _l("Meeting"), "content": _l("Follow-up item"),
    "owner": _l("Owner"), "due_on": _l("Due"), "done_on": _l("Done on"), "result": _l("Result"),
    "sla": _l("Deadline"), "case": _l("Case"),
}


def level_label(grid) -> str:
    """A meeting's grid, or the whole community when it has none."""
    return str(grid) if grid is not None else str(_l("Whole community"))


def _community_or_grid(form, field):
    """A community meeting names its community; a grid meeting its grid (the community follows)."""
    community, grid = form["community"].data, form["grid"].data
    if community is None and grid is None:
        raise ValidationError(_l("Choose the community, or the grid for a grid's meeting."))
    if community is not None and grid is not None and grid.community_id != community.id:
        raise ValidationError(_l("Is not a grid of the chosen community"))


def _grid_of_meeting(form, field):
    """A grid meeting's items are its grid's; a community meeting's may name one of its grids."""
    meeting, grid = form["meeting"].data, field.data
    if meeting is None or grid is None:
        return
    if meeting.grid_id is not None and grid.id != meeting.grid_id:
        raise ValidationError(_l("A grid meeting's follow-ups are that grid's"))
    if grid.community_id != meeting.community_id:
        raise ValidationError(_l("Is not a grid of the meeting's community"))


def _text(label, required=False, rows=4):
    return TextAreaField(label, [DataRequired() if required else Optional()],
                         render_kw={"rows": rows})


class MeetingView(ScopedView):
    datamodel = SQLAInterface(Meeting)
    data_kind = "meeting"
    list_title = show_title = _l("Grid service meetings")
    add_title = _l("Schedule a meeting")
    edit_title = _l("Edit meeting")
    label_columns = LABELS
    base_order = ("held_on", "desc")
    list_columns = ["held_on", "title", "grid", "status", "place", "chair"]
    show_columns = ["held_on", "title", "community", "grid", "status", "place", "chair", "attendees",
                    "other_attendees", "agenda", "minutes", "decisions"]
    add_columns = edit_columns = ["community", "grid", "title", "held_on", "place", "status", "chair", "attendees",
                                  "other_attendees", "agenda", "minutes", "decisions"]
    search_columns = ["held_on", "title", "grid", "status"]
    formatters_columns = {"status": MEETING_STATUS.label, "grid": level_label,
                          "attendees": lambda users: "、".join(str(user) for user in users or [])}
    add_form_extra_fields = edit_form_extra_fields = {
        # Not Optional(): an empty community must still reach the check (a grid will do instead).
        "community": PickerField(LABELS["community"], [_community_or_grid], kind="community"),
        "grid": picker(LABELS["grid"], "grid", depends="community", required=False),
        "title": StringField(LABELS["title"], [DataRequired()]),
        "held_on": DateField(LABELS["held_on"], [InputRequired()], default=local_today),
        "status": choice_field(LABELS["status"], MEETING_STATUS),
        "attendees": MultiPickerField(LABELS["attendees"], kind="staff"),
        "agenda": _text(LABELS["agenda"]),
        "minutes": _text(LABELS["minutes"], rows=6),
        "decisions": _text(LABELS["decisions"]),
    }
    search_form_extra_fields = {"grid": picker(LABELS["grid"], "grid"),
                                "status": choice_field(LABELS["status"], MEETING_STATUS)}

    def _community_from_grid(self, item):
        if item.community is None and item.grid is not None:
            item.community = item.grid.community

    pre_add = pre_update = _community_from_grid


class FollowUpView(MakesCases, ScopedView):
    datamodel = SQLAInterface(MeetingFollowUp)
    data_kind = "meeting_follow_up"
    list_title = show_title = _l("Meeting follow-ups")
    add_title = _l("Add a follow-up item")
    edit_title = _l("Edit follow-up item")
    label_columns = LABELS
    base_order = ("due_on", "asc")
    list_columns = ["content", "meeting", "grid", "owner", "due_on", "sla", "done_on", "case"]
    show_columns = ["meeting", "grid", "content", "owner", "due_on", "sla", "done_on", "result", "case"]
    add_columns = edit_columns = ["meeting", "grid", "content", "owner", "due_on", "done_on", "result"]
    search_columns = ["meeting", "grid", "owner", "sla", "due_on", "done_on"]
    formatters_columns = {"content": short, "sla": sla_mark, "grid": level_label}
    case_source, case_confirmation = "meeting", _l("Make a case of this follow-up item?")
    add_form_extra_fields = edit_form_extra_fields = {
        "meeting": picker(LABELS["meeting"], "meeting"),
        "grid": picker(LABELS["grid"], "grid", required=False, checks=[_grid_of_meeting]),
        "content": _text(LABELS["content"], required=True, rows=3),
        "owner": picker(LABELS["owner"], "assignee", depends="grid"),
        "due_on": DateField(LABELS["due_on"], [InputRequired()]),
        "done_on": DateField(LABELS["done_on"], [Optional()]),
        "result": _text(LABELS["result"], rows=3),
    }
    search_form_extra_fields = {"meeting": picker(LABELS["meeting"], "meeting"),
                                "grid": picker(LABELS["grid"], "grid"),
                                "owner": picker(LABELS["owner"], "assignee"),
                                "sla": choice_field(LABELS["sla"], SLA_STATE)}


MeetingView.related_views = [FollowUpView]
