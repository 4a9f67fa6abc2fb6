"""The case workflow's steps as data — from which stages, to which, made by which roles — and the
case row of the role table that follows from them. A leaf: the role table (``roles``) and the
workflow (``app.services.workflow``) both read it, and it imports neither."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from .role_names import MANAGER, SECRETARY, SUPERVISOR


@dataclass(frozen=True)
class Step:
    name: str
    label: object  # the button's text
    sources: tuple[str, ...]
    target: str
    who: frozenset[str]
    needs_note: bool = False
    needs_feedback: bool = False  # resolution and satisfaction 1–5
    bulk: bool = False  # offered as a list action on several cases at once


STEPS = {step.name: step for step in (
    Step("collect", _l("Collect"), ("discovered",), "collected", frozenset({MANAGER, SECRETARY}), bulk=True),
    Step("register", _l("Register"), ("collected",), "registered", frozenset({MANAGER, SECRETARY}), bulk=True),
    Step("reject", _l("Do not register"), ("discovered", "collected"), "rejected", frozenset({SECRETARY}),
         needs_note=True),
    Step("handle", _l("Start handling"), ("registered",), "in_progress", frozenset({MANAGER, SECRETARY}),
         bulk=True),
    Step("feedback", _l("Give feedback"), ("in_progress",), "feedback", frozenset({MANAGER, SECRETARY}),
         needs_feedback=True),
    Step("close", _l("Close"), ("feedback",), "closed", frozenset({SECRETARY}), bulk=True),
    Step("reopen", _l("Reopen"), ("closed",), "in_progress", frozenset({SECRETARY}), needs_note=True),
)}
REPORT = "report"  # the first event of every case: nothing → discovered


def case_access() -> dict[str, str]:
    """The case row of the role table: the screens' verbs, then every step each role may make."""
    access = {SECRETARY: "list show add edit delete", MANAGER: "list show add edit delete",
              SUPERVISOR: "list show"}
    for step in STEPS.values():
        for role in step.who:
            access[role] += f" {step.name}"
    return access
