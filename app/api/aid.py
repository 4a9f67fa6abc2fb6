"""The mutual-aid station over the API: its vouchers (a distribution, donation, purchase or
adjustment is submitted through the desk's own form and the ledger service; a proposal is posted
or cancelled there too), and the ledger's rows — goods and money in and out — to read."""
from __future__ import annotations

from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name
from flask_babel import lazy_gettext as _l

from ..models import FundEntry, StockMove, Voucher
from ..services import ledger
from ..services.aid_desk import submit_form
from ..views.aid import FORMS, FundEntryView, StockMoveView, VoucherView
from .base import ScopedApi
from .docs import operation
from .fields import input_schema, unbound_fields

READ_ONLY = {"get_list", "get"}
# The desk's forms: URL and permission (the role table's verb) of each kind of voucher.
DESK = {"distribution": "distribute", "donation": "donate", "purchase": "purchase", "adjustment": "adjust"}


def _schema_name(kind: str) -> str:
    return f"Voucher.{kind}"


def _desk_endpoint(kind: str, verb: str):
    def submit(self):
        return self._submit(kind)

    submit.__name__ = submit.__qualname__ = verb
    submit.__doc__ = operation(
        str(FORMS[kind][1]), status=201, pk=False, body=_schema_name(kind), errors=(400, 401, 403, 422),
        answer="The voucher, posted or (a grid manager's distribution) proposed",
        description="The desk's form as JSON: lines are [{item, quantity}], amount is yuan as text "
                    "(e.g. 35.50). Refused with 422 naming what is wrong or what is left.")
    return expose(f"/{kind}", methods=["POST"])(protect()(safe(permission_name(verb)(submit))))


class VoucherApi(ScopedApi):
    resource_name = "voucher"
    screen = VoucherView
    datamodel = SQLAInterface(Voucher)
    show_columns = [*VoucherView.show_columns, "lines.item", "lines.quantity"]
    more_labels = {"lines.item": _l("Item"), "lines.quantity": _l("Quantity")}
    include_route_methods = READ_ONLY | set(DESK.values()) | {"post_proposal", "cancel_proposal"}
    method_permission_name = {"post_proposal": "post", "cancel_proposal": "cancel"}

    for _kind, _verb in DESK.items():
        locals()[_verb] = _desk_endpoint(_kind, _verb)
    del _kind, _verb

    def __init__(self):
        super().__init__()
        self.desk_schemas = {kind: input_schema(FORMS[kind][0], list(unbound_fields(FORMS[kind][0])),
                                                _schema_name(kind), True) for kind in DESK}

    def add_apispec_components(self, api_spec):
        super().add_apispec_components(api_spec)
        for kind, schema in self.desk_schemas.items():
            api_spec.components.schema(_schema_name(kind), schema=schema)

    def _submit(self, kind):
        body, refused = self._body(self.desk_schemas[kind])
        if refused:
            return refused
        form, refused = self._filled_form(FORMS[kind][0], body)
        if refused:
            return refused
        made = {}

        def submit():
            made["voucher"] = submit_form(form, kind)  # a command: committed, or rolled back and why
        refused = self._write(submit, lambda: None)
        if refused is not None:
            return refused
        if made["voucher"] is None:
            return self.response_422(message=form.errors)
        return self.response(201, id=made["voucher"].id, result=self._shown(made["voucher"]))

    def _change(self, pk, change):
        voucher = self._item(pk)
        if voucher is None:
            return self.response_404()
        return self._write(lambda: change(voucher), lambda: self.response(200, id=voucher.id,
                                                                          result=self._shown(voucher)))

    @expose("/<int:pk>/post", methods=["POST"])
    @protect()
    @safe
    @permission_name("post_proposal")
    def post_proposal(self, pk):
        return self._change(pk, ledger.post_proposed)

    @expose("/<int:pk>/cancel", methods=["POST"])
    @protect()
    @safe
    @permission_name("cancel_proposal")
    def cancel_proposal(self, pk):
        return self._change(pk, ledger.cancel)

    post_proposal.__doc__ = operation("Post a proposed voucher (the secretary)", answer="The voucher",
                                      errors=(401, 403, 404, 409, 422))
    cancel_proposal.__doc__ = operation("Cancel a proposed voucher", answer="The voucher",
                                        errors=(401, 403, 404, 409, 422))


class StockMoveApi(ScopedApi):
    """Goods in and out, one row per item of a posted voucher (append-only)."""

    resource_name = "stockmove"
    screen = StockMoveView
    datamodel = SQLAInterface(StockMove)
    include_route_methods = READ_ONLY


class FundEntryApi(ScopedApi):
    """Money in and out of the mutual-aid fund, in fen (append-only)."""

    resource_name = "fundentry"
    screen = FundEntryView
    datamodel = SQLAInterface(FundEntry)
    include_route_methods = READ_ONLY
