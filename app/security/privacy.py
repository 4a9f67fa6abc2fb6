"""Sensitive personal data: who sees it whole, and how it looks to everyone else.

Without the "view sensitive data" permission, ID numbers show as ``3701**********123*``, birth dates
as ``1990-**-**``, phones as ``138****5678``, and care tags (低保, 残疾 …) are not shown, filtered or
sorted on at all.

Masks must not be undone together: an ID number is region (6 digits, the district's the same for
a whole community), birth date (8), sequence (3) and a check digit computed from the other 17.
Shown the ID's last four beside the whole birth date, anyone could rebuild it. So the masks show
nothing of the birth date but its year, and never the check digit: whatever a masked screen,
export or API shows of a resident, their number stays one of a year's 365 candidates
(tests/security/test_privacy.py counts them for every row a supervisor sees).
"""
from __future__ import annotations

from flask import current_app
from sqlalchemy import String, case, cast, func, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from ..caching import per_request
from . import actor, roles

# Columns masked for roles without the permission, wherever they appear; a masked column is not
# searched or sorted on either (a filter would be an oracle for what the mask hides).
MASKED = ("id_number", "phone", "birth_date")
# Columns not shown, searched or sorted on at all for those roles.
HIDDEN = ("care_labels", "low_income", "disability", "elderly_alone", "extreme_hardship")


def mask_id_number(value: str | None) -> str:
    """The first four characters (province and city: shared by the whole community) and the three
    before the last (the sequence number, which tells same-named residents apart); the district,
    the birth date and the check digit starred (the check digit would narrow the birth date)."""
    if not value:
        return ""
    return value[:4] + "*" * (len(value) - 8) + value[-4:-1] + "*" if len(value) > 8 else "*" * len(value)


def mask_birth_date(value) -> str:
    """The year only: with the month and day, the masked ID number could be rebuilt."""
    if not value:
        return ""
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return text[:4] + "-**-**"


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    digits = value.replace("-", "")
    if len(digits) == 11 and digits.startswith("1"):
        return digits[:3] + "****" + digits[-4:]
    return "*" * (len(value) - 4) + value[-4:] if len(value) > 4 else "*" * len(value)


MASKS = {"id_number": mask_id_number, "phone": mask_phone, "birth_date": mask_birth_date}


# -- the same masks in SQL, for exports (tests/security/test_privacy.py::test_the_sql_masks_are_the_python_masks holds each equal to its twin) --
class _stars(FunctionElement):
    """``"*" * n`` in SQL."""
    type = String()
    inherit_cache = True
    name = "stars"


@compiles(_stars)
def _stars_sqlite(element, compiler, **kw):  # SQLite has no repeat(): n zero bytes, as hex, each "00" a star
    return "replace(hex(zeroblob(%s)), '00', '*')" % compiler.process(element.clauses, **kw)


@compiles(_stars, "postgresql")
def _stars_postgresql(element, compiler, **kw):
    return "repeat('*', %s)" % compiler.process(element.clauses, **kw)


def _text(name, *args):
    return getattr(func, name)(*args, type_=String)


def mask_id_number_sql(value, neutral=None):
    """``mask_id_number`` in SQL. ``neutral`` (the export's formula neutralising) is applied to the
    mask's first four characters, the only ones that can start a formula: one test per row rather
    than the whole mask once for the test and again for the cell."""
    length = func.length(value)
    head = _text("substr", value, 1, 4)
    return case((func.coalesce(value, "") == "", literal("")),
                (length > 8, (neutral(head) if neutral else head) + _stars(length - 8)
                 + _text("substr", value, length - 3, 3) + "*"),
                else_=_stars(length))


def mask_phone_sql(value, neutral=None):
    """``mask_phone`` in SQL. Its result starts with "1" or "*", never a formula: ``neutral`` is
    accepted for symmetry and not needed."""
    digits = _text("replace", value, "-", "")
    length = func.length(value)
    return case((func.coalesce(value, "") == "", literal("")),
                ((func.length(digits) == 11) & (_text("substr", digits, 1, 1) == "1"),
                 _text("substr", digits, 1, 3) + "****" + _text("substr", digits, 8)),
                (length > 4, _stars(length - 4) + _text("substr", value, length - 3)),
                else_=_stars(length))


def mask_birth_date_sql(value, neutral=None):
    """``mask_birth_date`` in SQL (a date as its ISO text, as both databases cast it). A real date
    starts with its year; ``neutral`` is for the odd text value, on the whole mask (its head alone
    could be blank before the hyphen)."""
    text = cast(value, String)
    masked = case((func.coalesce(text, "") == "", literal("")),
                  else_=_text("substr", text, 1, 4) + "-**-**")
    return neutral(masked) if neutral else masked


MASKS_SQL = {"id_number": mask_id_number_sql, "phone": mask_phone_sql, "birth_date": mask_birth_date_sql}


def mask(column: str, value):
    """``value`` as a masked role sees it (unchanged for columns that are not masked)."""
    return MASKS[column](value) if column in MASKS else value


def may_see_sensitive() -> bool:
    """Whether the acting user holds the permission; the system (CLI, seeds) does."""
    acting = actor.current()
    if acting.is_system:
        return True

    def read() -> bool:
        return acting.signed_in and current_app.appbuilder.sm.has_access(*roles.VIEW_SENSITIVE)
    return per_request("grid.sensitive", read)  # like the scope


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
