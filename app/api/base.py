"""``ScopedApi``: the base of every REST API over domain data — what ``ScopedView`` is to screens.

An API names the screen whose rules it shares (``screen``) and takes from it, so that no rule is
written twice:
- the row of the role table (``data_kind``): its endpoints ask for the screen's verbs
  (list, show, add, edit, delete, and the steps and actions), synced into FAB by the role table;
- the grid scope (``scope_level`` and the screen's own base filters): every list, item, change and
  delete goes through it, so another grid's record answers 404;
- the columns, labels and order of the screen's list and detail page;
- the screen's forms: a JSON body is put through the screen's add or edit form — the same fields,
  validators, messages and pickers — and its ``pre_add``/``pre_update``/``pre_delete`` hooks (the
  case workflow, the diary's author …); the flush checks (scope, ID numbers, phones) and the audit
  log then apply as for any write;
- privacy: masked columns masked, hidden columns neither shown nor filtered nor ordered on.
FAB's filters, ordering and paging stay; filter values are checked, so a bad one answers 400.
"""
from __future__ import annotations

from flask import request
from flask_appbuilder.api import ModelRestApi
from flask_appbuilder.api.convert import Model2SchemaConverter
from flask_appbuilder.exceptions import (DatabaseException, InvalidColumnFilterFABException,
                                        InvalidOrderByColumnFABException)
from flask_babel import lazy_gettext as _l
from geoalchemy2 import Geometry
from marshmallow import ValidationError, fields
from sqlalchemy import Boolean, Column, Date, DateTime, Float, Integer, Numeric
from sqlalchemy.exc import IntegrityError

from ..caching import Memo
from ..security import privacy
from ..security.scope import OutOfScope, ScopeFilter
from ..services.commands import transaction
from ..services.ledger import LedgerError
from ..services.photos import PhotoError
from ..services.volunteering import AttendanceError
from ..services.workflow import WorkflowError
from ..validation import FieldError, explain_database_error
from ..listing import ListInterface, list_loads
from . import forms
from .docs import tidy_operation
from .fields import MAX_ID, GeoJSON, Masked, RefSchema, UtcDateTime, input_schema, json_columns, plain_messages
from .filters import FILTER_KEYS, checked_filter

# FAB's endpoints → the verbs of the role table (the screens' permission names).
VERBS = {"get_list": "list", "info": "list", "get": "show", "post": "add", "put": "edit", "delete": "delete"}
SHARED = ("data_kind", "scope_level", "list_title", "show_title", "add_title", "edit_title", "label_columns",
          "base_order", "search_columns", "list_columns", "show_columns", "add_columns", "edit_columns")
SCHEMAS = Memo()  # API class → its list, show, add and edit schemas
# A domain rule's refusal (its message says why, in the user's language): 422, or the error's own
# ``status`` (409 when someone else changed the record first).
REFUSALS = (WorkflowError, LedgerError, PhotoError, AttendanceError)


class ShownSchemaConverter(Model2SchemaConverter):
    """FAB's schemas of rows as shown: a related row is its id and label, a geometry is GeoJSON,
    a time carries its UTC offset, a sensitive column is masked; a hidden column is never required
    (it is left out for users who may not see it)."""

    def _column2field(self, datamodel, column, nested=True, parent_schema_name=None):
        name = column.name
        if datamodel.is_relation(name) and not column.children:
            many = datamodel.is_relation_many_to_many(name) or datamodel.is_relation_one_to_many(name)
            return fields.Nested(RefSchema, many=many, allow_none=not many, dump_only=True)
        sqla_column = datamodel.list_columns.get(name)
        nullable = sqla_column is None or getattr(sqla_column, "nullable", True)
        kind = getattr(sqla_column, "type", None)
        if isinstance(kind, Geometry):
            return GeoJSON(allow_none=True, dump_only=True)
        if name in privacy.MASKED:
            return Masked(allow_none=nullable, dump_only=True)
        if isinstance(kind, DateTime):
            return UtcDateTime(allow_none=nullable, dump_only=True)
        if sqla_column is not None and not isinstance(sqla_column, Column):
            return _computed(kind)
        field = super()._column2field(datamodel, column, nested, parent_schema_name)
        if name in privacy.HIDDEN or field.dump_only:
            field.required = False
        return field


def _computed(kind) -> fields.Field:
    """A figure the database computes per row (a count, a sum, a deadline state)."""
    for sqla_type, field in ((Boolean, fields.Boolean), (Integer, fields.Integer), ((Float, Numeric), fields.Float),
                             (Date, fields.Date)):
        if isinstance(kind, sqla_type):
            return field(allow_none=True, dump_only=True)
    return fields.String(allow_none=True, dump_only=True)


def _orderable(datamodel, columns) -> list[str]:
    """Columns the database can sort on (not relations, not Python properties)."""
    return [col for col in columns if col in datamodel.list_columns and not datamodel.is_relation(col)]


