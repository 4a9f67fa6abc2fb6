"""dashboard reads (issue 12): the stock tallies, the households helped

- ``aid_stock_tally``: the stock moves summed by place, item, kind, month and direction, kept by
  the database on every insert into the append-only ledger. The dashboard read a district's 1M
  moves twice (~190 ms) for figures that ~30k tallies hold. Triggers, not the app, keep it: every
  writer (the ledger, the seeds' COPY, raw SQL) is covered, and it commits or rolls back with the
  moves. PostgreSQL adds each statement's moves at once (a transition table: one upsert per
  COPY); SQLite, one row at a time.
- ``ix_voucher_helped``: the posted distributions in household order (count each household once
  in one pass, not a sort of 400k rows).

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

KEY = "community_id, grid_id, item_id, kind, month, inward"
POSTGRESQL = [
    # Tallies in key order: writers adding to the same tallies queue instead of deadlocking.
    f"""CREATE FUNCTION aid_stock_tally_add() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         INSERT INTO aid_stock_tally ({KEY}, quantity)
         SELECT community_id, grid_id, item_id, kind, date_trunc('month', moved_on)::date, quantity > 0,
                sum(quantity)
         FROM added GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
         ON CONFLICT ({KEY}) DO UPDATE SET quantity = aid_stock_tally.quantity + excluded.quantity;
         RETURN NULL;
       END $$""",
    """CREATE TRIGGER aid_stock_move_tally AFTER INSERT ON aid_stock_move REFERENCING NEW TABLE AS added
       FOR EACH STATEMENT EXECUTE FUNCTION aid_stock_tally_add()""",
]
# SQLite's unique index holds NULLs distinct (no upsert on a missing grid): make the tally, then
# add to it. SQLite runs one writer at a time.
SAME = """community_id = NEW.community_id AND grid_id IS NEW.grid_id AND item_id = NEW.item_id
          AND kind = NEW.kind AND month = date(NEW.moved_on, 'start of month') AND inward = (NEW.quantity > 0)"""
SQLITE = [
    f"""CREATE TRIGGER aid_stock_move_tally AFTER INSERT ON aid_stock_move BEGIN
          INSERT INTO aid_stock_tally ({KEY}, quantity)
          SELECT NEW.community_id, NEW.grid_id, NEW.item_id, NEW.kind, date(NEW.moved_on, 'start of month'),
                 NEW.quantity > 0, 0
          WHERE NOT EXISTS (SELECT 1 FROM aid_stock_tally WHERE {SAME});
          UPDATE aid_stock_tally SET quantity = quantity + NEW.quantity WHERE {SAME};
        END""",
]
HELPED = sa.text("kind = 'distribution' AND status = 'posted'")
MONTH = {"postgresql": "date_trunc('month', moved_on)::date", "sqlite": "date(moved_on, 'start of month')"}


def upgrade():
    op.create_table('aid_stock_tally',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('grid_id', sa.Integer(), nullable=True),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('inward', sa.Boolean(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], ),
    sa.ForeignKeyConstraint(['grid_id'], ['grid.id'], ),
    sa.ForeignKeyConstraint(['item_id'], ['aid_item.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_aid_stock_tally_item_id', 'aid_stock_tally', ['item_id'])
    op.create_index('uq_stock_tally_key', 'aid_stock_tally',
                    ['community_id', 'grid_id', 'item_id', 'kind', 'month', 'inward'], unique=True,
                    postgresql_nulls_not_distinct=True)
    op.create_index('ix_voucher_helped', 'aid_voucher', ['household_id', 'grid_id', 'community_id', 'dated'],
                    sqlite_where=HELPED, postgresql_where=HELPED)
    dialect = op.get_bind().dialect.name
    op.execute(f"""INSERT INTO aid_stock_tally ({KEY}, quantity)
                   SELECT community_id, grid_id, item_id, kind, {MONTH[dialect]}, quantity > 0, sum(quantity)
                   FROM aid_stock_move GROUP BY 1, 2, 3, 4, 5, 6""")
    for statement in POSTGRESQL if dialect == "postgresql" else SQLITE:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER aid_stock_move_tally ON aid_stock_move")
        op.execute("DROP FUNCTION aid_stock_tally_add()")
    else:
        op.execute("DROP TRIGGER aid_stock_move_tally")
    op.drop_index('ix_voucher_helped', table_name='aid_voucher')
    op.drop_index('uq_stock_tally_key', table_name='aid_stock_tally')
    op.drop_index('ix_aid_stock_tally_item_id', table_name='aid_stock_tally')
    op.drop_table('aid_stock_tally')
