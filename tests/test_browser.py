"""The pickers in a real browser (Debian's Chromium driven by Playwright)."""
import shutil
import threading
from urllib.parse import urlparse

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from app.extensions import db
from app.models import Building

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
playwright = pytest.importorskip("playwright.sync_api", reason="installed by ./dev test")


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def page(live_server):
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run"])
        page = browser.new_page()
        page.problems = []
        page.on("pageerror", lambda error: page.problems.append(f"page error: {error}"))
        page.on("response", lambda r: r.status >= 400 and page.problems.append(f"{r.status}: {r.url}"))
        page.on("request", lambda r: urlparse(r.url).hostname not in ("127.0.0.1", None)
                and page.problems.append(f"foreign request: {r.url}"))
        page.goto(live_server + "/login/")
        page.fill("#username", "admin")
        page.fill("#password", "demo123")
        page.click("input[type=submit]")
        page.base = live_server
        yield page
        browser.close()


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
