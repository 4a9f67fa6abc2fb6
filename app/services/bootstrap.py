"""Bringing a database up to date: migrations, roles and permissions, and (demo mode) the demo."""
from __future__ import annotations

import flask_migrate
from flask import current_app
from sqlalchemy import func, select

from ..database import refresh_statistics
from ..extensions import db
from ..models import Community
from ..security.sync import sync_roles


def ensure_demo_accounts() -> list[str]:
    """The demo's accounts, only ever in demo mode; returns the usernames created now."""
    if not current_app.config.get("GRID_DEMO"):
        return []
    import seeds
    return seeds.ensure_demo_accounts()


def prepare_database() -> dict:
    """Migrate, sync roles and permissions and, in demo mode on an empty database, seed the demo."""
    flask_migrate.upgrade()
    sync_roles()
    seeded, accounts = False, []
    if current_app.config.get("GRID_DEMO"):
        if db.session.scalar(select(func.count(Community.id))) == 0:
            import seeds
            accounts = seeds.load_demo(accounts=True)["accounts"]
            seeded = True
        else:
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
