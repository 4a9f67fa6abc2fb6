"""一个群: notices sent to the residents' group, the group's size over time, and its feedback."""
from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, IntegerField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, NumberRange

from ..models import GroupFeedback, GroupSize, Notice
from ..models.choices import CHANNEL
from ..timekeeping import local_today
from ..security import actor
from .base import ScopedView
from .cases import MakesCases
from .fields import MultiPickerField, choice_field, picker

LABELS = {
    "community": _l("Community"), "channel": _l("Channel"), "title": _l("Title"), "body": _l("Text"),
    "sent_on": _l("Sent on"), "author": _l("Sent by"), "to_everyone": _l("To everyone"),
    "grids": _l("To these grids"), "recorded_on": _l("Date"), "members": _l("Members"),
    "received_on": _l("Received on"), "content": _l("Content"), "grid": _l("Grid"), "case": _l("Case"),
}


class NoticeView(ScopedView):
    datamodel = SQLAInterface(Notice)
    data_kind = "notice"
    list_title = show_title = _l("Group notices")
    add_title = _l("Send a notice")
    edit_title = _l("Edit notice")
    label_columns = LABELS
    base_order = ("sent_on", "desc")
    list_columns = ["sent_on", "channel", "title", "author", "to_everyone"]
    show_columns = ["sent_on", "channel", "title", "body", "author", "to_everyone", "grids", "community"]
    add_columns = edit_columns = ["community", "channel", "sent_on", "title", "body", "to_everyone", "grids"]
    search_columns = ["sent_on", "channel", "title"]
    formatters_columns = {"channel": CHANNEL.label, "to_everyone": lambda v: str(_l("Yes") if v else _l("No"))}
    add_form_extra_fields = edit_form_extra_fields = {
        "community": picker(LABELS["community"], "community"),
        "channel": choice_field(LABELS["channel"], CHANNEL),
        "sent_on": DateField(LABELS["sent_on"], [InputRequired()], default=local_today),
        "body": TextAreaField(LABELS["body"], [DataRequired()], render_kw={"rows": 5}),
        "to_everyone": BooleanField(LABELS["to_everyone"], default=True),
        "grids": MultiPickerField(LABELS["grids"], kind="grid"),
    }
    search_form_extra_fields = {"channel": choice_field(LABELS["channel"], CHANNEL)}

    def pre_add(self, item):
        item.author = actor.current().name


class GroupSizeView(ScopedView):
    datamodel = SQLAInterface(GroupSize)
    data_kind = "group_size"
    list_title = show_title = _l("Group size")
    add_title = _l("Record the group's size")
    edit_title = _l("Edit group size")
    label_columns = LABELS
    base_order = ("recorded_on", "desc")
    list_columns = ["recorded_on", "channel", "members", "community"]
    show_columns = add_columns = edit_columns = ["community", "channel", "recorded_on", "members"]
    search_columns = ["recorded_on", "channel"]
    formatters_columns = {"channel": CHANNEL.label}
    add_form_extra_fields = edit_form_extra_fields = {
        "community": picker(LABELS["community"], "community"),
        "channel": choice_field(LABELS["channel"], CHANNEL),
        "recorded_on": DateField(LABELS["recorded_on"], [InputRequired()], default=local_today),
        "members": IntegerField(LABELS["members"], [InputRequired(), NumberRange(0, 100000)]),
    }


class GroupFeedbackView(MakesCases, ScopedView):
    datamodel = SQLAInterface(GroupFeedback)
    data_kind = "group_feedback"
    list_title = show_title = _l("Feedback from the group")
    add_title = _l("Record feedback from the group")
    edit_title = _l("Edit feedback")
    label_columns = LABELS
    base_order = ("received_on", "desc")
    list_columns = ["received_on", "channel", "content", "grid", "case"]
    show_columns = ["received_on", "channel", "content", "grid", "case", "community"]
    add_columns = edit_columns = ["community", "channel", "received_on", "grid", "content"]
    search_columns = ["received_on", "channel", "grid"]
    formatters_columns = {"channel": CHANNEL.label}
    case_source, case_confirmation = "qq_group", _l("Make a case of this feedback?")
    add_form_extra_fields = edit_form_extra_fields = {
        "community": picker(LABELS["community"], "community"),
        "channel": choice_field(LABELS["channel"], CHANNEL),
        "received_on": DateField(LABELS["received_on"], [InputRequired()], default=local_today),
        "grid": picker(LABELS["grid"], "grid", required=False),
        "content": TextAreaField(LABELS["content"], [DataRequired()]),
    }
