"""监督: each grid's supervisors, the households they keep as contact points (with this week's and
this month's coverage per grid), their visits (recorded by staff on their behalf), and the monthly
网格服务监督日 with the opinions collected."""
from __future__ import annotations


from flask_appbuilder.models.sqla.filters import FilterEqual
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select
from wtforms import BooleanField, DateField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional, ValidationError

from ..boundary import date_arg
from ..extensions import db
from ..models import ContactHousehold, GridSupervisor, SupervisionDay, SupervisionOpinion, Visit
from ..models.choices import SUPERVISION_CHANNEL, SUPERVISOR_KIND
from ..services import outreach
from ..timekeeping import local_today
from .base import ScopedView
from .cases import MakesCases
from .diary import short, yes_no
from .fields import PickerField, choice_field, picker
from .registry import _field_check
from ..validation import clean_phone
from ..security import actor

LABELS = {
    "grid": _l("Grid"), "name": _l("Name"), "kind": _l("Kind"), "phone": _l("Phone"), "resident": _l("Resident"),
    "appointed_on": _l("Appointed on"), "active": _l("Active"), "note": _l("Note"), "household": _l("Household"),
    "supervisor": _l("Supervisor"), "since": _l("Contact point since"), "last_visited_on": _l("Last supervision visit"),
    "visited_on": _l("Date"), "notes": _l("Findings and opinions"), "follow_up": _l("Follow-up needed"),
    "recorded_by": _l("Recorded by"), "community": _l("Community"), "held_on": _l("Date"), "channel": _l("Channel"),
    "topic": _l("Topic"), "participants": _l("Participants"), "summary": _l("Summary"),
    "opinion_count": _l("Opinions"), "day": _l("Supervision day"), "raised_by": _l("Raised by"),
    "content": _l("Opinion"), "reply": _l("Reply"), "case": _l("Case"),
}


def _supervisor_of_household(form, field):
    """The supervisor works in the household's grid."""
    household, supervisor = form["household"].data, field.data
    if household is not None and supervisor is not None and supervisor.grid_id != household.grid_id:
        raise ValidationError(_l("Is not a supervisor of the household's grid"))


def _not_yet_a_contact(form, field):
    if field.data is not None and db.session.scalar(
            select(exists().where(ContactHousehold.household_id == field.data.id))):
        raise ValidationError(_l("Is already a contact household"))


def _a_contact(form, field):
    if field.data is not None and not db.session.scalar(
            select(exists().where(ContactHousehold.household_id == field.data.id))):
        raise ValidationError(_l("Is not a contact household: make it one first"))


class GridSupervisorView(ScopedView):
    datamodel = SQLAInterface(GridSupervisor)
    data_kind = "grid_supervisor"
    list_title = show_title = _l("Supervisors")
    add_title = _l("Appoint a supervisor")
    edit_title = _l("Edit supervisor")
    label_columns = LABELS
    base_order = ("grid_id", "asc")
    list_columns = ["name", "kind", "grid", "phone", "appointed_on", "active"]
    show_columns = add_columns = edit_columns = ["grid", "name", "kind", "phone", "resident", "appointed_on",
                                                 "active", "note"]
    search_columns = ["name", "kind", "grid", "active"]
    formatters_columns = {"kind": SUPERVISOR_KIND.label, "active": yes_no}
    add_form_extra_fields = edit_form_extra_fields = {
        "grid": picker(LABELS["grid"], "grid"),
        "kind": choice_field(LABELS["kind"], SUPERVISOR_KIND),
        "resident": picker(LABELS["resident"], "resident", depends="grid", required=False),
        "appointed_on": DateField(LABELS["appointed_on"], [Optional()]),
        "active": BooleanField(LABELS["active"], default=True),
    }
    search_form_extra_fields = {"grid": picker(LABELS["grid"], "grid"),
                                "kind": choice_field(LABELS["kind"], SUPERVISOR_KIND)}
    validators_columns = {"phone": [_field_check(clean_phone)]}


