"""One scope rule per model (``app.security.scope_rules``): every model has one, a model without one
stops the start, and for every model what a user reads and what they may write agree."""
import pytest
from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import func, select

from app.database import StartupError
from app.extensions import db
from app.models import Case, Grid
from app.security import scope, scope_rules
from conftest import make_app

SCOPED = {model: rule for model, rule in scope_rules.RULES.items() if rule.checks_writes}


def test_every_model_of_the_app_has_its_rule():
    models = {mapper.class_ for mapper in Model.registry.mappers if mapper.class_.__module__.startswith("app.models")}
    assert models <= set(scope_rules.RULES)
    scope.check_rules()  # and each rule names columns its model has


def test_a_model_without_a_rule_refuses_the_start(monkeypatch, tmp_path):
    monkeypatch.delitem(scope_rules.RULES, Case)
    with pytest.raises(StartupError, match="Case has no scope rule"):
        make_app(f"sqlite:///{tmp_path / 'unused.db'}")


def test_a_rule_naming_a_column_its_model_has_not_refuses_the_start(monkeypatch, tmp_path):
    monkeypatch.setitem(scope_rules.RULES, Grid, scope_rules.ByGrid("grid_id"))
    with pytest.raises(StartupError, match="Grid's scope rule names grid_id"):
        make_app(f"sqlite:///{tmp_path / 'unused.db'}")


def test_a_model_declared_unscoped_has_no_grid_scope_to_ask_for():
    with pytest.raises(TypeError, match="NumberSeries has no grid scope"):
        scope.clause(scope_rules.NumberSeries, scope=scope.NOTHING)


def _photos_of_open_cases() -> None:
    """The demo has no case photos: one on an open case of each grid."""
    from app.models import CasePhoto
    from app.timekeeping import utc_now

    for grid_id in db.session.scalars(select(Grid.id)):
        case = db.session.scalars(select(Case).where(Case.grid_id == grid_id, Case.closed_at.is_(None),
                                                     Case.stage != "rejected")).first()
        if case is not None:
            case.photos.append(CasePhoto(stored_name=f"{case.id}.jpg", original_name="现场.jpg", content_type="image/jpeg",
                                         size=1, uploaded_at=utc_now(), uploaded_by="tests"))
    db.session.commit()


def _receipts_of_reports() -> None:
    """The demo has no phone receipts: one for a case of each grid, as the field app records."""
    import uuid

    from app.models import FieldReceipt
    from app.timekeeping import utc_now

    for grid_id in db.session.scalars(select(Grid.id)):
        case = db.session.scalars(select(Case).where(Case.grid_id == grid_id).order_by(Case.id)).first()
        if case is not None:
            db.session.add(FieldReceipt(client_id=str(uuid.uuid4()), kind="report", grid_id=grid_id, case=case,
                                        received_at=utc_now()))
    db.session.commit()


def _sample(model) -> list:
    """Rows of ``model`` spread over its table, with at least one of each grid and community."""
    ids = list(db.session.scalars(select(model.id).order_by(model.id)))
    picked = set(ids[::max(1, len(ids) // 40)])
    for column in ("grid_id", "community_id"):
        if hasattr(model, column):
            picked |= set(db.session.scalars(select(func.min(model.id)).group_by(getattr(model, column))))
    return list(db.session.scalars(select(model).where(model.id.in_(sorted(picked)))))


def _readable(model, rows, actor_scope, level) -> set:
    query = select(model.id).where(model.id.in_([row.id for row in rows]))
    return set(db.session.scalars(scope.restrict(query, model, level, scope=actor_scope)))


def _scope_of(username):
    return scope.for_user(db.session.scalars(select(User).where(User.username == username)).one())


@pytest.mark.parametrize("model", list(SCOPED), ids=[model.__name__ for model in SCOPED])
def test_what_a_user_reads_and_what_they_may_write_agree(second_community, model):
    """For each row of the model and each user: written ⇒ read (at level "community", the widest);
    read at the rule's level ⇔ written, unless the rule reads wider (then written ⇒ read there).
    A row of one community is read and written by its secretary, and by no one of the other."""
    if model.__name__ == "CasePhoto":
        _photos_of_open_cases()
    if model.__name__ == "FieldReceipt":
        _receipts_of_reports()
    rule, rows = SCOPED[model], _sample(model)
    assert rows, f"the demo has no {model.__name__} to check"
    level = "community" if isinstance(rule, scope_rules.TheGrid) else "grid"
    for username in ("secretary", "secretary2", "grid1", "grid2", "supervisor", "volunteer"):
        actor_scope = _scope_of(username)
        read = {name: _readable(model, rows, actor_scope, name) for name in ("grid", "community")}
        written = {row.id for row in rows if scope.may_write(row, actor_scope)}
        assert written <= read["community"], (username, "writes what it does not read")
        if rule.reads_wider:
            assert written <= read[level], username
        else:
            assert written == read[level], username
    ours, theirs = _scope_of("secretary"), _scope_of("secretary2")
    for row in rows:
        writers = [actor_scope for actor_scope in (ours, theirs) if scope.may_write(row, actor_scope)]
        assert len(writers) == 1, (model.__name__, row.id, "is not one community's")
        (writer,) = writers
        other = theirs if writer is ours else ours
        for name in ("grid", "community"):
            assert row.id in _readable(model, [row], writer, name), (model.__name__, row.id, name)
            assert row.id not in _readable(model, [row], other, name), (model.__name__, row.id, name)


def test_a_part_follows_its_whole(app):
    """A case's event is read and written where its case is (the rule ``Via``)."""
    from app.models import CaseEvent

    manager = _scope_of("grid1")
    own = db.session.scalars(select(CaseEvent).join(Case).where(Case.grid_id == 1)).first()
    other = db.session.scalars(select(CaseEvent).join(Case).where(Case.grid_id == 2)).first()
    assert scope.may_write(own, manager) and not scope.may_write(other, manager)
    assert _readable(CaseEvent, [own, other], manager, "grid") == {own.id}
