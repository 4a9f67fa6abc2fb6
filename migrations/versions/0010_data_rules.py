"""data rules in the database (issue 19): positive quantities with an adjustment's direction,
text lengths, no empty ID number

- ``aid_voucher.direction`` ("in"/"out", an adjustment's only); an adjustment's lines, negative
  for "out" until now, become positive (a negative quantity turned "out" into "in"), and every
  voucher line's quantity is above zero (``ck_voucher_line_quantity``);
- every text column at most its declared length (app.models.rules): TEXT columns by a check
  ``ck_<table>_<column>_length`` (PostgreSQL enforces VARCHAR(n) itself); SQLite enforces no
  length at all, so there every text column is checked;
- an empty ID number is stored as NULL (``ck_resident_id_number``): the unique constraint ignores
  NULLs on both databases, so residents without an ID number never collide;
- a building's units from 1 to 50 (``ck_building_units``).

On SQLite a check cannot be added without rebuilding the table, and a rebuild drops the tallies'
and the ledger's triggers: there the new checks are BEFORE INSERT/UPDATE triggers that fail with
SQLite's own words for a check ("CHECK constraint failed: <name>"), so the app reads both alike.

Revision ID: d89b7777f18f
Revises: 3e8d5a9c0f14
Create Date: 2026-12-03 10:00:00
"""
import re

from alembic import op
import sqlalchemy as sa


revision = 'd89b7777f18f'
down_revision = '3e8d5a9c0f14'
branch_labels = None
depends_on = None

# table → {column: maximum length}, as the models declare them today (TEXT columns marked True).
LENGTHS = {
    'aid_item': {'name': 50, 'category': 20, 'unit': 10},
    'aid_voucher': {'note': (2000, True)},
    'branch_pairing': {'branch': 100, 'services': 200, 'note': (2000, True)},
    'building': {'number': 30, 'compound': 100, 'kind': 20},
    'campaign': {'name': 100, 'note': (2000, True)},
    'card_handover': {'handed_by': 64, 'received_by': 50, 'note': (2000, True)},
    'case_category': {'name': 50},
    'case_event': {'note': (2000, True)},
    'case_record': {'title': 120, 'description': (4000, True), 'address': 200, 'resolution': (2000, True)},
    'cobuilding_support': {'purpose': 200, 'note': (2000, True)},
    'cobuilding_unit': {'name': 100, 'address': 200, 'contact': 50, 'phone': 20, 'party_org': 100,
                        'note': (2000, True)},
    'community': {'name': 100, 'street': 100, 'district': 100, 'city': 100, 'hotline': 30, 'group_number': 30},
    'contact_household': {'note': (2000, True)},
    'diary_entry': {'content': (10000, True)},
    'donor': {'name': 100, 'phone': 20, 'note': (2000, True)},
    'facility': {'name': 100, 'note': (2000, True)},
    'grid': {'code': 20, 'name': 100, 'colour': 7, 'service_phone': 20, 'note': (2000, True)},
    'grid_meeting': {'title': 120, 'place': 100, 'chair': 50, 'other_attendees': 300, 'agenda': (10000, True),
                     'minutes': (10000, True), 'decisions': (10000, True)},
    'grid_supervisor': {'name': 50, 'phone': 20, 'note': (2000, True)},
    'group_feedback': {'content': (5000, True)},
    'group_notice': {'title': 120, 'body': (5000, True), 'author': 64},
    'household': {'unit': 10, 'room': 10, 'phone': 20, 'note': (2000, True)},
    'meeting_follow_up': {'content': (10000, True), 'result': (10000, True)},
    'resident': {'name': 50, 'id_number': 18, 'phone': 20, 'party_branch': 100, 'note': (2000, True)},
    'supervision_day': {'topic': 120, 'summary': (10000, True)},
    'supervision_opinion': {'raised_by': 50, 'content': (5000, True), 'reply': (5000, True)},
    'user_scope': {'note': 200},
    'visit': {'visitors': 200, 'notes': (10000, True), 'recorded_by': 64},
    'volunteer': {'name': 50, 'organisation': 100, 'phone': 20},
    'volunteer_activity': {'title': 120, 'organiser': 50, 'note': (2000, True)},
    'volunteer_team': {'name': 100, 'note': (2000, True)},
}
# New checks: table → [(name, condition on the row's columns written {r}column)].
CHECKS = {
    'aid_voucher': [("ck_voucher_direction", "({r}kind = 'adjustment' AND {r}direction IN ('in', 'out')) "
                                             "OR ({r}kind <> 'adjustment' AND {r}direction IS NULL)")],
    'aid_voucher_line': [("ck_voucher_line_quantity", "{r}quantity > 0")],
    'building': [("ck_building_units", "{r}units IS NULL OR {r}units BETWEEN 1 AND 50")],
    'resident': [("ck_resident_id_number", "{r}id_number <> ''")],
}
# Migration 0004's triggers that keep a posted voucher unchanged (SQLite), paused to turn its lines.
POSTED_SQLITE = {
    "aid_voucher_posted_UPDATE": """CREATE TRIGGER aid_voucher_posted_UPDATE BEFORE UPDATE ON aid_voucher
          WHEN OLD.status <> 'proposed'
          BEGIN SELECT RAISE(ABORT, 'a posted voucher is not changed; post an adjustment'); END""",
    "aid_voucher_line_posted_UPDATE": """CREATE TRIGGER aid_voucher_line_posted_UPDATE BEFORE UPDATE ON aid_voucher_line
          WHEN (SELECT status FROM aid_voucher WHERE id = OLD.voucher_id) <> 'proposed'
          BEGIN SELECT RAISE(ABORT, 'a posted voucher is not changed; post an adjustment'); END""",
}
POSTED_POSTGRESQL = {"aid_voucher": "aid_voucher_posted", "aid_voucher_line": "aid_voucher_line_posted"}


