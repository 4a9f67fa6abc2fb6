"""Registry screens: community → grid → building → household → resident, and facilities."""
from __future__ import annotations

from flask_appbuilder.fieldwidgets import DatePickerWidget
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from flask_appbuilder.validators import Unique
from wtforms import BooleanField, DateField, StringField
from wtforms.validators import Optional, ValidationError

from ..models import Building, Community, Facility, Grid, Household, Resident
from ..models.choices import (BUILDING_KIND, CARE_TAGS, FACILITY_KIND, FACILITY_STATUS, GENDER, PARTY_FLOW,
                              POLITICAL_STATUS, RELATION_TO_HEAD, RESIDENCE_TYPE)
from ..services.identity import normalize_identity
from ..validation import FieldError, clean_colour, clean_phone
from . import formatters as fmt
from .aid import FundEntryView, StockMoveView
from .cases import CaseView
from .diary import VisitView
from .outreach import CardHandoverView
from .base import ScopedView
from .fields import GeometryField, choice_field, picker

LABELS = {
    "name": _l("Name"), "code": _l("Code"), "community": _l("Community"), "grid": _l("Grid"),
    "building": _l("Building"), "household": _l("Household"), "street": _l("Street"),
    "district": _l("District"), "city": _l("City"), "area_km2": _l("Area (km²)"),
    "founded_on": _l("Founded on"), "hotline": _l("Hotline"), "colour": _l("Colour"),
    "boundary": _l("Boundary"), "manager": _l("Grid manager"), "supervisor": _l("Supervisor"),
    "note": _l("Note"), "number": _l("Building number"), "compound": _l("Compound"),
    "kind": _l("Kind"), "floors": _l("Floors"), "units": _l("Units"), "footprint": _l("Footprint"),
    "entrance": _l("Entrance"), "head": _l("Building head"), "household_count": _l("Households"),
    "resident_count": _l("Residents"), "unit": _l("Unit"), "room": _l("Room"),
    "head_name": _l("Head of household"), "phone": _l("Phone"),
    "residence_type": _l("Residence type"), "low_income": _l("Low-income (dibao)"),
    "disability": _l("Disability"), "elderly_alone": _l("Elderly living alone"),
    "extreme_hardship": _l("Extreme hardship"), "care_labels": _l("Care tags"),
    "address": _l("Address"), "gender": _l("Gender"), "birth_date": _l("Birth date"),
    "id_number": _l("ID number"), "relation_to_head": _l("Relation to head"),
    "political_status": _l("Political status"), "party_branch": _l("Party branch"),
    "party_joined_on": _l("Joined the party on"), "party_flow": _l("Party member flow"),
    "location": _l("Location"), "status": _l("Status"), "last_inspected_on": _l("Last inspected on"),
    "group_number": _l("Residents' group number"), "service_phone": _l("Grid service phone"),
    "group_joined_on": _l("Joined the residents' group on"),
}


def _field_check(clean):
    """A WTForms validator from a ``validation`` function: normalises or names the problem."""
    def check(form, field):
        if field.data:
            try:
                field.data = clean(field.data)
            except FieldError as error:
                raise ValidationError(error.reason) from None
    return check


def _belongs_to(parent_field: str, attr: str):
    """The chosen row must lie inside the parent chosen in the same form (grid → building …)."""
    def check(form, field):
        parent = form[parent_field].data
        if field.data is not None and parent is not None and getattr(field.data, attr) != parent.id:
            raise ValidationError(_l("Is not in the chosen %(parent)s", parent=LABELS[parent_field]))
    return check


def _identity_check(form, field):
    """ID number, birth date and gender agree; blanks are filled from the ID number.

    Runs on the ID number, placed after gender and birth date in the form, so that a message
    for one of those fields is not reset by that field's own validation.
    """
    try:
        number, birth, gender = normalize_identity(field.data, form.birth_date.data, form.gender.data)
    except FieldError as error:
        if error.field == "id_number":
            raise ValidationError(error.reason) from None
        if error.reason not in form[error.field].errors:  # its own date rule may have said it already
            form[error.field].errors = list(form[error.field].errors) + [error.reason]
        if field.data:
            raise ValidationError(_l("Does not agree with %(other)s", other=LABELS[error.field])) from None
        if error.field == "gender":
            raise ValidationError(_l("Enter an ID number, or the gender")) from None
        return
    field.data, form.birth_date.data, form.gender.data = number, birth, gender


def _date(label):
    return DateField(label, validators=[Optional()], widget=DatePickerWidget())


class RegistryView(ScopedView):
    """Shared declarations of the registry screens."""

    label_columns = LABELS
    page_size = 25
    base_order = ("id", "asc")


