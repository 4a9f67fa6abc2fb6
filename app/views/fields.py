"""Form fields: geometry as text, searchable dependent pickers, coded choices; and the rules
declared on a model's columns (app.models.rules) put on the forms of its screens (and so the API's)."""
from __future__ import annotations

from flask import url_for
from flask_appbuilder.fieldwidgets import BS3TextAreaFieldWidget, Select2Widget
from flask_appbuilder.validators import Unique
from flask_babel import lazy_gettext as _l
from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import mapping
from markupsafe import Markup, escape
from decimal import Decimal, InvalidOperation
import json

from wtforms import DateField, Field, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.fields.core import UnboundField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, StopValidation, ValidationError

from ..models.rules import max_length
from ..security.access import may
from ..services import lookup, mapdata
from ..services.ledger import MAX_AMOUNT_FEN
from ..validation import FieldError, check_date, column_rules, parse_geometry


class PlaceWidget(BS3TextAreaFieldWidget):
    """The geometry's text, with a small map (static/js/place.js): a point from the phone's
    position or a tap, a polygon drawn; the text stays for typing and pasting."""

    MAP_LAYERS = ("grids", "buildings")  # what a place is found by, without a tile server

    def __call__(self, field, **kwargs):
        kwargs.setdefault("rows", 2 if field.geom_type == "POINT" else 4)
        text = super().__call__(field, **kwargs)
        shown = may("map", "view")
        config = {
            "geom": field.geom_type.upper(),
            "layers": [url_for("MapView.layer", name=name) for name in self.MAP_LAYERS
                       if shown and mapdata.allowed(name)],
            "gridAt": url_for("LookupView.lookup", kind="grid") if may("grid", "list") else "",
            "leaflet": [url_for("vendor.asset", filename=name) for name in LEAFLET],
            "strings": {key: str(value) for key, value in PLACE_STRINGS.items()},
        }
        label = escape(_l("Use my position"))
        locate = ("" if field.geom_type.upper() != "POINT" else
                  f'<button type="button" class="btn btn-default grid-place-locate"><i class="fa fa-crosshairs"></i> '
                  f'{label}</button>')
        return Markup(f'<div class="grid-place" data-config="{escape(json.dumps(config, ensure_ascii=False))}"'
                      f' data-shape="{escape(self._shape(field))}">'
                      f'{text}<div class="grid-place-tools">{locate}'
                      f'<span class="grid-place-status" aria-live="polite"></span></div>'
                      f'<div class="grid-place-map"></div>'
                      f'<div class="grid-place-grid" aria-live="polite"></div></div>')


    @staticmethod
    def _shape(field) -> str:
        """The field's place as GeoJSON for the map, read as the server reads it; "" if none or bad."""
        try:
            return json.dumps(mapping(parse_geometry(field._value(), field.geom_type))) if field._value() else ""
        except FieldError:
            return ""


LEAFLET = ("leaflet/dist/leaflet.css", "leaflet/dist/leaflet.js",
           "@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.css",
           "@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.min.js")
PLACE_STRINGS = {
    "locating": _l("Finding your position…"),
    "accuracy": _l("Position found, accurate to about %(metres)s m"),
    "denied": _l("The browser did not give the position; tap the map or type it"),
    "unsupported": _l("This browser cannot give a position; tap the map or type it"),
    "tap": _l("Tap the map to set the point"),
    "draw": _l("Draw the outline on the map: tap each corner, then the first one again"),
    "grid": _l("Grid"),
    "noGrid": _l("Not inside any of your grids"),
}


class GeometryField(TextAreaField):
    """A geometry typed as WKT or GeoJSON (a point also as two numbers, see
    ``validation.parse_geometry``) or set on the widget's map; stored as SRID 4326."""

    widget = PlaceWidget()

    def __init__(self, label=None, validators=None, geom_type="POLYGON", **kwargs):
        kwargs.setdefault("description", _l("Longitude latitude (or latitude,longitude as a map app copies it), "
                                            "WKT or GeoJSON") if geom_type.upper() == "POINT"
                          else _l("Drawn on the map, or WKT or GeoJSON, longitude/latitude (WGS84)"))
        super().__init__(label, validators or [Optional()], **kwargs)
        self.geom_type = geom_type

    def process_data(self, value):
        self.data = value
        self._text = to_shape(value).wkt if value is not None else ""

    def process_formdata(self, valuelist):
        self._text = (valuelist[0] if valuelist else "").strip()
        if not self._text:
            self.data = None
            return
        try:
            self.data = from_shape(parse_geometry(self._text, self.geom_type), srid=4326)
        except FieldError as error:
            self.data = None
            raise ValueError(_l("%(field)s: %(reason)s", field=self.label.text, reason=error.reason)) from None

    def _value(self):
        return getattr(self, "_text", "")


