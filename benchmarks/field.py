"""The field app on an emulated slow phone: Chromium at 390×844 with its network throttled
(DevTools' network conditions: 400 kbit/s each way, 400 ms round trip), against the app served on
the loopback. Prints, and with ``--write`` puts into docs/benchmarks.md:

- the first screen usable (the user's today-list shown) on a first visit (nothing cached) and on
  a repeat visit (the service worker's copies), median of ``--repeat`` visits each;
- the bytes a report with two phone photos of about 4 MB each sends (resized on the phone).

    .venv/bin/python -m benchmarks.field [--repeat 3] [--write]
"""
from __future__ import annotations

import argparse
import re
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path

from .common import bench_app

KBIT = 1000 / 8  # bytes per second in one kbit/s
SLOW_3G = {"offline": False, "latency": 400, "downloadThroughput": 400 * KBIT, "uploadThroughput": 400 * KBIT}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2,
         "geolocation": {"longitude": 117.0568, "latitude": 36.6934, "accuracy": 10},
         "permissions": ["geolocation"], "locale": "zh-CN"}
DOCS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
HEADING = "## The field app on a slow phone (issue 21)"


def phone_photo(path: Path, megabytes: float = 4.0) -> int:
    """A camera-like JPEG (4000×3000, fine detail) of about ``megabytes``; its size."""
    from PIL import Image, ImageFilter

    base = Image.effect_noise((1000, 750), 90).resize((4000, 3000)).filter(ImageFilter.GaussianBlur(1))
    detail = Image.effect_noise((4000, 3000), 40)
    picture = Image.merge("RGB", (Image.blend(base, detail, 0.5), base, detail))
    for quality in range(70, 100, 3):
        picture.save(path, "JPEG", quality=quality)
        if path.stat().st_size >= megabytes * 1_000_000:
            break
    return path.stat().st_size


RECEIVED: dict[str, int] = {}  # path → bytes of the last request body the server received


def counting(wsgi_app):
    """The app, noting the size of each request body as it arrives (what the phone sent)."""
    def app(environ, start_response):
        RECEIVED[environ.get("PATH_INFO", "")] = int(environ.get("CONTENT_LENGTH") or 0)
        return wsgi_app(environ, start_response)
    return app


def serve(app):
    from werkzeug.serving import make_server

    app.wsgi_app = counting(app.wsgi_app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def sign_in(page, base, username):
    page.goto(base + "/login/")
    page.fill("#username", username)
    page.fill("#password", "demo123")
    page.click("input[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)


def throttled(context, page):
    session = context.new_cdp_session(page)
    session.send("Network.enable")
    session.send("Network.emulateNetworkConditions", SLOW_3G)
    return session


def first_screen_seconds(page, base) -> float:
    started = time.perf_counter()
    page.goto(base + "/field/", wait_until="commit")
    page.wait_for_selector("#f-user:not(:empty)", timeout=60_000)
    return time.perf_counter() - started


def measure(browser, base, repeat: int, folder: Path) -> dict:
    first, again = [], []
    for _ in range(repeat):
        context = browser.new_context(**PHONE)
        page = context.new_page()
        sign_in(page, base, "grid1")  # the sign-in page is not the field app's: not timed
        throttled(context, page)
        first.append(first_screen_seconds(page, base))
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        page.wait_for_timeout(1000)  # the worker has its copies
        again.append(first_screen_seconds(page, base))
        context.close()

    context = browser.new_context(**PHONE)
    page = context.new_page()
    sign_in(page, base, "volunteer")
    page.goto(base + "/field/")
    page.wait_for_selector("#f-user:not(:empty)")
    photos = [folder / "a.jpg", folder / "b.jpg"]
    originals = [phone_photo(path) for path in photos]
    throttled(context, page)
    page.click("[data-tab=report]")
    page.wait_for_selector("#f-where:has-text('117.05680')")
    page.select_option("#f-category", index=1)
    page.fill("#f-text", "楼道堆放杂物")
    started = time.perf_counter()
    page.set_input_files("#f-photo", [str(path) for path in photos])
    page.wait_for_selector("#f-thumbs[data-count='2']", timeout=60_000)
    page.click("#f-report button[type=submit]")
    page.wait_for_selector("#f-status:has-text('SYN-01')", timeout=120_000)
    send_seconds = time.perf_counter() - started
    context.close()
    return {"first": first, "again": again, "originals": originals, "sent": RECEIVED.get("/field/report", 0),
            "send_seconds": send_seconds}


def report(result: dict, repeat: int) -> str:
    first, again = statistics.median(result["first"]), statistics.median(result["again"])
    return "\n".join([
        HEADING, "",
        f"Measured {time.strftime('%Y-%m-%d')} with `python -m benchmarks.field --repeat {repeat}` (SQLite demo,",
        "app on the loopback, Debian's Chromium at 390×844 with DevTools' network conditions: 400 kbit/s",
        "down and up, 400 ms round trip). \"Usable\" is the user's today-list on the screen, timed from",
        "the navigation (a grid manager, signed in beforehand). Medians of the visits; all runs in brackets.",
        "",
        "| what | measured | goal | met |", "|---|---|---|---|",
        f"| first screen, first visit (nothing cached) | {first:.2f} s ({', '.join(f'{s:.2f}' for s in result['first'])}) "
        f"| 6 s | {'yes' if first <= 6 else 'no'} |",
        f"| first screen, repeat visit (service worker) | {again:.2f} s ({', '.join(f'{s:.2f}' for s in result['again'])}) "
        f"| 3 s | {'yes' if again <= 3 else 'no'} |",
        f"| a report with two photos of {result['originals'][0] / 1e6:.1f} and {result['originals'][1] / 1e6:.1f} MB: "
        f"request size | {result['sent'] / 1e6:.2f} MB | under 1 MB | {'yes' if 0 < result['sent'] < 1_000_000 else 'no'} |",
        f"| the same report: photos chosen → case number on the screen | {result['send_seconds']:.1f} s | — | — |",
        "",
        "The shell is a page of its own (no Bootstrap or jQuery: about 20 KB with its script and style),",
        "so a first visit is a few round trips; on a repeat visit the service worker answers the shell",
        "and the app's files from its copies and asks the network only for the today-list (its copy is",
        "shown when there is no signal). Photos are drawn on a canvas at most 1280 px on their longest",
        "side and sent as JPEG at quality 0.7. DevTools' network conditions apply to the page's own",
        "requests; the worker's own fetches (the shell and the today-list on a repeat visit) may bypass",
        "them, so the repeat visit is the better case of the two.",
        ""])


def write(section: str) -> None:
    text = DOCS.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(HEADING) + r".*?(?=\n## |\Z)", re.S)
    text = pattern.sub(section.rstrip() + "\n", text) if pattern.search(text) else text.rstrip() + "\n\n" + section
    DOCS.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--write", action="store_true", help="put the section into docs/benchmarks.md")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    app = bench_app()
    server = serve(app)
    folder = Path(tempfile.mkdtemp(prefix="grid-field-bench-"))
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                        args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
            result = measure(browser, f"http://127.0.0.1:{server.server_port}", args.repeat, folder)
            browser.close()
    finally:
        server.shutdown()
        shutil.rmtree(folder, ignore_errors=True)
    section = report(result, args.repeat)
    print(section)
    if args.write:
        write(section)


if __name__ == "__main__":
    main()