class ScopedApi(ModelRestApi):
    screen = None  # the ScopedView whose rules this API shares
    data_kind: str | None = None
    scope_level: str | None = None
    more_labels: dict = {}  # labels of columns the screen does not show (a case's timeline …)
    page_size = 25
    # Tokens only (FAB's JWT, for phones): a cookie-authenticated JSON write would need a CSRF token.
    allow_browser_login = False
    model2schemaconverter = ShownSchemaConverter
    method_permission_name = VERBS
    # The screens have no "info" of their own; FAB's related-field listings in it are unscoped.
    exclude_route_methods = {"info"}

    def __init__(self):
        if self.screen is None:
            raise TypeError(f"{type(self).__name__} must name its screen")
        for name in SHARED:
            if not getattr(self, name, None):
                value = getattr(self.screen, name, None)
                setattr(self, name, list(value) if isinstance(value, list) else value)
        self.label_columns = {**(self.label_columns or {}), **self.more_labels, "id": _l("Record number")}
        self.list_columns = ["id", *[col for col in self.list_columns if col != "id"]]
        self.show_columns = ["id", *[col for col in self.show_columns if col != "id"]]
        self.base_filters = [["id", ScopeFilter, self.scope_level], *(self.screen.base_filters or [])]
        self.method_permission_name = {**VERBS, **(type(self).method_permission_name or {})}
        # FAB loads the columns it selects with load_only, which cannot reach a related row's
        # relationship (a voucher's lines' items): those are loaded when shown.
        self.list_select_columns = [col for col in self.list_columns if "." not in col]
        self.show_select_columns = [col for col in self.show_columns if "." not in col]
        self.datamodel = ListInterface(self.datamodel.obj, self.datamodel.session,
                                       list_loads(self.datamodel.obj, self.list_columns))
        super().__init__()
        self.order_columns = _orderable(self.datamodel, self.list_columns)

    # -- the screen whose forms and hooks the API shares ------------------------------------------
    def routed(self, method: str) -> bool:
        return ((self.include_route_methods is None or method in self.include_route_methods)
                and method not in self.exclude_route_methods)

    def create_blueprint(self, appbuilder, *args, **kwargs):
        self.appbuilder = appbuilder
        self.screen_view = next(view for view in appbuilder.baseviews if type(view) is self.screen)
        self.add_columns = json_columns(self.screen_view.add_form, self.add_columns) if self.routed("post") else []
        self.edit_columns = json_columns(self.screen_view.edit_form, self.edit_columns) if self.routed("put") else []
        return super().create_blueprint(appbuilder, *args, **kwargs)

    def _init_model_schemas(self):
        """The four schemas, built once per API class and process: they follow from declarations
        alone, and building them is a good part of an app's start (the tests start hundreds)."""
        names = ("list_model_schema", "show_model_schema", "add_model_schema", "edit_model_schema")

        def build() -> dict:
            name = type(self).__name__
            self.add_model_schema = input_schema(self.screen_view.add_form, self.add_columns, f"{name}.post", True)
            self.edit_model_schema = input_schema(self.screen_view.edit_form, self.edit_columns, f"{name}.put",
                                                  False)
            super(ScopedApi, self)._init_model_schemas()
            return {attr: getattr(self, attr) for attr in names}
        for attr, schema in SCHEMAS.get(type(self), build).items():
            setattr(self, attr, schema)

    def add_apispec_components(self, api_spec):
        """FAB's components, without the body schemas of endpoints this API does not have."""
        super().add_apispec_components(api_spec)
        for schema, method in ((self.add_model_schema_name, "post"), (self.edit_model_schema_name, "put")):
            if not self.routed(method):
                api_spec.components.schemas.pop(schema, None)

    # -- the OpenAPI document: FAB's, told the truth -------------------------------------------------
    def operation_helper(self, path=None, operations=None, methods=None, func=None, **kwargs):
        super().operation_helper(path=path, operations=operations, methods=methods, func=func, **kwargs)
        for operation in operations.values():
            tidy_operation(operation, type(self).__name__)

    # -- rows only through the scope ------------------------------------------------------------
    def _item(self, pk):
        """The row ``pk`` inside the user's scope, or None (also for a malformed or huge id)."""
        try:
            pk = int(pk)
        except (TypeError, ValueError):
            return None
        if not 1 <= pk <= MAX_ID:
            return None
        return self.datamodel.get(pk, self._base_filters)

    def get_list_headless(self, **kwargs):
        page = kwargs.get("rison", {}).get("page", 0)
        if not isinstance(page, int) or not 0 <= page <= MAX_ID:
            return self.response_400(message="page is a whole number from 0")
        return super().get_list_headless(**kwargs)

    # -- privacy: what this user may see, filter and order on ------------------------------------
    def _handle_columns_args(self, args, default_select_columns, default_response_columns):
        hidden = privacy.hidden_columns()
        return super()._handle_columns_args(
            args, [col for col in default_select_columns if col not in hidden],
            [col for col in default_response_columns if col not in hidden])

    def _handle_order_args(self, rison_args):
        if rison_args.get("order_column") in privacy.unsearchable_columns():
            raise InvalidOrderByColumnFABException(f"Invalid order by column: {rison_args['order_column']}")
        return super()._handle_order_args(rison_args)

    def _handle_filters_args(self, rison_args):
        """This request's filters (FAB shares one filter set between requests), on the columns this
        user may search, each value checked against its column."""
        allowed = [col for col in self.search_columns if col not in privacy.unsearchable_columns()]
        filters = self.datamodel.get_filters(search_columns=allowed, search_filters=self.search_filters)
        wanted = rison_args.get("filters", [])
        if not isinstance(wanted, list):
            raise InvalidColumnFilterFABException("filters must be a list")
        checked = []
        for wish in wanted:
            if not isinstance(wish, dict) or set(wish) != FILTER_KEYS:
                raise InvalidColumnFilterFABException("each filter has col, opr and value")
            if wish["col"] not in allowed:
                raise InvalidColumnFilterFABException(f"Filter column: {wish['col']} not allowed to filter")
            checked.append(checked_filter(self.datamodel, wish["col"], wish["opr"], wish["value"]))
        filters.rest_add_filters(checked)
        return filters.get_joined_filters(self._base_filters)

    def pre_get(self, data):
        self._hide(data, [data.get("result", {})])

    def pre_get_list(self, data):
        self._hide(data, data.get("result", []))

    def _hide(self, data, rows) -> None:
        hidden, unsearchable = privacy.hidden_columns(), privacy.unsearchable_columns()
        for row in rows:
            for col in hidden:
                row.pop(col, None)
        for key in ("list_columns", "show_columns"):
            if key in data:
                data[key] = [col for col in data[key] if col not in hidden]
        if "order_columns" in data:
            data["order_columns"] = [col for col in data["order_columns"] if col not in unsearchable]
        for col in hidden:
            data.get("label_columns", {}).pop(col, None)

    # -- writes: the screen's form, its hooks, one transaction -------------------------------------
    def _body(self, schema):
        """The JSON body checked against ``schema``: (data, None) or (None, error response)."""
        if not request.is_json:
            return None, self.response_400(message="Request is not JSON")
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return None, self.response_400(message="The body must be a JSON object")
        try:
            return schema.load(body), None
        except ValidationError as error:
            return None, self.response_422(message=plain_messages(error.messages))

    def _filled_form(self, form_class, body, item=None):
        form = forms.filled(form_class, body, obj=item, pk=item.id if item is not None else None)
        return form, (None if form.validate() else self.response_422(message=form.errors))

    def _write(self, change, respond):
        """Run ``change`` — a command, or FAB's add/edit/delete with the screen's hooks — as one
        transaction (``app.services.commands``: committed, or rolled back on any error) and answer
        ``respond()``, or translate the refusal into its status and message."""
        try:
            with transaction():
                change()
        except FieldError as error:
            return self.response_422(message={error.field: [error.reason]})
        except OutOfScope as error:
            return self.response(403, message=str(error))
        except REFUSALS as error:
            return self.response(getattr(error, "status", 422), message=str(error))  # 409: changed meanwhile
        except (IntegrityError, DatabaseException) as error:
            if not isinstance(error, IntegrityError) and not isinstance(error.__cause__, IntegrityError):
                raise
            refusal = explain_database_error(error)  # which field, which rule
            return self.response_422(message={refusal.field: [refusal.reason]})
        return respond()

    def _shown(self, item) -> dict:
        result = self.show_model_schema.dump(item)
        for col in privacy.hidden_columns():
            result.pop(col, None)
        return result

    def post_headless(self):
        body, refused = self._body(self.add_model_schema)
        if refused:
            return refused
        form, refused = self._filled_form(self.screen_view.add_form, body)
        if refused:
            return refused
        view, item = self.screen_view, self.datamodel.obj()

        def add():
            view.process_form(form, True)
            form.populate_obj(item)
            view.pre_add(item)
            self.datamodel.add(item)
            view.post_add(item)
        return self._write(add, lambda: self.response(201, id=item.id, result=self._shown(item)))

    def put_headless(self, pk):
        item = self._item(pk)
        if item is None:
            return self.response_404()
        body, refused = self._body(self.edit_model_schema)
        if refused:
            return refused
        form, refused = self._filled_form(self.screen_view.edit_form, body, item)
        if refused:
            return refused
        view = self.screen_view

        def edit():
            view.process_form(form, False)
            form.populate_obj(item)
            view.pre_update(item)
            self.datamodel.edit(item)
            view.post_update(item)
        return self._write(edit, lambda: self.response(200, id=item.id, result=self._shown(item)))

    def delete_headless(self, pk):
        item = self._item(pk)
        if item is None:
            return self.response_404()
        view = self.screen_view

        def delete():
            view.pre_delete(item)
            self.datamodel.delete(item)
            view.post_delete(item)
        return self._write(delete, lambda: self.response(200, message="OK"))
