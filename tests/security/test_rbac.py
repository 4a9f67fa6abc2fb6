"""The RBAC matrix, built by walking the app's registered views: a new screen cannot escape it.

Every demo account × every ModelView × list/show/add/edit/delete and each action, expected outcome
read from the role table (app/security/roles.py, the README's role table as data), observed over HTTP.
The same for every endpoint of every REST API, with each account's token. Then every other URL
rule: nothing but the sign-in page and static files answers an anonymous visitor.
"""
import re

import pytest
from flask_appbuilder import ModelView
from flask_appbuilder.api import BaseApi
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import select

from app.extensions import db
from app.security import roles, scope
from app.views.base import ScopedView
from conftest import bearer

ACCOUNTS = {roles.ADMIN: "admin", roles.SECRETARY: "secretary", roles.MANAGER: "grid1",
            roles.SUPERVISOR: "supervisor", roles.VOLUNTEER: "volunteer"}
VERBS = ("list", "show", "add", "edit", "delete", "export")
MISSING = 999_999_999


def model_views(app):
    return [view for view in app.appbuilder.baseviews if isinstance(view, ModelView)]


def form_views(app):
    """Our screens that are not model views (forms, pages): they declare a data kind too."""
    return [view for view in app.appbuilder.baseviews if not isinstance(view, (ModelView, BaseApi))
            and getattr(view, "data_kind", None) is not None]


def apis(app):
    """Every REST API of ours and FAB's (its sign-in, menu and document)."""
    return [view for view in app.appbuilder.baseviews if isinstance(view, BaseApi)]


def exposed(view):
    """(method, permission, URL, HTTP method) of each route of ``view``."""
    for name in dir(view):
        if (view.include_route_methods is not None and name not in view.include_route_methods) or \
                name in (view.exclude_route_methods or ()):
            continue  # not registered as a route
        method = getattr(view, name, None)
        for url, methods in getattr(method, "_urls", []):
            path = re.sub(r"<(?:[^:<>]+:)?[^<>]+>", str(MISSING), view.route_base + url)
            permission = (view.method_permission_name or {}).get(name, getattr(method, "_permission_name", None))
            yield name, f"can_{permission}" if permission else None, path, "GET" if "GET" in methods else methods[0]


def denied(response) -> bool:
    """FAB's refusal: a redirect to the sign-in page (pages) or 401/403 (JSON endpoints)."""
    return response.status_code in (401, 403) or (
        response.status_code == 302 and "/login/" in response.headers.get("Location", ""))


def expected(role: str, view, permission: str) -> bool:
    if role == roles.ADMIN:
        return True
    kind = getattr(view, "data_kind", None)
    return kind is not None and permission.removeprefix("can_") in roles.verbs(role, kind)


def sample_pk(view, user):
    """A row this user's scope contains (so a refusal is the permission's, not the scope's)."""
    model = view.datamodel.obj
    query = select(model.id).order_by(model.id)
    if getattr(view, "data_kind", None) is not None:
        query = scope.restrict(query, model, view.scope_level, scope.for_user(user))
    return db.session.scalars(query).first()


def probe(client, view, verb: str, pk):
    base = view.route_base
    if verb == "list":
        return client.get(f"{base}/list/")
    if verb == "show":
        return client.get(f"{base}/show/{pk}")
    if verb == "add":
        return client.post(f"{base}/add", data={})
    if verb == "edit":
        return client.post(f"{base}/edit/{pk}", data={})
    if verb == "export":
        return client.get(f"{base}/export/")
    # Delete a row that does not exist: allowed → 404 (past the permission), refused → login.
    return client.post(f"{base}/delete/{MISSING}")


@pytest.mark.parametrize("role", ACCOUNTS)
def test_every_view_and_action_answers_each_role_as_the_role_table_says(app, client_as, role):
    client = client_as(ACCOUNTS[role])
    user = db.session.scalars(select(User).where(User.username == ACCOUNTS[role])).one()
    mismatches, checked = [], 0
    for view in model_views(app):
        permissions = set(view.base_permissions or [])
        pk = sample_pk(view, user)
        for verb in VERBS:
            if f"can_{verb}" not in permissions:
                continue
            want = expected(role, view, f"can_{verb}")
            if want and verb in ("show", "edit") and isinstance(view, ScopedView):
                assert pk is not None, f"{role} may {verb} {view.route_base} but sees no row to try"
            response = probe(client, view, verb, pk if pk is not None else MISSING)
            checked += 1
            if denied(response) == want:
                mismatches.append(f"{view.route_base} {verb}: expected {'allowed' if want else 'denied'}, "
                                  f"got {response.status_code} {response.headers.get('Location', '')}")
        if not isinstance(view, ScopedView):
            continue  # FAB's own screens' actions: test_only_admin_reaches_user_and_role_management
        for name in view.actions:
            want = expected(role, view, view.get_action_permission_name(name))
            # A missing row: allowed → 404 from the scope, refused → 403 before it.
            response = client.post(f"{view.route_base}/action_post", data={"action": name, "rowid": [MISSING]})
            checked += 1
            if response.status_code != (404 if want else 403):
                mismatches.append(f"{view.route_base} action {name}: expected {'allowed' if want else 'denied'}, "
                                  f"got {response.status_code}")
    for view in form_views(app):
        for method, permission, url, http_method in exposed(view):
            want = expected(role, view, permission)
            response = client.open(url, method=http_method, data={})
            checked += 1
            if denied(response) == want:
                mismatches.append(f"{url} ({method}): expected {'allowed' if want else 'denied'}, "
                                  f"got {response.status_code}")
    assert checked >= 40, "the matrix walked fewer views than the app registers"
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.parametrize("role", ACCOUNTS)
def test_every_api_endpoint_answers_each_role_as_the_role_table_says(app, client, role):
    """Each account's token on every route of every API (a missing row: allowed → 404 or a refused
    body, refused → FAB's 403 before anything is read)."""
    headers = bearer(client, ACCOUNTS[role])
    mismatches, checked = [], 0
    for api in apis(app):
        ours = getattr(api, "data_kind", None) is not None or getattr(api, "for_every_role", False)
        for method, permission, url, http_method in exposed(api):
            if permission is None:
                continue  # the sign-in itself (open to all; rate-limited and audited: test_hardening)
            want = role == roles.ADMIN or getattr(api, "for_every_role", False) or (ours and expected(role, api, permission))
            response = client.open(url.replace(str(MISSING) + "/_openapi", "v1/_openapi"), method=http_method,
                                   headers=headers, json={} if http_method in ("POST", "PUT") else None)
            checked += 1
            assert response.status_code != 401, f"{url}: the token was not accepted"
            refused = response.status_code == 403 and response.get_json() == {"message": "Forbidden"}
            if refused == want:
                mismatches.append(f"{http_method} {url} ({method}): expected {'allowed' if want else 'denied'}, "
                                  f"got {response.status_code}")
    registered = sum(len(rule.methods - {"HEAD", "OPTIONS"}) for rule in app.url_map.iter_rules()
                     if rule.rule.startswith("/api/") and not rule.rule.startswith("/api/v1/security/"))
    assert checked == registered, "the matrix walked other API routes than the app registers"
    assert not mismatches, "\n".join(mismatches)


