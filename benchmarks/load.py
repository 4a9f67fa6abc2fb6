"""Loopback load test: gunicorn (gunicorn.conf.py) on DATABASE_URL, driven by wrk.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench100 python -m benchmarks.load [--seconds 20]

Signs in as ``--user`` through the sign-in form (CSRF token) and through the REST API (JWT), then
runs wrk against one grid's resident list page (and the API's resident list, same grid) with a few
keep-alive connections for a bounded time. Prints requests/s, latency p50/p99, errors (non-2xx
responses and socket errors) and where the CPU went (gunicorn, this database's PostgreSQL
backends, wrk, anything else on the machine). Installs Debian's wrk when it is missing. Reads the
database only (sign-in writes its audit rows). Not part of the tests.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
TICKS = os.sysconf("SC_CLK_TCK")
# wrk's Lua hooks: count responses outside 2xx (wrk itself counts only ≥ 400) and print the figures.
WRK_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
function response(status, headers, body) if status < 200 or status > 299 then bad = bad + 1 end end
function done(summary, latency, requests)
  local non2xx = 0
  for _, thread in ipairs(threads) do non2xx = non2xx + thread:get("bad") end
  local e = summary.errors
  io.write(string.format('RESULT {"requests": %d, "seconds": %f, "p50_ms": %f, "p99_ms": %f, "non2xx": %d, '
    .. '"socket_errors": %d}\\n', summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3,
    latency:percentile(99) / 1e3, non2xx, e.connect + e.read + e.write + e.timeout))
end
"""


def ensure_wrk() -> str:
    """wrk's path; installed from Debian's packages when missing (as ./dev installs its tools)."""
    if not shutil.which("wrk"):
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        print("Installing wrk …", file=sys.stderr)
        subprocess.run(sudo + ["apt-get", "update", "-qq"], check=True)
        subprocess.run(sudo + ["apt-get", "install", "-y", "-qq", "wrk"], check=True,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"}, stdout=subprocess.DEVNULL)
    return shutil.which("wrk")


class Gunicorn:
    def __init__(self, url: str, workers: int, threads: int, folder: Path):
        folder = Path(tempfile.mkdtemp(dir=folder))
        self.error_log = folder / "error.log"
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": os.environ.get("SECRET_KEY", "load-benchmark-" + "x" * 32),
               "GRID_BIND": "127.0.0.1:0", "GRID_WORKERS": str(workers), "GRID_THREADS": str(threads),
               "GRID_ACCESS_LOG": os.devnull, "GRID_ERROR_LOG": str(self.error_log), "GRID_PREPARE": "1",
               "GRID_UPLOAD_FOLDER": str(folder / "uploads")}
        self.process = subprocess.Popen([sys.executable, "-m", "gunicorn", "run:app"], cwd=ROOT, env=env)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            log = self.error_log.read_text() if self.error_log.exists() else ""
            port = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", log)
            if port and len(re.findall(r"Booting worker", log)) >= workers:
                self.port = int(port.group(1))
                return
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn stopped:\n{log}")
            time.sleep(0.2)
        raise SystemExit("gunicorn did not start")

    def pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return [self.process.pid, *map(int, children)]

    def request(self, method, path, headers=None, body=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        result = response.status, response.headers, response.read()
        connection.close()
        return result

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=60)


def sign_in(server: Gunicorn, username: str, password: str) -> str:
    """The session cookie of ``username``, signed in through the form with its CSRF token."""
    status, headers, page = server.request("GET", "/login/")
    cookie = SimpleCookie()
    cookie.load(headers["Set-Cookie"])
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1).decode()
    form = urlencode({"username": username, "password": password, "csrf_token": token})
    status, headers, _ = server.request("POST", "/login/", {
        "Cookie": f"session={cookie['session'].value}", "Content-Type": "application/x-www-form-urlencoded"}, form)
    if status != 302 or "/login" in headers.get("Location", ""):
        raise SystemExit(f"sign-in as {username} failed ({status})")
    cookie.load(headers["Set-Cookie"])
    return f"session={cookie['session'].value}"


def api_token(server: Gunicorn, username: str, password: str) -> str:
    status, _, body = server.request("POST", "/api/v1/security/login", {"Content-Type": "application/json"},
                                     json.dumps({"username": username, "password": password, "provider": "db"}))
    if status != 200:
        raise SystemExit(f"API sign-in as {username} failed ({status})")
    return json.loads(body)["access_token"]


def cpu_seconds(pids) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def machine_busy_seconds() -> float:
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / TICKS  # all but idle and iowait


