"""Use cases own their transaction (the pattern of Superset's commands).

A *command* is a function in ``app/services/`` that changes what is stored: it validates its
input, writes, and commits — or raises a domain error whose message names the field
(``WorkflowError``, ``LedgerError``, ``FieldError`` …) after rolling back, so nothing is
half-saved. Screens, API endpoints and CLI commands call it and only translate: the request's
input into its arguments, its errors into a flash message or a JSON 4xx. They never commit or roll
back (``test_views_the_api_and_the_cli_never_commit``).

    @command
    def hand_over(households, handed_by):
        ...  # validate, write; raise a domain error to refuse

``@command`` (or ``with transaction():`` for a block) commits when the function returns and rolls
back when anything is raised, then re-raises it. A command called inside another joins the outer
one's transaction: only the outermost commits or rolls back, so commands compose (a bulk step is
each step, all or none). Helpers that write without committing (``ledger.record``,
``workflow.open_case``, ``audit.record``) are for use inside a command, and say so.
"""
from __future__ import annotations

import functools
from contextlib import contextmanager

from ..extensions import db

_DEPTH = "grid.command_depth"  # in the session's ``info``: how many commands are running in it


@contextmanager
def transaction():
    """The block's writes committed on success, or rolled back on any error (re-raised); inside
    another command or transaction, the outer one decides."""
    info = db.session.info
    depth = info.get(_DEPTH, 0)
    info[_DEPTH] = depth + 1
    try:
        yield
        if depth == 0:
            db.session.commit()
    except BaseException:
        if depth == 0:
            db.session.rollback()
        raise
    finally:
        info[_DEPTH] = depth


def command(function):
    """``function`` as a command: its writes committed when it returns, rolled back when it raises."""
    @functools.wraps(function)
    def run(*args, **kwargs):
        with transaction():
            return function(*args, **kwargs)
    return run
