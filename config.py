"""Configuration read from the environment; see README "Configuration"."""
import datetime as dt
import os
from pathlib import Path

from flask_appbuilder.const import AUTH_DB

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("GRID_INSTANCE_DIR", BASE_DIR / "instance"))

# Embedded default: an SQLite file with SpatiaLite. DATABASE_URL=postgresql://… selects PostGIS.
SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'grid.db'}"
SQLALCHEMY_TRACK_MODIFICATIONS = False

# Demo mode seeds 桑园南社区 and its demo accounts. On by default only for the embedded database.
GRID_DEMO = os.environ.get("GRID_DEMO", "0" if os.environ.get("DATABASE_URL") else "1") == "1"
SECRET_KEY = os.environ.get("SECRET_KEY") or ("grid-demo-only-secret" if GRID_DEMO else None)
SPATIALITE_LIBRARY_PATH = os.environ.get("SPATIALITE_LIBRARY_PATH", "mod_spatialite")

APP_NAME = "社区党建网格化管理平台"
APP_THEME = ""
AUTH_TYPE = AUTH_DB

# The schema comes from Alembic only: FAB's create_all and permission sync run after migrations.
FAB_CREATE_DB = False
FAB_UPDATE_PERMS = False
FAB_ADD_SECURITY_VIEWS = True
FAB_API_SWAGGER_UI = False

BABEL_DEFAULT_LOCALE = "zh"
BABEL_DEFAULT_FOLDER = str(BASE_DIR / "translations")
BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")
LANGUAGES = {
    "zh": {"flag": "cn", "name": "中文"},
    "en": {"flag": "gb", "name": "English"},
}

# Security. CSRF on every state-changing request; failed sign-ins limited per account and per
# client address, the page's and the API's together (app/security/signin.py; the counts are in
# RATELIMIT_STORAGE_URI=redis://… when several processes serve the app).
WTF_CSRF_ENABLED = True
WTF_CSRF_TIME_LIMIT = None  # valid for the session: a long form does not expire under the user
AUTH_RATE_LIMITED = True
RATELIMIT_ENABLED = True
AUTH_RATE_LIMIT = os.environ.get("AUTH_RATE_LIMIT", "10 per minute")  # failures per account
AUTH_RATE_LIMIT_PER_ADDRESS = os.environ.get("AUTH_RATE_LIMIT_PER_ADDRESS", "30 per minute")  # failures per address
# Reverse proxies in front of the app (nginx: 1): the client's address is then read from their
# X-Forwarded-For, so that the per-address sign-in budget counts clients, not the proxy.
GRID_PROXIES = int(os.environ.get("GRID_PROXIES", "0"))
RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "grid")  # apps sharing one Redis count apart
# Behind HTTPS (GRID_HTTPS=1): Secure cookies, redirects to https and HSTS.
GRID_HTTPS = os.environ.get("GRID_HTTPS", "0") == "1"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
REMEMBER_COOKIE_HTTPONLY = True
REMEMBER_COOKIE_SAMESITE = "Lax"
# Everything comes from this host; scripts also need this request's nonce (FAB's templates carry it).
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",  # FAB's templates use style attributes
    "img-src": "'self' data: blob:",  # blob: the field app's photos, shown before they are sent
    "font-src": "'self' data:",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'self'",
}
TIMEZONE = os.environ.get("GRID_TIMEZONE", "Asia/Shanghai")

# The map works with no tile server; TILE_URL (e.g. 天地图's) adds a base layer under our own data.
TILE_URL = os.environ.get("TILE_URL", "")
TILE_ATTRIBUTION = os.environ.get("TILE_ATTRIBUTION", "")

# Case photos live under the instance folder; each at most this big.
UPLOAD_FOLDER = os.environ.get("GRID_UPLOAD_FOLDER", str(INSTANCE_DIR / "uploads"))
CASE_PHOTO_MAX_BYTES = 8_000_000
MAX_CONTENT_LENGTH = 40_000_000  # a request larger than this is refused before it is read
CASE_DUE_SOON_DAYS = 2

# The REST API's tokens (FAB's JWT, signed with SECRET_KEY): short-lived access tokens, and a
# refresh token that lasts a phone through a week of shifts.
JWT_ACCESS_TOKEN_EXPIRES = dt.timedelta(minutes=int(os.environ.get("GRID_JWT_ACCESS_MINUTES", "60")))
JWT_REFRESH_TOKEN_EXPIRES = dt.timedelta(days=int(os.environ.get("GRID_JWT_REFRESH_DAYS", "7")))

# A session used on the field app (/field/, the phone in the street) lasts a working day from its
# sign-in, not as long as the browser keeps it: a lost or shared phone is signed out by the evening.
GRID_FIELD_SESSION_HOURS = int(os.environ.get("GRID_FIELD_SESSION_HOURS", "12"))

# The dashboard's figures are kept in the database this many seconds at most, and only while the
# tables they were counted from are unchanged (app/services/figure_cache.py): every write through the
# app says which tables it changed, so the limit only bounds writes made around the app. 0 counts every view.
GRID_DASHBOARD_CACHE_SECONDS = int(os.environ.get("GRID_DASHBOARD_CACHE_SECONDS", "3600"))

# Registry lists stay short; every list is paged.
FAB_API_MAX_PAGE_SIZE = 100
PORT = int(os.environ.get("PORT", "8080"))

# Lists count their rows exactly up to this many; beyond, PostgreSQL's estimate is shown as one
# (an exact count of a district's 900k residents costs more than the page).
GRID_EXACT_COUNT_UP_TO = int(os.environ.get("GRID_EXACT_COUNT_UP_TO", "20000"))
