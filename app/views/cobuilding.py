"""共驻共建: co-building units, the support they gave (recorded at one desk: money and goods become
posted donation vouchers of the aid station), and their pairings with building party branches."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.forms import DynamicForm
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l
from wtforms import (BooleanField, DateField, FieldList, FormField, IntegerField, StringField, TextAreaField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from ..models import BranchPairing, CobuildingUnit, UnitSupport
from ..models.choices import PARTY_ORG_KIND, SUPPORT_KIND, UNIT_KIND
from ..services import cobuilding, ledger
from ..timekeeping import local_today
from ..validation import clean_phone
from .aid import ItemLine, yuan
from .base import ScopedView
from .diary import yes_no
from .fields import MoneyField, PickerField, choice_field, in_calendar, picker
from .registry import _belongs_to, _field_check

LABELS = {
    "community": _l("Community"), "name": _l("Name"), "kind": _l("Kind"), "address": _l("Address"),
    "contact": _l("Contact person"), "phone": _l("Phone"), "party_org": _l("Party organisation"),
    "party_org_kind": _l("Kind of party organisation"), "party_members": _l("Party members"),
    "joined_on": _l("Co-building since"), "donor": _l("As donor"), "active": _l("Active"), "note": _l("Note"),
    "support_count": _l("Support given"), "money_fen": _l("Money given (¥)"), "unit": _l("Unit"),
    "given_on": _l("Date"), "purpose": _l("Purpose"), "people": _l("People"), "amount_fen": _l("Money (¥)"),
    "voucher": _l("Aid voucher"), "team": _l("Volunteer team"), "building": _l("Building"), "grid": _l("Grid"),
    "branch": _l("Building party branch"), "services": _l("Services"), "started_on": _l("Paired since"),
}
LINES = 4


class CobuildingUnitView(ScopedView):
    datamodel = SQLAInterface(CobuildingUnit)
    data_kind = "cobuilding_unit"
    scope_level = "community"
    list_title = show_title = _l("Co-building units")
    add_title = _l("Add a co-building unit")
    edit_title = _l("Edit co-building unit")
    label_columns = LABELS
    base_order = ("id", "asc")
    list_columns = ["name", "kind", "party_org", "contact", "phone", "joined_on", "support_count", "active"]
    show_columns = ["name", "kind", "community", "address", "contact", "phone", "party_org", "party_org_kind",
                    "party_members", "joined_on", "support_count", "money_fen", "donor", "active", "note"]
    add_columns = ["community", "name", "kind", "address", "contact", "phone", "party_org",
                   "party_org_kind", "party_members", "joined_on", "active", "note"]
    # A unit stays in its community: its donor (and the aid it gave) belong to that station.
    edit_columns = add_columns[1:]
    search_columns = ["name", "kind", "party_org_kind", "active", "joined_on"]
    formatters_columns = {"kind": UNIT_KIND.label, "party_org_kind": PARTY_ORG_KIND.label, "active": yes_no,
                          "money_fen": yuan}
    add_form_extra_fields = edit_form_extra_fields = {
        "community": picker(LABELS["community"], "community"),
        "kind": choice_field(LABELS["kind"], UNIT_KIND),
        "party_org_kind": choice_field(LABELS["party_org_kind"], PARTY_ORG_KIND),
        "party_members": IntegerField(LABELS["party_members"], [Optional(), NumberRange(0, 100000)]),
        "joined_on": DateField(LABELS["joined_on"], [Optional()]),
        "active": BooleanField(LABELS["active"], default=True),
    }
    search_form_extra_fields = {"kind": choice_field(LABELS["kind"], UNIT_KIND),
                                "party_org_kind": choice_field(LABELS["party_org_kind"], PARTY_ORG_KIND)}
    validators_columns = {"phone": [_field_check(clean_phone)]}


class UnitSupportView(ScopedView):
    """Support given; recorded at the desk (``SupportDeskView``). Money and goods were posted to the
    aid station, so only the purpose and note change here, and such a record is never deleted (a
    correction is an adjustment voucher)."""

    datamodel = SQLAInterface(UnitSupport)
    data_kind = "cobuilding_support"
    scope_level = "community"
    include_route_methods = {"list", "show", "edit", "delete"}
    list_title = show_title = _l("Support from units")
    edit_title = _l("Edit support")
    label_columns = LABELS
    base_order = ("given_on", "desc")
    list_columns = ["given_on", "unit", "kind", "purpose", "people", "amount_fen", "voucher"]
    show_columns = ["given_on", "unit", "kind", "purpose", "people", "amount_fen", "voucher", "note"]
    add_columns = edit_columns = ["purpose", "note"]  # no add route: the desk records support
    search_columns = ["given_on", "unit", "kind"]
    formatters_columns = {"kind": SUPPORT_KIND.label, "amount_fen": yuan}
    search_form_extra_fields = {"unit": picker(LABELS["unit"], "cobuilding_unit"),
                                "kind": choice_field(LABELS["kind"], SUPPORT_KIND)}

    def pre_delete(self, item):
        if item.voucher_id is not None:
            raise ValueError(_l("Money and goods were posted to the aid station: correct them with an adjustment, "
                                "not by deleting."))


class SupportForm(DynamicForm):
    unit = PickerField(_l("Unit"), [DataRequired()], kind="cobuilding_unit")
    given_on = DateField(_l("Date"), [InputRequired(), in_calendar], default=local_today)
    kind = choice_field(_l("Kind"), SUPPORT_KIND)
    purpose = StringField(_l("Purpose"), [DataRequired(), Length(max=200)])
    people = IntegerField(_l("People"), [Optional(), NumberRange(1, 10000)])
    campaign = PickerField(_l("Campaign"), [Optional()], kind="campaign")
    lines = FieldList(FormField(ItemLine), min_entries=LINES, max_entries=LINES)
    amount = MoneyField(_l("Money (¥)"))
    note = TextAreaField(_l("Note"), [Optional(), Length(max=2000)])

    def validate_campaign(self, field):
        unit = self.unit.data
        if field.data is not None and unit is not None and field.data.community_id != unit.community_id:
            raise ValidationError(_l("Is not a campaign of the unit's community"))


class SupportDeskView(BaseView):
    """Record the support a unit gave: people, or money and goods into the aid ledger."""

    route_base = "/cobuilding"
    default_view = "give"
    data_kind = "cobuilding_support"
    method_permission_name = {"give": "add"}

    @expose("/give", methods=["GET", "POST"])
    @has_access
    def give(self):
        form = SupportForm()
        if request.method == "GET" and request.args.get("unit"):
            form.unit.process_formdata([request.args["unit"]])
        if request.method == "POST" and form.validate():
            lines = [ledger.Line(entry.item.data.id, entry.quantity.data)
                     for entry in form.lines if entry.item.data is not None]
            try:
                support = cobuilding.give(
                    form.unit.data, form.kind.data, form.given_on.data, form.purpose.data, people=form.people.data,
                    lines=lines, amount_fen=getattr(form.amount, "fen", 0),
                    campaign_id=form.campaign.data.id if form.campaign.data else None, note=form.note.data)
            except (cobuilding.SupportError, ledger.LedgerError) as error:
                flash(str(error), "danger")
            else:
                if support.voucher is not None:
                    flash(_l("Recorded; the aid station received it as %(number)s.", number=support.voucher.number),
                          "success")
                else:
                    flash(_l("Recorded."), "success")
                return redirect(url_for("UnitSupportView.show", pk=support.id))
        return self.render_template("grid/cobuilding_support_form.html", form=form,
                                    title=_l("Record support from a unit"))


def _unit_or_team(form, field):
    if form["unit"].data is None and form["team"].data is None:
        raise ValidationError(_l("Choose the unit or the volunteer team paired with the branch."))


class BranchPairingView(ScopedView):
    datamodel = SQLAInterface(BranchPairing)
    data_kind = "branch_pairing"
    scope_level = "community"
    list_title = show_title = _l("Pairings with building party branches")
    add_title = _l("Pair with a building party branch")
    edit_title = _l("Edit pairing")
    label_columns = LABELS
    base_order = ("grid_id", "asc")
    list_columns = ["branch", "building", "grid", "unit", "team", "services", "started_on", "active"]
    show_columns = ["branch", "building", "grid", "unit", "team", "services", "started_on", "active", "note"]
    add_columns = edit_columns = ["unit", "team", "grid", "building", "branch", "services", "started_on", "active",
                                  "note"]
    search_columns = ["grid", "unit", "team", "active"]
    formatters_columns = {"active": yes_no}
    add_form_extra_fields = edit_form_extra_fields = {
        # Not Optional(): an empty unit must still reach the check (a team will do instead).
        "unit": PickerField(LABELS["unit"], [_unit_or_team], kind="cobuilding_unit"),
        "team": picker(LABELS["team"], "team", required=False),
        "grid": picker(LABELS["grid"], "grid"),
        "building": picker(LABELS["building"], "building", depends="grid", checks=[_belongs_to("grid", "grid_id")]),
        "branch": StringField(LABELS["branch"], [DataRequired()]),
        "started_on": DateField(LABELS["started_on"], [Optional()]),
        "active": BooleanField(LABELS["active"], default=True),
    }
    search_form_extra_fields = {"grid": picker(LABELS["grid"], "grid"),
                                "unit": picker(LABELS["unit"], "cobuilding_unit"),
                                "team": picker(LABELS["team"], "team")}


CobuildingUnitView.related_views = [UnitSupportView, BranchPairingView]
