"""The API's JSON: how rows are shown (related rows, geometry, times, masked values) and the
schema of a request body, read off the screen's own form so that both accept the same fields."""
from __future__ import annotations

import datetime as dt
import functools
import json

from flask_babel import lazy_gettext as _l
from geoalchemy2.shape import to_shape
from marshmallow import Schema, ValidationError, fields, validate
from shapely.geometry import mapping
from wtforms import (BooleanField, DateField, DateTimeField, DecimalField, FieldList, FloatField,
                     IntegerField, MultipleFileField, SelectField, StringField)
from wtforms.fields.core import UnboundField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from ..security import privacy
from ..validation import MAX_ID
from ..views.fields import GeometryField, MultiPickerField, PickerField

GEOMETRY_DECIMALS = 7  # about 1 cm; no float noise


# -- showing rows --------------------------------------------------------------------------------
class Label(fields.String):
    """The row's own label, as the screens show it (``str(row)``)."""

    def __init__(self, **kwargs):
        super().__init__(dump_only=True, required=True, **kwargs)

    def get_value(self, obj, attr, accessor=None, default=None):
        return str(obj)


class RefSchema(Schema):
    """A related row: its id and its label. Never the related row's columns, which would bypass the
    masks and hidden columns of that row's own screen."""

    id = fields.Integer(required=True)
    label = Label()


def _rounded(value):
    if isinstance(value, (list, tuple)):
        return [_rounded(part) for part in value]
    return round(value, GEOMETRY_DECIMALS) if isinstance(value, float) else value


GEOJSON_GEOMETRY = {
    "type": "object",
    "description": "GeoJSON geometry, longitude/latitude (WGS84)",
    "properties": {"type": {"type": "string"}, "coordinates": {"type": "array", "items": {}}},
    "required": ["type", "coordinates"],
}


class GeoJSON(fields.Field):
    """A geometry column as a GeoJSON geometry object."""

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {}).update(GEOJSON_GEOMETRY)
        super().__init__(**kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        shape = mapping(to_shape(value))
        return {"type": shape["type"], "coordinates": _rounded(shape["coordinates"])}


class UtcDateTime(fields.DateTime):
    """Stored naive in UTC; shown with its offset so that a phone in any time zone reads it right."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC).isoformat()


class Masked(fields.String):
    """A sensitive column (ID number, phone, birth date), masked for users without the permission;
    as text either way (a birth date as YYYY-MM-DD or its mask)."""

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else super()._serialize(privacy.shown(self.name, value), attr, obj, **kwargs)


# -- reading a request body ----------------------------------------------------------------------
class GeometryText(fields.Field):
    """A geometry typed as GeoJSON (an object) or WKT (a string); the form's geometry field checks it."""

    def __init__(self, geom_type: str, **kwargs):
        kwargs.setdefault("metadata", {}).update({
            "description": f"{geom_type}: a GeoJSON geometry object or WKT text, longitude/latitude (WGS84)",
            "anyOf": [{"type": "string"}, GEOJSON_GEOMETRY]})
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, dict):
            return json.dumps(value)
        if isinstance(value, str):
            return value
        raise ValidationError(str(_l("Give a GeoJSON geometry object or WKT text.")))


def _bounds(validators, kind):
    return next((v for v in validators if isinstance(v, kind)), None)


# marshmallow's messages for a body of the wrong shape, in the user's language like the forms' own.
MESSAGES = {"required": _l("This field is required."), "null": _l("This field is required.")}
INVALID = {fields.Integer: _l("Must be a whole number."), fields.Float: _l("Must be a number."),
           fields.Boolean: _l("Must be true or false."), fields.Date: _l("Must be a date (YYYY-MM-DD)."),
           fields.DateTime: _l("Must be a date and time (ISO 8601)."), fields.String: _l("Must be text."),
           fields.List: _l("Must be a list."), fields.Nested: _l("Must be an object.")}
RANGE = _l("Must be from {min} to {max}.")


def typed(cls, *args, **options):
    """A marshmallow field whose refusals are translated (see ``plain_messages``)."""
    messages = {**MESSAGES, "invalid": INVALID[cls], "type": INVALID[cls], "too_large": INVALID[cls]}
    return cls(*args, error_messages=messages, **options)


def _ids(**options):
    return typed(fields.Integer, strict=True, validate=validate.Range(1, MAX_ID, error=RANGE), **options)


