"""Error pages: 400/403/404/405/413/422/429/500 in the app's layout, in the user's language, with a
way home; JSON (``{"message": …}``, the API's own error shape) under ``/api/``."""
from __future__ import annotations

import logging

from flask import current_app, g, jsonify, render_template, request
from flask_login import current_user
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import HTTPException, InternalServerError

from .boundary import MalformedInput
from .extensions import db
from .validation import FieldError

log = logging.getLogger(__name__)

# status → (title, what it means for the user)
PAGES = {
    400: (_l("The request could not be understood"),
          _l("Something in the address or the form is not valid. Go back, correct it and try again.")),
    403: (_l("You may not open this page"),
          _l("Your role does not allow this. Ask the community's administrator if you need it.")),
    404: (_l("Not found"),
          _l("The page or record does not exist, or is outside the grids you look after.")),
    405: (_l("Not allowed this way"),
          _l("This address cannot be used like that. Use the app's own buttons and links.")),
    413: (_l("Too large"),
          _l("What you sent is larger than the app accepts. Send smaller files or fewer at a time.")),
    422: (_l("The input could not be processed"),
          _l("Something in the form is not valid. Go back, correct it and try again.")),
    429: (_l("Too many attempts"),
          _l("Please wait a minute before trying again.")),
    500: (_l("Something went wrong on our side"),
          _l("The error has been logged and nothing was saved. Try again, or tell the administrator.")),
}


def _detail(error: HTTPException):
    """Our own refusals (``MalformedInput``) say exactly what was wrong; others' descriptions are
    English and technical, so the page's own explanation stands instead (or, for a form's expired
    token, what to do)."""
    if isinstance(error, CSRFError):
        return _l("The form has expired or was opened before you signed in again: reload the page and "
                  "submit it again.")
    return error.description if isinstance(error, MalformedInput) else None


def page(code: int, detail=None, **extra_json):
    """The error page (or the API's JSON) for ``code``, with what exactly was wrong if known."""
    title, explanation = PAGES[code]
    if request.path.startswith("/api/") or request.is_json:  # a JSON request gets JSON (the map's save)
        return jsonify(message=str(detail or title), **extra_json), code
    appbuilder = current_app.appbuilder
    g.setdefault("user", current_user)  # FAB's before_request sets it; a 404 from the URL came first
    try:
        html = render_template("grid/error.html", code=code, title=title, explanation=explanation, detail=detail,
                               appbuilder=appbuilder, base_template=appbuilder.base_template)
    except Exception:  # the layout itself failed (the database is down …): a page without it
        log.exception("error page %s", code)
        db.session.rollback()
        html = (f'<!doctype html><meta charset="utf-8"><title>{escape(str(title))}</title>'
                f"<h1>{escape(str(title))}</h1><p>{escape(str(detail or explanation))}</p>"
                f'<p><a href="/">{escape(str(_l("Home")))}</a></p>')
    return html, code


def _page(error: HTTPException, code: int):
    return page(code, _detail(error))


def _server_error(error: InternalServerError):
    db.session.rollback()  # the failed request's transaction, so that the page can read the menu
    return _page(error, 500)


def _broken_rule(error: FieldError):
    """A value the flush's rules refused (``app.validation``), on a path whose form did not check
    it first: a 422 naming the field and the rule, and nothing of the request saved."""
    db.session.rollback()
    return page(422, str(error), field=error.field)


def register(app) -> None:
    for code in PAGES:
        if code != 500:
            app.register_error_handler(code, lambda error, code=code: _page(error, code))
    app.register_error_handler(InternalServerError, _server_error)
    app.register_error_handler(FieldError, _broken_rule)