def _length(spec) -> tuple[int, bool]:
    return spec if isinstance(spec, tuple) else (spec, False)


def _rules(table: str, dialect: str) -> list[tuple[str, str]]:
    """(name, condition with {r}) of every new check on ``table`` that ``dialect`` needs."""
    rules = list(CHECKS.get(table, []))
    for column, spec in LENGTHS.get(table, {}).items():
        length, is_text = _length(spec)
        if is_text or dialect == "sqlite":
            function = "length" if dialect == "sqlite" else "char_length"
            rules.append((f"ck_{table}_{column}_length", f"{function}({{r}}{column}) <= {length}"))
    return rules


def _turn_lines(dialect: str, sign: str) -> None:
    """Adjustments' "out" lines to positive (``sign`` '-': from negative) or back, ledger triggers paused."""
    if dialect == "sqlite":
        for name in POSTED_SQLITE:
            op.execute(f"DROP TRIGGER {name}")
    else:
        for table, trigger in POSTED_POSTGRESQL.items():
            op.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
    out = "SELECT id FROM aid_voucher WHERE kind = 'adjustment' AND direction = 'out'"
    condition = "quantity < 0" if sign == "-" else "quantity > 0"
    op.execute(f"UPDATE aid_voucher_line SET quantity = -quantity WHERE {condition} AND voucher_id IN ({out})")
    if dialect == "sqlite":
        for statement in POSTED_SQLITE.values():
            op.execute(statement)
    else:
        for table, trigger in POSTED_POSTGRESQL.items():
            op.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")


def upgrade():
    dialect = op.get_bind().dialect.name
    op.add_column("aid_voucher", sa.Column("direction", sa.String(length=3), nullable=True))
    if dialect == "sqlite":
        op.execute("DROP TRIGGER aid_voucher_posted_UPDATE")
    else:
        op.execute("ALTER TABLE aid_voucher DISABLE TRIGGER aid_voucher_posted")
    op.execute("""UPDATE aid_voucher SET direction = CASE WHEN EXISTS (
                    SELECT 1 FROM aid_voucher_line l WHERE l.voucher_id = aid_voucher.id AND l.quantity < 0)
                  THEN 'out' ELSE 'in' END WHERE kind = 'adjustment'""")
    if dialect == "sqlite":
        op.execute(POSTED_SQLITE["aid_voucher_posted_UPDATE"])
    else:
        op.execute("ALTER TABLE aid_voucher ENABLE TRIGGER aid_voucher_posted")
    _turn_lines(dialect, "-")
    op.execute("UPDATE resident SET id_number = NULL WHERE id_number = ''")
    if dialect == "postgresql":
        op.drop_constraint("ck_voucher_line_quantity", "aid_voucher_line", type_="check")
    for table in sorted(set(LENGTHS) | set(CHECKS)):
        rules = _rules(table, dialect)
        if dialect == "postgresql":
            for name, condition in rules:
                op.create_check_constraint(name, table, condition.format(r=""))
            continue
        body = " ".join(f"SELECT RAISE(ABORT, 'CHECK constraint failed: {name}') WHERE NOT ({condition.format(r='NEW.')});"
                        for name, condition in rules)
        # An UPDATE trigger for the checked columns only (the tallies' own UPDATEs pass untouched).
        columns = ", ".join(sorted({column for _name, condition in rules for column in re.findall(r"\{r\}(\w+)", condition)}))
        op.execute(f"CREATE TRIGGER {table}_rules_insert BEFORE INSERT ON {table} BEGIN {body} END")
        op.execute(f"CREATE TRIGGER {table}_rules_update BEFORE UPDATE OF {columns} ON {table} BEGIN {body} END")


def downgrade():
    dialect = op.get_bind().dialect.name
    for table in sorted(set(LENGTHS) | set(CHECKS)):
        if dialect == "postgresql":
            for name, _condition in _rules(table, dialect):
                op.drop_constraint(name, table, type_="check")
        else:
            for event in ("insert", "update"):
                op.execute(f"DROP TRIGGER {table}_rules_{event}")
    if dialect == "postgresql":
        op.create_check_constraint("ck_voucher_line_quantity", "aid_voucher_line", "quantity <> 0")
    _turn_lines(dialect, "+")
    if dialect == "sqlite":
        op.execute("ALTER TABLE aid_voucher DROP COLUMN direction")  # SQLite ≥ 3.35: no rebuild, triggers kept
    else:
        op.drop_column("aid_voucher", "direction")
