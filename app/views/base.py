"""``ScopedView``: the base of every screen over domain data.

What it adds to FAB's ModelView, so that no screen can forget it:
- the grid scope as a base filter: lists, counts, detail, edit, delete and related lists;
- actions fetch their rows through the same scope (FAB's ``action``/``action_post`` do not);
- privacy: masked columns masked, hidden columns neither shown nor filtered nor sorted on;
- no search filter whose picker the user may not use (it would only answer 403);
- empty values blank, never "None".
"""
from __future__ import annotations

from flask import abort, g, request, url_for
from flask_appbuilder import ModelView, expose
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.urltools import get_filter_args, get_order_args, get_page_args, get_page_size_args

from ..security import privacy
from ..security.access import may
from ..security.scope import ScopeFilter
from ..services.lookup import LOOKUPS
from . import exporting, formatters as fmt
from .fields import PickerField
from .fragments import GridSearchWidget
from ..listing import ListInterface, WordFilter, list_loads


class ScopedView(ModelView):
    data_kind: str | None = None  # the row of the role table (app.security.roles.TABLE)
    word_search_column: str | None = None  # a column of words (services.words) searched by ?q=
    list_template = "grid/list.html"  # FAB's list with an "export CSV" button
    scope_level = "grid"  # or "community": readable for every grid of the user's communities
    exclude_route_methods = {"download"}  # no file columns; one permission fewer to reason about
    # The row's key facts on a phone's card (static/js/phone.js); None: the first four list columns.
    card_columns: list[str] | None = None

    def __init__(self, **kwargs):
        if self.data_kind is None:
            raise TypeError(f"{type(self).__name__} must declare its data_kind")
        self.base_filters = [["id", ScopeFilter, self.scope_level], *(self.base_filters or [])]
        shown = set(self.list_columns or []) | set(self.show_columns or [])
        formatters = {col: fmt.blank for col in shown}
        masks = {col: privacy.masked_formatter(col) for col in shown & set(privacy.MASKED)}
        # A view's own formatter never replaces a mask.
        self.formatters_columns = {**formatters, **(self.formatters_columns or {}), **masks}
        self.datamodel = ListInterface(self.datamodel.obj, self.datamodel.session,
                                       list_loads(self.datamodel.obj, self.list_columns or []),
                                       view_name=type(self).__name__)
        super().__init__(**kwargs)

    @property
    def database_error_message(self):
        """FAB's edit page says only "database error": say the field and the rule (app.views.listing)."""
        return g.get("write_refusal") or super().database_error_message

    # -- rows only through the scope ----------------------------------------------------------
    def _scoped_item(self, pk):
        item = self.datamodel.get(self._deserialize_pk_if_composite(pk), self._base_filters)
        if item is None:
            abort(404)
        return item

    def _check_action(self, name, pks):
        """Permission first (403), then every row through the scope (404)."""
        if name not in self.actions or not self.appbuilder.sm.has_access(
                self.get_action_permission_name(name), self.class_permission_name):
            abort(403)
        for pk in pks:
            self._scoped_item(pk)

    def _detail_page(self, pk, **context):
        """FAB's detail page (its 404 through the scope), with more context for a custom template."""
        return self.render_template(self.show_template, pk=pk, title=self.show_title, widgets=self._show(pk),
                                    related_views=self._related_views, **context)

    @expose("/action/<string:name>/<pk>", methods=["POST"])
    def action(self, name, pk):
        self._check_action(name, [pk])
        return super().action(name, pk)

    @expose("/action_post", methods=["POST"])
    def action_post(self):
        self._check_action(request.form.get("action"), request.form.getlist("rowid"))
        return super().action_post()

    # -- privacy --------------------------------------------------------------------------------
    def _requested_list(self):
        """What this request asks of the list, built per request (FAB shares one filter set between
        requests), without the columns this user may not search or sort on:
        (search columns, filters, order column, order direction)."""
        unsearchable = privacy.unsearchable_columns() | self._unusable_pickers()
        order_column, order_direction = get_order_args().get(type(self).__name__, ("", ""))
        if order_column in unsearchable:
            order_column, order_direction = "", ""
        search_columns = [col for col in self.search_columns if col not in unsearchable]
        filters = self.datamodel.get_filters(search_columns)
        get_filter_args(filters)
        if self.word_search_column and request.args.get("q", "").strip():
            filters.add_filter(self.word_search_column, WordFilter, request.args["q"])
        return search_columns, filters, order_column, order_direction

    def _list(self, **kwargs):
        search_columns, filters, order_column, order_direction = self._requested_list()
        name = type(self).__name__
        widgets = self._get_list_widget(
            filters=filters, order_column=order_column, order_direction=order_direction,
            page=get_page_args().get(name), page_size=get_page_size_args().get(name), **kwargs)
        widgets["search"] = GridSearchWidget(
            route_base=self.route_base, form_factory=self.search_form.refresh, include_cols=search_columns,
            exclude_cols=[], filters=filters, view=name)
        self.update_redirect()
        return widgets

    # -- CSV export of exactly the current list --------------------------------------------------
    @expose("/export/")
    @has_access
    def export(self):
        return exporting.response(self)

    def render_template(self, template, **kwargs):
        if template == self.list_template:
            kwargs.setdefault("export_url", self._export_url())
            kwargs.setdefault("card_columns", self._card_positions())
        return super().render_template(template, **kwargs)

    def _card_positions(self) -> list[int]:
        """Positions in the list's columns of those a phone shows on a row's card."""
        columns = list(self.list_columns or [])
        return [columns.index(name) for name in (self.card_columns or columns[:4]) if name in columns]

    def _export_url(self):
        """The export of the list as shown, if this view has one and the user may use it."""
        if "export" not in self._exposed_routes() or not self.appbuilder.sm.has_access(
                "can_export", self.class_permission_name):
            return None
        query = request.query_string.decode()
        return url_for(f"{self.endpoint}.export") + (f"?{query}" if query else "")

    def _exposed_routes(self) -> set[str]:
        include = self.include_route_methods
        return {name for name in ("export",) if (include is None or name in include)
                and name not in (self.exclude_route_methods or set())}

    def _unusable_pickers(self) -> set[str]:
        unusable = set()
        for column, field in (self.search_form_extra_fields or {}).items():
            if getattr(field, "field_class", None) is PickerField:
                if not may(LOOKUPS[field.kwargs["kind"]].data_kind, "list"):
                    unusable.add(column)
        return unusable

    def _get_list_widget(self, *args, **kwargs):
        widgets = super()._get_list_widget(*args, **kwargs)
        hidden, unsearchable = privacy.hidden_columns(), privacy.unsearchable_columns()
        if unsearchable:
            listed = widgets["list"].template_args
            listed["include_columns"] = [c for c in listed["include_columns"] if c not in hidden]
            listed["order_columns"] = [c for c in listed["order_columns"] if c not in unsearchable]
        return widgets

    def _get_show_widget(self, pk, item, widgets=None, actions=None, show_fieldsets=None):
        hidden = privacy.hidden_columns()
        if not hidden:
            return super()._get_show_widget(pk, item, widgets, actions, show_fieldsets)
        widgets = widgets or {}
        columns = [col for col in self.show_columns if col not in hidden]
        widgets["show"] = self.show_widget(
            pk=pk, label_columns=self.label_columns, include_columns=columns,
            value_columns=self.datamodel.get_values_item(item, columns),
            formatters_columns=self.formatters_columns, actions=actions or self.actions,
            fieldsets=None, modelview_name=type(self).__name__)
        return widgets
