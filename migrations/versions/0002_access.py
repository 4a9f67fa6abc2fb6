"""access: users' grid/community scope, and the append-only audit log

Revision ID: 0021f05736df
Revises: 1449ec9d50d4
Create Date: 2026-11-27 03:38:06.044289
"""
from alembic import op
import sqlalchemy as sa


revision = '0021f05736df'
down_revision = '1449ec9d50d4'
branch_labels = None
depends_on = None


# The audit log is append-only in the database itself, whatever code runs against it.
APPEND_ONLY_SQLITE = [
    """CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry
       BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END""",
    """CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry
       BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END""",
]
APPEND_ONLY_POSTGRESQL = [
    """CREATE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'audit_entry is append-only'; END $$""",
    """CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_entry
       FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only()""",
]
DROP_APPEND_ONLY = {
    "sqlite": ["DROP TRIGGER audit_entry_no_update", "DROP TRIGGER audit_entry_no_delete"],
    "postgresql": ["DROP TRIGGER audit_entry_append_only ON audit_entry",
                   "DROP FUNCTION audit_entry_append_only()"],
}


def upgrade():
    op.create_table('audit_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('username', sa.String(length=64), nullable=True),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('object_type', sa.String(length=40), nullable=True),
    sa.Column('object_id', sa.Integer(), nullable=True),
    sa.Column('object_label', sa.String(length=200), nullable=True),
    sa.Column('changes', sa.Text(), nullable=True),
    sa.Column('client_address', sa.String(length=64), nullable=True),
    sa.Column('community_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("action IN ('create', 'update', 'delete', 'export', 'login', 'login_failed', 'logout')", name='ck_audit_entry_action'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entry_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entry_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entry_community_id'), ['community_id'], unique=False)
        batch_op.create_index('ix_audit_entry_object', ['object_type', 'object_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entry_user_id'), ['user_id'], unique=False)
    dialect = op.get_bind().dialect.name
    for statement in APPEND_ONLY_POSTGRESQL if dialect == "postgresql" else APPEND_ONLY_SQLITE:
        op.execute(statement)

    op.create_table('user_scope',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=True),
    sa.Column('grid_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.CheckConstraint('(community_id IS NULL) <> (grid_id IS NULL)', name='ck_user_scope_one_target'),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['grid_id'], ['grid.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('user_scope', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_scope_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_scope_grid_id'), ['grid_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_scope_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_user_scope_community', ['user_id', 'community_id'], unique=True, sqlite_where=sa.text('community_id IS NOT NULL'), postgresql_where=sa.text('community_id IS NOT NULL'))
        batch_op.create_index('uq_user_scope_grid', ['user_id', 'grid_id'], unique=True, sqlite_where=sa.text('grid_id IS NOT NULL'), postgresql_where=sa.text('grid_id IS NOT NULL'))



def downgrade():
    with op.batch_alter_table('user_scope', schema=None) as batch_op:
        batch_op.drop_index('uq_user_scope_grid', sqlite_where=sa.text('grid_id IS NOT NULL'), postgresql_where=sa.text('grid_id IS NOT NULL'))
        batch_op.drop_index('uq_user_scope_community', sqlite_where=sa.text('community_id IS NOT NULL'), postgresql_where=sa.text('community_id IS NOT NULL'))
        batch_op.drop_index(batch_op.f('ix_user_scope_user_id'))
        batch_op.drop_index(batch_op.f('ix_user_scope_grid_id'))
        batch_op.drop_index(batch_op.f('ix_user_scope_community_id'))

    op.drop_table('user_scope')
    for statement in DROP_APPEND_ONLY[op.get_bind().dialect.name]:
        op.execute(statement)
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entry_user_id'))
        batch_op.drop_index('ix_audit_entry_object')
        batch_op.drop_index(batch_op.f('ix_audit_entry_at'))
        batch_op.drop_index(batch_op.f('ix_audit_entry_community_id'))
        batch_op.drop_index(batch_op.f('ix_audit_entry_action'))

    op.drop_table('audit_entry')