def _number_range(validators, whole: bool):
    found = _bounds(validators, NumberRange)
    low = found.min if found is not None and found.min is not None else (-MAX_ID - 1 if whole else None)
    high = found.max if found is not None and found.max is not None else (MAX_ID if whole else None)
    return [validate.Range(min=low, max=high, error=RANGE)] if low is not None or high is not None else []


class BodySchema(Schema):
    error_messages = {"unknown": _l("Not a field of this form."), "type": _l("Must be an object.")}


def plain_messages(messages):
    """marshmallow's messages as the forms' errors look: each field's a list of plain strings (JSON
    cannot carry a lazily translated one; marshmallow keeps such a message unlisted)."""
    if isinstance(messages, dict):
        return {str(key): plain_messages(value) for key, value in messages.items()}
    if isinstance(messages, (list, tuple)):
        return [plain_messages(value) if isinstance(value, (dict, list, tuple)) else str(value) for value in messages]
    return [str(messages)]


def unbound_fields(form_class) -> dict[str, UnboundField]:
    return {name: value for name in dir(form_class) if not name.startswith("_")
            and isinstance(value := getattr(form_class, name), UnboundField)}


def _validators(form_field) -> list:
    return list(form_field.kwargs.get("validators") or (form_field.args[1] if len(form_field.args) > 1 else []))


def _code(choice):
    return choice.value if hasattr(choice, "value") else choice[0] if isinstance(choice, (tuple, list)) else choice


def input_field(form_field, required: bool):
    """The JSON field a form field takes: its type, required or not, and its simple bounds (length,
    range, choices) so that the document says them; the form itself still checks every rule.
    A field the form fills by default (today's date) is never required: left out, it takes it."""
    cls, validators = form_field.field_class, _validators(form_field)
    required = (required and form_field.kwargs.get("default") is None
                and any(isinstance(v, (DataRequired, InputRequired)) for v in validators))
    options = {"required": required, "allow_none": not required}
    if issubclass(cls, FieldList):  # rows of a subform, e.g. a voucher's item lines
        rows = typed(fields.Nested, row_schema(form_field.args[0].args[0]))
        return typed(fields.List, rows, required=required, validate=validate.Length(
            max=form_field.kwargs.get("max_entries"), error=_l("At most {max} rows.")))
    if issubclass(cls, MultiPickerField):
        return typed(fields.List, _ids(), **options)
    if issubclass(cls, PickerField):
        return _ids(**options)
    if issubclass(cls, GeometryField):
        return GeometryText(form_field.kwargs.get("geom_type", "POLYGON"), error_messages=MESSAGES, **options)
    if issubclass(cls, SelectField):
        codes = [code for code in (_code(choice) for choice in form_field.kwargs.get("choices") or []) if code]
        return typed(fields.String, validate=validate.OneOf(codes, error=_l("Must be one of: {choices}.")),
                      **options)
    if issubclass(cls, BooleanField):
        return typed(fields.Boolean, truthy={True}, falsy={False}, **options)
    if issubclass(cls, DateField):  # a DateTimeField too
        return typed(fields.Date, **options)
    if issubclass(cls, DateTimeField):
        return typed(fields.DateTime, **options)
    if issubclass(cls, IntegerField):
        return typed(fields.Integer, strict=True, validate=_number_range(validators, True), **options)
    if issubclass(cls, (FloatField, DecimalField)):
        return typed(fields.Float, allow_nan=False, validate=_number_range(validators, False), **options)
    if issubclass(cls, StringField):
        length = _bounds(validators, Length)
        bounds = ([validate.Length(max=length.max, error=_l("At most {max} characters."))]
                  if length is not None and length.max > 0 else [])
        return typed(fields.String, validate=bounds, **options)
    raise TypeError(f"no JSON field for the form field {cls.__name__}: give the screen a picker or a "
                    "plain field")


def json_columns(form_class, columns) -> list[str]:
    """The columns a JSON body carries: the form's fields except file uploads."""
    form_fields = unbound_fields(form_class)
    return [col for col in columns if col in form_fields
            and not issubclass(form_fields[col].field_class, MultipleFileField)]


@functools.cache
def row_schema(form_class) -> type[Schema]:
    """One schema class per subform (the document names it once)."""
    return type(input_schema(form_class, list(unbound_fields(form_class)), f"{form_class.__name__}Row", False))


def input_schema(form_class, columns, name: str, required: bool) -> Schema:
    """A schema for JSON bodies with exactly ``columns`` of ``form_class``; unknown keys are refused."""
    form_fields = unbound_fields(form_class)
    return BodySchema.from_dict({col: input_field(form_fields[col], required) for col in columns}, name=name)()
