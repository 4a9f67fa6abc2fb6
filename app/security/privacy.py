"""Sensitive personal data: who sees it whole, and how it looks to everyone else.

Without the "view sensitive data" permission, ID numbers show as ``3701**********1234``, phones as
``138****5678``, and care tags (低保, 残疾 …) are not shown, filtered or sorted on at all.
"""
from __future__ import annotations

from flask import current_app, g, has_request_context, request

from . import roles

# Columns masked for roles without the permission, wherever they appear.
MASKED = ("id_number", "phone")
# Columns not shown, searched or sorted on at all for those roles.
HIDDEN = ("care_labels", "low_income", "disability", "elderly_alone", "extreme_hardship")


def mask_id_number(value: str | None) -> str:
    if not value:
        return ""
    return value[:4] + "*" * max(len(value) - 8, 0) + value[-4:] if len(value) > 8 else "*" * len(value)


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    digits = value.replace("-", "")
    if len(digits) == 11 and digits.startswith("1"):
        return digits[:3] + "****" + digits[-4:]
    return "*" * (len(value) - 4) + value[-4:] if len(value) > 4 else "*" * len(value)


MASKS = {"id_number": mask_id_number, "phone": mask_phone}


def mask(column: str, value):
    """``value`` as a masked role sees it (unchanged for columns that are not masked)."""
    return MASKS[column](value) if column in MASKS else value


def may_see_sensitive() -> bool:
    """Whether this request's user holds the permission; the system (CLI, seeds) does."""
    if not has_request_context():
        return True
    if "grid.sensitive" not in request.environ:  # per request, like the scope
        user = getattr(g, "user", None)
        request.environ["grid.sensitive"] = bool(
            user is not None and getattr(user, "is_authenticated", False)
            and current_app.appbuilder.sm.has_access(*roles.VIEW_SENSITIVE))
    return request.environ["grid.sensitive"]


def shown(column: str, value):
    """A stored value as this request's user may see it."""
    return value if may_see_sensitive() else mask(column, value)


def masked_formatter(column: str):
    def format_value(value):
        return "" if value is None else shown(column, value)
    return format_value


def hidden_columns() -> set[str]:
    """Columns this request's user does not see at all."""
    return set() if may_see_sensitive() else set(HIDDEN)


def unsearchable_columns() -> set[str]:
    """Columns this request's user may not filter or sort on (no oracle for masked values)."""
    return set() if may_see_sensitive() else set(HIDDEN) | set(MASKED)
