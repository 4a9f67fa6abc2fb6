"""tallies kept by the database, for the dashboard (issue 12)

The dashboard's first view of a district counted 900k residents, 316k households, 500k diary
entries, 100k cases and 1M stock moves (730 ms). Each of those tables gets a tally: its rows
counted (or summed) by grid and by what the dashboard groups by (a resident's birth year, a
household's residence type, an entry's category and month, a case's stage, category and month,
a stock move's item, kind, month and direction), 2–170× fewer rows. Triggers keep them on every
INSERT, UPDATE and DELETE (and TRUNCATE), whoever writes (a screen, the ledger, a seed's COPY,
raw SQL), in the writing transaction:

- PostgreSQL: one statement-level trigger per event, reading the statement's transition tables:
  the changed rows' tallies, new minus old, in key order (writers of the same tallies queue
  instead of deadlocking), changes that cancel out (an edit of a name) not written at all.
- SQLite: row triggers (its writers run one at a time); an UPDATE trigger only for the columns a
  tally reads.

A tally keeps its row at zero when its last source row goes; readers skip zeros. Also:
``ix_resident_grid_birth`` (grid first) becomes ``ix_resident_birth`` (birth date first): the age
bands read the tally by year and count only the residents born between a band's boundary and the
end of its year; ``ix_voucher_helped``: the posted distributions in household order (each household
helped counted once in one pass, not a sort of 400k rows).

Revision ID: 3e8d5a9c0f14
Revises: 9c4e2f7a1b30
Create Date: 2026-11-27 16:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '3e8d5a9c0f14'
down_revision = '9c4e2f7a1b30'
branch_labels = None
depends_on = None

PARTY = "political_status IN ('party_member', 'probationary')"
CARE = "low_income OR disability OR elderly_alone OR extreme_hardship"


def _flag(expression: str) -> str:
    return f"CASE WHEN {expression} THEN 1 ELSE 0 END"


# tally: (source, {key: (PostgreSQL, SQLite) expression}, {measure: expression, or (PostgreSQL, SQLite)});
# expressions name the source's columns as {r}column (the row of a trigger; nothing in a bulk read).
TALLIES = {
    "resident_tally": ("resident", {
        "grid_id": ("{r}grid_id",) * 2,
        "birth_year": ("extract(year FROM {r}birth_date)::integer", "CAST(strftime('%Y', {r}birth_date) AS INTEGER)"),
    }, {"residents": "1", "party_members": _flag(PARTY.replace("political_status", "{r}political_status"))}),
    "household_tally": ("household", {
        "grid_id": ("{r}grid_id",) * 2,
        "residence_type": ("{r}residence_type",) * 2,
    }, {"households": "1", "care": _flag(CARE.replace("low", "{r}low").replace("disability", "{r}disability")
                                           .replace("elderly", "{r}elderly").replace("extreme", "{r}extreme")),
        **{tag: _flag("{r}" + tag) for tag in ("low_income", "disability", "elderly_alone", "extreme_hardship")}}),
    "diary_tally": ("diary_entry", {
        "grid_id": ("{r}grid_id",) * 2,
        "category": ("{r}category",) * 2,
        "month": ("date_trunc('month', {r}entry_on)::date", "date({r}entry_on, 'start of month')"),
    }, {"entries": "1"}),
    "aid_stock_tally": ("aid_stock_move", {  # append-only: its moves are only ever added
        "community_id": ("{r}community_id",) * 2,
        "grid_id": ("{r}grid_id",) * 2,  # none: the whole station's (donations, purchases)
        "item_id": ("{r}item_id",) * 2,
        "kind": ("{r}kind",) * 2,
        "month": ("date_trunc('month', {r}moved_on)::date", "date({r}moved_on, 'start of month')"),
        "inward": ("{r}quantity > 0",) * 2,
    }, {"quantity": "{r}quantity"}),
    "case_tally": ("case_record", {
        "grid_id": ("{r}grid_id",) * 2,
        "stage": ("{r}stage",) * 2,
        "category_id": ("{r}category_id",) * 2,
        "month": ("date_trunc('month', {r}reported_at)::date", "date({r}reported_at, 'start of month')"),
    }, {"cases": "1",
        # Seconds from report to close, whole; and the closed cases, of which those closed by their deadline.
        "seconds": ("coalesce(round(extract(epoch FROM {r}closed_at - {r}reported_at)), 0)::bigint",
                    "coalesce(CAST(round((julianday({r}closed_at) - julianday({r}reported_at)) * 86400) AS INTEGER), 0)"),
        "closed": _flag("{r}closed_at IS NOT NULL"),
        "on_time": (_flag("{r}closed_at::date <= {r}due_on"), _flag("date({r}closed_at) <= {r}due_on"))}),
}
COLUMNS = {  # the tally tables' key columns: type, and the table a key refers to
    "grid_id": (sa.Integer, "grid.id"), "community_id": (sa.Integer, "community.id"),
    "item_id": (sa.Integer, "aid_item.id"), "category_id": (sa.Integer, "case_category.id"),
    "birth_year": (sa.Integer, None), "residence_type": (sa.String(20), None), "category": (sa.String(20), None),
    "kind": (sa.String(20), None), "stage": (sa.String(20), None), "month": (sa.Date, None),
    "inward": (sa.Boolean, None),
}
MAY_BE_MISSING = {("resident_tally", "birth_year"), ("aid_stock_tally", "grid_id")}
BIG = {"seconds"}  # measures that outgrow an integer
# The source columns each tally reads: SQLite's UPDATE trigger fires for these only.
READS = {"resident_tally": "grid_id, birth_date, political_status",
         "household_tally": "grid_id, residence_type, low_income, disability, elderly_alone, extreme_hardship",
         "diary_tally": "grid_id, category, entry_on",
         "case_tally": "grid_id, stage, category_id, reported_at, closed_at, due_on",
         "aid_stock_tally": "community_id, grid_id, item_id, kind, moved_on, quantity"}
HELPED = sa.text("kind = 'distribution' AND status = 'posted'")


def _for(expression, dialect: str) -> str:
    """A measure's expression on ``dialect``: one for both, or (PostgreSQL, SQLite)."""
    return expression if isinstance(expression, str) else expression[dialect == "sqlite"]