class CommunityView(RegistryView):
    data_kind = "community"
    scope_level = "community"
    datamodel = SQLAInterface(Community)
    list_title = show_title = _l("Communities")
    add_title = _l("Add community")
    edit_title = _l("Edit community")
    list_columns = ["name", "district", "street", "area_km2", "founded_on", "hotline"]
    search_columns = ["name", "district", "street"]
    add_columns = edit_columns = ["name", "city", "district", "street", "area_km2", "founded_on", "hotline",
                                  "group_number"]
    show_columns = add_columns
    validators_columns = {"hotline": [_field_check(clean_phone)]}


class FacilityView(RegistryView):
    data_kind = "facility"
    scope_level = "community"  # grid managers read every grid's facilities
    datamodel = SQLAInterface(Facility)
    list_title = show_title = _l("Facilities")
    add_title = _l("Add facility")
    edit_title = _l("Edit facility")
    list_columns = ["name", "kind", "grid", "status", "last_inspected_on"]
    search_columns = ["name", "kind", "grid", "status", "last_inspected_on"]
    add_columns = edit_columns = ["grid", "kind", "name", "location", "status", "last_inspected_on", "note"]
    show_columns = add_columns
    formatters_columns = {"kind": FACILITY_KIND.label, "status": FACILITY_STATUS.label,
                          "location": fmt.geometry_text}
    add_form_extra_fields = edit_form_extra_fields = {
        "grid": picker(LABELS["grid"], "grid"),
        "kind": choice_field(LABELS["kind"], FACILITY_KIND),
        "status": choice_field(LABELS["status"], FACILITY_STATUS),
        "location": GeometryField(LABELS["location"], geom_type="POINT"),
        "last_inspected_on": _date(LABELS["last_inspected_on"]),
    }
    search_form_extra_fields = {
        "grid": picker(LABELS["grid"], "grid"),
        "kind": choice_field(LABELS["kind"], FACILITY_KIND),
        "status": choice_field(LABELS["status"], FACILITY_STATUS),
    }


class ResidentView(RegistryView):
    data_kind = "resident"
    datamodel = SQLAInterface(Resident)
    list_title = show_title = _l("Residents")
    add_title = _l("Add resident")
    edit_title = _l("Edit resident")
    list_columns = ["name", "gender", "birth_date", "id_number", "phone", "household", "grid",
                    "political_status"]
    search_columns = ["name", "id_number", "phone", "gender", "political_status", "party_flow",
                      "grid", "building", "household", "birth_date"]
    add_columns = edit_columns = [
        "grid", "building", "household", "name", "gender", "birth_date", "id_number", "phone",
        "relation_to_head", "political_status", "party_branch", "party_joined_on", "party_flow", "note"]
    show_columns = ["name", "gender", "birth_date", "id_number", "phone", "grid", "building",
                    "household", "relation_to_head", "political_status", "party_branch",
                    "party_joined_on", "party_flow", "note"]
    formatters_columns = {"gender": GENDER.label, "political_status": POLITICAL_STATUS.label,
                          "relation_to_head": RELATION_TO_HEAD.label, "party_flow": PARTY_FLOW.label}
    add_form_extra_fields = edit_form_extra_fields = {
        "grid": picker(LABELS["grid"], "grid"),
        "building": picker(LABELS["building"], "building", depends="grid",
                           checks=[_belongs_to("grid", "grid_id")]),
        "household": picker(LABELS["household"], "household", depends="building",
                            checks=[_belongs_to("building", "building_id")]),
        "gender": choice_field(LABELS["gender"], GENDER, required=False),
        "birth_date": _date(LABELS["birth_date"]),
        # Declared after gender and birth date: WTForms validates in declaration order. Not FAB's
        # column field, whose Optional() would wipe the identity check's errors.
        "id_number": StringField(LABELS["id_number"], [_identity_check,
                                                       Unique(SQLAInterface(Resident), "id_number")]),
        "relation_to_head": choice_field(LABELS["relation_to_head"], RELATION_TO_HEAD),
        "political_status": choice_field(LABELS["political_status"], POLITICAL_STATUS),
        "party_joined_on": _date(LABELS["party_joined_on"]),
        "party_flow": choice_field(LABELS["party_flow"], PARTY_FLOW, required=False),
    }
    search_form_extra_fields = {
        "grid": picker(LABELS["grid"], "grid"),
        "building": picker(LABELS["building"], "building", depends="grid"),
        "household": picker(LABELS["household"], "household", depends="building"),
        "gender": choice_field(LABELS["gender"], GENDER),
        "political_status": choice_field(LABELS["political_status"], POLITICAL_STATUS),
        "party_flow": choice_field(LABELS["party_flow"], PARTY_FLOW),
    }
    validators_columns = {"phone": [_field_check(clean_phone)]}


