"""A list page's rows and page links, written in Python: the same HTML as the Jinja loops of FAB's
list widget and pagination macro (``templates/appbuilder/general/widgets/list.html``,
``templates/grid/pagination.html``), which made some 600 template calls a page (~3 ms of ~15).
"""
from __future__ import annotations

from math import ceil
from urllib.parse import urlencode

from flask import request
from markupsafe import Markup, escape

from ..listing import Anchor, _order_key, _request_order

ROW_KEY = "__ROW_PK__"
QUERY_SAFE = "!$'()*,/:;?@"  # as url_for writes a query (werkzeug.urls._urlencode)


def rows(value_columns, pks, include_columns, formatters, row_buttons=None, actions=None) -> Markup:
    """The table's rows: each row's action checkbox, its buttons (rendered once, keyed per row)
    and its cells through the column's formatter, escaped as Jinja escapes them."""
    cells = [(column, formatters.get(column)) for column in include_columns]
    buttons = str(row_buttons) if row_buttons is not None else None
    out = []
    for item, pk in zip(value_columns, pks):
        key = escape(pk)
        out.append("<tr>")
        if actions:
            out.append(f'<td><input id="{key}" class="action_check" name="rowid" value="{key}" type="checkbox"></td>')
        if buttons is not None:
            out.append(f"<td><center>{buttons.replace(ROW_KEY, str(key))}</center></td>")
        for column, formatter in cells:
            out.append(f"<td>{escape(formatter(item[column]) if formatter else item[column])}</td>")
        out.append("</tr>")
    return Markup("".join(out))


class PageLinks:
    """Links to other pages of the list shown, anchored on the page shown (see ``listing``)."""

    def __init__(self, view_name: str, current: int, pks, size: int, count: int = 0):
        self.view_name, self.current, self.size, self.count = view_name, current, size, int(count)
        pks = list(pks or [])
        self.first, self.last = (pks[0], pks[-1]) if pks and all(isinstance(pk, int) for pk in (pks[0], pks[-1])) \
            else (None, None)
        self.args = request.args.to_dict()  # as url_for(**request.args.to_dict()): one value a name
        self.order = _order_key(*_request_order(view_name))
        self.path = request.script_root + request.path

    def url(self, page: int, end: bool = False) -> str:
        args = dict(self.args)
        args[f"page_{self.view_name}"] = page
        anchor = f"anchor_{self.view_name}"
        if end:
            args[anchor] = Anchor(None, None, None, self.size, self.order, self.count).encode()
        elif self.first is not None:
            args[anchor] = Anchor(self.current, self.first, self.last, self.size, self.order, self.count).encode()
        else:
            args.pop(anchor, None)
        return f"{self.path}?{urlencode(args, safe=QUERY_SAFE)}"


def pagination(page, page_size, count, view_name, pks) -> Markup:
    """FAB's ``render_pagination`` (lib.html, 5.x): « < up to seven numbered pages > »."""
    page = page or 0
    pages = int(ceil(count / page_size))
    if pages <= 1:
        return Markup("")
    low, high = page - 3, page + 3 + 1
    if low < 0:
        high -= low
    if high >= pages:
        low = low - high + pages
    low, high = max(low, 0), min(high, pages)
    links = PageLinks(view_name, page, pks, page_size, count)

    def item(label: str, target: int | None, end: bool = False, active: bool = False) -> str:
        if active:
            return f'<li class="active"><a href="#">{label}</a></li>'
        if target is None:
            return f'<li class="disabled"><a href="#">{label}</a></li>'
        return f'<li><a href="{escape(links.url(target, end))}">{label}</a></li>'

    out = ['<ul class="pagination pagination-sm" style="display:inherit;">',
           item("&laquo;", 0 if low > 0 else None), item("&lt;", page - 1 if page > 0 else None)]
    out += [item(str(p + 1), p, p == pages - 1, active=p == page) for p in range(low, high)]
    out += [item("&gt;", page + 1 if page + 1 < pages else None, page + 1 == pages - 1),
            item("&raquo;", pages - 1 if high < pages else None, True), "</ul>"]
    return Markup("".join(out))


def register(app) -> None:
    app.add_template_global(rows, "grid_list_rows")
    app.add_template_global(pagination, "grid_pagination")
