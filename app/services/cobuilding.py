"""Support from a co-building unit (共驻共建): people sent, or money and goods, which reach the aid
station only through the ledger — a posted donation voucher with the unit as donor — saved in one
transaction with the support record (both, or neither)."""
from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..models import CobuildingUnit, Donor, UnitSupport
from ..security import actor
from . import ledger
from .commands import command


class SupportError(ValueError):
    """Support that cannot be recorded; the message says why."""


def donor_of(unit: CobuildingUnit) -> Donor:
    """The unit's donor in the aid ledger, made the first time it gives money or goods."""
    if unit.donor is None:
        unit.donor = Donor(community_id=unit.community_id, kind="organisation", name=unit.name, phone=unit.phone,
                           note=str(_l("Co-building unit")))
    return unit.donor


@command
def give(unit: CobuildingUnit, kind: str, given_on: dt.date, purpose: str, *, people: int | None = None,
         lines=(), amount_fen: int = 0, campaign_id: int | None = None, note: str | None = None) -> UnitSupport:
    """Record support; committed, or nothing written (SupportError / ledger.LedgerError)."""
    lines = [line for line in lines if line.quantity]
    purpose = (purpose or "").strip()
    if not purpose:
        raise SupportError(_l("Say what the support was for."))
    if kind == "people" and (not people or people < 1 or lines or amount_fen):
        raise SupportError(_l("Support with people: enter how many people came, and no money or goods."))
    if kind == "money" and (amount_fen <= 0 or lines):
        raise SupportError(_l("Support with money: enter the amount, and no goods."))
    if kind == "goods" and (not lines or amount_fen):
        raise SupportError(_l("Support with goods: enter the items and quantities, and no money."))
    if kind not in ("people", "money", "goods"):
        raise SupportError(_l("Unknown kind of support."))
    if kind != "people" and not actor.may("aid_voucher", "donate"):
        raise SupportError(_l("Money and goods go into the aid station: only who receives donations records them."))
    voucher = None
    if kind != "people":
        donor = donor_of(unit)
        db.session.flush()  # the donor has its id
        voucher = ledger.record("donation", unit.community_id, given_on, lines, amount_fen, donor_id=donor.id,
                                campaign_id=campaign_id, note=f"{_l('Co-building')}：{purpose}")
    support = UnitSupport(unit=unit, community_id=unit.community_id, given_on=given_on, kind=kind,
                          purpose=purpose, people=people if kind == "people" else None, amount_fen=amount_fen,
                          voucher=voucher, note=(note or "").strip() or None)
    db.session.add(support)
    return support
