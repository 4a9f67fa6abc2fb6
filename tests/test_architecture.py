"""The shape of the code: hooks installed explicitly and in order, layers that point one way."""
import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.extensions import db
from app.hooks import SESSION_HOOKS

pytestmark = pytest.mark.engine_independent

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


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(folders=("app", "seeds")) -> dict[str, set[str]]:
    """module → the modules of ours it imports, at module level or inside a function alike."""
    files = {_module_name(path): path for folder in folders for path in (ROOT / folder).rglob("*.py")}
    graph = {}
    for module, path in files.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        imported = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[:len(package.split(".")) - (node.level - 1)]
                    base = ".".join([*anchor, *([node.module] if node.module else [])])
                imported.update(f"{base}.{alias.name}" if f"{base}.{alias.name}" in files else base
                                for alias in node.names)
        found = set()
        for name in imported:
            while name and name not in files:  # ``from app.models.x import y``: the module, not its name
                name = name.rpartition(".")[0]
            if name and name != module:
                found.add(name)
        graph[module] = found
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import cycles (strongly connected components of more than one module, or self-loops)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(module):
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in graph[module]:
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                component.append(other)
                if other == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def test_the_import_graph_has_no_cycle():
    """Imports inside functions count: they hide a cycle from Python, not from a reader."""
    graph = import_graph()
    assert "app.security.role_names" in graph["app.security.roles"]  # the graph sees our imports
    assert cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle_hidden_in_a_function():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def _imports(path: Path, module_level: bool) -> set[str]:
    """Absolute names a file imports (module level only, or anywhere)."""
    tree = ast.parse(path.read_text())
    nodes = tree.body if module_level else list(ast.walk(tree))
    names = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level:
            names.add(node.module)
    return names


def test_the_app_reaches_the_demo_only_through_seeds_load_demo():
    """No module of the app imports ``seeds`` at module level, and none imports the demo's parts:
    their order is written once, in ``seeds.load_demo``."""
    demo_parts = {"seeds.demo", "seeds.accounts", "seeds.cases", "seeds.aid", "seeds.community",
                  "seeds.recommendations"}
    for path in (ROOT / "app").rglob("*.py"):
        assert not any(name == "seeds" or name.startswith("seeds.") for name in _imports(path, True)), path
        assert not _imports(path, False) & demo_parts, path


def test_tests_do_not_import_the_benchmarks():
    for path in (ROOT / "tests").rglob("*.py"):
        assert not any(name == "benchmarks" or name.startswith("benchmarks.") for name in _imports(path, False)), path


# Modules that read the request's user or ask whether a request is active for their own ends, not
# to decide who acts: FAB's security manager (which sets ``g.user``), the per-request caches, the
# error pages, the welcome page's redirect, the audit log's client address, the tests' sign-in.
READS_THE_REQUEST = {"app/security/actor.py", "app/security/manager.py", "app/caching.py", "app/security/memo.py",
                     "app/errors.py", "app/views/dashboard.py", "app/services/audit.py", "app/testing.py"}


def test_who_acts_is_asked_of_the_actor_module_alone():
    """No module works out the acting user, or decides that no request means the system, but
    ``app/security/actor.py``."""
    import re

    asks = re.compile(r"\bg\.user\b|getattr\(g, \"user\"|has_request_context|\bcurrent_user\b")
    found = sorted(str(path.relative_to(ROOT)) for path in (ROOT / "app").rglob("*.py")
                   if asks.search(path.read_text(encoding="utf-8")))
    assert set(found) <= READS_THE_REQUEST, set(found) - READS_THE_REQUEST
    assert "app/security/actor.py" in found  # the finder finds


def test_the_api_takes_from_the_views_only_screens_forms_and_fields():
    """The API shares its screen's declarations (columns, forms, fields); behaviour it shares with
    the screens lives below both (app/listing.py, app/services/)."""
    import importlib

    from flask_appbuilder.baseviews import AbstractViewApi
    from wtforms import Field, Form

    def declaration(value) -> bool:
        if isinstance(value, dict):  # a table of forms (the aid desk's)
            return all(declaration(form) for form, _title in value.values())
        return isinstance(value, type) and issubclass(value, (AbstractViewApi, Form, Field))

    for path in (ROOT / "app" / "api").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 2 and (node.module or "").startswith("views"):
                module = importlib.import_module(f"app.{node.module}")
                for alias in node.names:
                    assert declaration(getattr(module, alias.name)), (path.name, node.module, alias.name)


def test_the_deadline_state_is_written_once():
    """Overdue / due soon: app/models/deadlines.py, used by cases and meetings' follow-ups alike
    (the states' own behaviour: test_cases, test_meetings)."""
    users = [path.relative_to(ROOT).as_posix() for path in (ROOT / "app").rglob("*.py")
             if "soon_limit" in path.read_text()]
    assert sorted(users) == ["app/models/deadlines.py", "app/timekeeping.py"]


def test_every_record_that_can_become_a_case_is_one_kind_of_thing(app):
    """A model linked to the case it became is a ``BecomesCase``, and its screen a ``MakesCases``
    (its "Make a case" action): one rule, not one per screen."""
    from app.models import Case
    from app.models.intake import BecomesCase
    from app.views.base import ScopedView
    from app.views.cases import MakesCases

    becoming = {mapper.class_ for mapper in Case.__mapper__.registry.mappers
                if any(fk.column.table is Case.__table__ for fk in mapper.local_table.foreign_keys)
                and "case_id" in mapper.columns and mapper.columns["case_id"].unique}  # not a case's own rows
    assert len(becoming) == 4 and all(issubclass(model, BecomesCase) for model in becoming)
    screens = {type(view) for view in app.appbuilder.baseviews
               if isinstance(view, ScopedView) and view.datamodel.obj in becoming}
    assert screens and all(issubclass(screen, MakesCases) for screen in screens)
    for screen in screens:
        assert "to_case" in screen().actions and screen.case_source


