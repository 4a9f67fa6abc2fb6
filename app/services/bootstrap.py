"""Bringing a database up to date: migrations, FAB's permissions, and (in demo mode) the demo."""
from __future__ import annotations

import flask_migrate
from flask import current_app
from flask_appbuilder.security.manager import BaseSecurityManager
from sqlalchemy import func, select

from ..extensions import db
from ..models import Community

DEMO_PASSWORD = "demo123"


def sync_security() -> None:
    """FAB's permission rows for every registered view, and its Admin/Public roles; idempotent."""
    appbuilder = current_app.appbuilder
    appbuilder.add_permissions(update_perms=True)
    BaseSecurityManager.create_db(appbuilder.sm)


def ensure_demo_admin() -> bool:
    """The demo's ``admin`` account; only ever in demo mode. True when it was created."""
    if not current_app.config.get("GRID_DEMO"):
        return False
    sm = current_app.appbuilder.sm
    if sm.find_user(username="admin"):
        return False
    sync_security()
    sm.add_user("admin", "Admin", "Demo", "admin@demo.invalid", sm.find_role(sm.auth_role_admin),
                password=DEMO_PASSWORD)
    return True


def prepare_database() -> dict:
    """Migrate, sync permissions and, in demo mode on an empty database, seed the demo."""
    flask_migrate.upgrade()
    sync_security()
    seeded = False
    if current_app.config.get("GRID_DEMO"):
        if db.session.scalar(select(func.count(Community.id))) == 0:
            from seeds.demo import seed_demo
            seed_demo()
            seeded = True
        ensure_demo_admin()
    return {"seeded": seeded}


def prepare_and_serve(app) -> None:
    with app.app_context():
        result = prepare_database()
    port = app.config["PORT"]
    print(f"社区党建网格化管理平台 — http://127.0.0.1:{port}/")
    if result["seeded"]:
        print("Demo data for 桑园南社区 seeded.")
    if app.config.get("GRID_DEMO"):
        print(f"Demo account: admin / {DEMO_PASSWORD}")
    app.run(host="127.0.0.1", port=port, debug=False, use_reloader=False, threaded=True)