def test_every_domain_screen_declares_its_row_of_the_role_table(app):
    ours = [view for view in model_views(app) if type(view).__module__.startswith("app.")]
    assert ours and all(isinstance(view, ScopedView) for view in ours)
    assert all(view.data_kind in roles.TABLE for view in ours)
    pages = [view for view in app.appbuilder.baseviews
             if type(view).__module__.startswith("app.views") and not isinstance(view, ModelView)]
    assert all(getattr(view, "data_kind", None) in roles.TABLE or getattr(view, "for_every_role", False)
               or getattr(view, "public", False) for view in pages)
    assert "AidDeskView" in {type(view).__name__ for view in form_views(app)}


def test_supervisor_is_read_only_everywhere(app, supervisor_client):
    """The supervisor: "never a write, never a delete" — checked over HTTP, not from the table."""
    for view in model_views(app):
        for verb in ("add", "edit", "delete"):
            if f"can_{verb}" in (view.base_permissions or []):
                assert denied(probe(supervisor_client, view, verb, 1)), f"{view.route_base} {verb}"


def test_only_admin_reaches_user_and_role_management(app, client_as):
    security_views = [view for view in model_views(app) if type(view).__module__.startswith("flask_appbuilder")]
    assert {"/users", "/roles"} <= {view.route_base for view in security_views}
    for username in ("secretary", "grid1", "supervisor", "volunteer"):
        client = client_as(username)
        for view in security_views:
            assert denied(client.get(f"{view.route_base}/list/")), f"{username} reached {view.route_base}"
    admin = client_as("admin")
    answers = {view.route_base: admin.get(f"{view.route_base}/list/").status_code for view in security_views}
    assert set(answers.values()) == {200}, answers


def test_volunteer_sees_no_resident_registry(volunteer_client):
    for route in ("/residentview", "/householdview", "/buildingview"):
        assert denied(volunteer_client.get(f"{route}/list/"))
    for kind in ("resident", "household", "building"):
        assert volunteer_client.get(f"/lookup/{kind}?q=").status_code == 403


def test_everyone_keeps_their_own_profile_and_password(client_as):
    for username in ("secretary", "grid1", "supervisor", "volunteer"):
        client = client_as(username)
        assert client.get("/users/userinfo/").status_code == 200
        assert client.get("/resetmypassword/form").status_code == 200


# Rules an anonymous visitor may reach; everything else must refuse them.
PUBLIC = {"static", "appbuilder.static", "GridAuthDBView.login", "GridAuthDBView.logout",
          "LocaleView.index", "UtilView.back", "GridIndexView.index",
          # The field app's installable parts: the same file for everyone, no data (the browser
          # fetches the manifest and icons without the session; test_field checks what they hold).
          "field_assets.manifest", "field_assets.icon", "field_assets.service_worker"}


def _fill(rule) -> str:
    values = {arg: "1" for arg in rule.arguments}
    path = rule.rule
    for arg in rule.arguments:
        path = re.sub(rf"<(?:[^:<>]+:)?{arg}>", values[arg], path)
    return path


def test_no_url_answers_an_anonymous_visitor_with_data(app, client):
    open_rules = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC:
            continue
        method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
        response = client.open(_fill(rule), method=method)
        if response.status_code == 200:  # a refusal, a redirect or a 4xx carries no data
            open_rules.append(f"{method} {rule.rule} → {response.status_code}")
    assert not open_rules, "\n".join(open_rules)


def test_index_page_shows_nothing_private_to_an_anonymous_visitor(client):
    html = client.get("/").data.decode()
    assert "residentview" not in html and "/users/" not in html


@pytest.mark.parametrize("role", ACCOUNTS)
def test_the_menu_offers_only_what_opens(client_as, role):
    client = client_as(ACCOUNTS[role])
    html = client.get("/dashboard/").data.decode()
    links = sorted({link for link in re.findall(r'<a tabindex="-1" href="(/[^"]+)"', html) if "/lang/" not in link})
    assert links, "no menu at all"
    closed = [link for link in links if client.get(link).status_code != 200]
    assert not closed, f"{role} is offered {closed}"
    if role == roles.VOLUNTEER:
        assert not any(route in html for route in ("/residentview/", "/householdview/", "/caseview/list/"))
