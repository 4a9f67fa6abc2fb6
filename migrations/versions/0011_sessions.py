"""session epochs: signing out, a new password, deactivation or a lost role end a user's sessions
and API tokens everywhere (issue 19, part 4)

Each session cookie and token carries the epoch its user had when it was issued; every request
compares it with the user's row here (read with the user, in the query each request makes
anyway). A table of our own keyed by FAB's user id, rather than a column on ``ab_user``.

Revision ID: b64b5f22f796
Revises: d89b7777f18f
Create Date: 2026-12-03 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'b64b5f22f796'
down_revision = 'd89b7777f18f'  # 0010
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('session_epoch',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('epoch', sa.Integer(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id')
    )


def downgrade():
    op.drop_table('session_epoch')