def _postgresql(tally: str) -> list[str]:
    source, keys, measures = TALLIES[tally]
    key_names, measure_names = ", ".join(keys), ", ".join(measures)

    def rows(table: str, sign: str) -> str:
        exprs = [f"{pg.format(r='')} AS {name}" for name, (pg, _sqlite) in keys.items()]
        exprs += [f"{sign}({_for(expr, 'postgresql').format(r='')}) AS {name}" for name, expr in measures.items()]
        return f"SELECT {', '.join(exprs)} FROM {table}"

    def upsert(change: str) -> str:
        sums = ", ".join(f"sum({name})" for name in measures)
        nonzero = " OR ".join(f"sum({name}) <> 0" for name in measures)
        adds = ", ".join(f"{name} = {tally}.{name} + excluded.{name}" for name in measures)
        return (f"INSERT INTO {tally} ({key_names}, {measure_names}) SELECT {key_names}, {sums} FROM ({change}) change "
                f"GROUP BY {key_names} HAVING {nonzero} ORDER BY {key_names} "
                f"ON CONFLICT ({key_names}) DO UPDATE SET {adds};")

    return [
        f"""CREATE FUNCTION {tally}_keep() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN
             IF TG_OP = 'INSERT' THEN {upsert(rows('added', '+'))}
             ELSIF TG_OP = 'DELETE' THEN {upsert(rows('removed', '-'))}
             ELSIF TG_OP = 'UPDATE' THEN {upsert(rows('added', '+') + ' UNION ALL ' + rows('removed', '-'))}
             ELSE DELETE FROM {tally};
             END IF;
             RETURN NULL;
           END $$""",
        f"""CREATE TRIGGER {tally}_insert AFTER INSERT ON {source} REFERENCING NEW TABLE AS added
            FOR EACH STATEMENT EXECUTE FUNCTION {tally}_keep()""",
        f"""CREATE TRIGGER {tally}_update AFTER UPDATE ON {source} REFERENCING OLD TABLE AS removed NEW TABLE AS added
            FOR EACH STATEMENT EXECUTE FUNCTION {tally}_keep()""",
        f"""CREATE TRIGGER {tally}_delete AFTER DELETE ON {source} REFERENCING OLD TABLE AS removed
            FOR EACH STATEMENT EXECUTE FUNCTION {tally}_keep()""",
        f"""CREATE TRIGGER {tally}_truncate AFTER TRUNCATE ON {source}
            FOR EACH STATEMENT EXECUTE FUNCTION {tally}_keep()""",
    ]


