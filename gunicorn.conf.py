"""gunicorn's settings, read from the environment: ``gunicorn run:app`` (from this folder).

See README "Production". The master prepares the database once (migrations, roles, demo seed) and
then forks the workers; the workers share nothing but the database, the rate limiter's storage
(RATELIMIT_STORAGE_URI) and the upload folder.
"""
import gc
import os


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


bind = os.environ.get("GRID_BIND") or f"127.0.0.1:{os.environ.get('PORT', '8080')}"
# The app is CPU-bound Python (templates, forms): one process per core, each serving one request at a
# time (sync workers), serves the most pages. A gthread worker accepts every keep-alive connection
# it can and then holds them, leaving the other process idle: 2 workers × 2 threads served half
# the list pages a second of 2 sync workers (benchmarks/load.py). Sync workers keep no connection
# open between requests: run them behind a reverse proxy that buffers (nginx), as gunicorn advises.
workers = _int("GRID_WORKERS", _int("WEB_CONCURRENCY", os.cpu_count() or 1))
threads = _int("GRID_THREADS", 1)
worker_class = "gthread" if threads > 1 else "sync"
# A CSV export of a district (900k rows) streams for a few seconds; a sync worker may take this long
# for one request before it is restarted.
timeout = _int("GRID_TIMEOUT", 120)
graceful_timeout = _int("GRID_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GRID_KEEPALIVE", 5)
# Each worker is restarted after this many requests (plus jitter), bounding any slow leak.
max_requests = _int("GRID_MAX_REQUESTS", 0)
max_requests_jitter = max_requests // 10
# The app once, in the master: configuration errors stop the start before any worker exists,
# and the workers share its memory pages.
preload_app = True
# No runtime control socket (gunicornc): one fixed path per user, which several servers on one host
# would share.
control_socket_disable = True

accesslog = os.environ.get("GRID_ACCESS_LOG", "-")
errorlog = os.environ.get("GRID_ERROR_LOG", "-")
loglevel = os.environ.get("GRID_LOG_LEVEL", "info")
# Common log format plus the time taken (ms) and the worker's pid <…>.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms %(p)s'


def _app(server):
    return server.app.wsgi()


def on_starting(server):
    """Once, in the master, before any worker: migrate, sync roles, seed the demo if asked
    (GRID_PREPARE=0 where a release step runs ``flask --app run prepare`` instead)."""
    from app.extensions import db
    from app.services.bootstrap import prepare_database

    app = _app(server)
    storage = app.config.get("RATELIMIT_STORAGE_URI", "memory://")
    if workers > 1 and storage.startswith("memory://"):
        server.log.warning("RATELIMIT_STORAGE_URI is memory://: each of the %d workers counts sign-in attempts "
                           "on its own; set RATELIMIT_STORAGE_URI=redis://… to share the limit.", workers)
    with app.app_context():
        if os.environ.get("GRID_PREPARE", "1") != "0":
            result = prepare_database()
            server.log.info("Database ready.%s", " Demo seeded." if result["seeded"] else "")
        db.session.remove()
        db.engine.dispose()  # no connection of the master's is inherited by a worker


def post_fork(server, worker):
    """A forked worker opens its own connections (close=False: the parent's are not ours to close)."""
    from app.extensions import db

    with _app(server).app_context():
        db.engine.dispose(close=False)


def pre_fork(server, worker):
    """The app's objects, loaded once in the master, out of the garbage collector's sight: a
    worker's collections then walk only what its requests made, and the pages the workers share
    stay shared (a collection writes to every object it visits)."""
    if os.environ.get("GRID_GC_FREEZE", "1") != "0":
        gc.collect()
        gc.freeze()
