"""Who is acting: the signed-in user of this request, or the system, on purpose.

Every rule that asks "who may" (the grid scope, the case steps, posting to the ledger, sensitive
fields) or "who did" (the audit log, a case's timeline, a voucher's names) asks ``current()``.
The system may do anything, so it is never assumed: CLI commands, the seeds and start-up open
``with actor.system("seed demo"):`` and name their purpose, which the audit log and timelines
record. Outside a request and outside such a block there is no actor, and whatever reads or
writes scoped data raises ``NoActor`` — no request does not mean "allowed".

A system block belongs to the app context it was opened in (``flask.g``) and, within it, to the
request that was active then (if any): a request made while a block is open elsewhere — a test
client's, a ``signed_in`` page inside a test — still acts as its own user.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

from flask import g, has_app_context, has_request_context, request

_STACK = "_grid_system_actors"  # on ``g``: the open system blocks, innermost last


class NoActor(RuntimeError):
    """Scoped data was read or written with no request and no system block: nobody to check."""

    def __init__(self):
        super().__init__("Nobody is acting: scoped data is read or written outside a request and outside "
                         "`with actor.system(\"<purpose>\"):` (CLI commands, seeds and start-up open one).")


@dataclass(frozen=True)
class Actor:
    user: object | None = None  # the request's user (anonymous or signed in); None for the system
    purpose: str | None = None  # the system's: what it is doing

    @property
    def is_system(self) -> bool:
        return self.purpose is not None

    @property
    def signed_in(self) -> bool:
        return self.user is not None and bool(getattr(self.user, "is_authenticated", False))

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.signed_in else None

    @property
    def name(self) -> str | None:
        """What the audit log, a case's timeline and a voucher record as who did it."""
        if self.is_system:
            return f"system: {self.purpose}"[:64]
        return self.user.username if self.signed_in else None


def _request():
    return request._get_current_object() if has_request_context() else None


@contextmanager
def system(purpose: str):
    """Act as the system, which may do anything, for ``purpose`` (named in the audit log)."""
    if not purpose.strip():
        raise ValueError("the system acts for a purpose: name it")
    stack = g.setdefault(_STACK, [])
    stack.append((Actor(purpose=purpose.strip()), _request()))
    try:
        yield stack[-1][0]
    finally:
        stack.pop()


def current() -> Actor:
    """This request's user, or the system in an open ``system`` block; ``NoActor`` otherwise."""
    if is_system():
        return g.get(_STACK)[-1][0]
    if has_request_context():
        return Actor(user=getattr(g, "user", None))
    raise NoActor()


def is_system() -> bool:
    """Whether the system acts here (a cheap question: no NoActor when nobody acts)."""
    stack = g.get(_STACK) if has_app_context() else None
    return bool(stack) and stack[-1][1] is _request()


def may(kind: str, verb: str) -> bool:
    """Whether the actor may ``verb`` data of ``kind`` (the system may do anything)."""
    if current().is_system:
        return True
    from .access import may as user_may
    return user_may(kind, verb)
