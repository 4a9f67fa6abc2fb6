"""Who acts (``app.security.actor``): the request's user, or the system opened on purpose; with
neither, nothing is allowed. The ``app`` fixture's own code acts as the system ("tests"); a fresh
app context (``app.app_context()``) has no actor, as a script or a thread would not."""
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, Household, Resident
from app.security import actor, privacy, scope
from app.services import ledger, workflow
from app.testing import signed_in
from test_import import GOOD, as_csv


def test_a_write_outside_a_request_and_outside_the_system_is_refused(app):
    with app.app_context():
        household = db.session.scalars(select(Household).order_by(Household.id)).first()
        household_id, household.note = household.id, "没有人在做"
        with pytest.raises(actor.NoActor, match="actor.system"):
            db.session.flush()
        db.session.rollback()
    db.session.expire_all()
    assert db.session.get(Household, household_id).note != "没有人在做"


def test_a_read_or_a_permission_outside_a_request_and_outside_the_system_is_refused(app):
    with app.app_context():
        a_new_case = SimpleNamespace(stage="discovered")
        for ask in (lambda: scope.restrict(select(Resident), Resident), privacy.may_see_sensitive,
                    ledger.may_post, lambda: workflow.allowed_steps(a_new_case)):
            with pytest.raises(actor.NoActor):
                ask()


def test_writes_that_are_no_ones_grid_need_no_actor(app):
    """FAB's own tables (roles, permissions) are written by start-up code with no actor."""
    from app.security.sync import sync_roles

    with app.app_context():
        sync_roles()


def test_the_system_acts_on_purpose_and_the_audit_log_names_it(app):
    with app.app_context(), actor.system("repair a ledger"):
        assert scope.current().everything and privacy.may_see_sensitive() and ledger.may_post()
        resident = db.session.scalars(select(Resident).order_by(Resident.id)).first()
        resident.note = "系统修正"
        db.session.commit()
        rows = db.session.scalars(select(AuditEntry).where(AuditEntry.object_type == "resident",
                                                           AuditEntry.object_id == resident.id)).all()
    assert [(row.action, row.username, row.user_id) for row in rows][-1] == ("update", "system: repair a ledger", None)


def test_a_request_acts_as_its_user_even_inside_the_tests_system_block(app):
    assert actor.current().is_system  # the fixture's
    with signed_in(app, "grid1"):
        acting = actor.current()
        assert not acting.is_system and acting.name == "grid1"
        assert not scope.current().everything
        with actor.system("a step of the request's own"):
            assert actor.current().name == "system: a step of the request's own"
        assert actor.current().name == "grid1"
    response = app.test_client().get("/residentview/list/")
    assert response.status_code in (302, 401)  # an anonymous request is nobody, not the system


def test_a_system_block_names_its_purpose():
    with pytest.raises(ValueError):
        with actor.system("  "):
            pass


def test_cli_commands_act_as_the_system_and_are_audited_as_such(app, tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_bytes(as_csv(GOOD))
    with app.app_context():  # no system block: the commands open their own
        runner = app.test_cli_runner()
        imported = runner.invoke(args=["import", "residents", str(path)])
        assert imported.exit_code == 0 and "2 imported" in imported.output, imported.output
        assert runner.invoke(args=["stats"]).exit_code == 0
        exported = runner.invoke(args=["export", "monthly", "--month", "2024-01", "--out", str(tmp_path / "p.zip")])
        assert exported.exit_code == 0, exported.output
        names = set(db.session.scalars(select(AuditEntry.username).where(AuditEntry.username.like("system%"))))
    assert {"system: import residents", "system: export monthly"} <= names
