"""Start-up: a fresh instance comes up with the demo; a missing SpatiaLite is one clear sentence."""
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import BACKEND

ROOT = Path(__file__).resolve().parent.parent


def env(tmp_path, **extra):
    return {**{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "GRID_DEMO")},
            "GRID_INSTANCE_DIR": str(tmp_path), **extra}


@pytest.mark.parametrize("command", [[sys.executable, "run.py"],
                                     [sys.executable, "-m", "flask", "--app", "run", "stats"]])
def test_missing_spatialite_stops_with_one_sentence(tmp_path, command):
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60,
                            env=env(tmp_path, SPATIALITE_LIBRARY_PATH="/nonexistent/mod_spatialite"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "SpatiaLite is not installed" in lines[0]
    assert "libsqlite3-mod-spatialite" in lines[0]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.skipif(BACKEND != "sqlite", reason="the run command's default is the embedded database")
def test_run_py_creates_migrates_seeds_and_serves(tmp_path):
    port = free_port()
    process = subprocess.Popen([sys.executable, "run.py"], cwd=ROOT, env=env(tmp_path, PORT=str(port)),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        # a wait for it to be ready, not a speed goal: migrating and seeding the demo takes ~40 s
        # on an idle two-core machine and over twice that on a loaded one
        deadline, status = time.monotonic() + 240, None
        while time.monotonic() < deadline and status is None:
            try:
                status = urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2).status
            except OSError:
                assert process.poll() is None, process.stdout.read()
                time.sleep(0.3)
        assert status == 200
        assert (tmp_path / "grid.db").exists()
    finally:
        process.terminate()
        output = process.communicate(timeout=20)[0]
    assert f"http://127.0.0.1:{port}/" in output
    assert "桑园南社区" in output
    accounts = "admin, secretary, grid1, grid2, grid3, grid4, grid5, grid6, supervisor, volunteer"
    assert f"Demo accounts (password demo123): {accounts}" in output


def test_no_demo_accounts_outside_demo_mode(databases):
    from conftest import dispose, make_app
    from flask_appbuilder.security.sqla.models import User
    from sqlalchemy import func, select

    from app.extensions import db

    app = make_app(databases.empty(), GRID_DEMO=False)
    try:
        with app.app_context():
            from app.services.bootstrap import prepare_database
            from seeds.accounts import seed_demo_accounts
            from seeds.demo import seed_demo

            assert prepare_database() == {"seeded": False, "accounts": []}
            seed_demo()  # the demo data may be loaded on purpose; its accounts never are
            with pytest.raises(RuntimeError, match="demo mode"):
                seed_demo_accounts()
            assert db.session.scalar(select(func.count(User.id))) == 0
            assert app.appbuilder.sm.find_role("Grid Manager") is not None
    finally:
        dispose(app)


def test_secret_key_is_required_outside_demo_mode():
    from app import StartupError, create_app

    with pytest.raises(StartupError, match="SECRET_KEY"):
        create_app({"GRID_DEMO": False, "SECRET_KEY": None})