class MoneyField(StringField):
    """An amount of money in yuan, to the fen (e.g. 200 or 35.50), kept as whole fen in ``fen``
    (money columns are 32-bit integers of fen). Blank is 0. Never negative, NaN or infinite, and
    never more than the ledger takes (its money goes to the ledger: one maximum, the ledger's)."""

    MAX_FEN = MAX_AMOUNT_FEN
    fen = 0

    def pre_validate(self, form):
        try:
            value = Decimal((self.data or "").strip() or "0")
        except InvalidOperation:
            raise ValidationError(_l("Enter an amount in yuan, e.g. 200 or 35.50")) from None
        if not value.is_finite() or value < 0:
            raise ValidationError(_l("Enter an amount in yuan, e.g. 200 or 35.50"))
        if value * 100 > self.MAX_FEN:
            raise ValidationError(_l("At most ¥%(max)s.", max=f"{Decimal(self.MAX_FEN) / 100:.2f}"))
        if value != value.quantize(Decimal("0.01")):
            raise ValidationError(_l("Enter an amount in yuan, e.g. 200 or 35.50"))
        self.fen = int(value * 100)


class PickerWidget:
    """A select that searches the server as the user types (select2 + /lookup/<kind>)."""

    def __init__(self, kind: str, depends: str | None = None):
        self.kind = kind
        self.depends = depends

    multiple = False

    def chosen(self, field) -> list:
        return [field.data] if field.data is not None else []

    def __call__(self, field, **kwargs):
        options = "".join(f'<option value="{escape(obj.id)}" selected>{escape(str(obj))}</option>'
                          for obj in self.chosen(field))
        attrs = {
            "id": kwargs.get("id", field.id),
            "name": field.name,
            "class": "form-control grid-picker",
            "data-endpoint": url_for("LookupView.lookup", kind=self.kind),
            "data-placeholder": str(_l("Type to search")),
        }
        if self.depends:
            attrs["data-depends"] = self.depends
        html_attrs = " ".join(f'{key}="{escape(value)}"' for key, value in attrs.items())
        blank = "" if self.multiple else '<option value=""></option>'
        return Markup(f"<select {'multiple ' if self.multiple else ''}{html_attrs}>{blank}{options}</select>")


