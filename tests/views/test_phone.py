"""On a phone (390×844, Chromium's mobile emulation): every page a grid manager or a volunteer can
open fits the screen; a place comes from the phone's position or a tap on the form's map."""
import re

import pytest
from geoalchemy2.shape import to_shape
from sqlalchemy import select

from app.extensions import db
from app.models import Case
from conftest import login
import test_browser
from test_browser import open_picker, options, playwright, serve, signed_in_page

pytestmark = pytest.mark.engine_independent  # pages and scripts; the data path is tested on both

browser = test_browser.browser  # the fixture: one Chromium for the module's tests

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
# GET routes that are not pages: data for scripts, files, side effects (sign-out, language, FAB's
# GET delete and actions), and FAB's own chart of users (not a screen of ours).
NOT_PAGES = re.compile(r"^/(static|vendor|api|lookup|lang|login|logout)\b|/(export|download|delete|action|photo|"
                       r"layer|circle|search|receipt|template|ledger\.csv|userstatschartview)\b")


def phone_pages(app, username) -> list[str]:
    """Every HTML page the user may open, from the app's routes: each argument-free GET route,
    and each route of one record (show, edit …) with the first record of its list."""
    client = app.test_client()
    login(client, username)
    first_rows: dict[str, str | None] = {}

    def first_row(base: str):
        if base not in first_rows:
            html = client.get(f"/{base}/list/").get_data(as_text=True)
            found = re.search(rf"/{base}/(?:show|edit)/(\d+)", html)
            first_rows[base] = found and found[1]
        return first_rows[base]

    pages = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or NOT_PAGES.search(rule.rule):
            continue
        if not rule.arguments:
            url = rule.rule
        elif rule.arguments == {"pk"}:
            pk = first_row(rule.rule.split("/")[1])
            if pk is None:
                continue
            url = rule.rule.replace("<pk>", pk)
        else:
            continue
        response = client.get(url)
        if response.status_code == 200 and response.mimetype == "text/html":
            pages.append(url)
    return pages


def phone(browser, base, username, **options):
    """A phone's browser context signed in as ``username`` (``page.problems`` as in test_browser)."""
    return signed_in_page(browser, base, username, **PHONE, **options)


@pytest.fixture
def server(app):
    running = serve(app)
    yield f"http://127.0.0.1:{running.server_port}"
    running.shutdown()


def test_every_page_of_a_grid_manager_and_a_volunteer_fits_a_phone(app, browser, server):
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = 3600  # the phone keeps the static files: pages only
    wide = {}
    for username in ("grid1", "volunteer"):
        pages = phone_pages(app, username)
        # The sweep reaches what these roles use: lists, records, forms, the dashboard and the map.
        assert {"/dashboard/", "/map/", "/myreportsview/add"} <= set(pages), username
        assert any("/show/" in url for url in pages) and len(pages) > 15, username
        if username == "grid1":
            assert {"/caseview/list/", "/caseview/add"} <= set(pages)
            assert any(url.startswith("/caseview/edit/") for url in pages)
        page = phone(browser, server, username)
        for url in pages:
            page.goto(server + url, wait_until="domcontentloaded")
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 390:
                wide[f"{username} {url}"] = width
        assert page.problems == []
        page.context.close()
    assert wide == {}


def test_a_case_list_on_a_phone_is_cards_of_the_key_facts(app, browser, server):
    page = phone(browser, server, "grid1")
    page.goto(server + "/caseview/list/")
    card = page.locator("table.grid-cards tbody tr").first
    cells = card.locator("td[data-label]:visible")
    assert re.match(r"^\d{4}-\d{6}$", cells.first.inner_text())  # the number, then title, stage, deadline state
    assert [cells.nth(i).get_attribute("data-label") for i in range(1, cells.count())] == ["标题", "阶段", "时限"]
    assert card.locator("a[href*='/caseview/show/']").is_visible()
    assert page.problems == []


def test_the_maps_layer_switch_is_collapsed_on_a_phone(app, browser, server):
    page = phone(browser, server, "grid1")
    page.goto(server + "/map/")
    playwright.expect(page.locator(".leaflet-control-layers")).not_to_have_class(re.compile("expanded"))
    assert not page.locator(".leaflet-control-layers-overlays").is_visible()
    assert page.locator(".grid-map-legend-toggle").is_visible()
    assert page.problems == []


def _newest_case():
    db.session.expire_all()
    return db.session.scalars(select(Case).order_by(Case.id.desc())).first()


def _choose_category(page):
    open_picker(page, "category")
    options(page)
    page.keyboard.press("Enter")


