"""community work: the diary and visits, volunteers and activities, the residents' group; cases
link to a household and an activity

Revision ID: 37b23740bd2b
Revises: 458730ca7613
Create Date: 2026-11-27 04:41:11.622341
"""
from alembic import op
import sqlalchemy as sa


revision = '37b23740bd2b'
down_revision = '458730ca7613'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('group_notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=False),
    sa.Column('author', sa.String(length=64), nullable=True),
    sa.Column('to_everyone', sa.Boolean(), nullable=False),
    sa.CheckConstraint("channel IN ('qq', 'wechat')", name='ck_notice_channel'),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('group_notice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_group_notice_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_group_notice_sent_on'), ['sent_on'], unique=False)

    op.create_table('group_size',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('recorded_on', sa.Date(), nullable=False),
    sa.Column('members', sa.Integer(), nullable=False),
    sa.CheckConstraint('members >= 0', name='ck_group_size_members'),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('community_id', 'channel', 'recorded_on', name='uq_group_size_day')
    )
    with op.batch_alter_table('group_size', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_group_size_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_group_size_recorded_on'), ['recorded_on'], unique=False)

    op.create_table('volunteer_team',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('founded_on', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('community_id', 'name', name='uq_team_name')
    )
    with op.batch_alter_table('volunteer_team', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_volunteer_team_community_id'), ['community_id'], unique=False)

    op.create_table('notice_grid',
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('grid_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['grid_id'], ['grid.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['notice_id'], ['group_notice.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('notice_id', 'grid_id')
    )
    op.create_table('volunteer_activity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('grid_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('hours', sa.Float(), nullable=False),
    sa.Column('organiser', sa.String(length=50), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.CheckConstraint("kind IN ('patrol', 'public_labour', 'festival', 'theme_day', 'tutoring', 'elderly_care', 'other')", name='ck_activity_kind'),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], ),
    sa.ForeignKeyConstraint(['grid_id'], ['grid.id'], ),
    sa.ForeignKeyConstraint(['team_id'], ['volunteer_team.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('volunteer_activity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_volunteer_activity_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_volunteer_activity_grid_id'), ['grid_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_volunteer_activity_held_on'), ['held_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_volunteer_activity_team_id'), ['team_id'], unique=False)

    op.create_table('visit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visited_on', sa.Date(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('grid_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=20), nullable=False),
    sa.Column('visitors', sa.String(length=200), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('follow_up', sa.Boolean(), nullable=False),
    sa.CheckConstraint("purpose IN ('condolence', 'assistance', 'opinion', 'supervision')", name='ck_visit_purpose'),
    sa.ForeignKeyConstraint(['grid_id'], ['grid.id'], ),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visit_grid_id'), ['grid_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_visit_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_visit_visited_on'), ['visited_on'], unique=False)

    op.create_table('volunteer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=True),
    sa.Column('organisation', sa.String(length=100), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint("kind IN ('resident', 'student', 'unit_staff', 'other')", name='ck_volunteer_kind'),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], ),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['team_id'], ['volunteer_team.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id')
    )
    with op.batch_alter_table('volunteer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_volunteer_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_volunteer_resident_id'), ['resident_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_volunteer_team_id'), ['team_id'], unique=False)

    op.create_table('diary_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grid_id', sa.Integer(), nullable=False),
    sa.Column('entry_on', sa.Date(), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('search_words', sa.Text(), nullable=True),
    sa.Column('follow_up', sa.Boolean(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("category IN ('request', 'event', 'activity', 'visit', 'other')", name='ck_diary_category'),
    sa.ForeignKeyConstraint(['author_id'], ['ab_user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['case_id'], ['case_record.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['grid_id'], ['grid.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_id')
    )
    with op.batch_alter_table('diary_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_diary_entry_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_diary_entry_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_diary_entry_entry_on'), ['entry_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_diary_entry_follow_up'), ['follow_up'], unique=False)
        batch_op.create_index(batch_op.f('ix_diary_entry_grid_id'), ['grid_id'], unique=False)
        batch_op.create_index('ix_diary_grid_date', ['grid_id', 'entry_on'], unique=False)

    op.create_table('group_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('grid_id', sa.Integer(), nullable=True),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['case_record.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], ),
    sa.ForeignKeyConstraint(['grid_id'], ['grid.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_id')
    )
    with op.batch_alter_table('group_feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_group_feedback_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_group_feedback_grid_id'), ['grid_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_group_feedback_received_on'), ['received_on'], unique=False)

    op.create_table('volunteer_attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('hours', sa.Float(), nullable=False),
    sa.CheckConstraint('hours > 0 AND hours <= 24', name='ck_attendance_hours'),
    sa.ForeignKeyConstraint(['activity_id'], ['volunteer_activity.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteer.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('activity_id', 'volunteer_id', name='uq_attendance')
    )
    with op.batch_alter_table('volunteer_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_volunteer_attendance_activity_id'), ['activity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_volunteer_attendance_volunteer_id'), ['volunteer_id'], unique=False)

    op.create_table('diary_household',
    sa.Column('diary_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['diary_id'], ['diary_entry.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('diary_id', 'household_id')
    )
    with op.batch_alter_table('diary_household', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_diary_household_household_id'), ['household_id'], unique=False)

    op.create_table('diary_resident',
    sa.Column('diary_id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['diary_id'], ['diary_entry.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('diary_id', 'resident_id')
    )
    with op.batch_alter_table('diary_resident', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_diary_resident_resident_id'), ['resident_id'], unique=False)

    # New columns of case_record. SQLite: ADD COLUMN with REFERENCES (no table rebuild, which would
    # lose SpatiaLite's registration of the location column); PostgreSQL: column, then key.
    links = (("household_id", "household"), ("activity_id", "volunteer_activity"))
    for column, table in links:
        if op.get_bind().dialect.name == "sqlite":
            op.execute(f"ALTER TABLE case_record ADD COLUMN {column} INTEGER REFERENCES {table} (id)")
        else:
            op.add_column('case_record', sa.Column(column, sa.Integer(), nullable=True))
            op.create_foreign_key(f"case_record_{column}_fkey", 'case_record', table, [column], ['id'])
        op.create_index(f'ix_case_record_{column}', 'case_record', [column], unique=False)



def downgrade():
    for column in ("household_id", "activity_id"):
        op.drop_index(f'ix_case_record_{column}', table_name='case_record')
        if op.get_bind().dialect.name == "sqlite":
            op.execute(f"ALTER TABLE case_record DROP COLUMN {column}")
        else:
            op.drop_constraint(f"case_record_{column}_fkey", 'case_record', type_='foreignkey')
            op.drop_column('case_record', column)

    with op.batch_alter_table('diary_resident', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_diary_resident_resident_id'))

    op.drop_table('diary_resident')
    with op.batch_alter_table('diary_household', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_diary_household_household_id'))

    op.drop_table('diary_household')
    with op.batch_alter_table('volunteer_attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_volunteer_attendance_volunteer_id'))
        batch_op.drop_index(batch_op.f('ix_volunteer_attendance_activity_id'))

    op.drop_table('volunteer_attendance')
    with op.batch_alter_table('group_feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_group_feedback_received_on'))
        batch_op.drop_index(batch_op.f('ix_group_feedback_grid_id'))
        batch_op.drop_index(batch_op.f('ix_group_feedback_community_id'))

    op.drop_table('group_feedback')
    with op.batch_alter_table('diary_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_diary_grid_date')
        batch_op.drop_index(batch_op.f('ix_diary_entry_grid_id'))
        batch_op.drop_index(batch_op.f('ix_diary_entry_follow_up'))
        batch_op.drop_index(batch_op.f('ix_diary_entry_entry_on'))
        batch_op.drop_index(batch_op.f('ix_diary_entry_category'))
        batch_op.drop_index(batch_op.f('ix_diary_entry_author_id'))

    op.drop_table('diary_entry')
    with op.batch_alter_table('volunteer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_volunteer_team_id'))
        batch_op.drop_index(batch_op.f('ix_volunteer_resident_id'))
        batch_op.drop_index(batch_op.f('ix_volunteer_community_id'))

    op.drop_table('volunteer')
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visit_visited_on'))
        batch_op.drop_index(batch_op.f('ix_visit_household_id'))
        batch_op.drop_index(batch_op.f('ix_visit_grid_id'))

    op.drop_table('visit')
    with op.batch_alter_table('volunteer_activity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_volunteer_activity_team_id'))
        batch_op.drop_index(batch_op.f('ix_volunteer_activity_held_on'))
        batch_op.drop_index(batch_op.f('ix_volunteer_activity_grid_id'))
        batch_op.drop_index(batch_op.f('ix_volunteer_activity_community_id'))

    op.drop_table('volunteer_activity')
    op.drop_table('notice_grid')
    with op.batch_alter_table('volunteer_team', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_volunteer_team_community_id'))

    op.drop_table('volunteer_team')
    with op.batch_alter_table('group_size', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_group_size_recorded_on'))
        batch_op.drop_index(batch_op.f('ix_group_size_community_id'))

    op.drop_table('group_size')
    with op.batch_alter_table('group_notice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_group_notice_sent_on'))
        batch_op.drop_index(batch_op.f('ix_group_notice_community_id'))

    op.drop_table('group_notice')
