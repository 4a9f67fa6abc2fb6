"""Field rules shared by forms, models, seeds and imports. Each error names its field."""
from __future__ import annotations

import datetime as dt
import functools
import json
import re

import phonenumbers
from flask_babel import gettext, lazy_gettext as _l
from shapely import wkt as shapely_wkt
from shapely.geometry import shape
from shapely.validation import explain_validity
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric

MAX_ID = 2**31 - 1  # ids and whole numbers are 32-bit on both databases

LABELS = {  # fields named in messages; the screens add their models' column labels (COLUMN_LABELS)
    "id_number": _l("ID number"),
    "phone": _l("Phone"),
    "birth_date": _l("Birth date"),
    "gender": _l("Gender"),
    "colour": _l("Colour"),
    "geometry": _l("Geometry"),
}


COLUMN_LABELS: dict[str, dict] = {}  # table → {column: label}, from the screens (app.views.register_views)


class FieldError(ValueError):
    """A value that breaks a rule; ``str()`` reads "<field>: <reason>"."""

    def __init__(self, field: str, reason: str, table: str | None = None):
        self.field = field
        self.reason = reason
        self.table = table
        super().__init__(reason)

    def __str__(self) -> str:
        label = COLUMN_LABELS.get(self.table, {}).get(self.field) or LABELS.get(self.field, self.field)
        return f"{label}: {self.reason}"


PROVINCE_CODES = {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
                  50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82}


def clean_id_number(value: str) -> str:
    """A valid 18-digit resident ID number (GB 11643), upper-cased; raises FieldError.

    stdnum checks the check digit and birth date. Its county table is historical and incomplete
    (it lacks e.g. 370112, 历城区), so only the province part of the region code is checked here:
    a real resident must never be refused because a library's table is old.
    """
    number = ric.compact(value or "").upper()
    if len(number) != 18:
        raise FieldError("id_number", gettext("must have 18 characters"))
    if not (number[:17].isdigit() and (number[17].isdigit() or number[17] == "X")):
        raise FieldError("id_number", gettext("is not a valid resident ID number"))
    try:
        birth = ric.get_birth_date(number)
    except stdnum_errors.ValidationError:
        raise FieldError("id_number", gettext("contains an impossible birth date or region")) from None
    if int(number[:2]) not in PROVINCE_CODES or birth > dt.date.today() or birth.year < 1900:
        raise FieldError("id_number", gettext("contains an impossible birth date or region"))
    if ric.calc_check_digit(number) != number[-1]:
        raise FieldError("id_number", gettext("check digit is wrong"))
    return number


def id_birth_date(number: str) -> dt.date:
    return ric.get_birth_date(number)


def id_gender(number: str) -> str:
    """GB 11643: the 17th digit is odd for men, even for women."""
    return "male" if int(number[16]) % 2 else "female"


def check_id_matches(number: str, birth_date: dt.date | None, gender: str | None) -> None:
    """The entered birth date and gender must agree with those encoded in the ID number."""
    if birth_date and birth_date != id_birth_date(number):
        raise FieldError(
            "birth_date",
            gettext("%(entered)s does not match the ID number (%(expected)s)",
                    entered=birth_date.isoformat(), expected=id_birth_date(number).isoformat()),
        )
    if gender and gender != id_gender(number):
        raise FieldError("gender", gettext("does not match the ID number"))


def clean_phone(value: str) -> str:
    """A valid mainland mobile or landline number, digits only for mobiles (13812345678)."""
    text = (value or "").strip()
    try:
        parsed = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        raise FieldError("phone", gettext("is not a phone number")) from None
    if not phonenumbers.is_valid_number(parsed):
        raise FieldError("phone", gettext("is not a valid phone number"))
    if parsed.country_code == 86:
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL).replace(" ", "")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")


def clean_colour(value: str) -> str:
    text = (value or "").strip()
    if not COLOUR_RE.match(text):
        raise FieldError("colour", gettext("must look like #1f77b4"))
    return text.lower()


# Two numbers, as typed or pasted from a map app: "117.0568 36.6934", "36.6934,117.0568", "36.69，117.05".
TWO_NUMBERS = re.compile(r"^\s*([-+]?\d+(?:\.\d+)?)\s*([,，;；]|\s)\s*([-+]?\d+(?:\.\d+)?)\s*$")


def _point_of_two_numbers(first: float, separator: str, second: float):
    """A point from two numbers, the longitude decided by range, then by the separator.

    A number beyond ±90 can only be the longitude (every longitude in China is over 73, every
    latitude under 54), whatever the order. When both could be either (near the meridian), a
    space means "longitude latitude" (the order of WKT), a comma "latitude,longitude" (the order
    map apps copy, e.g. 36.6934,117.0568)."""
    from shapely.geometry import Point

    if abs(first) > 90 >= abs(second):
        return Point(first, second)
    if abs(second) > 90 >= abs(first):
        return Point(second, first)
    return Point(first, second) if separator.isspace() else Point(second, first)


