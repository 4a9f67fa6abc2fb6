"""Fixtures per database and per actor (flaskr-style).

Every test gets its own database, copied from a template that was migrated and seeded once per
worker: an SQLite file copy, or ``CREATE DATABASE … TEMPLATE`` on PostgreSQL when
``GRID_TEST_DATABASE_URL`` names a server (the suite then runs entirely on PostGIS).
"""
from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from contextlib import contextmanager

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from app import create_app
from app.testing import signed_in  # noqa: F401  (the benchmarks' signed-in request too)
from app.extensions import db
from app.security import actor

PG_ADMIN_URL = os.environ.get("GRID_TEST_DATABASE_URL")
BACKEND = "postgis" if PG_ADMIN_URL else "sqlite"


def pytest_report_header(config):
    return f"database backend: {BACKEND}"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.get_closest_marker("postgis") and BACKEND != "postgis":
            item.add_marker(pytest.mark.skip(reason="PostGIS-only; runs in the PostGIS pass of ./dev test"))
        # Run once, not twice: the CI budget goes to what the engines answer differently.
        if item.get_closest_marker("engine_independent") and BACKEND == "postgis":
            item.add_marker(pytest.mark.skip(reason="engine-independent; runs in the SQLite pass of ./dev test"))


def _pg_admin():
    url = make_url(PG_ADMIN_URL).set(drivername="postgresql+psycopg")
    return create_engine(url, isolation_level="AUTOCOMMIT")


def _pg_url(name: str) -> str:
    return make_url(PG_ADMIN_URL).set(drivername="postgresql+psycopg", database=name) \
        .render_as_string(hide_password=False)


class Databases:
    """Creates empty databases and copies of a template, and drops them afterwards."""

    def __init__(self, tmp_path_factory):
        self.tmp = tmp_path_factory.mktemp("db")
        self.created: list[str] = []

    def empty(self) -> str:
        name = f"grid_test_{uuid.uuid4().hex[:10]}"
        if BACKEND == "sqlite":
            return f"sqlite:///{self.tmp / (name + '.db')}"
        with _pg_admin().connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        self.created.append(name)
        engine = create_engine(_pg_url(name))
        with engine.begin() as conn:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
        engine.dispose()
        return _pg_url(name)

    def copy(self, url: str) -> str:
        name = f"grid_test_{uuid.uuid4().hex[:10]}"
        if BACKEND == "sqlite":
            source = make_url(url).database
            target = self.tmp / (name + ".db")
            shutil.copyfile(source, target)
            return f"sqlite:///{target}"
        with _pg_admin().connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{make_url(url).database}"'))
        self.created.append(name)
        return _pg_url(name)

    def drop_all(self):
        if BACKEND == "postgis" and self.created:
            engine = _pg_admin()
            with engine.connect() as conn:
                for name in self.created:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            engine.dispose()


class RequestClient(FlaskClient):
    """Each request in an app context of its own, as in production.

    Tests hold an app context for their own database work; Flask would otherwise reuse it for
    every request, and ``g`` (Flask-Login's cached user among it) would leak between clients.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def make_app(url: str, **config):
    """The app on ``url``. CSRF and the sign-in rate limit are off unless a test turns them on
    (``test_hardening`` does): the other tests sign in many times from one address."""
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "test-secret-of-at-least-32-bytes-for-jwt",
        "GRID_DEMO": True,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "UPLOAD_FOLDER": tempfile.mkdtemp(prefix="grid-uploads-"),
        **config,
    })
    app.test_client_class = RequestClient
    return app


def dispose(app):
    shutil.rmtree(app.config["UPLOAD_FOLDER"], ignore_errors=True)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def databases(tmp_path_factory):
    dbs = Databases(tmp_path_factory)
    yield dbs
    dbs.drop_all()


@pytest.fixture(scope="session")
def demo_template(databases):
    """A database migrated and seeded with the demo, once per worker."""
    url = databases.empty()
    app = make_app(url)
    with app.app_context():
        from app.services.bootstrap import prepare_database
        prepare_database()
    dispose(app)
    return url


@pytest.fixture
def app(databases, demo_template):
    """The app on a private copy of the demo database. The test's own code acts as the system, on
    purpose (it sets data up and reads it back); what it asks through a client or ``signed_in``
    acts as that request's user."""
    application = make_app(databases.copy(demo_template))
    with application.app_context(), actor.system("tests"):
        yield application
    dispose(application)


@pytest.fixture
def client(app):
    return app.test_client()


def login(client, username, password="demo123"):
    response = client.post("/login/", data={"username": username, "password": password})
    assert response.status_code == 302, f"login as {username} failed"
    return client


def bearer(client, username, password="demo123") -> dict:
    """The Authorization header of an API token (FAB's JWT sign-in) for ``username``."""
    response = client.post("/api/v1/security/login",
                           json={"username": username, "password": password, "provider": "db"})
    assert response.status_code == 200, f"API sign-in as {username} failed"
    return {"Authorization": f"Bearer {response.get_json()['access_token']}"}


@pytest.fixture
def api_as(app):
    """Token headers of a demo account, for the REST API: ``client.get(url, headers=api_as("grid1"))``."""
    return lambda username: bearer(app.test_client(), username)


@pytest.fixture
def admin_client(client):
    return login(client, "admin")


@pytest.fixture
def client_as(app):
    """A fresh client signed in as a demo account: ``client_as("grid1")``."""
    return lambda username: login(app.test_client(), username)


@pytest.fixture
def secretary_client(client_as):
    return client_as("secretary")


@pytest.fixture
def manager_client(client_as):
    """The grid manager of grid 1 (SYN-01)."""
    return client_as("grid1")


@pytest.fixture
def supervisor_client(client_as):
    return client_as("supervisor")


@pytest.fixture
def volunteer_client(client_as):
    return client_as("volunteer")


@pytest.fixture
def second_community(app):
    """Another community in the same database, with a grid, a building, a household, a resident,
    and its own secretary (password demo123)."""
    from app.models import Building, Community, Grid, Household, Resident, UserScope

    community = Community(name="第二社区", district="历城区")
    grid = Grid(community=community, code="B-01", name="乙网格", colour="#000000")
    building = Building(grid=grid, number="1号楼", kind="compound")
    household = Household(building=building, unit="1", room="101", residence_type="registered")
    resident = Resident(household=household, name="外社区居民", gender="female", relation_to_head="head")
    db.session.add_all([community, grid, building, household, resident])
    sm = app.appbuilder.sm
    other = sm.add_user("secretary2", "第二社区", "书记", "s2@demo.invalid", sm.find_role("Branch Secretary"),
                        password="demo123")
    db.session.add(UserScope(user_id=other.id, community=community))
    db.session.commit()
    return {"community": community.id, "grid": grid.id, "building": building.id,
            "household": household.id, "resident": resident.id}


@contextmanager
def statements():
    """The SQL the app runs meanwhile: ``with statements() as seen: …``."""
    seen = []

    def note(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
