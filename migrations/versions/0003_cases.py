"""cases: categories with SLAs, cases, their timeline events and photos

Revision ID: 6bf45c8aaccd
Revises: 0021f05736df
Create Date: 2026-11-27 04:08:21.455974
"""
from alembic import op
import sqlalchemy as sa
from geoalchemy2 import Geometry

revision = '6bf45c8aaccd'
down_revision = '0021f05736df'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('case_category',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('days_to_register', sa.Integer(), nullable=False),
    sa.Column('days_to_close', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint('days_to_register BETWEEN 0 AND 365 AND days_to_close BETWEEN 0 AND 365', name='ck_case_category_days'),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('community_id', 'name', name='uq_case_category_name')
    )
    with op.batch_alter_table('case_category', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_category_community_id'), ['community_id'], unique=False)

    op.create_geospatial_table('case_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('grid_id', sa.Integer(), nullable=False),
    sa.Column('location', Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry'), nullable=True),
    sa.Column('address', sa.String(length=200), nullable=True),
    sa.Column('resident_id', sa.Integer(), nullable=True),
    sa.Column('reporter_id', sa.Integer(), nullable=True),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('priority', sa.String(length=10), nullable=False),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('reported_at', sa.DateTime(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('resolution', sa.Text(), nullable=True),
    sa.Column('satisfaction', sa.Integer(), nullable=True),
    sa.CheckConstraint("priority IN ('low', 'normal', 'high', 'urgent')", name='ck_case_priority'),
    sa.CheckConstraint("source IN ('qq_group', 'patrol', 'diary', 'visit', 'hotline', 'walk_in')", name='ck_case_source'),
    sa.CheckConstraint("stage IN ('discovered', 'collected', 'registered', 'in_progress', 'feedback', 'closed', 'rejected')", name='ck_case_stage'),
    sa.CheckConstraint('satisfaction IS NULL OR satisfaction BETWEEN 1 AND 5', name='ck_case_satisfaction'),
    sa.ForeignKeyConstraint(['assignee_id'], ['ab_user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['category_id'], ['case_category.id'], ),
    sa.ForeignKeyConstraint(['grid_id'], ['grid.id'], ),
    sa.ForeignKeyConstraint(['reporter_id'], ['ab_user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number'),
    sa.UniqueConstraint('year', 'seq', name='uq_case_year_seq')
    )
    with op.batch_alter_table('case_record', schema=None) as batch_op:
        batch_op.create_geospatial_index('idx_case_record_location', ['location'], unique=False, postgresql_using='gist', postgresql_ops={})
        batch_op.create_index('ix_case_grid_stage_due', ['grid_id', 'stage', 'due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_record_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_record_category_id'), ['category_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_record_due_on'), ['due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_record_grid_id'), ['grid_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_record_reporter_id'), ['reporter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_record_resident_id'), ['resident_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_record_stage'), ['stage'], unique=False)

    op.create_table('case_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('username', sa.String(length=64), nullable=True),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('from_stage', sa.String(length=20), nullable=True),
    sa.Column('to_stage', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['case_record.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_event_case_id'), ['case_id'], unique=False)

    op.create_table('case_photo',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('original_name', sa.String(length=200), nullable=True),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.Column('uploaded_by', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['case_record.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('stored_name')
    )
    with op.batch_alter_table('case_photo', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_photo_case_id'), ['case_id'], unique=False)



def downgrade():
    with op.batch_alter_table('case_photo', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_photo_case_id'))

    op.drop_table('case_photo')
    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_event_case_id'))

    op.drop_table('case_event')
    with op.batch_alter_table('case_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_record_stage'))
        batch_op.drop_index(batch_op.f('ix_case_record_resident_id'))
        batch_op.drop_index(batch_op.f('ix_case_record_reporter_id'))
        batch_op.drop_index(batch_op.f('ix_case_record_grid_id'))
        batch_op.drop_index(batch_op.f('ix_case_record_due_on'))
        batch_op.drop_index(batch_op.f('ix_case_record_category_id'))
        batch_op.drop_index(batch_op.f('ix_case_record_assignee_id'))
        batch_op.drop_index('ix_case_grid_stage_due')
        batch_op.drop_geospatial_index('idx_case_record_location', postgresql_using='gist', column_name='location')

    op.drop_geospatial_table('case_record')
    with op.batch_alter_table('case_category', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_category_community_id'))

    op.drop_table('case_category')
