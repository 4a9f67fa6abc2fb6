"""A resident's identity fields: ID number, birth date and gender agree with each other."""
from __future__ import annotations

import datetime as dt

from flask_babel import gettext

from ..timekeeping import local_today
from ..validation import FieldError, check_id_matches, clean_id_number, id_birth_date, id_gender


def normalize_identity(id_number: str | None, birth_date: dt.date | None, gender: str | None):
    """(id_number, birth_date, gender) cleaned; blanks filled from the ID number.

    Without an ID number, gender is required. Raises FieldError naming the offending field.
    """
    if id_number:
        number = clean_id_number(id_number)
        check_id_matches(number, birth_date, gender)
        return number, birth_date or id_birth_date(number), gender or id_gender(number)
    if not gender:
        raise FieldError("gender", gettext("is required when there is no ID number"))
    if birth_date and birth_date > local_today():  # the community's day, as the column rule reads it
        raise FieldError("birth_date", gettext("is in the future"))
    return None, birth_date, gender