class ContactHouseholdView(ScopedView):
    datamodel = SQLAInterface(ContactHousehold)
    data_kind = "contact_household"
    list_title = show_title = _l("Contact households")
    add_title = _l("Make a household a contact point")
    edit_title = _l("Edit contact household")
    list_template = "grid/contact_households.html"
    label_columns = LABELS
    base_order = ("grid_id", "asc")
    list_columns = ["household", "grid", "supervisor", "since", "last_visited_on"]
    show_columns = ["household", "grid", "supervisor", "since", "last_visited_on", "note"]
    add_columns = ["household", "supervisor", "since", "note"]
    edit_columns = ["supervisor", "since", "note"]  # another household: end this one, make that one
    search_columns = ["grid", "supervisor", "since"]
    add_form_extra_fields = {
        "household": picker(LABELS["household"], "household", checks=[_not_yet_a_contact]),
        "supervisor": picker(LABELS["supervisor"], "grid_supervisor", depends="household",
                             checks=[_supervisor_of_household]),
        "since": DateField(LABELS["since"], [Optional()], default=local_today),
    }
    edit_form_extra_fields = {
        "supervisor": picker(LABELS["supervisor"], "grid_supervisor"),
        "since": DateField(LABELS["since"], [Optional()]),
    }
    search_form_extra_fields = {"grid": picker(LABELS["grid"], "grid"),
                                "supervisor": picker(LABELS["supervisor"], "grid_supervisor")}

    def pre_update(self, item):
        if item.supervisor.grid_id != item.grid_id:
            raise ValueError(_l("Is not a supervisor of the household's grid"))

    def _list(self, **kwargs):
        """The list, with each grid's coverage in the week and month of ``?date=`` (today) above it."""
        widgets = super()._list(**kwargs)
        day = date_arg("date", local_today())
        widgets["coverage"] = {"rows": outreach.coverage_by_grid(day), "day": day,
                               "week": outreach.week_of(day), "month": outreach.month_of(day)}
        return widgets


class SupervisionVisitView(ScopedView):
    """Home visits with the purpose "supervision": a supervisor's weekly visit to a contact household,
    recorded by staff (the Supervisor role only reads)."""

    datamodel = SQLAInterface(Visit)
    data_kind = "supervision_visit"
    base_filters = [["purpose", FilterEqual, "supervision"]]
    list_title = show_title = _l("Supervision visits")
    add_title = _l("Record a supervision visit")
    edit_title = _l("Edit supervision visit")
    label_columns = LABELS
    base_order = ("visited_on", "desc")
    list_columns = ["visited_on", "household", "supervisor", "grid", "notes", "follow_up", "recorded_by"]
    show_columns = ["visited_on", "household", "grid", "supervisor", "notes", "follow_up", "recorded_by"]
    add_columns = edit_columns = ["visited_on", "household", "supervisor", "notes", "follow_up"]
    search_columns = ["visited_on", "household", "supervisor", "grid", "follow_up"]
    formatters_columns = {"notes": short, "follow_up": yes_no}
    add_form_extra_fields = edit_form_extra_fields = {
        "visited_on": DateField(LABELS["visited_on"], [InputRequired()], default=local_today),
        "household": picker(LABELS["household"], "contact_household", checks=[_a_contact]),
        "supervisor": PickerField(LABELS["supervisor"], [Optional(), _supervisor_of_household], kind="grid_supervisor",
                                  depends="household",
                                  description=_l("Empty: the supervisor who keeps the household")),
        "notes": TextAreaField(LABELS["notes"], [DataRequired()], render_kw={"rows": 4}),
        "follow_up": BooleanField(LABELS["follow_up"]),
    }
    search_form_extra_fields = {"household": picker(LABELS["household"], "contact_household"),
                                "supervisor": picker(LABELS["supervisor"], "grid_supervisor"),
                                "grid": picker(LABELS["grid"], "grid")}

    def _as_supervision(self, item):
        if item.supervisor is None:
            keeper = db.session.scalars(select(ContactHousehold).where(
                ContactHousehold.household_id == item.household.id)).first()
            item.supervisor = keeper.supervisor if keeper is not None else None
        item.purpose = "supervision"
        item.visitors = item.supervisor.name if item.supervisor is not None else str(_l("Supervisor"))

    def pre_add(self, item):
        self._as_supervision(item)
        item.recorded_by = actor.current().name

    pre_update = _as_supervision