def parse_geometry(text: str, geom_type: str, field: str = "geometry"):
    """Shapely geometry of ``geom_type``, valid, in lon/lat range, from WKT or GeoJSON text; a
    point also from two numbers ("lng lat" or "lat,lng", see ``_point_of_two_numbers``)."""
    text = (text or "").strip()
    numbers = TWO_NUMBERS.match(text) if geom_type.upper() == "POINT" else None
    try:
        if numbers:
            geom = _point_of_two_numbers(float(numbers[1]), numbers[2], float(numbers[3]))
        elif text.startswith("{"):
            data = json.loads(text)
            geom = shape(data.get("geometry", data) if data.get("type") == "Feature" else data)
        else:
            geom = shapely_wkt.loads(text)
    except Exception:
        if geom_type.upper() == "POINT":
            raise FieldError(field, gettext(
                "is not a place: give longitude and latitude (117.0568 36.6934), latitude,longitude "
                "(36.6934,117.0568), WKT or GeoJSON")) from None
        raise FieldError(field, gettext("is neither WKT nor GeoJSON")) from None
    if geom.geom_type.upper() != geom_type.upper():
        raise FieldError(field, gettext("must be a %(expected)s, not a %(found)s",
                                        expected=geom_type, found=geom.geom_type))
    if geom.is_empty:
        raise FieldError(field, gettext("is empty"))
    if not geom.is_valid:
        raise FieldError(field, gettext("is not valid (%(reason)s)", reason=explain_validity(geom)))
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise FieldError(field, gettext("coordinates must be longitude/latitude (WGS84)"))
    return geom


# -- the rules declared on columns (app.models.rules) --------------------------------------------
def check_date(field: str, value: dt.date | None, past: bool = False, earliest: dt.date | None = None,
               earliest_field: str | None = None, table: str | None = None) -> None:
    """A date between EARLIEST and LATEST; if ``past``, not after today; not before ``earliest``."""
    from .models.rules import EARLIEST, LATEST
    from .timekeeping import local_today

    if value is None:
        return
    if not EARLIEST <= value <= LATEST:
        raise FieldError(field, gettext("must be between %(first)s and %(last)s",
                                        first=EARLIEST.isoformat(), last=LATEST.isoformat()), table)
    if past and value > local_today():
        raise FieldError(field, gettext("is in the future"), table)
    if earliest is not None and value < earliest:
        raise FieldError(field, gettext("is before %(other)s (%(date)s)", date=earliest.isoformat(),
                                        other=COLUMN_LABELS.get(table, {}).get(earliest_field)
                                        or LABELS.get(earliest_field, earliest_field)), table)


def check_text(field: str, value: str | None, max_length: int | None, required: bool,
               table: str | None = None) -> None:
    if value is None:
        return
    if required and not value.strip():
        raise FieldError(field, gettext("is blank"), table)
    if max_length and len(value) > max_length:
        raise FieldError(field, gettext("has %(length)d characters; at most %(max)d",
                                        length=len(value), max=max_length), table)


@functools.cache
def column_rules(model) -> dict:
    """{attribute: column} of ``model``'s table columns that carry a rule (a length, a date)."""
    from sqlalchemy import Date, String, inspect as sa_inspect

    from .models.rules import max_length

    return {prop.key: prop.columns[0] for prop in sa_inspect(model).column_attrs
            if len(prop.columns) == 1 and getattr(prop.columns[0], "table", None) is model.__table__
            and (isinstance(prop.columns[0].type, Date)
                 or (isinstance(prop.columns[0].type, String) and max_length(prop.columns[0])))}


def check_columns(model, values: dict) -> None:
    """``values`` ({attribute: value}) against the rules declared on ``model``'s columns; raises
    FieldError naming the first field that breaks one. The flush runs it on every row written;
    the importer on every row read."""
    from sqlalchemy import Date

    from .models.rules import max_length

    table = model.__tablename__
    columns = column_rules(model)
    for key, value in values.items():
        column = columns.get(key)
        if column is None or value is None:
            continue
        if isinstance(column.type, Date):
            if not isinstance(value, dt.date):
                continue
            other = column.info.get("not_before")
            check_date(key, value, column.info.get("past", False), values.get(other) if other else None, other, table)
        elif isinstance(value, str):
            check_text(key, value, max_length(column), not column.nullable, table)