class HouseholdView(RegistryView):
    data_kind = "household"
    datamodel = SQLAInterface(Household)
    list_title = show_title = _l("Households")
    add_title = _l("Add household")
    edit_title = _l("Edit household")
    list_columns = ["building", "unit", "room", "head_name", "phone", "residence_type",
                    "care_labels", "resident_count", "grid"]
    search_columns = ["grid", "building", "unit", "room", "phone", "residence_type", "low_income",
                      "disability", "elderly_alone", "extreme_hardship"]
    add_columns = edit_columns = ["grid", "building", "unit", "room", "phone", "residence_type",
                                  "low_income", "disability", "elderly_alone", "extreme_hardship", "group_joined_on",
                                  "note"]
    show_columns = ["grid", "building", "unit", "room", "head_name", "phone", "residence_type",
                    "care_labels", "resident_count", "group_joined_on", "note"]
    formatters_columns = {"residence_type": RESIDENCE_TYPE.label, "care_labels": CARE_TAGS.labels}
    add_form_extra_fields = edit_form_extra_fields = {
        "grid": picker(LABELS["grid"], "grid"),
        "building": picker(LABELS["building"], "building", depends="grid",
                           checks=[_belongs_to("grid", "grid_id")]),
        "residence_type": choice_field(LABELS["residence_type"], RESIDENCE_TYPE),
        # FAB makes non-null booleans required, so an unticked box would not validate.
        **{tag: BooleanField(LABELS[tag]) for tag in CARE_TAGS.codes},
        "group_joined_on": _date(LABELS["group_joined_on"]),
    }
    search_form_extra_fields = {
        "grid": picker(LABELS["grid"], "grid"),
        "building": picker(LABELS["building"], "building", depends="grid"),
        "residence_type": choice_field(LABELS["residence_type"], RESIDENCE_TYPE),
    }
    validators_columns = {"phone": [_field_check(clean_phone)]}
    # Its people, visits, cases and the aid it received, together on the household's page.
    related_views = [ResidentView, VisitView, CaseView, StockMoveView, FundEntryView, CardHandoverView]


class BuildingView(RegistryView):
    data_kind = "building"
    datamodel = SQLAInterface(Building)
    list_title = show_title = _l("Buildings")
    add_title = _l("Add building")
    edit_title = _l("Edit building")
    list_columns = ["number", "compound", "grid", "kind", "floors", "head", "household_count",
                    "resident_count"]
    search_columns = ["number", "compound", "grid", "kind", "floors"]
    add_columns = edit_columns = ["grid", "number", "compound", "kind", "floors", "units", "head",
                                  "footprint", "entrance"]
    show_columns = ["grid", "number", "compound", "kind", "floors", "units", "head",
                    "household_count", "resident_count", "footprint", "entrance"]
    formatters_columns = {"kind": BUILDING_KIND.label, "footprint": fmt.geometry_text,
                          "entrance": fmt.geometry_text}
    add_form_extra_fields = edit_form_extra_fields = {
        "grid": picker(LABELS["grid"], "grid"),
        "kind": choice_field(LABELS["kind"], BUILDING_KIND),
        "head": picker(LABELS["head"], "resident", depends="grid", required=False,
                       checks=[_belongs_to("grid", "grid_id")]),
        "footprint": GeometryField(LABELS["footprint"], geom_type="POLYGON"),
        "entrance": GeometryField(LABELS["entrance"], geom_type="POINT"),
    }
    search_form_extra_fields = {
        "grid": picker(LABELS["grid"], "grid"),
        "kind": choice_field(LABELS["kind"], BUILDING_KIND),
    }
    related_views = [HouseholdView]


class GridView(RegistryView):
    data_kind = "grid"
    scope_level = "community"  # every grid of the community; their people stay scoped
    datamodel = SQLAInterface(Grid)
    list_title = show_title = _l("Grids")
    add_title = _l("Add grid")
    edit_title = _l("Edit grid")
    list_columns = ["code", "name", "colour", "community", "manager", "supervisor"]
    search_columns = ["code", "name", "community", "manager", "supervisor"]
    add_columns = edit_columns = ["community", "code", "name", "colour", "manager", "service_phone", "supervisor",
                                  "boundary", "note"]
    show_columns = add_columns
    formatters_columns = {"colour": fmt.colour_swatch, "boundary": fmt.geometry_text}
    add_form_extra_fields = edit_form_extra_fields = {
        "community": picker(LABELS["community"], "community"),
        "manager": picker(LABELS["manager"], "user", required=False),
        "supervisor": picker(LABELS["supervisor"], "user", required=False),
        "boundary": GeometryField(LABELS["boundary"], geom_type="POLYGON"),
    }
    search_form_extra_fields = {
        "community": picker(LABELS["community"], "community"),
        "manager": picker(LABELS["manager"], "user"),
        "supervisor": picker(LABELS["supervisor"], "user"),
    }
    validators_columns = {"colour": [_field_check(clean_colour)], "service_phone": [_field_check(clean_phone)]}
    related_views = [BuildingView, FacilityView]


class CommunityWithGridsView(CommunityView):
    related_views = [GridView]
