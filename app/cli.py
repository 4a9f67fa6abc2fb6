"""Flask CLI: ``flask --app run seed demo``, ``stats [--json]``, ``prepare``, ``sync-roles``.

A command that reads or writes the community's data acts as the system, on purpose, for a purpose
the audit log records (``with actor.system("…")``, ``app.security.actor``)."""
from __future__ import annotations

import functools
import json
import time

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from flask_babel import force_locale

from .security import actor

seed = AppGroup("seed", help="Load demo data.")


def needs_migrated(command):
    """A command that reads or writes the app's tables stops with one sentence (exit 1), not a
    traceback, on a database that is not at this code's migration."""
    @functools.wraps(command)
    def checked(*args, **kwargs):
        from .services.bootstrap import DatabaseNotReady, check_migrated

        try:
            check_migrated()
        except DatabaseNotReady as problem:
            raise click.ClickException(str(problem)) from None
        return command(*args, **kwargs)
    return with_appcontext(checked)


@seed.command("demo")
@needs_migrated
def seed_demo_command():
    """桑园南社区 with the report's figures; running it again changes nothing."""
    import seeds

    from .services.bootstrap import demo_accounts_text

    demo_mode = bool(current_app.config.get("GRID_DEMO"))
    started = time.perf_counter()
    with actor.system("seed demo"):
        added = seeds.load_demo(accounts=demo_mode)
    messages = {
        "registry": f"Seeded 桑园南社区 in {time.perf_counter() - started:.1f} s.",
        "accounts": demo_accounts_text(),
        "cases": "Seeded the demo cases.",
        "aid": "Seeded the demo mutual-aid ledger.",
        "community_work": "Seeded the demo diary, visits, volunteers and residents' group.",
        "recommendations": "Seeded the demo meetings, supervision, co-building units and service cards.",
        "patrols": "Seeded the demo patrols and their tracks.",
    }
    if not added["registry"]:
        click.echo("桑园南社区 is already there; nothing changed.")
    if not demo_mode:
        click.echo("Not in demo mode (GRID_DEMO=1): no demo accounts created.")
    for part in seeds.PARTS:
        if added[part]:
            click.echo(messages[part])


@seed.command("scale")
@click.option("--communities", type=click.IntRange(1, 9999), required=True,
              help="How many communities shaped like the demo the district should hold.")
@needs_migrated
def seed_scale_command(communities):
    """A district for the benchmarks: N communities beside the demo (idempotent: adds the missing)."""
    from seeds.scale import missing, seed_scale

    from .database import refresh_statistics
    from .extensions import db

    todo = len(missing(communities))
    with click.progressbar(length=todo, label=f"Adding {todo} communities", show_pos=True) as bar:
        with actor.system("seed scale"):
            report = seed_scale(communities, accounts=bool(current_app.config.get("GRID_DEMO")),
                                progress=bar.update)
    if report.communities:
        refresh_statistics(db.session)
    click.echo(f"Added {report.communities} communities: {report.rows:,} rows in {report.seconds:.1f} s "
               f"({report.rows_per_second:,.0f} rows/s).")


@click.command("stats")
@click.option("--json", "as_json", is_flag=True, help="One flat JSON object.")
@needs_migrated
def stats_command(as_json: bool):
    """The community's key figures, counted from the data."""
    from .services.stats import community_figures, labels

    with actor.system("stats"):
        figures = community_figures()
    if as_json:
        click.echo(json.dumps(figures, ensure_ascii=False))
        return
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        names = labels()
    width = max(len(name) for name in names.values()) + 2
    for key, value in figures.items():
        # CJK characters take two columns in a terminal.
        name = names[key]
        pad = width * 2 - sum(2 if ord(ch) > 0x2E80 else 1 for ch in name)
        click.echo(f"{name}{' ' * pad}{value:>8}")


@click.command("prepare")
def prepare_command():
    """Migrate, sync permissions and (demo mode, empty database) seed the demo."""
    from .services.bootstrap import prepare_database

    result = prepare_database()
    click.echo("Database ready." + (" Demo seeded." if result["seeded"] else ""))


@click.command("sync-roles")
@needs_migrated
def sync_roles_command():
    """Make the roles and their permissions match the role table (app/security/roles.py)."""
    from .security.sync import sync_roles

    for role, count in sync_roles().items():
        click.echo(f"{role}: {count} permissions")


export_group = AppGroup("export", help="Exports for the street office.")


@export_group.command("monthly")
@click.option("--month", required=True, help="YYYY-MM")
@click.option("--out", "out", default=None, help="the ZIP's path (default: monthly-YYYY-MM.zip here)")
@needs_migrated
def export_monthly_command(month: str, out: str | None):
    """The monthly pack of every community (a ZIP of CSVs)."""
    from .services import audit, monthly

    with actor.system("export monthly"):
        try:
            name, data = monthly.pack(month)
        except ValueError:
            raise click.BadParameter("give the month as YYYY-MM", param_hint="--month") from None
        with open(out or name, "wb") as target:
            target.write(data)
        audit.exported("monthly_pack", month)
    click.echo(f"Wrote {out or name} ({len(data):,} bytes).")


import_group = AppGroup("import", help="Load existing ledgers.")


@import_group.command("residents")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--valid-only", is_flag=True, help="import the good rows even if some are bad")
@needs_migrated
def import_residents_command(path: str, valid_only: bool):
    """A household/resident ledger (.xlsx or .csv, the template's columns); all-or-nothing by default."""
    from .services import importer

    with open(path, "rb") as source:
        data = source.read()
    with click.progressbar(length=max(1, data.count(b"\n")), label="Checking rows") as bar:
        try:
            with actor.system("import residents"):
                report = importer.import_residents(data, path, valid_only, progress=bar.update)
        except ValueError as problem:
            raise click.ClickException(str(problem)) from None
    for row, column, message in report.problems:
        click.echo(f"row {row} {column}: {message}")
    click.echo(f"{report.rows} rows, {report.imported} imported, {report.unchanged} already registered, "
               f"{len({row for row, *_ in report.problems})} with problems"
               + ("; nothing imported." if report.problems and not report.imported else "."))
    if report.problems and not valid_only:
        raise SystemExit(1)


def register_commands(app) -> None:
    app.cli.add_command(import_group)
    app.cli.add_command(export_group)
    app.cli.add_command(sync_roles_command)
    app.cli.add_command(seed)
    app.cli.add_command(stats_command)
    app.cli.add_command(prepare_command)
