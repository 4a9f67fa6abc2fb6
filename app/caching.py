"""The app's two kinds of in-memory cache (docs/architecture.md, "Caches", lists every one, its key
and what invalidates it):

- ``per_request``: computed once per request and kept in its WSGI environ, gone with it. Not on
  ``flask.g``: an app context can outlive several requests (the tests, a CLI command). Keys are
  strings (gunicorn's access log reads every environ key).
- ``Memo``: kept by the process. A key holds everything the value is made from, or the caller
  passes ``fresh`` to reject a kept value that no longer stands; a bounded memo forgets everything
  when full (values are cheap to remake, and no per-hit bookkeeping is added to the hot path).
  ``app_memo`` is one per app (``app.extensions``), so two apps in a process (the tests) never
  share one.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, has_request_context, request

_MISSING = object()


def per_request(key: str, make: Callable[[], Any], fresh: Callable[[Any], bool] | None = None):
    """``make()`` once per request (``fresh`` may reject the kept value); outside a request, each time."""
    if not has_request_context():
        return make()
    environ = request.environ
    found = environ.get(key, _MISSING)
    if found is _MISSING or (fresh is not None and not fresh(found)):
        found = environ[key] = make()
    return found


class Memo:
    """Values by key for the life of the process (or of its owner)."""

    def __init__(self, most: int | None = None):
        self.most = most  # None: bounded by what can be asked (classes, columns)
        self.entries: dict = {}

    def get(self, key, make: Callable[[], Any], fresh: Callable[[Any], bool] | None = None):
        """The kept value for ``key`` or, if none (or ``fresh`` rejects it), ``make()``, kept."""
        found = self.entries.get(key, _MISSING)
        if found is not _MISSING and (fresh is None or fresh(found)):
            return found
        value = make()
        if self.most is not None and len(self.entries) >= self.most and key not in self.entries:
            self.entries.clear()
        self.entries[key] = value
        return value

    def clear(self) -> None:
        self.entries.clear()


def app_memo(name: str, most: int) -> Memo:
    """The current app's memo called ``name``."""
    memo = current_app.extensions.get(name)
    if memo is None:
        memo = current_app.extensions[name] = Memo(most)
    return memo
