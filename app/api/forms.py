"""A JSON body through the screen's own form: the same fields, validators, messages and pickers
(which fetch related rows through the grid scope) as a person typing into the screen."""
from __future__ import annotations

import datetime as dt

from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, SelectField

from ..views.fields import MultiPickerField, PickerField


def _as_text(field) -> list[str]:
    """A field's value as the form data a browser would send back for it."""
    if isinstance(field, BooleanField):
        return ["y"] if field.data else []
    if isinstance(field, MultiPickerField):
        return [str(row.id) for row in field.data or []]
    if isinstance(field, PickerField):
        return [str(field.data.id)] if field.data is not None else []
    if isinstance(field, SelectField):
        return [str(field.data)] if field.data not in (None, "") else []
    text = field._value()
    return [text] if text not in (None, "") else []


def _json_as_text(value) -> list[str]:
    if value is None or value is False:
        return []
    if value is True:
        return ["y"]
    if isinstance(value, (list, tuple)):
        return [text for item in value for text in _json_as_text(item)]
    if isinstance(value, (dt.date, dt.datetime)):
        return [value.isoformat()]
    return [str(value)]


def filled(form_class, body: dict, obj=None, pk=None):
    """The form as a browser would post it: what it shows for ``obj`` (or, new, its defaults),
    changed by the body's keys. Validate it with ``validate()``; its errors name the fields."""
    shown = form_class(formdata=None, obj=obj, meta={"csrf": False})
    data = MultiDict()
    for field in shown:
        for text in _json_as_text(body[field.name]) if field.name in body else _as_text(field):
            data.add(field.name, text)
    form = form_class(formdata=data, obj=obj, meta={"csrf": False})
    form._id = pk  # FAB's Unique validator lets the row keep its own value
    return form
