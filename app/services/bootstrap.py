"""Bringing a database up to date: migrations, roles and permissions, and (demo mode) the demo."""
from __future__ import annotations

import flask_migrate
from flask import current_app
from sqlalchemy import func, select

from ..database import refresh_statistics
from ..extensions import db
from ..models import Community
from ..security import actor
from ..security.sync import sync_roles


class DatabaseNotReady(RuntimeError):
    """The database is not at this code's migration; the message is one sentence saying what to run."""


def check_migrated() -> None:
    """Raise DatabaseNotReady unless the database is at this code's latest migration.

    Commands other than ``prepare`` do not migrate by themselves: upgrading a production database
    is a release step someone decides on, not a side effect of seeding or importing."""
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())
    with db.engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    needed = set(script.get_heads())
    if current != needed:
        raise DatabaseNotReady(
            f"The database is at migration {', '.join(sorted(current)) or 'none'} and this app needs "
            f"{', '.join(sorted(needed))}: run `flask --app run db upgrade` (or `flask --app run prepare`) first.")


def ensure_demo_accounts() -> list[str]:
    """The demo's accounts, only ever in demo mode; returns the usernames created now."""
    if not current_app.config.get("GRID_DEMO"):
        return []
    import seeds
    return seeds.ensure_demo_accounts()


def prepare_database() -> dict:
    """Migrate, sync roles and permissions and, in demo mode on an empty database, seed the demo
    (as the system, named for it: start-up's work, no one's request)."""
    flask_migrate.upgrade()
    sync_roles()
    seeded, accounts = False, []
    if current_app.config.get("GRID_DEMO"):
        if db.session.scalar(select(func.count(Community.id))) == 0:
            import seeds
            with actor.system("seed demo"):
                accounts = seeds.load_demo(accounts=True)["accounts"]
            seeded = True
        else:
            with actor.system("demo accounts"):
                accounts = ensure_demo_accounts()
    if seeded or db.engine.dialect.name == "sqlite":
        refresh_statistics(db.session)
    return {"seeded": seeded, "accounts": accounts}


def demo_accounts_text() -> str:
    import seeds
    return seeds.demo_accounts_text()


def prepare_and_serve(app) -> None:
    with app.app_context():
        result = prepare_database()
    port = app.config["PORT"]
    print(f"社区党建网格化管理平台 — http://127.0.0.1:{port}/")
    if result["seeded"]:
        print("Demo data for 桑园南社区 seeded.")
    if app.config.get("GRID_DEMO"):
        print(demo_accounts_text())
    app.run(host="127.0.0.1", port=port, debug=False, use_reloader=False, threaded=True)