def test_a_volunteer_reports_from_where_they_stand(strict_app_server, browser):
    """Geolocation granted at a known point in grid 1: the report has that point and grid 1,
    under the deployed app's CSP and CSRF."""
    base = strict_app_server
    page = phone(browser, base, "volunteer", geolocation={"latitude": 36.6925, "longitude": 117.0575, "accuracy": 12},
                 permissions=["geolocation"])
    page.goto(base + "/myreportsview/add")
    page.fill("#title", "井盖松动")
    page.click(".grid-place-locate")
    playwright.expect(page.locator(".grid-place-status")).to_contain_text("12 米")
    playwright.expect(page.locator(".grid-place-grid")).to_contain_text("第一网格")
    assert page.input_value("#location") == "117.057500 36.692500"
    assert not page.locator("select#grid").locator("xpath=ancestor::tr").is_visible()  # shown, not asked
    _choose_category(page)
    page.click("button[type=submit]:visible")
    playwright.expect(page.locator(".alert-success")).to_have_count(1)
    case = _newest_case()
    point = to_shape(case.location)
    assert (case.title, case.grid_id, round(point.x, 6), round(point.y, 6)) == ("井盖松动", 1, 117.0575, 36.6925)
    assert page.problems == []


def test_a_tap_on_the_forms_map_sets_the_point_and_its_grid(app, browser, server):
    page = phone(browser, server, "grid1")
    page.goto(server + "/caseview/add")
    box = page.locator(".grid-place")
    playwright.expect(box).to_have_attribute("data-loaded0", "1")
    page.locator(".grid-place-map").scroll_into_view_if_needed()
    x, y = page.evaluate("""() => { const map = document.querySelector('.grid-place').placeMap;
        const p = map.latLngToContainerPoint([36.6925, 117.0575]); return [p.x, p.y]; }""")
    page.locator(".grid-place-map").tap(position={"x": x, "y": y})
    playwright.expect(page.locator(".grid-place-grid")).to_contain_text("第一网格")
    lng, lat = (float(part) for part in page.input_value("#location").split())
    assert abs(lng - 117.0575) < 2e-5 and abs(lat - 36.6925) < 2e-5  # a pixel at zoom 17 is ~1 m
    page.fill("#title", "路面塌陷")
    _choose_category(page)
    page.click("button[type=submit]:visible")
    playwright.expect(page.locator(".alert-success")).to_have_count(1)
    case = _newest_case()
    point = to_shape(case.location)
    assert (case.title, case.grid_id) == ("路面塌陷", 1)
    assert (round(point.x, 6), round(point.y, 6)) == (lng, lat)
    assert page.problems == []


@pytest.fixture
def strict_app_server(databases, demo_template):
    """The app as deployed: CSRF checked, CSP enforced (as test_browser's strict_page)."""
    from conftest import dispose, make_app

    app = make_app(databases.copy(demo_template), WTF_CSRF_ENABLED=True)
    running = serve(app)
    with app.app_context():
        yield f"http://127.0.0.1:{running.server_port}"
    running.shutdown()
    dispose(app)


def test_a_footprint_drawn_on_the_forms_map_is_saved(app, browser, server):
    """A building's outline drawn as a rectangle on its form's map (geoman) is what is stored."""
    from app.models import Building

    building = db.session.scalars(select(Building).where(Building.grid_id == 1, Building.footprint.is_not(None))
                                  .order_by(Building.id)).first()
    centre = to_shape(building.footprint).centroid
    corners = [(centre.y - 0.0002, centre.x - 0.0003), (centre.y + 0.0002, centre.x + 0.0003)]
    page = phone(browser, server, "grid1")
    page.set_viewport_size({"width": 1280, "height": 900})  # drawing is a desk task too
    page.goto(server + f"/buildingview/edit/{building.id}")
    box = page.locator(".grid-place:has(#footprint)")
    playwright.expect(box).to_have_attribute("data-loaded0", "1")
    box.locator(".grid-place-map").scroll_into_view_if_needed()
    box.locator(".leaflet-pm-icon-rectangle").click()
    for lat, lng in corners:
        x, y = box.evaluate("(box, at) => { const p = box.placeMap.latLngToContainerPoint(at); return [p.x, p.y]; }",
                            [lat, lng])
        box.locator(".grid-place-map").click(position={"x": x, "y": y})
    drawn = page.input_value("#footprint")
    assert '"Polygon"' in drawn
    page.click("button[type=submit]:visible")
    playwright.expect(page.locator(".alert-success")).to_have_count(1)
    db.session.expire_all()
    stored = to_shape(db.session.get(Building, building.id).footprint)
    (west, south), (east, north) = (corners[0][1], corners[0][0]), (corners[1][1], corners[1][0])
    assert all(abs(a - b) < 2e-5 for a, b in zip(stored.bounds, (west, south, east, north))), stored.bounds
    assert page.problems == []