def _sqlite(tally: str) -> list[str]:
    source, keys, measures = TALLIES[tally]
    key_names, measure_names = ", ".join(keys), ", ".join(measures)

    def same(row: str) -> str:
        return " AND ".join(f"{name} IS {sqlite.format(r=row + '.')}" for name, (_pg, sqlite) in keys.items())

    def make(row: str) -> str:
        values = ", ".join(sqlite.format(r=row + ".") for _pg, sqlite in keys.values())
        zeros = ", ".join("0" for _ in measures)
        return (f"INSERT INTO {tally} ({key_names}, {measure_names}) SELECT {values}, {zeros} "
                f"WHERE NOT EXISTS (SELECT 1 FROM {tally} WHERE {same(row)});")

    def add(row: str, sign: str) -> str:
        adds = ", ".join(f"{name} = {name} {sign} ({_for(expr, 'sqlite').format(r=row + '.')})"
                         for name, expr in measures.items())
        return f"UPDATE {tally} SET {adds} WHERE {same(row)};"

    return [
        f"CREATE TRIGGER {tally}_insert AFTER INSERT ON {source} BEGIN {make('NEW')} {add('NEW', '+')} END",
        f"CREATE TRIGGER {tally}_delete AFTER DELETE ON {source} BEGIN {add('OLD', '-')} END",
        f"""CREATE TRIGGER {tally}_update AFTER UPDATE OF {READS[tally]} ON {source}
            BEGIN {add('OLD', '-')} {make('NEW')} {add('NEW', '+')} END""",
    ]


def _key_column(tally: str, name: str) -> sa.Column:
    kind, refers_to = COLUMNS[name]
    # A tally at zero still names its grid (category, item …): it goes with it.
    return sa.Column(name, kind, *([sa.ForeignKey(refers_to, ondelete="CASCADE")] if refers_to else []),
                     nullable=(tally, name) in MAY_BE_MISSING)


def upgrade():
    dialect = op.get_bind().dialect.name
    for tally, (source, keys, measures) in TALLIES.items():
        op.create_table(tally, sa.Column("id", sa.Integer(), primary_key=True),
                        *[_key_column(tally, name) for name in keys],
                        *[sa.Column(name, sa.BigInteger() if name in BIG else sa.Integer(), nullable=False)
                          for name in measures])
        op.create_index(f"uq_{tally}_key", tally, list(keys), unique=True, postgresql_nulls_not_distinct=True)
        index = 0 if dialect == "postgresql" else 1
        key_exprs = ", ".join(expressions[index].format(r="") for expressions in keys.values())
        sums = ", ".join(f"sum({_for(expr, dialect).format(r='')})" for expr in measures.values())
        positions = ", ".join(str(i + 1) for i in range(len(keys)))
        op.execute(f"INSERT INTO {tally} ({', '.join(keys)}, {', '.join(measures)}) "
                   f"SELECT {key_exprs}, {sums} FROM {source} GROUP BY {positions}")
        for statement in _postgresql(tally) if dialect == "postgresql" else _sqlite(tally):
            op.execute(statement)
    op.drop_index("ix_resident_grid_birth", table_name="resident")
    op.create_index("ix_resident_birth", "resident", ["birth_date", "grid_id"])
    op.create_index("ix_voucher_helped", "aid_voucher", ["household_id", "grid_id", "community_id", "dated"],
                    sqlite_where=HELPED, postgresql_where=HELPED)


def downgrade():
    dialect = op.get_bind().dialect.name
    op.drop_index("ix_voucher_helped", table_name="aid_voucher")
    op.drop_index("ix_resident_birth", table_name="resident")
    op.create_index("ix_resident_grid_birth", "resident", ["grid_id", "birth_date"])
    for tally, (source, _keys, _measures) in reversed(TALLIES.items()):
        for event in ("insert", "update", "delete", *(("truncate",) if dialect == "postgresql" else ())):
            op.execute(f"DROP TRIGGER {tally}_{event}" + (f" ON {source}" if dialect == "postgresql" else ""))
        if dialect == "postgresql":
            op.execute(f"DROP FUNCTION {tally}_keep()")
        op.drop_index(f"uq_{tally}_key", table_name=tally)
        op.drop_table(tally)
