"""Pages with JavaScript in a real browser (Debian's Chromium driven by Playwright): the pickers,
and the app as deployed (CSRF on, Content-Security-Policy enforced) without one violation."""
import shutil
import threading
from urllib.parse import urlparse

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from app.extensions import db
from app.models import Building, Case, Facility, Household
from app.security import actor

pytestmark = pytest.mark.engine_independent

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
playwright = pytest.importorskip("playwright.sync_api", reason="installed by ./dev test")
# Waits for a page to be ready, not speed goals: on a loaded two-core CI machine Swagger UI takes
# more than Playwright's default 5 s to read the API's document (speed is in benchmarks/).
playwright.expect.set_options(timeout=30_000)


def serve(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def browser():
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run"])
        yield chromium
        chromium.close()


def signed_in_page(browser, base, username="admin", **context_options):
    """A page signed in through the real form; ``page.problems`` collects errors, failed
    responses, requests to other hosts and Content-Security-Policy violations. With
    ``context_options`` (a phone's viewport and touch, a position …) in a context of its own."""
    page = (browser.new_context(**context_options) if context_options else browser).new_page()
    page.problems = []
    page.on("pageerror", lambda error: page.problems.append(f"page error: {error}"))
    # a request the test cut off (``context.set_offline``) is the test's doing, not the page's
    page.on("console", lambda msg: msg.type == "error" and "ERR_INTERNET_DISCONNECTED" not in msg.text
            and page.problems.append(f"console: {msg.text}"))
    page.on("response", lambda r: r.status >= 400 and page.problems.append(f"{r.status}: {r.url}"))
    page.on("request", lambda r: urlparse(r.url).hostname not in ("127.0.0.1", None)
            and page.problems.append(f"foreign request: {r.url}"))
    page.goto(base + "/login/")
    page.fill("#username", username)
    page.fill("#password", "demo123")
    page.click("input[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
    page.base = base
    return page


@pytest.fixture
def page(app, browser):
    server = serve(app)
    yield signed_in_page(browser, f"http://127.0.0.1:{server.server_port}")
    server.shutdown()


@pytest.fixture
def strict_page(databases, demo_template, browser):
    """The app as deployed: CSRF checked, CSP enforced."""
    from conftest import dispose, make_app

    app = make_app(databases.copy(demo_template), WTF_CSRF_ENABLED=True)
    server = serve(app)
    with app.app_context(), actor.system("tests"):  # as the ``app`` fixture
        yield signed_in_page(browser, f"http://127.0.0.1:{server.server_port}", "grid1")
    server.shutdown()
    dispose(app)


def open_picker(page, field):
    page.locator(f"select#{field} + span .select2-selection").click()


def options(page, count=None):
    results = page.locator(".select2-results__option:not(.loading-results):not(.select2-results__option--load-more)")
    if count is not None:
        playwright.expect(results).to_have_count(count)
    results.first.wait_for()
    return results.all_inner_texts()


def search(page, text):
    page.fill(".select2-container--open .select2-search__field", text)


def test_dependent_pickers_search_the_server_and_narrow_by_parent(page):
    page.goto(page.base + "/residentview/add")
    open_picker(page, "grid")
    search(page, "第二")
    assert options(page, count=1) == ["SYN-02 第二网格"]
    page.keyboard.press("Enter")

    open_picker(page, "building")
    grid2 = {str(b) for b in db.session.scalars(select(Building).where(Building.grid_id == 2))}
    shown = options(page, count=10)
    assert set(shown) == grid2
    search(page, "15")
    assert options(page, count=1) == ["纺织厂宿舍 15号楼"]
    page.keyboard.press("Enter")

    open_picker(page, "household")
    households = options(page, count=20)
    assert all(h.startswith("纺织厂宿舍 15号楼 ") for h in households)
    assert page.problems == []


def test_an_active_list_filter_shows_the_chosen_row_by_name(page):
    page.goto(page.base + "/residentview/list/?_flt_0_grid=3")
    page.wait_for_timeout(500)
    chosen = page.locator("select[name='_flt_0_grid'] option:checked").inner_text()
    assert chosen == "SYN-03 第三网格"
    assert page.problems == []


def test_the_deployed_app_works_under_its_csp_and_csrf(strict_page):
    """Browse, add a household through the form (its CSRF token), sign out by the menu."""
    page = strict_page
    from test_cases import make_case
    grid1_case = make_case("registered", grid_id=1).id
    for path in ("/residentview/list/", "/householdview/list/", "/gridview/show/1", "/facilityview/list/",
                 "/caseview/list/", "/caseview/add", "/myreportsview/add", "/aid/distribute",
                 "/voucherview/list/", "/aiditemview/list/", "/campaignview/list/", f"/caseview/show/{grid1_case}"):
        page.goto(page.base + path)
    page.click(".case-step-handle")  # a step from the case's detail page, its form's CSRF token
    playwright.expect(page.locator(".alert-success")).to_have_count(1)
    assert db.session.get(Case, grid1_case).stage == "in_progress"
    page.goto(page.base + "/householdview/add")
    open_picker(page, "grid")
    options(page, count=1)  # grid1 is given grid 1 only
    page.keyboard.press("Enter")
    open_picker(page, "building")
    options(page)
    page.keyboard.press("Enter")
    page.fill("#unit", "9")
    page.fill("#room", "999")
    page.locator("select#residence_type + span .select2-selection").click()
    page.keyboard.press("Enter")
    page.click("button[type=submit]:visible")
    playwright.expect(page.locator(".alert-success")).to_have_count(1)  # back on the last list
    assert db.session.scalar(select(func.count(Household.id)).where(Household.room == "999")) == 1

    page.click("a.dropdown-toggle:has(.fa-user)")
    page.click(".grid-logout button")
    page.wait_for_url("**/")
    page.goto(page.base + "/residentview/list/")
    assert "/login/" in page.url
    assert page.problems == []


def _open_map(page):
    page.goto(page.base + "/map/")
    # Every layer loaded; waiting on attributes, not page-evaluated predicates (the CSP forbids eval).
    import json
    for layer in json.loads(page.get_attribute("#grid-map", "data-config"))["layers"]:
        name = layer["name"].replace("-", "_")
        playwright.expect(page.locator("#grid-map")).to_have_attribute(f"data-loaded_{name}", "1")


def test_the_map_draws_our_layers_with_no_tile_server_and_no_other_host(page):
    _open_map(page)
    paths = page.locator(".leaflet-overlay-pane path")
    drawn = paths.count()
    assert drawn >= 6 + 61  # grids and buildings at least
    toggle = page.locator(".leaflet-control-layers-overlays label", has_text="楼栋").locator("input")
    toggle.uncheck()
    playwright.expect(paths).to_have_count(drawn - 61)
    toggle.check()
    playwright.expect(paths).to_have_count(drawn)
    legend = page.locator(".grid-map-legend").inner_text()
    assert all(text in legend for text in ("消防栓", "化粪池", "下水道井口", "SYN-01 第一网格", "SYN-06 第六网格"))
    assert page.problems == []


def test_measuring_two_points_gives_their_distance(page):
    import math
    import re

    _open_map(page)
    page.click("#map-measure")
    box = page.locator("#grid-map").bounding_box()
    a = (box["x"] + 300, box["y"] + 250)
    b = (box["x"] + 650, box["y"] + 420)
    page.mouse.click(*a)
    page.wait_for_timeout(300)
    page.mouse.click(*b)
    playwright.expect(page.locator("#map-measure-result")).to_have_attribute("data-metres", re.compile(r"^[1-9]"))
    points = page.evaluate("""() => { const line = Object.values(window.gridMap._layers)
        .find(l => l.getLatLngs && l.options.dashArray === '4'); return line.getLatLngs().map(p => [p.lat, p.lng]); }""")
    (lat1, lng1), (lat2, lng2) = points
    p1, p2, dlng = math.radians(lat1), math.radians(lat2), math.radians(lng2 - lng1)
    expected = 2 * 6_371_000 * math.asin(math.sqrt(math.sin((p2 - p1) / 2) ** 2
                                                    + math.cos(p1) * math.cos(p2) * math.sin(dlng / 2) ** 2))
    shown = float(page.locator("#map-measure-result").get_attribute("data-metres"))
    assert abs(shown - expected) <= expected * 0.01
    assert page.problems == []


def test_search_flies_to_the_building_and_a_building_shows_its_service_circle(page):
    _open_map(page)
    page.fill("#map-search-input", "15号楼")
    page.click("#map-search button[type=submit]")
    playwright.expect(page.locator("#map-search-results li")).not_to_have_count(0)
    page.wait_for_timeout(1500)  # the fly-to animation
    building = db.session.scalars(select(Building).where(Building.number == "15号楼")).first()
    from geoalchemy2.shape import to_shape
    entrance = to_shape(building.entrance)
    centre = page.evaluate("() => { const c = window.gridMap.getCenter(); return [c.lat, c.lng]; }")
    assert abs(centre[0] - entrance.y) < 0.0005 and abs(centre[1] - entrance.x) < 0.0005
    page.evaluate(f"""() => Object.values(window.gridMap._layers).find(
        l => l.feature && l.feature.layerName === 'buildings' && l.feature.properties.id === {building.id}).fire('click')""")
    playwright.expect(page.locator("#map-circle li")).not_to_have_count(0)
    from app.services.mapdata import service_circle
    expected = [f["name"] for f in service_circle(building.id)["facilities"]]
    listed = page.locator("#map-circle li").all_inner_texts()
    assert [text.split("（")[0] for text in listed] == expected
    assert page.problems == []


def test_a_volunteers_map_has_no_people_layer(app, browser):
    server = serve(app)
    page = signed_in_page(browser, f"http://127.0.0.1:{server.server_port}", "volunteer")
    _open_map(page)
    labels = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    assert labels and not any(name in " ".join(labels) for name in ("党员", "楼长", "关怀", "事件"))
    assert page.problems == []
    server.shutdown()


def test_a_name_with_markup_shows_as_text(page):
    facility = db.session.scalars(select(Facility).where(Facility.kind == "clinic")).first()
    facility.name = "<img src=x onerror=alert(1)>"
    db.session.commit()
    _open_map(page)
    playwright.expect(page.locator("#grid-map")).to_have_attribute("data-loaded_facility_clinic", "1")
    page.evaluate("""() => Object.values(window.gridMap._layers).find(
        l => l.feature && l.feature.properties.kind === 'clinic').openPopup()""")
    popup = page.locator(".leaflet-popup-content")
    playwright.expect(popup).to_contain_text("<img src=x onerror=alert(1)>")
    assert popup.locator("img").count() == 0
    assert page.problems == []


def test_the_dashboard_draws_its_charts_here_and_a_click_opens_the_rows(page):
    page.goto(page.base + "/dashboard/")
    charts = page.locator(".grid-chart[data-ready='1']")
    playwright.expect(charts).not_to_have_count(0)
    assert page.locator(".grid-chart svg").count() == charts.count()
    funnel = page.locator(".grid-chart[data-key='cases_funnel'] svg path").first
    funnel.click(force=True)
    page.wait_for_url("**/caseview/list/**")
    assert page.problems == []


def test_swagger_ui_runs_here_under_the_csp_and_signs_in_for_a_token(strict_page):
    """The API's documentation from the user menu: Swagger UI from /vendor, started by a nonce'd
    file; its "try it out" of the sign-in answers a token; nothing refused, nothing from elsewhere."""
    page = strict_page
    page.goto(page.base + "/dashboard/")
    page.click("a.dropdown-toggle:has(.fa-user)")
    page.click("a[href='/apidocs/']")
    playwright.expect(page.locator("#swagger-ui")).to_have_attribute("data-loaded", "1")
    assert page.locator(".opblock").count() > 60
    login = page.locator("#operations-Security-post_api_v1_security_login")
    login.locator(".opblock-summary").click()
    login.locator("button.try-out__btn").click()
    login.locator("textarea.body-param__text").fill(
        '{"username": "grid1", "password": "demo123", "provider": "db", "refresh": true}')
    login.locator("button.execute").click()
    playwright.expect(login.locator(".live-responses-table tbody .response-col_status").first).to_contain_text("200")
    playwright.expect(login.locator(".live-responses-table .microlight").first).to_contain_text("access_token")
    assert page.problems == []


@pytest.mark.parametrize("url, status", [
    ("/residentview/show/99999999999999999999", 404),
    ("/users/list/", 403),
    ("/residentview/list/?_flt_0_grid=abc", 400),
])
def test_error_pages_read_on_a_phone(app, browser, url, status):
    """A grid manager's phone (390 px): the error page fits the screen and its text keeps off
    the edge; it says what happened in Chinese and offers the way home."""
    server = serve(app)
    try:
        page = signed_in_page(browser, f"http://127.0.0.1:{server.server_port}", "grid1")
        page.set_viewport_size({"width": 390, "height": 844})
        response = page.goto(page.base + url)
        assert response.status == status
        heading = page.locator(".grid-error h2")
        assert heading.locator("small").inner_text() == str(status)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in heading.inner_text())
        assert heading.bounding_box()["x"] >= 8
        assert page.locator(".grid-error-home").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        server.shutdown()
