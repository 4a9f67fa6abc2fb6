"""Application factory (flaskr-style): ``create_app(test_config)``."""
from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

from . import boundary, database, errors, i18n
from .database import StartupError  # noqa: F401  (re-exported for run.py)
from flask_appbuilder import AppBuilder

from .extensions import csrf, db, migrate, talisman

ROOT = Path(__file__).resolve().parent.parent


# FAB warns once per geometry column that it has no filter for it; geometry is never searched.
logging.getLogger("flask_appbuilder.models.filters").setLevel(logging.ERROR)


def _policy(config) -> dict:
    """The CSP; a configured tile server (TILE_URL) is the one other host images may come from."""
    policy = dict(config["CONTENT_SECURITY_POLICY"])
    tile = config.get("TILE_URL") or ""
    if tile.startswith(("https://", "http://")):
        host = "/".join(tile.split("/")[:3]).replace("{s}", "*")
        policy["img-src"] = f"{policy['img-src']} {host}"
    return policy


def _harden(app: Flask) -> None:
    """The security headers (CSP, cookie flags)."""
    https = app.config["GRID_HTTPS"]
    talisman.init_app(
        app, force_https=https, strict_transport_security=https, session_cookie_secure=https,
        session_cookie_http_only=True, session_cookie_samesite=app.config["SESSION_COOKIE_SAMESITE"],
        content_security_policy=_policy(app.config),
        content_security_policy_nonce_in=["script-src"], frame_options="SAMEORIGIN",
        referrer_policy="same-origin")


def _is_static(endpoint: str | None) -> bool:
    """Files that are the same for everyone (ours, FAB's, the front-end libraries)."""
    return endpoint is not None and (endpoint == "static" or endpoint.endswith(".static")
                                     or endpoint.startswith("vendor."))


def _no_store(response):
    """Every page and API answer may hold personal data (or a form's token): no browser or proxy
    keeps a copy (a shared office computer's back button, a cache on the way). Static files may."""
    if not _is_static(request.endpoint) and "no-store" not in response.headers.get("Cache-Control", ""):
        response.headers["Cache-Control"] = "no-store"
    return response


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(ROOT / "instance"))
    app.json = boundary.BoundedJSON(app)
    app.config.from_object("config")
    if test_config:
        app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):
        raise StartupError("SECRET_KEY is not set: export SECRET_KEY=<a long random string> "
                           "(or GRID_DEMO=1 for a demo).")
    os.environ.setdefault("SPATIALITE_LIBRARY_PATH", app.config["SPATIALITE_LIBRARY_PATH"])
    if app.config.get("GRID_PROXIES"):  # the client's address, not the proxy's (README "Production")
        hops = app.config["GRID_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)

    database.configure(app)
    i18n.compile_catalogues(app.config["BABEL_TRANSLATION_DIRECTORIES"])
    i18n.quicken_babel()
    from .api.rison import quicken_rison
    quicken_rison()
    from . import models  # noqa: F401  (register tables before migrations look)
    from .security.scope import check_rules
    check_rules()  # every model's grid scope declared: a missing rule stops here, not at a query

    db.init_app(app)
    # Before FAB's views: its token-authenticated REST APIs exempt themselves from CSRF only
    # when the extension is already there; every cookie-authenticated form stays protected.
    csrf.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), compare_type=True)
    from .hooks import install_hooks
    install_hooks(app)  # before anything uses a session: the order is app/hooks.py's
    with app.app_context():
        from .security.manager import GridSecurityManager
        from .views.dashboard import GridIndexView
        appbuilder = AppBuilder(base_template="grid/base.html", security_manager_class=GridSecurityManager,
                                indexview=GridIndexView)
        appbuilder.init_app(app, db.session)
        from .views import register_views
        register_views(appbuilder)
        from .views import fragments, list_html
        list_html.register(app)
        fragments.register(app)
        from .views.vendor import vendor
        app.register_blueprint(vendor)
        from .views.field import assets
        app.register_blueprint(assets)
    boundary.register(app)
    errors.register(app)
    _harden(app)
    from . import request_size
    request_size.register(app)
    app.after_request(_no_store)
    from .cli import register_commands
    register_commands(app)
    return app
