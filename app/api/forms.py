"""A JSON body through the screen's own form: the same fields, validators, messages and pickers
(which fetch related rows through the grid scope) as a person typing into the screen."""
from __future__ import annotations

import datetime as dt

from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, FieldList, FormField, SelectField

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


def _shown(fields):
    """(name, text) of every field as the form shows it; rows of a FieldList named ``lines-0-item``."""
    for field in fields:
        if isinstance(field, (FieldList, FormField)):
            yield from _shown(field)
        else:
            for text in _as_text(field):
                yield field.name, text


def _posted(name: str, value):
    """(name, text) pairs a browser would post for a JSON value."""
    if value is None or value is False:
        return
    if value is True:
        yield name, "y"
    elif isinstance(value, dict):  # a row of a FieldList
        for key, item in value.items():
            yield from _posted(f"{name}-{key}", item)
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _posted(f"{name}-{index}", item) if isinstance(item, dict) else _posted(name, item)
    elif isinstance(value, (dt.date, dt.datetime)):
        yield name, value.isoformat()
    else:
        yield name, str(value)


def filled(form_class, body: dict, obj=None, pk=None):
    """The form as a browser would post it: what it shows for ``obj`` (or, new, its defaults),
    changed by the body's keys. Validate it with ``validate()``; its errors name the fields."""
    shown = form_class(formdata=None, obj=obj, meta={"csrf": False})
    data = MultiDict([(name, text) for name, text in _shown(shown)
                      if name.split("-", 1)[0] not in body])
    for key, value in body.items():
        for name, text in _posted(key, value):
            data.add(name, text)
    form = form_class(formdata=data, obj=obj, meta={"csrf": False})
    form._id = pk  # FAB's Unique validator lets the row keep its own value
    return form