class PickerField(Field):
    """A related row chosen by id; the row is fetched through the lookup (and its scope)."""

    def __init__(self, label=None, validators=None, kind=None, depends=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.kind = kind
        self.widget = PickerWidget(kind, depends)
        self._raw = None

    def process_data(self, value):
        self.data = value

    def process_formdata(self, valuelist):
        self._raw = valuelist[0] if valuelist else None
        self.data = lookup.fetch(self.kind, self._raw) if self._raw else None

    def pre_validate(self, form):
        if self._raw and self.data is None:
            # Stop here: a later DataRequired would replace this message with "required".
            raise StopValidation(_l("No such record, or not yours to choose"))

    def _value(self):
        return str(self.data.id) if self.data is not None else ""


def picker(label, kind, depends=None, required=True, checks=()):
    """A picker field; ``checks`` run after the row is found (they see the whole form)."""
    return PickerField(label, [DataRequired() if required else Optional(), *checks],
                       kind=kind, depends=depends)


def choice_field(label, choices, required=True):
    items = ([] if required else [SelectChoice("", "")]) + [SelectChoice(code, label_) for code, label_ in choices]
    return SelectField(label, choices=items, widget=Select2Widget(),
                       validators=[DataRequired()] if required else [Optional()],
                       coerce=lambda value: value or None)


class MultiPickerWidget(PickerWidget):
    multiple = True

    def chosen(self, field) -> list:
        return list(field.data or [])


class MultiPickerField(PickerField):
    """Several related rows chosen by id, each fetched through the lookup (and its scope)."""

    def __init__(self, label=None, validators=None, kind=None, depends=None, **kwargs):
        super().__init__(label, validators or [Optional()], kind=kind, depends=depends, **kwargs)
        self.widget = MultiPickerWidget(kind, depends)

    def process_data(self, value):
        self.data = list(value or [])

    def process_formdata(self, valuelist):
        self._raw = [value for value in valuelist if value]
        found = [lookup.fetch(self.kind, value) for value in self._raw]
        self._missing = any(row is None for row in found)
        self.data = [row for row in found if row is not None]

    def pre_validate(self, form):
        if getattr(self, "_missing", False):
            raise StopValidation(_l("No such record, or not yours to choose"))

    def _value(self):
        return ",".join(str(row.id) for row in self.data or [])


# -- the columns' rules on the screens' forms ------------------------------------------------------
class UniqueWhenGiven(Unique):
    """FAB's Unique, except that a blank value (a resident without an ID number) duplicates nothing:
    FAB's looked for rows where the column IS NULL, and found every other blank."""

    def __init__(self, datamodel, col_name):
        super().__init__(datamodel, col_name, _l("Already exists."))

    def __call__(self, form, field):
        if field.data is None or (isinstance(field.data, str) and not field.data.strip()):
            return
        super().__call__(form, field)


def _stripped(value):
    return value.strip() if isinstance(value, str) else value


def in_calendar(form, field):
    """A date no record can be outside of (``models.rules.EARLIEST`` to ``LATEST``), for forms that
    are not a model's (the aid desk's, the co-building support's): a typo like 0206 is the field's
    error, not a refusal at the flush."""
    try:
        check_date(field.name, field.data)
    except FieldError as error:
        raise ValidationError(error.reason) from None


def _date_rule(column, key: str):
    """The column's date rules (range, past, not before another date of the form) as a validator."""
    table, other = column.table.name, column.info.get("not_before")

    def check(form, field):
        earliest = form[other].data if other and other in form else None
        try:
            check_date(key, field.data, column.info.get("past", False), earliest, other, table)
        except FieldError as error:
            raise ValidationError(error.reason) from None
    return check


def _with_rules(unbound: UnboundField, model, name: str, datamodel) -> UnboundField:
    cls = unbound.field_class
    args, kwargs = list(unbound.args), dict(unbound.kwargs)
    if len(args) > 1:  # validators given by position
        kwargs["validators"] = args.pop(1)
    validators = [UniqueWhenGiven(datamodel, v.col_name) if type(v) is Unique else v
                  for v in kwargs.get("validators") or []]
    column = column_rules(model).get(name)
    if issubclass(cls, StringField) and not issubclass(cls, GeometryField):
        # A name of only spaces is no name: stripped, then "required" refuses it.
        kwargs["filters"] = [_stripped, *kwargs.get("filters", ())]
        validators = [DataRequired() if type(v) is InputRequired else v for v in validators]
        longest = max_length(column) if column is not None else None
        if longest and not any(isinstance(v, Length) for v in validators):
            validators.append(Length(max=longest))
    if issubclass(cls, DateField) and column is not None:
        validators.append(_date_rule(column, name))
    kwargs["validators"] = validators
    ruled = UnboundField(cls, *args, name=unbound.name, **kwargs)
    ruled.creation_counter = unbound.creation_counter  # the form's order of fields
    return ruled


def apply_column_rules(view) -> None:
    """Put the rules of the view's model's columns on its add and edit forms (and so on the API's
    bodies, which go through these forms): once, at registration."""
    model = view.datamodel.obj
    for form_class in {getattr(view, "add_form", None), getattr(view, "edit_form", None)} - {None}:
        if getattr(form_class, "_column_rules_applied", False):
            continue
        for name in dir(form_class):
            unbound = getattr(form_class, name)
            if not name.startswith("_") and isinstance(unbound, UnboundField):
                setattr(form_class, name, _with_rules(unbound, model, name, view.datamodel))
        form_class._column_rules_applied = True
