"""Alembic environment: FAB's ``Model.metadata`` (app and security tables), GeoAlchemy2-aware."""
import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app
from flask_appbuilder import Model
from geoalchemy2 import alembic_helpers

config = context.config
fileConfig(config.config_file_name)
logger = logging.getLogger("alembic.env")

# Tables that SpatiaLite or PostGIS create for themselves; never ours to migrate.
SPATIAL_INTERNAL_TABLES = {
    "KNN", "KNN2", "SpatialIndex", "ElementaryGeometries", "data_licenses", "sql_statements_log",
    "spatial_ref_sys", "spatial_ref_sys_aux", "spatialite_history", "geometry_columns",
    "geometry_columns_auth", "geometry_columns_statistics", "geometry_columns_field_infos",
    "geometry_columns_time", "views_geometry_columns", "virts_geometry_columns",
    "layer_statistics", "views_layer_statistics", "virts_layer_statistics", "vector_layers",
    "vector_layers_auth", "vector_layers_statistics", "vector_layers_field_infos",
    "SE_external_graphics", "SE_fonts", "SE_raster_styled_layers", "SE_raster_styles",
    "SE_vector_styled_layers", "SE_vector_styles", "rl2map_configurations", "stored_procedures",
    "stored_variables", "topologies", "networks", "raster_coverages", "raster_coverages_keyword",
    "raster_coverages_srid", "vector_coverages", "vector_coverages_keyword",
    "vector_coverages_srid", "wms_getcapabilities", "wms_getmap", "wms_ref_sys", "wms_settings",
    "ISO_metadata", "ISO_metadata_reference", "ISO_metadata_view",
}
SPATIAL_INTERNAL_PREFIXES = ("idx_", "sqlite_", "geometry_columns_", "vector_", "SE_", "virts_", "views_")


def include_object(obj, name, obj_type, reflected, compare_to):
    if obj_type == "table" and reflected and compare_to is None and (
        name in SPATIAL_INTERNAL_TABLES or name.startswith(SPATIAL_INTERNAL_PREFIXES)
    ):
        return False
    return alembic_helpers.include_object(obj, name, obj_type, reflected, compare_to)


def process_revision_directives(context_, revision, directives):
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        logger.info("No changes in schema detected.")
        return
    alembic_helpers.writer.process_revision_directives(context_, revision, directives)


def configure(connection=None, url=None):
    context.configure(
        connection=connection,
        url=url,
        target_metadata=Model.metadata,
        include_object=include_object,
        render_item=alembic_helpers.render_item,
        process_revision_directives=process_revision_directives,
        **current_app.extensions["migrate"].configure_args,
    )


def run_migrations_offline():
    configure(url=current_app.config["SQLALCHEMY_DATABASE_URI"])
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    engine = current_app.extensions["migrate"].db.engine
    with engine.connect() as connection:
        configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