# -- the database's refusals, explained --------------------------------------------------------------
# What each kind of failure says, on PostgreSQL (its SQLSTATE) and SQLite (its message's start).
CHECK, NOT_NULL, FOREIGN_KEY, UNIQUE, TOO_LONG = "23514", "23502", "23503", "23505", "22001"
SQLITE_KINDS = {"CHECK constraint failed": CHECK, "NOT NULL constraint failed": NOT_NULL,
                "FOREIGN KEY constraint failed": FOREIGN_KEY, "UNIQUE constraint failed": UNIQUE}
RECORD = "record"  # the field of a refusal that concerns the whole record (a foreign key)
LABELS[RECORD] = _l("Record")


def _check_constraint(name: str):
    """(table, column, rule) of the check constraint ``name`` (the models' or migration 0010's
    ``ck_<table>_<column>_length``)."""
    from flask_appbuilder import Model
    from sqlalchemy import CheckConstraint

    from .models.rules import max_length

    for table in Model.metadata.tables.values():
        for column in table.columns:
            if name == f"ck_{table.name}_{column.name}_length":
                return table.name, column.name, gettext("at most %(max)d characters", max=max_length(column))
        for constraint in table.constraints:
            if isinstance(constraint, CheckConstraint) and constraint.name == name:
                if "column" in constraint.info:
                    return table.name, constraint.info["column"], str(constraint.info["rule"])
                sql = str(constraint.sqltext)
                column = next((c.name for c in table.columns if re.search(rf"\b{c.name}\b", sql)), RECORD)
                rule = (gettext("is not one of the allowed values") if " IN (" in sql
                        else gettext("breaks the rule %(rule)s", rule=sql))
                return table.name, column, rule
    return None, RECORD, gettext("breaks the rule %(rule)s", rule=name)


def explain_database_error(error) -> FieldError:
    """The database's refusal of a write (a check, NOT NULL, foreign key or unique constraint, a
    text too long) as a FieldError naming the field and the rule, alike on PostgreSQL and SQLite."""
    orig = getattr(error, "orig", None) or getattr(error.__cause__, "orig", None) or error
    message = str(orig).strip()
    kind = getattr(orig, "sqlstate", None) or next(
        (code for start, code in SQLITE_KINDS.items() if message.startswith(start)), None)
    diag = getattr(orig, "diag", None)
    constraint = getattr(diag, "constraint_name", None)
    table, column = getattr(diag, "table_name", None), getattr(diag, "column_name", None)
    named = message.split(":", 1)[1].strip().splitlines()[0] if ":" in message else ""
    if kind == CHECK:
        table, column, rule = _check_constraint(constraint or named)
        return FieldError(column, rule, table)
    if kind == NOT_NULL:
        if column is None and "." in named:
            table, column = named.split(".", 1)
        return FieldError(column or RECORD, gettext("is required"), table)
    if kind == FOREIGN_KEY:
        return FieldError(RECORD, gettext("is still used by other records, or names a record that does not exist"),
                          table)
    if kind == UNIQUE:
        detail = getattr(diag, "message_detail", None) or ""
        found = re.match(r"Key \(([^)]*)\)", detail)
        columns = ([c.strip() for c in found.group(1).split(",")] if found
                   else [part.strip().split(".")[-1] for part in named.split(",") if part.strip()])
        table = table or (named.split(".")[0] if "." in named else None)
        # The column a person typed (a code, a number), not the parent it is unique within.
        field = next((c for c in reversed(columns) if not c.endswith("_id")), columns[-1] if columns else RECORD)
        return FieldError(field, gettext("already exists"), table)
    if kind == TOO_LONG:
        return FieldError(RECORD, gettext("a text is longer than its field allows"), table)
    return FieldError(RECORD, gettext("The database refused it: %(reason)s", reason=message.splitlines()[0]), table)


# -- a place inside its community ------------------------------------------------------------------
NEAR_METRES = 1000  # how far outside its community's grids a place may lie (a gate across the road)
METRES_PER_DEGREE = 111_320


def check_near(field: str, geom, extent, table: str | None = None, metres: int = NEAR_METRES) -> None:
    """``geom`` (shapely) within ``metres`` of ``extent`` (the community's grids' bounds: minx, miny,
    maxx, maxy), or FieldError: a footprint typed with a wrong digit lands in another city."""
    import math

    if geom is None or extent is None:
        return
    minx, miny, maxx, maxy = extent
    dlat = metres / METRES_PER_DEGREE
    dlon = metres / (METRES_PER_DEGREE * max(math.cos(math.radians((miny + maxy) / 2)), 0.01))
    gminx, gminy, gmaxx, gmaxy = geom.bounds
    if gminx < minx - dlon or gmaxx > maxx + dlon or gminy < miny - dlat or gmaxy > maxy + dlat:
        raise FieldError(field, gettext("lies outside the community (more than %(metres)d m from its grids)",
                                        metres=metres), table)
