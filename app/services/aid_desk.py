"""The aid desk's forms turned into vouchers: which community a form is for, and the ledger call it
asks for. Shared by the desk's screens (``app.views.aid``) and the REST API (``app.api.aid``)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..security import scope
from . import ledger


def community_of(form, kind):
    """The community a desk form's voucher is for; None (and the form says why) when unclear."""
    if kind == "distribution":
        return form.household.data.grid.community_id
    if kind == "donation":
        return form.donor.data.community_id
    if form.community.data is not None:
        return form.community.data.id
    given = scope.current().whole_community_ids or scope.current().community_ids
    if len(given) == 1:
        return next(iter(given))
    form.community.errors = [str(_l("Choose the community"))]
    return None


def submit_form(form, kind):
    """The voucher a validated desk form asks for, through the ledger (posted, or proposed for a
    grid manager's distribution); None when the form names no clear community; LedgerError when
    the ledger refuses it. Shared by the desk and the API."""
    community_id = community_of(form, kind)
    if community_id is None:
        return None
    lines = [ledger.Line(entry.item.data.id, entry.quantity.data)
             for entry in form.lines if entry.item.data is not None]
    return ledger.submit(
        kind, community_id, form.dated.data, lines, getattr(form.amount, "fen", 0) if kind != "adjustment" else 0,
        household_id=form.household.data.id if kind == "distribution" else None,
        donor_id=form.donor.data.id if kind == "donation" else None,
        campaign_id=form.campaign.data.id if form.campaign.data else None, note=form.note.data,
        direction=form.direction.data if kind == "adjustment" else None)
