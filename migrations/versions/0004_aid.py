"""aid: the mutual-aid station's catalogue, donors, campaigns, vouchers and the append-only ledger;
number series for readable numbers

Revision ID: 458730ca7613
Revises: 6bf45c8aaccd
Create Date: 2026-11-27 04:24:53.190675
"""
from alembic import op
import sqlalchemy as sa


revision = '458730ca7613'
down_revision = '6bf45c8aaccd'
branch_labels = None
depends_on = None


# Posted ledger rows are never changed or deleted, whatever code runs against the database; a
# voucher (and its lines) may change only while it is a proposal.
SQLITE_TRIGGERS = [
    *[f"""CREATE TRIGGER {table}_append_only_{event} BEFORE {event} ON {table}
          BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"""
      for table in ("aid_stock_move", "aid_fund_entry") for event in ("UPDATE", "DELETE")],
    *[f"""CREATE TRIGGER aid_voucher_posted_{event} BEFORE {event} ON aid_voucher
          WHEN OLD.status <> 'proposed'
          BEGIN SELECT RAISE(ABORT, 'a posted voucher is not changed; post an adjustment'); END"""
      for event in ("UPDATE", "DELETE")],
    *[f"""CREATE TRIGGER aid_voucher_line_posted_{event} BEFORE {event} ON aid_voucher_line
          WHEN (SELECT status FROM aid_voucher WHERE id = OLD.voucher_id) <> 'proposed'
          BEGIN SELECT RAISE(ABORT, 'a posted voucher is not changed; post an adjustment'); END"""
      for event in ("UPDATE", "DELETE")],
]
POSTGRESQL_TRIGGERS = [
    """CREATE FUNCTION aid_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$""",
    *[f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON {table}
          FOR EACH STATEMENT EXECUTE FUNCTION aid_append_only()""" for table in ("aid_stock_move", "aid_fund_entry")],
    """CREATE FUNCTION aid_voucher_posted() RETURNS trigger LANGUAGE plpgsql AS $$
       DECLARE status text;
       BEGIN
         IF TG_TABLE_NAME = 'aid_voucher' THEN
           status := OLD.status;
         ELSE
           SELECT v.status INTO status FROM aid_voucher v WHERE v.id = OLD.voucher_id;
         END IF;
         IF status <> 'proposed' THEN
           RAISE EXCEPTION 'a posted voucher is not changed; post an adjustment';
         END IF;
         RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
       END $$""",
    *[f"""CREATE TRIGGER {table}_posted BEFORE UPDATE OR DELETE ON {table}
          FOR EACH ROW EXECUTE FUNCTION aid_voucher_posted()""" for table in ("aid_voucher", "aid_voucher_line")],
]
DROP_TRIGGERS = {
    "sqlite": [f"DROP TRIGGER {name}" for name in (
        "aid_stock_move_append_only_UPDATE", "aid_stock_move_append_only_DELETE",
        "aid_fund_entry_append_only_UPDATE", "aid_fund_entry_append_only_DELETE",
        "aid_voucher_posted_UPDATE", "aid_voucher_posted_DELETE",
        "aid_voucher_line_posted_UPDATE", "aid_voucher_line_posted_DELETE")],
    "postgresql": ["DROP TRIGGER aid_stock_move_append_only ON aid_stock_move",
                   "DROP TRIGGER aid_fund_entry_append_only ON aid_fund_entry",
                   "DROP TRIGGER aid_voucher_posted ON aid_voucher",
                   "DROP TRIGGER aid_voucher_line_posted ON aid_voucher_line",
                   "DROP FUNCTION aid_append_only()", "DROP FUNCTION aid_voucher_posted()"],
}


def upgrade():
    op.create_table('number_series',
    sa.Column('series', sa.String(length=20), nullable=False),
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('series', 'year')
    )
    op.create_table('aid_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('unit', sa.String(length=10), nullable=False),
    sa.Column('low_stock', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint("category IN ('clothing', 'bedding', 'fuel', 'heating', 'food', 'daily', 'other')", name='ck_aid_item_category'),
    sa.CheckConstraint('low_stock >= 0', name='ck_aid_item_low_stock'),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('community_id', 'name', name='uq_aid_item_name')
    )
    with op.batch_alter_table('aid_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_aid_item_community_id'), ['community_id'], unique=False)

    op.create_table('campaign',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('community_id', 'name', name='uq_campaign_name')
    )
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaign_community_id'), ['community_id'], unique=False)

    op.create_table('donor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.CheckConstraint("kind IN ('person', 'household', 'organisation')", name='ck_donor_kind'),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], ),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('donor', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_donor_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_donor_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_donor_name'), ['name'], unique=False)

    op.create_table('aid_voucher',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=True),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('dated', sa.Date(), nullable=False),
    sa.Column('donor_id', sa.Integer(), nullable=True),
    sa.Column('household_id', sa.Integer(), nullable=True),
    sa.Column('grid_id', sa.Integer(), nullable=True),
    sa.Column('campaign_id', sa.Integer(), nullable=True),
    sa.Column('amount_fen', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('proposed_by', sa.String(length=64), nullable=True),
    sa.Column('posted_by', sa.String(length=64), nullable=True),
    sa.Column('posted_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("kind IN ('donation', 'purchase', 'distribution', 'adjustment')", name='ck_voucher_kind'),
    sa.CheckConstraint("status IN ('proposed', 'posted', 'cancelled')", name='ck_voucher_status'),
    sa.CheckConstraint('amount_fen >= 0', name='ck_voucher_amount'),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], ),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], ),
    sa.ForeignKeyConstraint(['donor_id'], ['donor.id'], ),
    sa.ForeignKeyConstraint(['grid_id'], ['grid.id'], ),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number')
    )
    with op.batch_alter_table('aid_voucher', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_aid_voucher_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_aid_voucher_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_aid_voucher_donor_id'), ['donor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_aid_voucher_grid_id'), ['grid_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_aid_voucher_household_id'), ['household_id'], unique=False)
        batch_op.create_index('ix_voucher_community_status', ['community_id', 'status'], unique=False)

    op.create_table('aid_fund_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('voucher_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('amount_fen', sa.Integer(), nullable=False),
    sa.Column('entry_on', sa.Date(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=True),
    sa.Column('grid_id', sa.Integer(), nullable=True),
    sa.Column('campaign_id', sa.Integer(), nullable=True),
    sa.Column('donor_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('amount_fen <> 0', name='ck_fund_entry_amount'),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], ),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], ),
    sa.ForeignKeyConstraint(['donor_id'], ['donor.id'], ),
    sa.ForeignKeyConstraint(['grid_id'], ['grid.id'], ),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], ),
    sa.ForeignKeyConstraint(['voucher_id'], ['aid_voucher.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('aid_fund_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_aid_fund_entry_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_aid_fund_entry_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_aid_fund_entry_donor_id'), ['donor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_aid_fund_entry_entry_on'), ['entry_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_aid_fund_entry_grid_id'), ['grid_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_aid_fund_entry_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_aid_fund_entry_voucher_id'), ['voucher_id'], unique=False)

    op.create_table('aid_stock_move',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('voucher_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('moved_on', sa.Date(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=True),
    sa.Column('grid_id', sa.Integer(), nullable=True),
    sa.Column('campaign_id', sa.Integer(), nullable=True),
    sa.Column('donor_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('quantity <> 0', name='ck_stock_move_quantity'),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], ),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], ),
    sa.ForeignKeyConstraint(['donor_id'], ['donor.id'], ),
    sa.ForeignKeyConstraint(['grid_id'], ['grid.id'], ),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], ),
    sa.ForeignKeyConstraint(['item_id'], ['aid_item.id'], ),
    sa.ForeignKeyConstraint(['voucher_id'], ['aid_voucher.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('aid_stock_move', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_aid_stock_move_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_aid_stock_move_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_aid_stock_move_donor_id'), ['donor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_aid_stock_move_grid_id'), ['grid_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_aid_stock_move_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_aid_stock_move_voucher_id'), ['voucher_id'], unique=False)
        batch_op.create_index('ix_stock_move_item_date', ['item_id', 'moved_on', 'id'], unique=False)

    op.create_table('aid_voucher_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('voucher_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.CheckConstraint('quantity <> 0', name='ck_voucher_line_quantity'),
    sa.ForeignKeyConstraint(['item_id'], ['aid_item.id'], ),
    sa.ForeignKeyConstraint(['voucher_id'], ['aid_voucher.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('aid_voucher_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_aid_voucher_line_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_aid_voucher_line_voucher_id'), ['voucher_id'], unique=False)


    dialect = op.get_bind().dialect.name
    for statement in POSTGRESQL_TRIGGERS if dialect == "postgresql" else SQLITE_TRIGGERS:
        op.execute(statement)

def downgrade():
    for statement in DROP_TRIGGERS[op.get_bind().dialect.name]:
        op.execute(statement)
    with op.batch_alter_table('aid_voucher_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_aid_voucher_line_voucher_id'))
        batch_op.drop_index(batch_op.f('ix_aid_voucher_line_item_id'))

    op.drop_table('aid_voucher_line')
    with op.batch_alter_table('aid_stock_move', schema=None) as batch_op:
        batch_op.drop_index('ix_stock_move_item_date')
        batch_op.drop_index(batch_op.f('ix_aid_stock_move_voucher_id'))
        batch_op.drop_index(batch_op.f('ix_aid_stock_move_household_id'))
        batch_op.drop_index(batch_op.f('ix_aid_stock_move_grid_id'))
        batch_op.drop_index(batch_op.f('ix_aid_stock_move_donor_id'))
        batch_op.drop_index(batch_op.f('ix_aid_stock_move_community_id'))
        batch_op.drop_index(batch_op.f('ix_aid_stock_move_campaign_id'))

    op.drop_table('aid_stock_move')
    with op.batch_alter_table('aid_fund_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_aid_fund_entry_voucher_id'))
        batch_op.drop_index(batch_op.f('ix_aid_fund_entry_household_id'))
        batch_op.drop_index(batch_op.f('ix_aid_fund_entry_grid_id'))
        batch_op.drop_index(batch_op.f('ix_aid_fund_entry_entry_on'))
        batch_op.drop_index(batch_op.f('ix_aid_fund_entry_donor_id'))
        batch_op.drop_index(batch_op.f('ix_aid_fund_entry_community_id'))
        batch_op.drop_index(batch_op.f('ix_aid_fund_entry_campaign_id'))

    op.drop_table('aid_fund_entry')
    with op.batch_alter_table('aid_voucher', schema=None) as batch_op:
        batch_op.drop_index('ix_voucher_community_status')
        batch_op.drop_index(batch_op.f('ix_aid_voucher_household_id'))
        batch_op.drop_index(batch_op.f('ix_aid_voucher_grid_id'))
        batch_op.drop_index(batch_op.f('ix_aid_voucher_donor_id'))
        batch_op.drop_index(batch_op.f('ix_aid_voucher_community_id'))
        batch_op.drop_index(batch_op.f('ix_aid_voucher_campaign_id'))

    op.drop_table('aid_voucher')
    with op.batch_alter_table('donor', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_donor_name'))
        batch_op.drop_index(batch_op.f('ix_donor_household_id'))
        batch_op.drop_index(batch_op.f('ix_donor_community_id'))

    op.drop_table('donor')
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaign_community_id'))

    op.drop_table('campaign')
    with op.batch_alter_table('aid_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_aid_item_community_id'))

    op.drop_table('aid_item')
    op.drop_table('number_series')
