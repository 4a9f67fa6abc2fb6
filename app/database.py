"""Database engines: SQLite + SpatiaLite (embedded default) or PostgreSQL + PostGIS.

SpatiaLite is loaded on every new SQLite connection. Python builds whose ``sqlite3`` cannot load
extensions (pyenv's, macOS's) use ``pysqlite3`` instead, which can.
"""
from __future__ import annotations

import importlib
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url


class StartupError(RuntimeError):
    """A problem with the machine that stops the app; its message is one sentence for the user."""


SPATIALITE_HINT = (
    "SpatiaLite is not installed: install it with `sudo apt-get install libsqlite3-mod-spatialite` "
    "(Debian/Ubuntu) or set SPATIALITE_LIBRARY_PATH to mod_spatialite's location, then start again."
)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_module():
    """The first DB-API sqlite module on this Python that can load extensions."""
    for name in ("sqlite3", "pysqlite3.dbapi2"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if hasattr(module.connect(":memory:"), "enable_load_extension"):
            return module
    raise StartupError(
        "This Python's sqlite3 cannot load extensions and pysqlite3 is missing: "
        "install it with `pip install pysqlite3`."
    )


def load_spatialite(dbapi_conn, library: str) -> None:
    dbapi_conn.enable_load_extension(True)
    try:
        dbapi_conn.load_extension(library)
    finally:
        dbapi_conn.enable_load_extension(False)


def check_spatialite(module, library: str) -> None:
    conn = module.connect(":memory:")
    try:
        load_spatialite(conn, library)
        spatialite_geos = conn.execute("SELECT geos_version()").fetchone()[0]
    except Exception as exc:  # the driver raises its own OperationalError class
        raise StartupError(SPATIALITE_HINT) from exc
    finally:
        conn.close()
    check_one_geos(spatialite_geos)


def check_one_geos(spatialite_geos: str) -> None:
    """Shapely and SpatiaLite must share one GEOS library.

    SQLite loads SpatiaLite with RTLD_GLOBAL, so its GEOS symbols take over calls that a wheel's
    bundled GEOS has not bound yet; two versions in one process then fail or crash at random.
    """
    import shapely

    shapely_geos = ".".join(map(str, shapely.geos_version))
    if not spatialite_geos.startswith(shapely_geos):
        raise StartupError(
            f"Shapely uses GEOS {shapely_geos} but SpatiaLite uses GEOS {spatialite_geos}: rebuild "
            "Shapely against the system GEOS with `pip install --force-reinstall --no-binary shapely "
            "shapely` (needs libgeos-dev), as ./dev does."
        )


def configure(app) -> None:
    """Set engine options for the configured URL; fail early with a clear sentence."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if make_url(url).drivername in ("postgresql", "postgres"):
        # psycopg 3 is the driver we install, whatever SQLAlchemy's default for the version.
        url = str(make_url(url).set(drivername="postgresql+psycopg").render_as_string(hide_password=False))
        app.config["SQLALCHEMY_DATABASE_URI"] = url
    options = app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
    if is_sqlite(url):
        module = sqlite_module()
        check_spatialite(module, app.config["SPATIALITE_LIBRARY_PATH"])
        options.setdefault("module", module)
        # Pool connections per thread; SpatiaLite loads once per connection.
        options.setdefault("connect_args", {"timeout": 30})
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
    else:
        options.setdefault("pool_pre_ping", True)
        # Per connection: no JIT (compiling a district-wide plan took 100-300 ms, never repaid by a
        # page's short queries); a plan for each query's own values (a generic plan chosen for
        # "grid = $1 … ORDER BY id LIMIT 25" may walk the whole district's key for a small grid).
        options.setdefault("connect_args", {"options": "-c jit=off -c plan_cache_mode=force_custom_plan"})


def install_listeners(engine: Engine, library: str) -> None:
    """Per-connection set-up of a SpatiaLite engine (idempotent per engine)."""
    if engine.dialect.name != "sqlite" or getattr(engine, "_grid_listeners", False):
        return
    engine._grid_listeners = True

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record):
        load_spatialite(dbapi_conn, library)
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        # Reads through the OS's page cache instead of copies into SQLite's small (2 MB) one: a
        # district's export looks up households and heads all over the file.
        cursor.execute("PRAGMA mmap_size = 1073741824")
        if cursor.execute("SELECT CheckSpatialMetaData()").fetchone()[0] < 1:
            # Only WGS84 reference systems: all geometry here is SRID 4326.
            cursor.execute("SELECT InitSpatialMetaData(1, 'WGS84')")
        cursor.close()


# Tables that SpatiaLite or PostGIS create for themselves; never ours to migrate.
SPATIAL_INTERNAL_TABLES = {
    "KNN", "KNN2", "SpatialIndex", "ElementaryGeometries", "data_licenses", "sql_statements_log",
    "spatial_ref_sys", "spatial_ref_sys_aux", "spatialite_history", "geometry_columns",
    "layer_statistics", "rl2map_configurations", "stored_procedures", "stored_variables",
    "topologies", "networks", "raster_coverages", "ISO_metadata", "ISO_metadata_reference",
    "ISO_metadata_view", "wms_getcapabilities", "wms_getmap", "wms_ref_sys", "wms_settings",
}
SPATIAL_INTERNAL_PREFIXES = ("idx_", "sqlite_", "geometry_columns_", "vector_", "SE_", "virts_",
                             "views_", "raster_coverages_", "vector_coverages")


def include_object(obj, name, obj_type, reflected, compare_to):
    """Alembic filter: leave the spatial extensions' own tables alone."""
    from geoalchemy2 import alembic_helpers

    if obj_type == "table" and reflected and compare_to is None and (
        name in SPATIAL_INTERNAL_TABLES or name.startswith(SPATIAL_INTERNAL_PREFIXES)
    ):
        return False
    return alembic_helpers.include_object(obj, name, obj_type, reflected, compare_to)


def refresh_statistics(session) -> None:
    """Let the query planner know the data: without statistics SQLite takes a grid filter for
    selective and sorts a whole community's rows before a list or an export shows the first one.
    (Not sampled: SQLite's ``analysis_limit`` misjudged six grids as a thousand.) PostgreSQL's
    autovacuum keeps its own statistics; this brings them up to date after a bulk load, and marks
    the new rows all-visible (VACUUM) so that index-only scans need not visit the table."""
    from sqlalchemy import text

    if session.get_bind().dialect.name == "postgresql":
        session.commit()
        with session.get_bind().connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM (ANALYZE)"))
        return
    session.execute(text("ANALYZE"))
    session.commit()
