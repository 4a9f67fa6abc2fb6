"""list indexes: a grid's rows in the list's order, key last; open cases by deadline (issue 12)

PostgreSQL keeps a one-column index's equal keys in heap order, not key order: for "grid 606's
residents, first 25 by id" its planner preferred walking the primary key through the whole
district (137 ms at 900k residents) to sorting the grid's rows. With the key in the index the page
is a range read. SQLite's one-column indexes already end in the rowid, so there these replace the
old ones like for like.

Revision ID: 5b0e6c1d2a47
Revises: 27d1a43f91ac
Create Date: 2026-11-27 10:45:00
"""
from alembic import op
import sqlalchemy as sa


revision = '5b0e6c1d2a47'
down_revision = '27d1a43f91ac'
branch_labels = None
depends_on = None

# table, old index and its columns, new index and its columns
CHANGES = [
    ("household", "ix_household_grid_id", ["grid_id"], "ix_household_grid_page", ["grid_id", "id"]),
    ("resident", "ix_resident_grid_id", ["grid_id"], "ix_resident_grid_page", ["grid_id", "id"]),
    ("case_record", "ix_case_record_grid_id", ["grid_id"], "ix_case_grid_page", ["grid_id", "id"]),
    ("aid_voucher", "ix_aid_voucher_grid_id", ["grid_id"], "ix_voucher_grid_page", ["grid_id", "id"]),
    ("aid_stock_move", "ix_aid_stock_move_grid_id", ["grid_id"], "ix_stock_move_grid_page", ["grid_id", "id"]),
    ("aid_fund_entry", "ix_aid_fund_entry_grid_id", ["grid_id"], "ix_fund_entry_grid_page", ["grid_id", "id"]),
    ("visit", "ix_visit_grid_id", ["grid_id"], "ix_visit_grid_date", ["grid_id", "visited_on", "id"]),
    ("diary_entry", "ix_diary_grid_date", ["grid_id", "entry_on"], "ix_diary_grid_date", ["grid_id", "entry_on", "id"]),
    ("diary_entry", "ix_diary_entry_grid_id", ["grid_id"], None, None),
]


OPEN = sa.text("stage NOT IN ('closed', 'rejected')")


def upgrade():
    for table, old, _old_columns, new, new_columns in CHANGES:
        op.drop_index(old, table_name=table)
        if new:
            op.create_index(new, table, new_columns)
    # Open cases by deadline: overdue and due-soon lists and counts read a few percent of cases.
    op.create_index("ix_case_open_due", "case_record", ["due_on"], sqlite_where=OPEN, postgresql_where=OPEN)


def downgrade():
    op.drop_index("ix_case_open_due", table_name="case_record")
    for table, old, old_columns, new, _new_columns in reversed(CHANGES):
        if new:
            op.drop_index(new, table_name=table)
        op.create_index(old, table, old_columns)
