"""The shape of the code: hooks installed explicitly and in order, layers that point one way."""
import os
import subprocess
import sys
from pathlib import Path


from app.extensions import db
from app.hooks import SESSION_HOOKS

ROOT = Path(__file__).resolve().parent.parent
SESSION_EVENTS = sorted({name for name, _listener in SESSION_HOOKS})


def _ours(listeners) -> list:
    return [listener for listener in listeners if listener.__module__.startswith("app.")]


def test_the_session_hooks_run_in_the_order_written_in_app_hooks(app):
    with app.app_context():
        session = db.session()
        for name in SESSION_EVENTS:
            installed = _ours(getattr(session.dispatch, name))
            assert installed == [listener for event, listener in SESSION_HOOKS if event == name], name


def test_importing_the_app_registers_no_hook():
    """Every module of the app imported, no app created: no listener of ours on any session."""
    script = f"""
import importlib, pkgutil
import app
for info in pkgutil.walk_packages(app.__path__, "app."):
    importlib.import_module(info.name)
from sqlalchemy.orm import Session
session = Session()
found = [f"{{name}}: {{listener.__module__}}.{{listener.__name__}}" for name in {SESSION_EVENTS!r}
         for listener in getattr(session.dispatch, name) if listener.__module__.startswith("app.")]
print("\\n".join(found) or "none")
"""
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["none"]


def test_no_module_registers_a_listener_but_app_hooks_and_the_engines_setup():
    """Listeners are installed in one place; a decorator elsewhere would register on import."""
    allowed = {ROOT / "app" / "hooks.py", ROOT / "app" / "database.py"}
    found = [path for folder in ("app", "seeds") for path in (ROOT / folder).rglob("*.py")
             if path not in allowed and ("listens_for(" in path.read_text() or "event.listen(" in path.read_text())]
    assert found == []
