"""Alembic environment: FAB's ``Model.metadata`` (app and security tables), GeoAlchemy2-aware."""
import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app
from flask_appbuilder import Model
from geoalchemy2 import alembic_helpers

from app.database import include_object

config = context.config
# Keeps the host's loggers (gunicorn's error and access logs, the app's) alive after a migration.
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

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
