"""CSRF on every state-changing request, sign-in rate limit, security headers, POST-only logout."""
import re

import pytest

from app.extensions import db
from app.models import Household
from app.security import actor
from conftest import dispose, make_app
from samples import SCREENS, count


@pytest.fixture
def strict_app(databases, demo_template):
    """The app as deployed: CSRF checked and sign-ins rate limited."""
    app = make_app(databases.copy(demo_template), WTF_CSRF_ENABLED=True, RATELIMIT_ENABLED=True,
                   AUTH_RATE_LIMIT="5 per minute", AUTH_RATE_LIMIT_PER_ADDRESS="8 per minute")
    with app.app_context(), actor.system("tests"):  # as the ``app`` fixture
        yield app
    dispose(app)


def token(client, path="/login/"):
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(path).data.decode())
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def signed_in(app, username="secretary"):
    client = app.test_client()
    response = client.post("/login/", data={"username": username, "password": "demo123",
                                            "csrf_token": token(client)})
    assert response.status_code == 302
    return client


def test_sign_in_without_a_token_is_refused(strict_app):
    client = strict_app.test_client()
    response = client.post("/login/", data={"username": "secretary", "password": "demo123"})
    assert response.status_code == 400
    assert client.get("/residentview/list/").status_code != 200


def test_a_form_post_without_a_token_changes_nothing(strict_app):
    client = signed_in(strict_app)
    before = count(Household)
    assert client.post("/householdview/add", data=SCREENS["householdview"][1]()).status_code == 400
    assert count(Household) == before
    data = {**SCREENS["householdview"][1](), "csrf_token": token(client, "/householdview/add")}
    assert client.post("/householdview/add", data=data).status_code == 302
    assert count(Household) == before + 1


def test_delete_needs_a_post_with_a_token(strict_app):
    client = signed_in(strict_app)
    household = db.session.scalars(db.select(Household).order_by(Household.id.desc())).first()
    client.get(f"/householdview/delete/{household.id}")
    client.post(f"/householdview/delete/{household.id}")
    db.session.expire_all()
    assert db.session.get(Household, household.id) is not None


def test_logout_is_a_post_with_a_token(strict_app):
    client = signed_in(strict_app)
    assert client.get("/logout/").status_code == 405
    assert client.post("/logout/").status_code == 400
    assert client.get("/residentview/list/").status_code == 200
    html = client.get("/residentview/list/").data.decode()
    assert re.search(r'<form class="grid-logout" method="post" action="/logout/">', html)
    client.post("/logout/", data={"csrf_token": token(client, "/residentview/list/")})
    assert client.get("/residentview/list/").status_code != 200


WAIT = re.compile(r"登录失败次数过多，请于 (\d\d:\d\d:\d\d)（(\d+) 秒后）再试。")


def sign_in(client, username, password="demo123", address="10.0.0.1"):
    """The sign-in page's POST from ``address`` (with the page's CSRF token)."""
    csrf = token(client)
    return client.post("/login/", data={"username": username, "password": password, "csrf_token": csrf},
                       environ_base={"REMOTE_ADDR": address})


