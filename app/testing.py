"""Driving the app from code, as a signed-in user would: shared by the tests and the benchmarks
(which import it; neither imports the other)."""
from __future__ import annotations

from contextlib import contextmanager


@contextmanager
def signed_in(app, user, path: str = "/"):
    """A request to ``path`` signed in as ``user`` (a user or a username), its scope and
    permissions as a page sees them; what it left unsaved is rolled back."""
    from flask import g
    from flask_login import login_user

    from .extensions import db

    with app.test_request_context(path):
        if isinstance(user, str):
            user = app.appbuilder.sm.find_user(username=user)
        login_user(user)
        g.user = user
        try:
            yield user
        finally:
            db.session.rollback()
