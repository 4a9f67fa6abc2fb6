"""data versions and the figure cache: the dashboard's parts kept in the database between
requests, valid while the tables they were counted from are at the same version; residents by
grid and birth date, for the dashboard's age bands (issue 12)

Revision ID: 9c4e2f7a1b30
Revises: 5b0e6c1d2a47
Create Date: 2026-11-27 12:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '9c4e2f7a1b30'
down_revision = '5b0e6c1d2a47'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('data_version',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('figure_cache',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('stored_at', sa.Float(), nullable=False),
    sa.Column('versions', sa.Text(), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_index('ix_resident_grid_birth', 'resident', ['grid_id', 'birth_date'])


def downgrade():
    op.drop_index('ix_resident_grid_birth', table_name='resident')
    op.drop_table('figure_cache')
    op.drop_table('data_version')
