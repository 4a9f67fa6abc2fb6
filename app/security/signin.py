"""The sign-in budget: failed attempts counted per account and per client address; successes are
not counted (a whole office signing in from one address in the morning is not an attack).

One budget for the sign-in page and the API's (``/api/v1/security/login``): both ask ``refusal``
before checking a password and report failures through ``GridSecurityManager.auth_user_db``.
The counts live in the rate limiter's storage (``RATELIMIT_STORAGE_URI``: Redis when several
processes or hosts serve the app). Limits: ``AUTH_RATE_LIMIT`` per account,
``AUTH_RATE_LIMIT_PER_ADDRESS`` per address; off with ``AUTH_RATE_LIMITED`` or
``RATELIMIT_ENABLED``.
"""
from __future__ import annotations

import datetime as dt
import math
import time
from dataclasses import dataclass

from flask import current_app, request
from flask_babel import gettext
from flask_limiter.util import get_remote_address
from limits import parse

from .. import timekeeping


@dataclass(frozen=True)
class Refusal:
    retry_after: int  # seconds

    @property
    def message(self) -> str:
        at = dt.datetime.fromtimestamp(time.time() + self.retry_after, timekeeping.zone())
        return gettext("Too many failed sign-ins. Try again at %(time)s (in %(seconds)d seconds).",
                       time=at.strftime("%H:%M:%S"), seconds=self.retry_after)


def _limiter():
    """FAB's rate limiter when sign-ins are limited and it is on; else None."""
    limiter = current_app.appbuilder.sm.limiter
    if not current_app.config.get("AUTH_RATE_LIMITED") or not limiter.enabled:
        return None
    return limiter


def _budgets(username: str | None):
    """(limit, identifiers) of each count an attempt for ``username`` from this request's address
    belongs to."""
    config = current_app.config
    prefix = config.get("RATELIMIT_KEY_PREFIX") or "grid"
    key_of = config.get("RATELIMIT_KEY_FUNC") or get_remote_address
    account = (username or "").strip().casefold()
    return [(parse(config["AUTH_RATE_LIMIT"]), (prefix, "sign-in-failures", "account", account)),
            (parse(config.get("AUTH_RATE_LIMIT_PER_ADDRESS") or config["AUTH_RATE_LIMIT"]),
             (prefix, "sign-in-failures", "address", key_of() or request.remote_addr or ""))]


def refusal(username: str | None) -> Refusal | None:
    """Why a sign-in as ``username`` from here may not be tried now, or None."""
    limiter = _limiter()
    if limiter is None:
        return None
    strategy, waits = limiter.limiter, []
    for limit, identifiers in _budgets(username):
        if not strategy.test(limit, *identifiers):
            reset_at = strategy.get_window_stats(limit, *identifiers).reset_time
            waits.append(max(1, math.ceil(reset_at - time.time())))
    return Refusal(max(waits)) if waits else None


def failed(username: str | None) -> None:
    """Count a failed sign-in against the account and the address."""
    limiter = _limiter()
    if limiter is None:
        return
    for limit, identifiers in _budgets(username):
        limiter.limiter.hit(limit, *identifiers)
