"""Field rules shared by forms, models, seeds and imports. Each error names its field."""
from __future__ import annotations

import datetime as dt
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

LABELS = {
    "id_number": _l("ID number"),
    "phone": _l("Phone"),
    "birth_date": _l("Birth date"),
    "gender": _l("Gender"),
    "colour": _l("Colour"),
    "geometry": _l("Geometry"),
}


class FieldError(ValueError):
    """A value that breaks a rule; ``str()`` reads "<field>: <reason>"."""

    def __init__(self, field: str, reason: str):
        self.field = field
        self.reason = reason
        super().__init__(reason)

    def __str__(self) -> str:
        return f"{LABELS.get(self.field, self.field)}: {self.reason}"


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


def parse_geometry(text: str, geom_type: str, field: str = "geometry"):
    """Shapely geometry from WKT or GeoJSON text, of ``geom_type``, valid, in lon/lat range."""
    text = (text or "").strip()
    try:
        if text.startswith("{"):
            data = json.loads(text)
            geom = shape(data.get("geometry", data) if data.get("type") == "Feature" else data)
        else:
            geom = shapely_wkt.loads(text)
    except Exception:
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