# Writes around the session (a connection's execute, COPY) that need no ``freshness.changed``: the
# tables they write are read by no stored figure (freshness.IGNORED). Reviewed one by one.
WRITES_OF_UNVERSIONED_TABLES = {
    ("app/services/audit.py", "write_audit_rows_of_flush"): "audit_entry",
    ("app/services/freshness.py", "_bump_tables"): "data_version (the bump itself)",
    ("app/services/figure_cache.py", "_store"): "figure_cache",
    ("app/services/figure_cache.py", "forget"): "figure_cache",
    ("app/security/sessions.py", "end_sessions"): "session_epoch (read with the user on each request, never kept)",
}
SESSIONS = {"session", "db.session", "self.session", "state.session"}  # seen by the session's hooks
WRITE_WORDS = ("insert", "update", "delete", "upsert", "on_conflict")


def _raw_writes(tree):
    """(function, line) of each write that goes around the session: ``X.execute(a write)`` on
    anything but a session, and COPY … FROM STDIN."""
    for function in [node for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]:
        for node in ast.walk(function):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute) or not node.args:
                continue
            receiver, first = ast.unparse(node.func.value), ast.unparse(node.args[0])
            if node.func.attr in ("execute", "executemany") and receiver not in SESSIONS \
                    and any(word in first.lower() for word in WRITE_WORDS):
                yield function, node.lineno
            elif node.func.attr == "copy" and "FROM STDIN" in first.upper():
                yield function, node.lineno


def _calls_changed_after(function, line: int) -> bool:
    return any(isinstance(node, ast.Call) and ast.unparse(node.func).split(".")[-1] == "changed"
               and node.lineno > line for node in ast.walk(function))


def _accounted(tree, function, line: int, seen=()) -> bool:
    """``freshness.changed`` is called after the write: in its function, or in every function of
    the module that calls it, after that call."""
    if _calls_changed_after(function, line):
        return True
    callers = [(caller, node.lineno) for caller in ast.walk(tree) if isinstance(caller, ast.FunctionDef)
               for node in ast.walk(caller) if isinstance(node, ast.Call)
               and ast.unparse(node.func).split(".")[-1] == function.name and caller is not function]
    return bool(callers) and all(caller.name not in seen and _accounted(tree, caller, at, (*seen, function.name))
                                 for caller, at in callers)


def test_every_write_around_the_session_tells_the_data_versions():
    """A raw INSERT/UPDATE/DELETE/COPY escapes the session's hooks (app/hooks.py): unless it writes a
    table no figure reads, ``freshness.changed`` must follow it, or stored figures go stale."""
    found, unaccounted = set(), []
    for folder in ("app", "seeds"):
        for path in (ROOT / folder).rglob("*.py"):
            tree = ast.parse(path.read_text())
            name = path.relative_to(ROOT).as_posix()
            for function, line in _raw_writes(tree):
                found.add((name, function.name))
                if (name, function.name) not in WRITES_OF_UNVERSIONED_TABLES and not _accounted(tree, function, line):
                    unaccounted.append(f"{name}:{line} in {function.name}")
    assert unaccounted == []
    assert set(WRITES_OF_UNVERSIONED_TABLES) <= found  # the list names writes that still exist
    assert ("seeds/scale.py", "_insert") in found  # COPY and Core inserts are seen


def test_the_write_finder_finds_a_write_without_changed():
    tree = ast.parse("def load(connection):\n    connection.execute(Resident.__table__.insert(), rows)\n"
                     "def told(session, connection):\n    connection.execute(insert(Grid))\n"
                     "    freshness.changed(session)\n")
    functions = {function.name: (function, line) for function, line in _raw_writes(tree)}
    assert set(functions) == {"load", "told"}
    assert not _accounted(tree, *functions["load"]) and _accounted(tree, *functions["told"])


def _transaction_calls(source: str) -> list[int]:
    """Lines of every ``….commit(…)`` or ``….rollback(…)`` call in ``source``."""
    return sorted(node.lineno for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Call)
                  and isinstance(node.func, ast.Attribute) and node.func.attr in ("commit", "rollback"))


def test_views_the_api_and_the_cli_never_commit():
    """Use cases own their transaction (app/services/commands.py): screens, API endpoints and CLI
    commands call a command and translate its errors; they neither commit nor roll back. (FAB's own
    add/edit/delete commit inside FAB.)"""
    paths = [*(ROOT / "app" / "views").rglob("*.py"), *(ROOT / "app" / "api").rglob("*.py"), ROOT / "app" / "cli.py"]
    found = [f"{path.relative_to(ROOT)}:{line}" for path in paths for line in _transaction_calls(path.read_text())]
    assert found == []


def test_the_commit_finder_finds_a_commit_and_a_rollback():
    source = ("def save(self):\n    db.session.commit()\n"
              "def undo():\n    try:\n        pass\n    except Exception:\n        session.rollback()\n"
              "def fine():\n    commit_message = 'commit()'\n")
    assert _transaction_calls(source) == [2, 7]


def test_the_tests_are_grouped_as_the_app_is():
    """A module's tests are found by its path: tests/<package>/ for app/<package>/ (the tests of
    the app as a whole — its shape, start-up, boundary, crawl — at the top)."""
    folders = {path.name for path in (ROOT / "tests").iterdir() if path.is_dir() and not path.name.startswith(("_", "."))}
    packages = {path.name for path in (ROOT / "app").iterdir() if (path / "__init__.py").exists()}
    assert folders and folders <= packages, folders - packages
    assert all(list(ROOT.glob(f"tests/{folder}/test_*.py")) for folder in folders)
