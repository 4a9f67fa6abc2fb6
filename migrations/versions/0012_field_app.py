"""the field app (issue 21): patrols and their tracks, and a receipt of each report or visit a phone
sent, keyed by the id the phone made (unique: a resend is not a second case)

Revision ID: 5e55565237e9
Revises: b64b5f22f796
Create Date: 2026-12-03 13:28:33.376610
"""
from alembic import op
import sqlalchemy as sa
from geoalchemy2 import Geometry

revision = '5e55565237e9'
down_revision = 'b64b5f22f796'  # 0011
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('patrol',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('grid_id', sa.Integer(), nullable=True),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], ),
    sa.ForeignKeyConstraint(['grid_id'], ['grid.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('client_id')
    )
    with op.batch_alter_table('patrol', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patrol_community_id'), ['community_id'], unique=False)
        batch_op.create_index('ix_patrol_grid_started', ['grid_id', 'started_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_patrol_user_id'), ['user_id'], unique=False)

    op.create_geospatial_table('patrol_point',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.String(length=36), nullable=False),
    sa.Column('patrol_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('location', Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('accuracy', sa.Float(), nullable=True),
    sa.CheckConstraint('accuracy IS NULL OR accuracy >= 0', name='ck_patrol_point_accuracy'),
    sa.ForeignKeyConstraint(['patrol_id'], ['patrol.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('client_id')
    )
    with op.batch_alter_table('patrol_point', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patrol_point_patrol_id'), ['patrol_id'], unique=False)

    op.create_table('field_receipt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('grid_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('visit_id', sa.Integer(), nullable=True),
    sa.Column('patrol_id', sa.Integer(), nullable=True),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('report', 'visit')", name='ck_field_receipt_kind'),
    sa.ForeignKeyConstraint(['case_id'], ['case_record.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['grid_id'], ['grid.id'], ),
    sa.ForeignKeyConstraint(['patrol_id'], ['patrol.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('client_id')
    )
    with op.batch_alter_table('field_receipt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_field_receipt_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_field_receipt_grid_id'), ['grid_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_field_receipt_patrol_id'), ['patrol_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_field_receipt_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_field_receipt_visit_id'), ['visit_id'], unique=False)



def downgrade():
    with op.batch_alter_table('field_receipt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_field_receipt_visit_id'))
        batch_op.drop_index(batch_op.f('ix_field_receipt_user_id'))
        batch_op.drop_index(batch_op.f('ix_field_receipt_patrol_id'))
        batch_op.drop_index(batch_op.f('ix_field_receipt_grid_id'))
        batch_op.drop_index(batch_op.f('ix_field_receipt_case_id'))

    op.drop_table('field_receipt')
    with op.batch_alter_table('patrol_point', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_patrol_point_patrol_id'))

    op.drop_geospatial_table('patrol_point')
    with op.batch_alter_table('patrol', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_patrol_user_id'))
        batch_op.drop_index('ix_patrol_grid_started')
        batch_op.drop_index(batch_op.f('ix_patrol_community_id'))

    op.drop_table('patrol')
