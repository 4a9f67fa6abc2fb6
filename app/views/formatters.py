"""Display of stored values in lists and detail pages."""
from __future__ import annotations

import datetime as dt

from geoalchemy2.shape import to_shape
from markupsafe import Markup, escape

from .. import timekeeping


def blank(value):
    return "" if value is None else value


def colour_swatch(value) -> Markup:
    if not value:
        return Markup("")
    return Markup('<span class="grid-swatch" style="background:{0}"></span> {0}').format(escape(value))


def geometry_text(value) -> str:
    """WKT, shortened for lists; the edit form shows it whole."""
    if value is None:
        return ""
    text = to_shape(value).wkt
    return text if len(text) <= 80 else text[:77] + "…"


def local_time(value) -> str:
    """A UTC timestamp in the community's time zone (config ``TIMEZONE``), to the second."""
    if value is None:
        return ""
    return value.replace(tzinfo=dt.UTC).astimezone(timekeeping.zone()).strftime("%Y-%m-%d %H:%M:%S")