class SupervisionDayView(ScopedView):
    datamodel = SQLAInterface(SupervisionDay)
    data_kind = "supervision_day"
    scope_level = "community"
    list_title = show_title = _l("Grid service supervision days")
    add_title = _l("Record a supervision day")
    edit_title = _l("Edit supervision day")
    label_columns = LABELS
    base_order = ("held_on", "desc")
    list_columns = ["held_on", "topic", "channel", "participants", "opinion_count"]
    show_columns = ["held_on", "topic", "community", "channel", "participants", "opinion_count", "summary"]
    add_columns = edit_columns = ["community", "held_on", "channel", "topic", "participants", "summary"]
    search_columns = ["held_on", "channel", "topic"]
    formatters_columns = {"channel": SUPERVISION_CHANNEL.label}
    add_form_extra_fields = edit_form_extra_fields = {
        "community": picker(LABELS["community"], "community"),
        "held_on": DateField(LABELS["held_on"], [InputRequired()], default=local_today),
        "channel": choice_field(LABELS["channel"], SUPERVISION_CHANNEL),
        "topic": StringField(LABELS["topic"], [DataRequired()]),
        "participants": IntegerField(LABELS["participants"], [Optional(), NumberRange(0, 100000)]),
        "summary": TextAreaField(LABELS["summary"], [Optional()], render_kw={"rows": 5}),
    }
    search_form_extra_fields = {"channel": choice_field(LABELS["channel"], SUPERVISION_CHANNEL)}


def _grid_of_day(form, field):
    day, grid = form["day"].data, field.data
    if day is not None and grid is not None and grid.community_id != day.community_id:
        raise ValidationError(_l("Is not a grid of the supervision day's community"))


class SupervisionOpinionView(MakesCases, ScopedView):
    datamodel = SQLAInterface(SupervisionOpinion)
    data_kind = "supervision_opinion"
    list_title = show_title = _l("Opinions from supervision days")
    add_title = _l("Record an opinion")
    edit_title = _l("Edit opinion")
    label_columns = LABELS
    base_order = ("id", "desc")
    list_columns = ["day", "grid", "raised_by", "content", "reply", "case"]
    show_columns = ["day", "grid", "raised_by", "content", "reply", "case"]
    add_columns = edit_columns = ["day", "grid", "raised_by", "content", "reply"]
    search_columns = ["day", "grid", "raised_by"]
    formatters_columns = {"content": short, "reply": short,
                          "grid": lambda grid: str(grid) if grid is not None else str(_l("Whole community"))}
    case_source, case_confirmation = "supervision", _l("Make a case of this opinion?")
    add_form_extra_fields = edit_form_extra_fields = {
        "day": picker(LABELS["day"], "supervision_day"),
        "grid": picker(LABELS["grid"], "grid", required=False, checks=[_grid_of_day]),
        "raised_by": StringField(LABELS["raised_by"], [Optional()]),
        "content": TextAreaField(LABELS["content"], [DataRequired()], render_kw={"rows": 3}),
        "reply": TextAreaField(LABELS["reply"], [Optional()], render_kw={"rows": 3}),
    }
    search_form_extra_fields = {"day": picker(LABELS["day"], "supervision_day"),
                                "grid": picker(LABELS["grid"], "grid")}


GridSupervisorView.related_views = [ContactHouseholdView, SupervisionVisitView]
SupervisionDayView.related_views = [SupervisionOpinionView]
