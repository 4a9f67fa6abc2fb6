"""The schema comes from Alembic, on SpatiaLite and on PostGIS alike, and matches the models."""
import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_appbuilder import Model
from sqlalchemy import inspect

from app.database import include_object
from app.extensions import db
from conftest import dispose, make_app

APP_TABLES = {"community", "grid", "building", "household", "resident", "facility", "ab_user", "ab_role"}


def schema_differences():
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": include_object,
                                                         "compare_type": True})
        return compare_metadata(context, Model.metadata)


def test_upgrade_builds_the_schema_and_autogenerate_finds_no_difference(databases):
    app = make_app(databases.empty())
    try:
        with app.app_context():
            assert not APP_TABLES & set(inspect(db.engine).get_table_names()), "database starts empty"
            flask_migrate.upgrade()
            assert APP_TABLES <= set(inspect(db.engine).get_table_names())
            assert schema_differences() == []
            spatial_indexes = {c["name"] for c in inspect(db.engine).get_columns("building")}
            assert {"footprint", "entrance"} <= spatial_indexes
    finally:
        dispose(app)


def test_downgrade_to_base_and_upgrade_again(databases):
    app = make_app(databases.empty())
    try:
        with app.app_context():
            flask_migrate.upgrade()
            flask_migrate.downgrade(revision="base")
            assert not APP_TABLES & set(inspect(db.engine).get_table_names())
            flask_migrate.upgrade()
            assert schema_differences() == []
    finally:
        dispose(app)
