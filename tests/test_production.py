"""The production run (issue 12): gunicorn with two worker processes on the test database, as the
README's "Production" section starts it. A session signed in through one process is good on the
other, and the sign-in rate limit is counted once for all processes (RATELIMIT_STORAGE_URI=redis://).
Which process served a request comes from gunicorn's own access log (the worker's pid)."""
from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.engine import make_url

from app.models import Resident

ROOT = Path(__file__).resolve().parent.parent
REDIS = ("127.0.0.1", 6379)
GRID = 1  # the demo's first grid


def reachable(address) -> bool:
    try:
        socket.create_connection(address, timeout=1).close()
        return True
    except OSError:
        return False


class Server:
    """``gunicorn run:app`` with gunicorn.conf.py and two workers, on the app fixture's database."""

    def __init__(self, url, tmp_path, **env):
        self.access_log, self.error_log = tmp_path / "access.log", tmp_path / "error.log"
        environment = {
            **os.environ,
            "DATABASE_URL": url, "SECRET_KEY": "production-test-" + "x" * 32,
            "GRID_DEMO": "1", "GRID_BIND": "127.0.0.1:0", "GRID_WORKERS": "2", "GRID_THREADS": "2",
            "GRID_ACCESS_LOG": str(self.access_log), "GRID_ERROR_LOG": str(self.error_log),
            "GRID_UPLOAD_FOLDER": str(tmp_path / "uploads"), "GRID_INSTANCE_DIR": str(tmp_path), **env}
        self.process = subprocess.Popen([sys.executable, "-m", "gunicorn", "run:app"], cwd=ROOT, env=environment,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.port, self.workers = self._wait_until_serving()

    def _wait_until_serving(self, seconds=40):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            log = self.error_log.read_text() if self.error_log.exists() else ""
            port = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", log)
            workers = re.findall(r"Booting worker with pid: (\d+)", log)
            if port and len(workers) == 2:
                return int(port.group(1)), set(workers)
            assert self.process.poll() is None, f"gunicorn stopped:\n{log}"
            time.sleep(0.1)
        raise AssertionError(f"gunicorn did not start in {seconds} s:\n{log}")

    def request(self, method, path, cookie="", form=None, client="127.0.0.1") -> tuple[int, dict, str]:
        """One request on a connection of its own (so the workers take turns accepting), from the
        loopback address ``client``."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30, source_address=(client, 0))
        headers = {"Cookie": cookie} if cookie else {}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        result = response.status, response.headers, response.read().decode()
        connection.close()
        return result

    def served_by(self, request_line: str, client="127.0.0.1") -> list[str]:
        """The pids that served ``client``'s requests starting with ``request_line`` (access log)."""
        time.sleep(0.2)  # the last line is written after the response is sent
        return re.findall(rf'^{re.escape(client)} .*"{re.escape(request_line)}[^"]*" \d+ \d+ \d+ms <(\d+)>$',
                          self.access_log.read_text(), re.MULTILINE)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


@pytest.fixture(scope="module")
def server(databases, demo_template, tmp_path_factory):
    """One server for the module, on its own copy of the demo; the sign-in limit in Redis when
    there is one (4 attempts a minute per client address)."""
    url = databases.copy(demo_template)
    shared = {"RATELIMIT_STORAGE_URI": f"redis://{REDIS[0]}:{REDIS[1]}/0",
              "RATELIMIT_KEY_PREFIX": f"grid-test-{uuid.uuid4().hex}"} if reachable(REDIS) else {}
    running = Server(url, tmp_path_factory.mktemp("gunicorn"), AUTH_RATE_LIMIT="4 per minute", **shared)
    running.url, running.limit_shared = url, bool(shared)
    yield running
    running.stop()


def session_cookie(headers) -> str:
    cookie = SimpleCookie()
    for header in headers.get_all("Set-Cookie") or []:
        cookie.load(header)
    return f"session={cookie['session'].value}"


def sign_in_form(server, client="127.0.0.1") -> tuple[str, str]:
    """The sign-in page's session cookie and CSRF token."""
    status, headers, page = server.request("GET", "/login/", client=client)
    assert status == 200
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    return session_cookie(headers), token


def test_two_processes_serve_one_signed_in_session(server):
    cookie, token = sign_in_form(server)
    status, headers, _ = server.request("POST", "/login/", cookie, {"username": "secretary", "password": "demo123",
                                                                     "csrf_token": token})
    assert status == 302 and "/login" not in headers["Location"]
    cookie = session_cookie(headers)
    engine = create_engine(make_url(server.url))
    with engine.connect() as connection:
        grid_residents = set(connection.scalars(select(Resident.id).where(Resident.grid_id == GRID)))
    engine.dispose()
    path = f"/residentview/list/?_flt_0_grid={GRID}"

    def list_page(_):
        status, _headers, page = server.request("GET", path, cookie)
        shown = {int(found) for found in re.findall(r"/residentview/show/(\d+)", page)}
        return status, 'class="grid-logout"' in page, len(shown), shown <= grid_residents

    # Four clients at a time until both processes have served the list (both always do, early).
    results = []
    while len(set(server.served_by(f"GET {path}"))) < 2 and len(results) < 200:
        with ThreadPoolExecutor(4) as pool:
            results += pool.map(list_page, range(8))
    assert set(server.served_by(f"GET {path}")) == server.workers  # both processes, nothing else
    # Every response: the page, signed in, a full first page of grid 1's residents and no other's.
    assert set(results) == {(200, True, 25, True)} and len(grid_residents) > 25


def test_the_sign_in_limit_is_counted_once_for_all_processes(server):
    if not server.limit_shared:
        pytest.skip(f"Redis is not reachable on {REDIS[0]}:{REDIS[1]} (the shared rate-limit storage)")
    client = "127.0.0.2"  # another client address than the other test's: a limit of its own
    cookie, token = sign_in_form(server, client)

    def wrong_password(_):
        return server.request("POST", "/login/", cookie, {"username": "secretary", "password": "wrong",
                                                          "csrf_token": token}, client)[0]

    statuses = []
    while len(set(server.served_by("POST /login/", client))) < 2 or len(statuses) < 8:
        assert len(statuses) < 100, "one process took every attempt"
        with ThreadPoolExecutor(4) as pool:
            statuses += pool.map(wrong_password, range(4))
    # Both processes took attempts, and 4 were let through in all (refused, back to the form).
    # Counted per process (memory://), each would have let 4 through: at least 5.
    assert statuses.count(302) == 4 and statuses.count(429) == len(statuses) - 4
