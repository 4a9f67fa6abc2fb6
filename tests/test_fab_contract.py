"""The FAB we run is the FAB ``app/fab_overrides.py`` was written for: every overridden or called
method, copied template and patch target is as listed, every override is listed, and our
Python-rendered list pages are exactly FAB's own template output, for every list."""
import hashlib
import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import flask_appbuilder
import PIL.Image
import flask_babel
import pytest
from flask import current_app
from flask_babel import force_locale
from flask_wtf import FlaskForm
from jinja2 import ChoiceLoader, FileSystemLoader
from wtforms import IntegerField

import app as app_package
from app import boundary, fab_overrides
from app.services import photos
from app.fab_overrides import ATTRIBUTES, METHODS, PATCHES, TEMPLATES, FabChanged, shape
from app.views.base import ScopedView
from conftest import signed_in

pytestmark = pytest.mark.engine_independent

FAB_TEMPLATES = Path(flask_appbuilder.__file__).parent / "templates"


def _resolve(path: str):
    module, _, name = path.partition(":")
    found = importlib.import_module(module)
    for part in name.split("."):
        found = getattr(found, part)
    return found


def test_every_listed_fab_method_has_the_parameters_we_wrote_for():
    for path, method in METHODS.items():
        assert shape(_resolve(path)) == method.shape, path


def test_every_method_of_ours_that_overrides_fabs_is_listed(app):
    """Walk every class of the app: a method it defines that a FAB base defines too is an override."""
    found: dict[str, set[str]] = {}
    for info in pkgutil.walk_packages(app_package.__path__, "app."):
        module = importlib.import_module(info.name)
        for name, cls in vars(module).items():
            if not inspect.isclass(cls) or cls.__module__ != info.name:
                continue
            bases = [base for base in cls.__mro__[1:] if base.__module__.startswith("flask_appbuilder")]
            for attr, value in vars(cls).items():
                overrides = inspect.isfunction(value) or isinstance(value, property)
                base = next((base for base in bases if overrides and attr in vars(base)), None)
                if base is not None:
                    found.setdefault(f"{base.__module__}:{base.__qualname__}.{attr}", set()).add(
                        f"{info.name}:{name}")
    listed = {path: set(method.ours) for path, method in METHODS.items() if method.ours}
    assert found == listed


def test_fab_still_sets_the_attributes_we_read():
    for path, names in ATTRIBUTES.items():
        source = "".join(inspect.getsource(cls) for cls in _resolve(path).__mro__
                         if cls.__module__.startswith("flask_appbuilder"))
        for name in names:
            assert f"self.{name} =" in source, (path, name)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda template: template.fab)
def test_the_fab_templates_we_copied_are_unchanged(template):
    assert hashlib.sha256((FAB_TEMPLATES / template.fab).read_bytes()).hexdigest() == template.sha256


def test_the_patch_targets_are_what_we_replace(app):
    import flask_appbuilder.api as fab_api
    from app.api import rison

    source = Path(flask_babel.__file__).read_text()
    # Flask-Babel keeps its per-request state in ``g._flask_babel``: our replacement reads the same.
    assert "def _get_current_context" in source and "_flask_babel" in source
    assert fab_api.jsonschema.validate is rison.validate  # patched at start-up
    assert IntegerField.process_formdata.bounded and FlaskForm.Meta.wrap_formdata.forms_only
    assert fab_api.prison.loads is rison.loads and PIL.Image.MAX_IMAGE_PIXELS == photos.MAX_PIXELS
    for patch in PATCHES:
        assert _resolve(patch.target) is not None, patch.target
        assert callable(_resolve(patch.ours)) or patch.ours.endswith("MAX_PIXELS"), patch.ours


def test_a_changed_patch_target_stops_the_start_up_with_an_error(monkeypatch):
    """A real exception (an ``assert`` is gone under ``python -O``), naming the target."""
    import flask_appbuilder.api as fab_api
    from app.api.rison import quicken_rison
    from app.i18n import quicken_babel

    monkeypatch.setattr(flask_babel, "_get_current_context", None)
    with pytest.raises(FabChanged, match="flask_babel._get_current_context"):
        quicken_babel()
    monkeypatch.setattr(fab_api, "jsonschema", object())
    with pytest.raises(FabChanged, match="flask_appbuilder.api.jsonschema"):
        quicken_rison()
    monkeypatch.setattr(FlaskForm.Meta, "wrap_formdata", lambda self, form, data, extra: None)
    with pytest.raises(FabChanged, match="FlaskForm.Meta.wrap_formdata"):
        boundary.screens_read_forms_only()
    monkeypatch.setattr(IntegerField, "process_formdata", lambda self, values, extra: None)
    with pytest.raises(FabChanged, match="IntegerField.process_formdata"):
        boundary.bound_form_numbers()
    assert issubclass(FabChanged, fab_overrides.StartupError)  # run.py prints it as one line


def _fab_environment(flask_app):
    """The app's Jinja environment (its filters, globals, translations) with FAB's own templates
    in front of ours: FAB's list widget as FAB ships it."""
    return flask_app.jinja_env.overlay(loader=ChoiceLoader([FileSystemLoader(str(FAB_TEMPLATES)),
                                                            flask_app.jinja_env.loader]))


def _comparable(html: str, view: str) -> list[str]:
    """Our page links carry an anchor for keyset paging (app/listing.py); FAB's do not."""
    html = re.sub(rf"&amp;anchor_{view}=[^\"&]*", "", html)
    # Jinja's loops leave whitespace between tags that the Python writes without: not a difference.
    return re.sub(r">\s+", ">", re.sub(r"\s+<", "<", html)).split()


def test_every_lists_python_html_is_fabs_template_output(app):
    """Every list of the app, a middle page with several pages around it, both languages: our
    rows (app/views/list_html.py) and page links equal FAB's list widget and pagination macro."""
    views = [view for view in app.appbuilder.baseviews if isinstance(view, ScopedView)]
    assert len(views) > 20
    fab_env = _fab_environment(app)
    compared = 0
    for locale in ("zh", "en"):
        for view in views:
            name = type(view).__name__
            path = f"{view.route_base}/list/?psize_{name}=2&page_{name}=1"
            with signed_in(app, "secretary", path), force_locale(locale):
                widget = view._list()["list"]
                args = widget.template_args
                args["value_columns"] = list(args["value_columns"])  # FAB's is a generator: rendered twice here
                ours = widget()
                fab = fab_env.get_template(widget.template).render(dict(args))
                assert current_app.jinja_env is not fab_env
                assert _comparable(ours, name) == _comparable(fab, name), (name, locale)
                compared += fab.count("<center>") == 2  # two rows, each with its buttons
    assert compared > 20  # lists with rows, not only empty ones
