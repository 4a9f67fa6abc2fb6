"""Parts of a page made only from what keys them, rendered once per process and key.

A list page's menu depends on the user's menu permissions and the language; its search form
(FAB's filter templates: each searchable column's empty form field as HTML, and its operators) on
the view, its searchable columns and the language. Together they were ~5 ms of a ~25 ms page, the
same for every request with the same key. The key holds everything the part is made from, so a
kept part is never stale: a role given new menu entries has a new key. The memo lives on the app
(``app.extensions``), bounded; nothing in it is a user's data.
"""
from __future__ import annotations

from flask import current_app, render_template
from flask_appbuilder.fields import QuerySelectField, QuerySelectMultipleField
from flask_appbuilder.widgets import SearchWidget
from flask_babel import get_locale
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from ..caching import app_memo
from .navbar import menu_entries

KEPT_AT_MOST = 1024


def kept(key: tuple, make):
    """``make()``, once per app and ``key``."""
    return app_memo("grid.fragments", KEPT_AT_MOST).get(key, make)


def menu_html() -> Markup:
    """The navigation menu as this user sees it (``appbuilder/navbar_menu.html``)."""
    permissions = current_app.appbuilder.sm._request_permissions()
    make = lambda: Markup(render_template("grid/menu_entries.html", entries=menu_entries()))  # noqa: E731
    if permissions is None:  # FAB's own rules (built-in roles): not keyed by permissions
        return make()
    menus = frozenset(view for permission, view in permissions if permission == "menu_access")
    return kept(("menu", str(get_locale()), menus), make)


class GridSearchWidget(SearchWidget):
    """FAB's search widget, its filter templates kept per view, columns and language; the active
    filters are the request's own. Takes ``form_factory`` (FAB's form is built only when needed)."""

    template = "grid/search.html"

    def __call__(self, **kwargs):
        include_cols = self.template_args["include_cols"]
        key = ("search", self.template_args["view"], str(get_locale()), tuple(include_cols))
        form = None

        def make():
            nonlocal form
            form = self.template_args["form_factory"]()
            fields = [form[col] for col in include_cols]
            if any(isinstance(field, (QuerySelectField, QuerySelectMultipleField)) for field in fields):
                return None  # choices read from the database: not kept
            return self._templates(form, include_cols)

        templates = kept(key, make)
        if templates is None:
            templates = self._templates(form or self.template_args["form_factory"](), include_cols)
        kwargs.update(templates)
        kwargs["active_filters"] = _json(self.filters.get_filters_values_tojson())
        return super(SearchWidget, self).__call__(**kwargs)

    def _templates(self, form, include_cols) -> dict:
        dict_filters = self.filters.get_search_filters()
        labels = {col: str(form[col].label.text) for col in include_cols}
        return {
            "labels": labels,
            "label_columns": _json(labels),
            "form_fields": _json({col: str(form[col]()) for col in include_cols}),
            "search_filters": _json({col: [str(flt.name) for flt in dict_filters[col]]
                                     for col in include_cols}),
        }


def _json(value) -> Markup:
    """As Jinja's ``tojson`` writes it (HTML-safe inside a <script>)."""
    return htmlsafe_json_dumps(value, dumps=current_app.json.dumps)


def register(app) -> None:
    app.add_template_global(menu_html, "grid_menu_html")
