"""A request body over MAX_CONTENT_LENGTH: 413 with a message (JSON under /api/), on every path.

Werkzeug refuses such a body when something reads it. On a screen that is CSRF's check or the
view, and the 413 reaches the error handler below. A REST endpoint reads its body inside FAB's
``@safe``, which turns every exception into a 500: so an API request's body is read here, before
the endpoint runs (the parsed form or JSON is cached for it: nothing is read twice).
"""
from __future__ import annotations

from flask import current_app, request
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from . import errors

WITH_BODY = ("POST", "PUT", "PATCH")


def _read_api_body() -> None:
    if request.method in WITH_BODY and request.path.startswith("/api/"):
        request.get_data(parse_form_data=True)


def _too_large(error: RequestEntityTooLarge):
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    message = _("The request is larger than the server accepts (at most %(mb)s MB): send fewer or smaller "
                "files.", mb=limit // 1_000_000)
    return errors.page(413, message)


def register(app) -> None:
    app.before_request(_read_api_body)
    app.register_error_handler(RequestEntityTooLarge, _too_large)
