"""Use cases own their transaction (app/services/commands.py): a command commits what it wrote, or
rolls all of it back and raises; a command inside another joins it. Checked through a connection
of its own, i.e. what is stored, not what the session holds."""
import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, Case, CaseEvent, CobuildingUnit, Donor, UnitSupport, Voucher
from app.services import audit, cobuilding, ledger, workflow
from app.services.commands import command, transaction
from app.timekeeping import local_today
from test_cases import make_case

TODAY = local_today()


def stored(statement):
    """``statement``'s answer from the database, on a connection other than the session's."""
    with db.engine.connect() as connection:
        return connection.scalar(statement)


def exports(label: str) -> int:
    return stored(select(func.count(AuditEntry.id)).where(AuditEntry.object_label == label))


class Refused(ValueError):
    pass


@command
def note_then_refuse(label):
    audit.record("export", object_type="test", label=label)
    db.session.flush()  # written to the database inside the transaction, not merely pending
    raise Refused(label)


def test_a_command_commits_what_it_wrote(app):
    audit.exported("test", "committed")
    assert exports("committed") == 1
    assert not db.session.new and not db.session.dirty


def test_a_refused_command_leaves_nothing_written(app):
    with pytest.raises(Refused):
        note_then_refuse("refused")
    assert exports("refused") == 0
    assert not db.session.new  # nothing left pending for a later commit either
    db.session.commit()
    assert exports("refused") == 0


def test_a_command_inside_another_joins_it_and_the_outer_decides(app):
    @command
    def outer():
        audit.exported("test", "inner")  # a command: would commit on its own
        assert exports("inner") == 0  # not yet: the outer one commits
        raise Refused("outer")

    with pytest.raises(Refused):
        outer()
    assert exports("inner") == 0
    with transaction():
        audit.exported("test", "inner")
    assert exports("inner") == 1


def test_a_bulk_step_refused_for_one_case_writes_nothing_for_any(app):
    ready, closed = make_case("discovered"), make_case("closed")
    events = stored(select(func.count(CaseEvent.id)).where(CaseEvent.case_id == ready.id))
    with pytest.raises(workflow.WorkflowError):
        workflow.apply_to_all([ready, closed], "collect")
    assert stored(select(Case.stage).where(Case.id == ready.id)) == "discovered"
    assert stored(select(func.count(CaseEvent.id)).where(CaseEvent.case_id == ready.id)) == events


def test_support_the_ledger_refuses_leaves_no_donor_no_voucher_and_no_support(app):
    """The unit's donor is flushed before the ledger looks at the goods: the refusal takes it back."""
    giver = db.session.scalars(select(CobuildingUnit).where(CobuildingUnit.donor_id.is_(None))).first()
    counts = [stored(select(func.count(model.id))) for model in (Donor, Voucher, UnitSupport)]
    with pytest.raises(ledger.LedgerError):
        cobuilding.give(giver, "goods", TODAY, "冬日暖民", lines=[ledger.Line(2_000_000_000, 3)])
    assert [stored(select(func.count(model.id))) for model in (Donor, Voucher, UnitSupport)] == counts
    assert stored(select(CobuildingUnit.donor_id).where(CobuildingUnit.id == giver.id)) is None


def test_a_distribution_beyond_the_stock_leaves_no_voucher(app):
    """The voucher is flushed (it needs its id) before the stock is read: the refusal takes it back."""
    from test_aid import household, item

    coat, home = item(), household()
    vouchers = stored(select(func.count(Voucher.id)))
    with pytest.raises(ledger.LedgerError, match=str(ledger.MAX_QUANTITY)):  # "… left, 100000 asked"
        ledger.submit("distribution", 1, TODAY, [ledger.Line(coat.id, ledger.MAX_QUANTITY)], household_id=home.id)
    assert stored(select(func.count(Voucher.id))) == vouchers
