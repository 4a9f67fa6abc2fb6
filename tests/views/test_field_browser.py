"""The field app on an emulated phone (Debian's Chromium, 390×844, touch, geolocation): a report
lands in the grid of the phone's position; with no signal a report with a photo and a visit wait on
the phone, survive a reload, and are sent once when the signal is back. One server and one browser
for the module (CI time)."""
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.extensions import db
from app.models import Case, CasePhoto, FieldReceipt, Visit
from conftest import dispose, make_app
from test_browser import CHROMIUM, playwright, serve, signed_in_page

pytestmark = pytest.mark.engine_independent  # pages and scripts; the data path is tested on both

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2, "geolocation": {"longitude": 117.0568, "latitude": 36.6934, "accuracy": 12},
         "permissions": ["geolocation"], "locale": "zh-CN"}


@pytest.fixture(scope="module")
def site(databases, demo_template):
    """The app as deployed (CSRF on, CSP enforced) and a browser, for the module."""
    app = make_app(databases.copy(demo_template), WTF_CSRF_ENABLED=True)
    server = serve(app)
    with app.app_context(), playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"])
        yield browser, f"http://127.0.0.1:{server.server_port}", app
        browser.close()
    server.shutdown()
    dispose(app)


def phone(site, username):
    """A phone signed in as ``username`` on the field app (``page.problems`` as in test_browser)."""
    browser, base, _app = site
    page = signed_in_page(browser, base, username, **PHONE)
    page.goto(base + "/field/")
    page.wait_for_selector("#f-user:not(:empty)")
    return page.context, page


def photo(tmp_path, name="photo.jpg", size=(2400, 1800)):
    path = tmp_path / name
    Image.effect_noise(size, 60).convert("RGB").save(path, "JPEG", quality=95)
    return path


def fresh(query):
    db.session.remove()
    return db.session.execute(query).all()


def test_a_report_lands_in_the_grid_of_the_phones_position(site, tmp_path):
    context, page = phone(site, "volunteer")
    page.click("[data-tab=report]")
    page.wait_for_selector("#f-where:has-text('117.05680')")
    page.select_option("#f-category", label="环境卫生")
    page.fill("#f-text", "楼道口垃圾堆放")
    page.set_input_files("#f-photo", str(photo(tmp_path)))
    page.wait_for_selector("#f-thumbs[data-count='1']")
    page.click("#f-report button[type=submit]")
    page.wait_for_selector("#f-status:has-text('SYN-01')")
    (case_id, code, x, y), = fresh(select(Case.id, Case.grid.property.mapper.class_.code, func.ST_X(Case.location),
                                          func.ST_Y(Case.location)).join(Case.grid).where(Case.title == "楼道口垃圾堆放"))
    assert code == "SYN-01" and (round(x, 4), round(y, 4)) == (117.0568, 36.6934)
    (name, kind), = fresh(select(CasePhoto.stored_name, CasePhoto.content_type).where(CasePhoto.case_id == case_id))
    stored = Image.open(Path(site[2].config["UPLOAD_FOLDER"]) / "cases" / name)
    assert kind == "image/jpeg" and max(stored.size) == 1280  # 2400 px wide on the phone: made smaller there
    assert page.problems == []
    context.close()


def test_offline_a_report_and_a_visit_wait_survive_a_reload_and_are_sent_once(site, tmp_path):
    context, page = phone(site, "grid1")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now under the service worker
    page.wait_for_selector("#f-user:not(:empty)")
    assert page.evaluate("!!navigator.serviceWorker.controller")
    page.click("[data-tab=visit]")
    page.wait_for_selector("#f-building option:nth-child(2)", state="attached")
    page.select_option("#f-building", index=1)
    page.wait_for_selector("#f-household option:nth-child(2)", state="attached")
    cases, visits = fresh(select(func.count(Case.id)))[0][0], fresh(select(func.count(Visit.id)))[0][0]

    context.set_offline(True)
    page.select_option("#f-household", index=1)
    page.select_option("#f-purpose", "assistance")
    page.fill("#f-notes", "离线走访记录")
    page.click("#f-visit button[type=submit]")
    page.click("[data-tab=report]")
    page.select_option("#f-category", label="安全隐患")
    page.fill("#f-text", "离线上报的井盖缺失")
    page.set_input_files("#f-photo", str(photo(tmp_path)))
    page.wait_for_selector("#f-thumbs[data-count='1']")
    page.click("#f-report button[type=submit]")
    page.wait_for_selector("#f-queue:has-text('2')")
    page.reload()  # no signal: the shell and the queue come from the phone
    page.wait_for_selector("#f-queue:has-text('2')")
    assert page.locator("#tab-today .f-card").count() == 4  # the last today-list, kept

    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("#f-queue", state="hidden", timeout=20000)
    assert fresh(select(func.count(Case.id)))[0][0] == cases + 1
    assert fresh(select(func.count(Visit.id)))[0][0] == visits + 1
    (case_id,), = fresh(select(Case.id).where(Case.title == "离线上报的井盖缺失"))
    (kind, size), = fresh(select(CasePhoto.content_type, CasePhoto.size).where(CasePhoto.case_id == case_id))
    assert kind == "image/jpeg" and size > 10_000  # the photo came through whole
    assert fresh(select(func.count(FieldReceipt.id)).where(FieldReceipt.case_id == case_id))[0][0] == 1
    assert page.problems == []

    # Sign-out with nothing waiting: no question; the phone keeps nothing.
    page.click("#f-signout")
    page.wait_for_url(lambda url: "/field/" not in url)
    assert page.evaluate("caches.keys()") == []
    context.close()


def test_sign_out_asks_while_items_wait_and_then_leaves_nothing_on_the_phone(site):
    context, page = phone(site, "volunteer")
    page.route("**/field/report", lambda route: route.abort())  # the answer never comes: the item waits
    page.click("[data-tab=report]")
    page.wait_for_selector("#f-where:has-text('117.05680')")
    page.select_option("#f-category", index=1)
    page.click("#f-report button[type=submit]")
    page.wait_for_selector("#f-queue:has-text('1')")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.click("#f-signout")
    page.wait_for_timeout(300)
    assert asked and "1" in asked[0] and "/field/" in page.url  # dismissed: still signed in, item kept
    assert page.locator("#f-queue").inner_text().startswith("1")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#f-signout")
    page.wait_for_url(lambda url: "/field/" not in url)
    assert page.evaluate("indexedDB.databases().then(list => list.map(d => d.name))") == []
    assert page.evaluate("caches.keys()") == []
    assert [problem for problem in page.problems if "ERR_FAILED" not in problem] == []  # but the aborted send
    context.close()
