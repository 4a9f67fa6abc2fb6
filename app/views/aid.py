"""The mutual-aid station's screens: the desk's forms (distribute, donate, purchase, adjust), the
vouchers with their receipts, the stock list and stock cards, campaigns, donors, and the ledger
rows (shown on a household's page as its aid history)."""
from __future__ import annotations


from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, action, expose
from flask_appbuilder.forms import DynamicForm
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import func, select
from wtforms import (BooleanField, DateField, FieldList, Form, FormField, IntegerField, SelectField,
                     TextAreaField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from ..extensions import db
from ..models import AidItem, Campaign, Donor, FundEntry, StockMove, Voucher
from ..models.choices import AID_ITEM_CATEGORY, DONOR_KIND, VOUCHER_KIND, VOUCHER_STATUS
from ..services import ledger
from ..services.aid_desk import submit_form
from ..timekeeping import local_today
from . import formatters as fmt
from .base import ScopedView
from .fields import MoneyField, PickerField, choice_field, in_calendar, picker

LABELS = {
    "name": _l("Name"), "category": _l("Category"), "unit": _l("Unit"), "low_stock": _l("Low-stock mark at"),
    "active": _l("In use"), "stock": _l("In stock"), "is_low": _l("Stock"), "community": _l("Community"),
    "kind": _l("Kind"), "household": _l("Household"), "phone": _l("Phone"), "note": _l("Note"),
    "starts_on": _l("Starts on"), "ends_on": _l("Ends on"), "items_in": _l("Items received"),
    "items_out": _l("Items given out"), "donated_fen": _l("Money donated (¥)"), "relief_fen": _l("Relief paid (¥)"),
    "households_helped": _l("Households helped"), "number": _l("Voucher number"), "status": _l("Status"),
    "dated": _l("Date"), "donor": _l("Donor"), "campaign": _l("Campaign"), "amount_fen": _l("Money (¥)"),
    "proposed_by": _l("Proposed by"), "posted_by": _l("Posted by"), "posted_at": _l("Posted at"),
    "lines": _l("Items"), "item": _l("Item"), "quantity": _l("Quantity"), "moved_on": _l("Date"),
    "voucher": _l("Voucher"), "entry_on": _l("Date"), "grid": _l("Grid"), "direction": _l("Direction"),
}
DIRECTIONS = {"in": _l("Add to stock"), "out": _l("Take from stock")}
LINES = 6  # item lines on a form; more items, another voucher


def yuan(fen) -> str:
    return "" if fen is None else ledger.yuan(fen)


def low_mark(value) -> Markup:
    return Markup('<span class="label label-danger">{}</span>').format(_l("Low")) if value else Markup("")


def _dated(label=_l("Date")):
    return DateField(label, [InputRequired(), in_calendar], default=local_today)


class ItemLine(Form):
    item = PickerField(_l("Item"), [Optional()], kind="aid_item")
    # Positive: the voucher's kind (or an adjustment's direction) says in or out.
    quantity = IntegerField(_l("Quantity"), [Optional(), NumberRange(1, ledger.MAX_QUANTITY)])

    def validate_quantity(self, field):
        if self.item.data is not None and not field.data:
            raise ValidationError(_l("Enter the quantity"))


class VoucherForm(DynamicForm):
    dated = _dated()
    campaign = PickerField(_l("Campaign"), [Optional()], kind="campaign")
    lines = FieldList(FormField(ItemLine), min_entries=LINES, max_entries=LINES)
    amount = MoneyField(_l("Money (¥)"))
    note = TextAreaField(_l("Note"), [Optional(), Length(max=2000)])


class DistributionForm(VoucherForm):
    household = PickerField(_l("Household"), [DataRequired()], kind="household")


class DonationForm(VoucherForm):
    donor = PickerField(_l("Donor"), [DataRequired()], kind="donor")


class PurchaseForm(VoucherForm):
    community = PickerField(_l("Community"), [Optional()], kind="community")


class AdjustmentForm(VoucherForm):
    community = PickerField(_l("Community"), [Optional()], kind="community")
    direction = SelectField(_l("Direction"), [DataRequired()],
                            choices=list(DIRECTIONS.items()))
    note = TextAreaField(_l("Reason"), [DataRequired(), Length(max=2000)])
    amount = MoneyField(_l("Money (¥)"), render_kw={"disabled": True})


FORMS = {"distribution": (DistributionForm, _l("Distribute aid to a household")),
         "donation": (DonationForm, _l("Receive a donation")),
         "purchase": (PurchaseForm, _l("Purchase with the fund")),
         "adjustment": (AdjustmentForm, _l("Adjust stock (with a reason)"))}


class AidDeskView(BaseView):
    """The forms that create vouchers. A grid manager's distribution is a proposal; the
    secretary's is posted at once."""

    route_base = "/aid"
    default_view = "distribute"
    data_kind = "aid_voucher"
    template = "grid/aid_form.html"

    def _desk(self, kind):
        form_class, title = FORMS[kind]
        form = form_class()
        if request.method == "POST" and form.validate():
            try:
                voucher = submit_form(form, kind)
            except ledger.LedgerError as error:
                flash(str(error), "danger")
            else:
                if voucher is not None:
                    if voucher.status == "posted":
                        flash(_l("Posted as %(number)s.", number=voucher.number), "success")
                    else:
                        flash(_l("Proposed; the secretary will post it."), "success")
                    if kind == "donation":
                        return redirect(url_for("VoucherView.receipt", pk=voucher.id))
                    return redirect(url_for("VoucherView.show", pk=voucher.id))
        return self.render_template(self.template, form=form, title=title, kind=kind)

    @expose("/distribute", methods=["GET", "POST"])
    @has_access
    def distribute(self):
        return self._desk("distribution")

    @expose("/donate", methods=["GET", "POST"])
    @has_access
    def donate(self):
        return self._desk("donation")

    @expose("/purchase", methods=["GET", "POST"])
    @has_access
    def purchase(self):
        return self._desk("purchase")

    @expose("/adjust", methods=["GET", "POST"])
    @has_access
    def adjust(self):
        return self._desk("adjustment")


class VoucherView(ScopedView):
    datamodel = SQLAInterface(Voucher)
    data_kind = "aid_voucher"
    list_title = show_title = _l("Aid vouchers")
    label_columns = LABELS
    base_order = ("id", "desc")
    include_route_methods = {"list", "show", "receipt", "action", "action_post", "export"}
    method_permission_name = {"receipt": "show", "post": "post", "cancel": "cancel"}
    list_columns = ["number", "kind", "status", "dated", "household", "donor", "campaign", "amount_fen",
                    "proposed_by", "posted_by"]
    show_columns = ["number", "kind", "direction", "status", "dated", "community", "household", "donor", "campaign",
                    "amount_fen", "note", "proposed_by", "posted_by", "posted_at"]
    search_columns = ["number", "kind", "status", "dated", "campaign", "household", "donor"]
    show_template = "grid/aid_voucher_show.html"
    formatters_columns = {"kind": VOUCHER_KIND.label, "status": VOUCHER_STATUS.label, "amount_fen": yuan,
                          "posted_at": fmt.local_time, "direction": lambda value: str(DIRECTIONS.get(value, ""))}
    search_form_extra_fields = {"kind": choice_field(LABELS["kind"], VOUCHER_KIND),
                                "status": choice_field(LABELS["status"], VOUCHER_STATUS),
                                "campaign": picker(LABELS["campaign"], "campaign"),
                                "household": picker(LABELS["household"], "household"),
                                "donor": picker(LABELS["donor"], "donor")}

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        return self._detail_page(pk, voucher=self._scoped_item(pk))

    @expose("/receipt/<pk>")
    @has_access
    def receipt(self, pk):
        voucher = self._scoped_item(pk)
        if voucher.status != "posted":
            abort(404)
        return self.render_template("grid/aid_receipt.html", voucher=voucher, yuan=yuan,
                                    kind_label=VOUCHER_KIND.label(voucher.kind))

    def _each(self, items, change, done):
        items = items if isinstance(items, list) else [items]
        try:
            for voucher in items:
                change(voucher)
            flash(done, "success")
        except ledger.LedgerError as error:
            flash(str(error), "danger")
        return redirect(url_for(".list"))

    @action("post", _l("Post"), _l("Post the selected proposals?"), "fa-check", single=True)
    def post(self, items):
        return self._each(items, ledger.post_proposed, _l("Posted."))

    @action("cancel", _l("Cancel proposal"), _l("Cancel the selected proposals?"), "fa-ban", single=True)
    def cancel(self, items):
        return self._each(items, ledger.cancel, _l("Cancelled."))


class AidItemView(ScopedView):
    datamodel = SQLAInterface(AidItem)
    data_kind = "aid_item"
    scope_level = "community"
    list_title = show_title = _l("Aid stock")
    add_title = _l("Add aid item")
    edit_title = _l("Edit aid item")
    label_columns = LABELS
    base_order = ("id", "asc")
    method_permission_name = {"card": "show"}
    list_columns = ["name", "category", "unit", "stock", "is_low", "community"]
    show_columns = ["name", "category", "unit", "stock", "low_stock", "active", "community"]
    add_columns = edit_columns = ["community", "name", "category", "unit", "low_stock", "active"]
    search_columns = ["name", "category", "community", "active"]
    formatters_columns = {"category": AID_ITEM_CATEGORY.label, "is_low": low_mark}
    add_form_extra_fields = edit_form_extra_fields = {
        "community": picker(LABELS["community"], "community"),
        "category": choice_field(LABELS["category"], AID_ITEM_CATEGORY),
        "low_stock": IntegerField(LABELS["low_stock"], [InputRequired(), NumberRange(0, 100000)], default=5),
        "active": BooleanField(LABELS["active"], default=True),
    }
    search_form_extra_fields = {"category": choice_field(LABELS["category"], AID_ITEM_CATEGORY),
                                "community": picker(LABELS["community"], "community")}

    @expose("/card/<pk>")
    @has_access
    def card(self, pk):
        """The stock card: every move of the item with the running balance, computed in SQL."""
        item = self._scoped_item(pk)
        balance = func.sum(StockMove.quantity).over(order_by=(StockMove.moved_on, StockMove.id))
        rows = db.session.execute(
            select(StockMove.moved_on, Voucher.number, StockMove.kind, StockMove.quantity, balance)
            .join(Voucher, Voucher.id == StockMove.voucher_id).where(StockMove.item_id == item.id)
            .order_by(StockMove.moved_on, StockMove.id)).all()
        return self.render_template("grid/aid_card.html", item=item, rows=rows, kind_label=VOUCHER_KIND.label)


class DonorView(ScopedView):
    datamodel = SQLAInterface(Donor)
    data_kind = "donor"
    scope_level = "community"
    list_title = show_title = _l("Donors")
    add_title = _l("Add donor")
    edit_title = _l("Edit donor")
    label_columns = LABELS
    base_order = ("id", "asc")
    list_columns = ["name", "kind", "phone", "community"]
    show_columns = add_columns = edit_columns = ["community", "kind", "name", "household", "phone", "note"]
    search_columns = ["name", "kind", "community"]
    formatters_columns = {"kind": DONOR_KIND.label}
    add_form_extra_fields = edit_form_extra_fields = {
        "community": picker(LABELS["community"], "community"),
        "kind": choice_field(LABELS["kind"], DONOR_KIND),
        "household": picker(LABELS["household"], "household", required=False),
    }
    search_form_extra_fields = {"kind": choice_field(LABELS["kind"], DONOR_KIND)}


class CampaignView(ScopedView):
    datamodel = SQLAInterface(Campaign)
    data_kind = "campaign"
    scope_level = "community"
    list_title = show_title = _l("Campaigns")
    add_title = _l("Add campaign")
    edit_title = _l("Edit campaign")
    label_columns = LABELS
    base_order = ("starts_on", "desc")
    list_columns = ["name", "starts_on", "ends_on", "items_in", "items_out", "donated_fen", "relief_fen",
                    "households_helped"]
    show_columns = ["name", "community", "starts_on", "ends_on", "items_in", "items_out", "donated_fen",
                    "relief_fen", "households_helped", "note"]
    add_columns = edit_columns = ["community", "name", "starts_on", "ends_on", "note"]
    search_columns = ["name", "community", "starts_on"]
    formatters_columns = {"donated_fen": yuan, "relief_fen": yuan}
    add_form_extra_fields = edit_form_extra_fields = {"community": picker(LABELS["community"], "community")}


class StockMoveView(ScopedView):
    """Goods a household received (a tab on its page), or any move of the station."""

    datamodel = SQLAInterface(StockMove)
    data_kind = "aid_move"
    list_title = show_title = _l("Goods given and received")
    label_columns = LABELS
    base_order = ("id", "desc")
    include_route_methods = {"list", "show"}
    list_columns = ["moved_on", "voucher", "kind", "item", "quantity", "campaign", "household"]
    show_columns = list_columns
    search_columns = ["moved_on", "kind", "item", "campaign", "household"]
    formatters_columns = {"kind": VOUCHER_KIND.label}
    search_form_extra_fields = {"kind": choice_field(LABELS["kind"], VOUCHER_KIND),
                                "item": picker(LABELS["item"], "aid_item"),
                                "campaign": picker(LABELS["campaign"], "campaign"),
                                "household": picker(LABELS["household"], "household")}


class FundEntryView(ScopedView):
    """Money in and out of the mutual-aid fund (on a household's page: relief it received)."""

    datamodel = SQLAInterface(FundEntry)
    data_kind = "aid_move"
    list_title = show_title = _l("Mutual-aid fund")
    label_columns = {**LABELS, "amount_fen": _l("Amount (¥)")}
    base_order = ("id", "desc")
    include_route_methods = {"list", "show"}
    list_columns = ["entry_on", "voucher", "kind", "amount_fen", "campaign", "household"]
    show_columns = list_columns
    search_columns = ["entry_on", "kind", "campaign", "household"]
    formatters_columns = {"amount_fen": yuan, "kind": lambda value: str(FUND_KINDS.get(value, value))}
    search_form_extra_fields = {"campaign": picker(LABELS["campaign"], "campaign"),
                                "household": picker(LABELS["household"], "household")}


FUND_KINDS = {"donation_in": _l("Donation in"), "relief_out": _l("Relief out"), "purchase_out": _l("Purchase out")}
