"""What a request needs about its user, kept per process while the tables it was read from stand.

Every request reads the signed-in user's (permission, view) pairs and grid scope; for a district's
office that was three queries and ~600 grid rows turned into sets, ~7 ms of a list page. Both
come from a few tables (``WATCHED``), each with a data version bumped by every committed write
(``services/freshness.py``). A request reads those versions in one query; a kept result counted at
the same versions is the result the tables would give now (the freshness argument: versions are
read before the rows). Kept at most ``KEEP_SECONDS`` for writes made around the app (raw SQL
from another connection), and never counted or used inside a transaction that has written: its
rows are not committed, and its bump is still to come.
"""
from __future__ import annotations

import time

from flask import has_request_context

from ..caching import app_memo
from ..extensions import db
from ..services import freshness

WATCHED = {
    "permissions": tuple(sorted(freshness.SECURITY)),
    "scope": ("user_scope", "grid", "community"),
}
KEEP_SECONDS = 60
KEPT_AT_MOST = 4096


def remembered(kind: str, key, make):
    """``make()`` for ``key`` (what it is computed from besides the ``WATCHED[kind]`` tables), kept
    while those tables are unchanged."""
    session = db.session()
    if not has_request_context() or session.info.get(freshness.PENDING) or session.new or session.dirty \
            or session.deleted:
        return make()
    versions = freshness.current(session)
    stamp = (kind, key, *(versions.get(table, 0) for table in (*WATCHED[kind], freshness.ANYTHING)))
    _kept_at, value = app_memo("grid.security_memo", KEPT_AT_MOST).get(
        stamp, lambda: (time.monotonic(), make()), fresh=lambda entry: time.monotonic() - entry[0] < KEEP_SECONDS)
    return value