def api_sign_in(client, username, password="demo123", address="10.0.0.1"):
    return client.post("/api/v1/security/login", json={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def test_repeated_failed_sign_ins_are_locked_out(strict_app):
    client = strict_app.test_client()
    answers = [sign_in(client, "secretary", "guess").status_code for _ in range(6)]
    assert answers[:5] == [302] * 5 and answers[5] == 429
    # Even the right password waits out the limit, told in Chinese on the sign-in page when to come back.
    refused = sign_in(client, "secretary")
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 60
    page = refused.data.decode()
    found = WAIT.search(page)
    assert found and 1 <= int(found.group(2)) <= 60 and 'name="password"' in page, page[-2000:]
    assert "Too Many Requests" not in page


def test_successful_sign_ins_do_not_count(strict_app):
    """A whole office signing in from one address, on the page and on phones: nobody is locked out."""
    for _ in range(3):
        for username in ("secretary", "grid1", "grid2", "supervisor"):
            assert sign_in(strict_app.test_client(), username).status_code == 302
            assert api_sign_in(strict_app.test_client(), username).status_code == 200
    client = strict_app.test_client()
    assert sign_in(client, "grid3").status_code == 302 and client.get("/residentview/list/").status_code == 200


def test_the_page_and_the_api_share_one_budget(strict_app):
    client = strict_app.test_client()
    for _ in range(3):
        assert sign_in(client, "grid1", "guess").status_code == 302
    for _ in range(2):
        assert api_sign_in(client, "grid1", "guess").status_code == 401
    refused = api_sign_in(client, "grid1")
    assert refused.status_code == 429 and refused.is_json and WAIT.search(refused.get_json()["message"])
    assert int(refused.headers["Retry-After"]) >= 1
    assert sign_in(client, "grid1").status_code == 429


def test_failures_are_counted_per_account_and_per_address(strict_app):
    client = strict_app.test_client()
    for _ in range(5):
        sign_in(client, "secretary", "guess", address="10.0.0.1")
    # The account waits, from any address; the address may still sign others in.
    assert sign_in(strict_app.test_client(), "secretary", address="10.0.0.2").status_code == 429
    assert sign_in(strict_app.test_client(), "grid1", address="10.0.0.1").status_code == 302
    # Failures on several accounts from one address: the address waits (8 here), for every account.
    for username in ("grid2", "grid3", "grid4"):
        assert api_sign_in(client, username, "guess", address="10.0.0.1").status_code == 401
    assert sign_in(strict_app.test_client(), "grid5", address="10.0.0.1").status_code == 429
    assert api_sign_in(strict_app.test_client(), "grid5", address="10.0.0.1").status_code == 429
    assert sign_in(strict_app.test_client(), "grid5", address="10.0.0.3").status_code == 302


def test_behind_a_proxy_the_budget_counts_the_clients_it_forwards(databases, demo_template):
    """nginx in front (``GRID_PROXIES=1``): every request comes from the proxy's address, and the
    client's is in X-Forwarded-For; one client's failures must not lock out the others."""
    app = make_app(databases.copy(demo_template), WTF_CSRF_ENABLED=True, RATELIMIT_ENABLED=True,
                   AUTH_RATE_LIMIT="50 per minute", AUTH_RATE_LIMIT_PER_ADDRESS="8 per minute", GRID_PROXIES=1)
    try:
        with app.app_context():
            def from_client(client_address, username, password="demo123"):
                client = app.test_client()
                csrf = token(client)
                return client.post("/login/", data={"username": username, "password": password, "csrf_token": csrf},
                                   environ_base={"REMOTE_ADDR": "127.0.0.1"},
                                   headers={"X-Forwarded-For": client_address})
            for username in ("grid1", "grid2", "grid3", "grid4", "grid5", "grid6", "secretary", "supervisor"):
                assert from_client("203.0.113.7", username, "guess").status_code == 302
            assert from_client("203.0.113.7", "volunteer").status_code == 429  # that client waits
            assert from_client("198.51.100.2", "volunteer").status_code == 302  # another does not
    finally:
        dispose(app)


def test_headers_allow_only_this_host_and_cookies_stay_out_of_scripts(strict_app):
    client = strict_app.test_client()
    response = client.get("/login/")
    policy = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    assert re.fullmatch(r"'self' 'nonce-[\w-]+'", directives["script-src"])
    assert "http" not in policy and "*" not in policy
    nonce = re.search(r"'nonce-([\w-]+)'", policy).group(1)
    html = response.data.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts and all(f'nonce="{nonce}"' in tag for tag in scripts)
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_the_json_sign_in_is_rate_limited_and_audited_too(strict_app):
    from app.models import AuditEntry

    client = strict_app.test_client()
    body = {"username": "secretary", "password": "guess", "provider": "db"}
    answers = [client.post("/api/v1/security/login", json=body).status_code for _ in range(6)]
    assert answers[:5] == [401] * 5 and answers[5] == 429
    failures = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "login_failed")).all()
    assert len(failures) == 5


def test_pages_and_api_answers_are_not_stored_but_static_files_may_be(app, supervisor_client, api_as):
    """Every page, export and API answer of a signed-in user says no-store (a shared office PC's
    back button or a proxy would otherwise keep residents' data); only static files may be cached."""
    from app.models import Resident

    resident = db.session.scalars(db.select(Resident).order_by(Resident.id)).first()
    token = api_as("supervisor")
    pages = ["/", "/residentview/list/", f"/residentview/show/{resident.id}", "/residentview/export/",
             f"/householdview/show/{resident.household_id}", "/users/userinfo/", "/login/"]
    simple_gets = sorted({rule.rule for rule in app.url_map.iter_rules()
                          if "GET" in rule.methods and not rule.arguments and "static" not in rule.endpoint
                          and not rule.endpoint.startswith("vendor.")})
    for url in pages + simple_gets:
        response = supervisor_client.get(url)
        assert "no-store" in response.headers.get("Cache-Control", ""), (url, response.status_code)
    for url in (f"/api/v1/resident/{resident.id}", "/api/v1/resident/"):
        response = supervisor_client.get(url, headers=token)
        assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store", url
    for url in ("/static/css/grid.css", "/vendor/leaflet/dist/leaflet.js", "/static/appbuilder/css/ab.css"):
        response = supervisor_client.get(url)
        assert response.status_code == 200, url
        assert "no-store" not in response.headers.get("Cache-Control", ""), url


def _redis_answers(url="redis://127.0.0.1:6379/0") -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


@pytest.mark.skipif(not _redis_answers(), reason="no Redis on 127.0.0.1:6379")
def test_processes_sharing_the_limiters_storage_share_the_budget(databases, demo_template):
    """Two app instances (two processes) with RATELIMIT_STORAGE_URI on one Redis: failures on
    one count on the other."""
    import uuid

    url = databases.copy(demo_template)
    shared = {"WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": True, "AUTH_RATE_LIMIT": "3 per minute",
              "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0", "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
    first, second = make_app(url, **shared), make_app(url, **shared)
    try:
        for _ in range(2):
            assert first.test_client().post("/login/", data={"username": "grid1", "password": "guess"}).status_code == 302
        assert api_sign_in(second.test_client(), "grid1", "guess").status_code == 401
        assert first.test_client().post("/login/", data={"username": "grid1", "password": "demo123"}).status_code == 429
        assert api_sign_in(second.test_client(), "grid1").status_code == 429
    finally:
        dispose(first)
        dispose(second)


def test_a_form_posted_without_its_token_says_to_reload(strict_app):
    """A form left open over a new sign-in (its token expired): what to do, in Chinese, not
    Flask-WTF's English "The CSRF token is missing"."""
    client = strict_app.test_client()
    assert sign_in(client, "secretary").status_code == 302
    response = client.post("/diaryview/add", data={"content": "楼道积水"})
    assert response.status_code == 400
    page = response.data.decode()
    assert "表单已过期" in page and "CSRF" not in page
