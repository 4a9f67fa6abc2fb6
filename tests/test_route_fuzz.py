"""A crawl of every registered route (screens and ``/api/v1/``, from the app's own URL map) as
every role, with malformed path arguments, query parameters and bodies: no answer may be a
server error (5xx).

One app on one copy of the demo database serves the whole module: a write the crawl makes is
harmless, since only the status is checked. Each role's requests run as one test, so a failure
names the role; each lists every (method, url, body) that answered 5xx.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from flask import got_request_exception
from flask_appbuilder.api import ModelRestApi
from flask_appbuilder.baseviews import BaseModelView

from app.security import actor
from conftest import bearer, dispose, login, make_app

HUGE = "99999999999999999999"
INT4_PAST = "2147483648"
NUL = "a\x00b"
# Path arguments: each fills every argument of a rule.
PATH_VALUES = (HUGE, INT4_PAST, "-1", "abc", NUL)
# Values of query parameters and form fields; each role tries a share of them (see ``Crawl.share``).
BAD_VALUES = (HUGE, INT4_PAST, "-1", "abc", NUL, "NaN", "Infinity", "99999999999999999999.99", "9999-12",
              "9999-12-31")
DEEP_RISON = "(a:" * 200 + "1" + ")" * 200
DEEP_RISON_LIST = "!(" * 300 + "!)" * 300
DEEP_JSON = "[" * 100_000 + "]" * 100_000
# Raw JSON values: non-finite and huge numbers as JSON literals, NUL in a string, numbers as text.
JSON_LITERALS = ("NaN", "Infinity", "-Infinity", "1e400", HUGE, "99999999999999999999.99", '"a\\u0000b"',
                 '"NaN"', '"Infinity"', '"99999999999999999999.99"', "-2147483649")
# Keys tried when a route's own fields are not known.
GENERIC_KEYS = ("id", "pk", "name", "title", "content", "note", "amount", "quantity", "page", "q", "kind")
ROLES = ("anonymous", "admin", "secretary", "grid1", "supervisor", "volunteer")
# The session's own end and FAB's password forms run last (they could end or change the sign-in).
LAST = ("/resetmypassword/", "/resetpassword/", "/userinfoeditview/", "/users/", "/lang/")
SKIPPED = ("/logout/",)


@pytest.fixture(scope="module")
def crawled_app(databases, demo_template):
    # A server error answers 500 (as deployed) instead of raising into the test.
    app = make_app(databases.copy(demo_template), PROPAGATE_EXCEPTIONS=False)
    with app.app_context(), actor.system("tests"):  # as the ``app`` fixture
        yield app
    dispose(app)


def _views(app) -> dict:
    """Each endpoint prefix (a view's blueprint) → the view."""
    return {view.endpoint: view for view in app.appbuilder.baseviews}


def _rules(app):
    rules = [rule for rule in app.url_map.iter_rules()
             if not rule.endpoint.endswith("static") and rule.endpoint != "vendor.asset"
             and rule.rule not in SKIPPED]
    return sorted(rules, key=lambda rule: (rule.rule.startswith(LAST), rule.rule))


def _url(rule, value: str) -> str:
    return re.sub(r"<[^>]+>", quote(value, safe=""), rule.rule)


def _share(values, role: str, size: int) -> list:
    """``size`` of ``values``, a different share for each role (together the roles try them all)."""
    offset = ROLES.index(role) * size
    return [values[(offset + index) % len(values)] for index in range(min(size, len(values)))]


def _list_params(view, role: str) -> list[dict]:
    """One malformed parameter at a time of a list screen: page, page size, order, anchor, each
    search column's filter (with an index past its comparisons too)."""
    if not isinstance(view, BaseModelView) or isinstance(view, ModelRestApi):
        return []
    name = type(view).__name__
    columns = list(getattr(view, "search_columns", None) or [])
    page, size, order = _share(BAD_VALUES, role, 3)
    params = [{f"page_{name}": page, f"psize_{name}": "25"}, {f"psize_{name}": size},
              {f"_oc_{name}": order, f"_od_{name}": "asc"}, {f"anchor_{name}": f"1.{HUGE}.1.25.0.x-"}]
    for number, column in enumerate(columns):
        index, value = _share(range(10), role, number + 1)[-1], _share(BAD_VALUES, role, number + 1)[-1]
        params.append({f"_flt_{index}_{column}": value})
    return params


def _api_params(view) -> list[dict]:
    if not isinstance(view, ModelRestApi):
        return []
    column = (list(getattr(view, "search_columns", None) or []) or ["id"])[0]
    queries = [DEEP_RISON, DEEP_RISON_LIST, f"(page:{HUGE})", "(page:-1)", f"(page_size:{HUGE})",
               "(page_size:abc)", f"(filters:!((col:{column},opr:eq,value:'{NUL}')))",
               f"(filters:!((col:{column},opr:eq,value:{HUGE})))", f"(order_column:'{NUL}',order_direction:asc)",
               f"(columns:!('{NUL}'))", "(page:1e400)", '{"filters": [{"col": "id", "opr": "eq", "value": "\\u0000"}]}']
    return [{"q": query} for query in queries]


def _generic_params() -> list[dict]:
    """The parameters views read themselves (search term, page, date, month, map box …)."""
    keys = ("q", "id", "page", "month", "date", "bbox", "next", "kind", "grid", "building", "household")
    return [{key: value for key in keys} for value in BAD_VALUES]


def _json_keys(view, method: str) -> list[str]:
    schema = getattr(view, "add_model_schema" if method == "POST" else "edit_model_schema", None)
    keys = list(getattr(schema, "fields", {}) or {})
    return keys or list(GENERIC_KEYS)


# One field spoiled in a form otherwise as the page shows it (an edit page: the record's own,
# valid values): what gets past the form's own checks reaches the services and the flush's rules.
SPOILERS = ("长" * 10_001, "0206-01-05", "9999-12-31", HUGE, "-1", "NaN", "abc")


class _FormValues(HTMLParser):
    """The values a page's form would post as shown: inputs, checked boxes, selected options,
    text areas."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, str] = {}
        self.select = self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and name != "csrf_token" and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs:
                self.values[name] = attrs.get("value") or ""
        elif tag == "select" and name:
            self.select = name
            self.values.setdefault(name, "")
        elif tag == "option" and self.select and ("selected" in attrs or not self.values.get(self.select)):
            self.values[self.select] = attrs.get("value") or ""
        elif tag == "textarea" and name:
            self.textarea = name
            self.values[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.values[self.textarea] += data


def _form_values(html: str) -> dict[str, str]:
    parser = _FormValues()
    parser.feed(html)
    return parser.values


def _mixed(names, values, shift: int) -> dict:
    """Every field a malformed value, each field another one."""
    return {name: values[(index + shift) % len(values)] for index, name in enumerate(names)}


def _json_body(keys, shift: int) -> str:
    return "{" + ", ".join(f'"{key}": {value}' for key, value in _mixed(keys, JSON_LITERALS, shift).items()) + "}"


class Crawl:
    def __init__(self, app, role: str):
        self.app, self.role = app, role
        self.client = app.test_client()
        self.headers = {}
        if role != "anonymous":
            login(self.client, role)
            self.headers = bearer(app.test_client(), role)
        self.views = _views(app)
        self.failures: list[str] = []
        self.requests = 0
        self.turn = ROLES.index(role)
        self.error = None
        got_request_exception.connect(self._note, app)

    def _note(self, sender, exception, **extra):
        self.error = exception

    def call(self, method: str, url: str, **kwargs):
        if url.startswith("/api/"):
            kwargs.setdefault("headers", self.headers)
        self.error = None
        response = self.client.open(url, method=method, **kwargs)
        response.get_data()  # a streamed answer (an export) holds its connection until read and closed
        response.close()
        self.requests += 1
        if response.status_code >= 500:
            body = kwargs.get("data") or kwargs.get("query_string") or ""
            self.failures.append(f"{response.status_code} {method} {url} {str(body)[:120]!r}: "
                                 f"{type(self.error).__name__}: {str(self.error)[:200]!r}")
        return response

    def next(self, values):
        """The next of ``values`` in turn: over a crawl, every variant is tried evenly."""
        self.turn += 1
        return values[self.turn % len(values)]

    def some(self, values, size: int) -> list:
        """``size`` of ``values`` in turn."""
        return [self.next(values) for _ in range(min(size, len(values)))] if values else []

    def rule(self, rule):
        view = self.views.get(rule.endpoint.split(".")[0])
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        base = _url(rule, "1")
        for value in _share(PATH_VALUES, self.role, 2) if rule.arguments else ():
            for method in methods:
                self.call(method, _url(rule, value))
        page = None
        if "GET" in methods:
            page = self.call("GET", base)
            lists = self.some(_list_params(view, self.role), 4) if rule.endpoint.endswith(".list") else []
            rison = _api_params(view) if rule.endpoint.endswith(".get_list") else []
            for params in lists + rison + [self.next(_generic_params())]:
                self.call("GET", base, query_string=params)
        for method in set(methods) & {"POST", "PUT"}:
            self.bodies(method, base, view, page)

    def bodies(self, method, url, view, page):
        json = {"content_type": "application/json"}
        if url.startswith("/api/"):
            keys = _json_keys(view, method)
            for shift in _share(range(len(JSON_LITERALS)), self.role, 2):
                self.call(method, url, data=_json_body(keys, shift), **json)
            self.call(method, url, data=self.next(("[1]", DEEP_JSON, '{"a": "b"')), **json)
            return
        shown = _form_values(page.get_data(as_text=True)) if page is not None and page.status_code == 200 else {}
        names = sorted(shown) or list(GENERIC_KEYS)
        numbers = [value for value in BAD_VALUES if value != NUL]
        self.call(method, url, data=dict.fromkeys(names, NUL))
        self.call(method, url, data=_mixed(names, numbers, self.next(range(len(numbers)))))
        for name in _share(sorted(shown), self.role, 2):
            self.call(method, url, data={**shown, name: self.next(SPOILERS)})
        # A JSON body where a form is expected (the map's save reads JSON).
        body = self.next((_json_body([*names, "id", "kind"], self.turn), "[1]", DEEP_JSON))
        self.call(method, url, data=body, **json)


@pytest.mark.parametrize("role", ROLES)
def test_no_malformed_request_is_a_server_error(crawled_app, role):
    crawl = Crawl(crawled_app, role)
    for rule in _rules(crawled_app):
        crawl.rule(rule)
    assert crawl.requests > 1500
    assert not crawl.failures, f"{len(crawl.failures)} server errors as {role}:\n" + "\n".join(crawl.failures)
