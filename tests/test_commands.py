"""Commands run in any order on a fresh database (the README's table allows it): each that needs the
schema stops with one sentence when it is not migrated, and each that creates accounts brings the
roles up first, so no account is ever without its role. Through the real CLI, on both databases."""
import pytest
from flask_appbuilder.cli import fab
from flask_appbuilder.security.sqla.models import User
from flask_migrate.cli import db as migrate_group
from sqlalchemy import inspect, select

from app.extensions import db
from conftest import dispose, login, make_app


@pytest.fixture
def fresh_app(databases):
    """The app on an empty database: nothing migrated, no roles, no accounts."""
    application = make_app(databases.empty())
    yield application
    dispose(application)


def run(app, *args, group=None):
    runner = app.test_cli_runner()
    return runner.invoke(group, list(args)) if group is not None else runner.invoke(args=list(args))


def accounts_without_a_role() -> list[str]:
    return [user.username for user in db.session.scalars(select(User)) if not user.roles]


COMMANDS = [("seed", "demo"), ("seed", "scale", "--communities", "1"), ("stats",), ("sync-roles",),
            ("import", "residents", "{ledger}"), ("export", "monthly", "--month", "2024-01")]


@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(command[:2]) for command in COMMANDS])
def test_a_command_on_an_unmigrated_database_stops_with_one_sentence(fresh_app, tmp_path, command):
    ledger = tmp_path / "ledger.csv"
    ledger.write_text("网格编号,楼号\n", encoding="utf-8")
    result = run(fresh_app, *(part.format(ledger=ledger) for part in command))
    assert result.exit_code == 1, (result.output, result.exception)
    assert result.output.strip().splitlines() == [result.output.strip()], result.output  # one line
    assert result.output.startswith("Error: The database is at migration none") and "db upgrade" in result.output
    with fresh_app.app_context():
        assert "ab_user" not in inspect(db.engine).get_table_names()  # nothing half-made


def test_upgrade_then_seed_demo_gives_every_account_its_role(fresh_app):
    assert run(fresh_app, "upgrade", group=migrate_group).exit_code == 0
    result = run(fresh_app, "seed", "demo")
    assert result.exit_code == 0, result.output
    with fresh_app.app_context():
        assert db.session.scalar(select(User).where(User.username == "admin")) is not None
        assert accounts_without_a_role() == []
    admin, secretary = login(fresh_app.test_client(), "admin"), login(fresh_app.test_client(), "secretary")
    assert admin.get("/users/list/").status_code == 200
    assert secretary.get("/residentview/list/").status_code == 200
    assert secretary.get("/dashboard/").status_code == 200


def test_fab_create_admin_and_seed_scale_on_a_database_only_migrated(fresh_app):
    assert run(fresh_app, "upgrade", group=migrate_group).exit_code == 0
    made = run(fresh_app, "create-admin", "--username", "it", "--firstname", "信息", "--lastname", "科",
               "--email", "it@example.invalid", "--password", "s3cret-pass", group=fab)
    assert made.exit_code == 0 and "created" in made.output, made.output
    result = run(fresh_app, "seed", "scale", "--communities", "1")
    assert result.exit_code == 0 and "Added 1 communities" in result.output, result.output
    with fresh_app.app_context():
        roles = {user.username: [role.name for role in user.roles] for user in db.session.scalars(select(User))}
        assert roles["it"] == ["Admin"] and roles["c001-secretary"] == ["Branch Secretary"]
        assert accounts_without_a_role() == []
    assert login(fresh_app.test_client(), "c001-secretary").get("/residentview/list/").status_code == 200


def test_an_account_is_never_created_without_a_role(app):
    sm = app.appbuilder.sm
    with pytest.raises(ValueError, match="needs a role"):
        sm.add_user("nobody", "无", "角色", "nobody@example.invalid", sm.find_role("No such role"), password="x")
    assert db.session.scalar(select(User).where(User.username == "nobody")) is None