def backend_pids(engine) -> list[int]:
    with engine.connect() as connection:
        return list(connection.scalars(text(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")))


def run_wrk(wrk, server, path, headers, seconds, connections, script: Path, engine) -> dict:
    """wrk's figures, and the CPU seconds of gunicorn, this database's backends, wrk and the machine."""
    command = [wrk, f"-t{min(2, connections)}", f"-c{connections}", "--timeout", "10s", "-s", str(script),
               *sum((["-H", h] for h in headers), []), f"http://127.0.0.1:{server.port}{path}"]
    subprocess.run([*command[:1], "-d2s", *command[1:]], check=True, capture_output=True)  # warm-up
    backends, processes = backend_pids(engine) if engine is not None else [], server.pids()
    before = (cpu_seconds(processes), cpu_seconds(backends), children_cpu_seconds(), machine_busy_seconds(),
              time.perf_counter())
    finished = subprocess.run([*command[:1], f"-d{seconds}s", *command[1:]], check=True, capture_output=True,
                              text=True)
    after = (cpu_seconds(processes), cpu_seconds(backends), children_cpu_seconds(), machine_busy_seconds(),
             time.perf_counter())
    result = json.loads(finished.stdout.split("RESULT ", 1)[1].splitlines()[0])
    result["rps"] = result["requests"] / result["seconds"]
    used = [b - a for a, b in zip(before, after)]
    result["cores"] = {name: value / used[4] for name, value in zip(("gunicorn", "postgres", "wrk"), used)}
    result["cores"]["rest"] = max(0.0, used[3] - sum(used[:3])) / used[4]
    return result


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # finished children: each wrk run
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, nargs="+", default=[1],
                        help="threads per worker; several values: one run each")
    parser.add_argument("--user", default="district")
    parser.add_argument("--password", default="demo123")
    parser.add_argument("--grid", type=int, help="the grid to filter by (default: the middle grid)")
    parser.add_argument("--no-api", action="store_true", help="the list page only")
    parser.add_argument("--path", action="append", default=[],
                        help="another page to load as the signed-in user (repeatable), e.g. a lighter one for comparison")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL")
    if not url:
        raise SystemExit("Set DATABASE_URL (e.g. postgresql://postgres@127.0.0.1:5432/<a copy of bench100>).")
    wrk = ensure_wrk()
    engine = create_engine(make_url(url).set(drivername="postgresql+psycopg")) if url.startswith("postgres") else None
    grid = args.grid
    if grid is None:
        probe = engine or create_engine(url)
        with probe.connect() as connection:
            grid = connection.scalar(text("SELECT id FROM grid ORDER BY id OFFSET (SELECT count(*) / 2 FROM grid) "
                                          "LIMIT 1"))
    folder = Path(tempfile.mkdtemp(prefix="grid-load-"))
    script = folder / "count.lua"
    script.write_text(WRK_SCRIPT)
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f} before; grid {grid}; "
          f"{args.connections} connections, {args.seconds} s per run")
    print(f"{'what':<30} {'workers×threads':>15} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} "
          f"{'CPU ms/req: app':>16} {'PG':>5}   cores busy: gunicorn / PostgreSQL / wrk / rest of machine")
    for threads in args.threads:
        server = Gunicorn(url, args.workers, threads, folder)
        try:
            targets = [("resident list page, one grid", f"/residentview/list/?_flt_0_grid={grid}",
                        [f"Cookie: {sign_in(server, args.user, args.password)}"])]
            cookie = targets[0][2]
            targets += [(path[:30], path, cookie) for path in args.path]
            if not args.no_api:
                q = f"(filters:!((col:grid,opr:rel_o_m,value:{grid})),page:0,page_size:25)"
                targets.append(("REST API resident list, same", f"/api/v1/resident/?q={q}",
                                [f"Authorization: Bearer {api_token(server, args.user, args.password)}"]))
            for name, path, headers in targets:
                status = server.request("GET", path, dict(h.split(": ", 1) for h in headers))[0]
                if status != 200:
                    raise SystemExit(f"{path} answered {status}")
                r = run_wrk(wrk, server, path, headers, args.seconds, args.connections, script, engine)
                cores = " / ".join(f"{r['cores'][part]:.2f}" for part in ("gunicorn", "postgres", "wrk", "rest"))
                per_request = [1000 * r["cores"][part] / r["rps"] for part in ("gunicorn", "postgres")]
                print(f"{name:<30} {f'{args.workers}×{threads}':>15} {r['rps']:>8.0f} {r['p50_ms']:>8.1f} "
                      f"{r['p99_ms']:>8.1f} {r['non2xx'] + r['socket_errors']:>7} {per_request[0]:>16.1f} "
                      f"{per_request[1]:>5.1f}   {cores}", flush=True)
        finally:
            server.stop()
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
