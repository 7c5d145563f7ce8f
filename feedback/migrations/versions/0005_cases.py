"""cases, their timeline and appeals

Revision ID: 0005_cases
Revises: 0004_workdays
Create Date: 2026-11-30 22:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = "0005_cases"
down_revision = "0004_workdays"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tracking_no', sa.String(length=24), nullable=False),
    sa.Column('access_hash', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.Enum('bad_review', 'complaint', 'suggestion', 'praise', name='casekind', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('source', sa.Enum('evaluation', 'suggestion_box', 'hotline', 'api', name='casesource', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('state', sa.Enum('new', 'assigned', 'verified', 'answered', 'followed_up', 'closed', name='casestate', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=True),
    sa.Column('window_id', sa.Integer(), nullable=True),
    sa.Column('hall_id', sa.Integer(), nullable=True),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('phone_cipher', sa.Text(), nullable=True),
    sa.Column('phone_masked', sa.String(length=16), nullable=True),
    sa.Column('nonce', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('device_id', sa.Integer(), nullable=True),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deadline_days', sa.SmallInteger(), nullable=True),
    sa.Column('deadline_estimated', sa.Boolean(), nullable=False),
    sa.Column('deadline_uncovered', sa.String(length=64), nullable=False),
    sa.Column('announced_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('founded', sa.Boolean(), nullable=True),
    sa.Column('finding', sa.Text(), nullable=False),
    sa.Column('triage', sa.Enum('fix_now', 'fix_by_deadline', 'explain', name='triage', native_enum=False, create_constraint=True, length=16), nullable=True),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reply', sa.Text(), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('first_answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_on_time', sa.Boolean(), nullable=True),
    sa.Column('verdict', sa.Enum('satisfied', 'fairly_satisfied', 'dissatisfied', name='verdict', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('verdict_source', sa.Enum('callback', 'citizen', name='verdictsource', native_enum=False, create_constraint=True, length=16), nullable=True),
    sa.Column('followed_up_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('called_back_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('overdue', sa.Boolean(), nullable=False),
    sa.Column('overdue_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reopen_count', sa.Integer(), nullable=False),
    sa.CheckConstraint("(founded IS NULL AND triage IS NULL) OR (founded = true AND triage IN ('fix_now', 'fix_by_deadline')) OR (founded = false AND triage = 'explain')", name=op.f('ck_cases_triage_matches_finding')),
    sa.CheckConstraint("(state = 'closed') = (closed_at IS NOT NULL)", name=op.f('ck_cases_closed_has_time')),
    sa.CheckConstraint("kind != 'bad_review' OR evaluation_id IS NOT NULL", name=op.f('ck_cases_bad_review_has_evaluation')),
    sa.CheckConstraint("state = 'new' OR state = 'closed' OR assignee_id IS NOT NULL OR kind = 'praise'", name=op.f('ck_cases_handled_cases_have_assignee')),
    sa.CheckConstraint('(verdict IS NULL) = (verdict_source IS NULL)', name=op.f('ck_cases_verdict_has_source')),
    sa.CheckConstraint('(window_id IS NULL) != (hall_id IS NULL)', name=op.f('ck_cases_window_or_hall')),
    sa.CheckConstraint('reopen_count >= 0', name=op.f('ck_cases_reopen_count_non_negative')),
    sa.ForeignKeyConstraint(['assignee_id'], ['users.id'], name=op.f('fk_cases_assignee_id_users')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_cases_created_by_id_users')),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_cases_device_id_devices')),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'], name=op.f('fk_cases_evaluation_id_evaluations')),
    sa.ForeignKeyConstraint(['hall_id'], ['org_units.id'], name=op.f('fk_cases_hall_id_org_units')),
    sa.ForeignKeyConstraint(['window_id'], ['windows.id'], name=op.f('fk_cases_window_id_windows')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases')),
    sa.UniqueConstraint('evaluation_id', name=op.f('uq_cases_evaluation_id')),
    sa.UniqueConstraint('nonce', name=op.f('uq_cases_nonce')),
    sa.UniqueConstraint('tracking_no', name=op.f('uq_cases_tracking_no'))
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cases_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_hall_id'), ['hall_id'], unique=False)
        batch_op.create_index('ix_cases_state_due', ['state', 'due_at'], unique=False)
        batch_op.create_index('ix_cases_window_created', ['window_id', 'created_at'], unique=False)

    op.create_table('case_appeals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('pending', 'upheld', 'rejected', name='appealstate', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('grounds', sa.Enum('malicious', 'mistaken', name='appealgrounds', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('filed_by_id', sa.Integer(), nullable=True),
    sa.Column('filed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=False),
    sa.CheckConstraint("(state = 'pending') = (decided_at IS NULL)", name=op.f('ck_case_appeals_decided_has_time')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_appeals_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_case_appeals_decided_by_id_users')),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'], name=op.f('fk_case_appeals_evaluation_id_evaluations')),
    sa.ForeignKeyConstraint(['filed_by_id'], ['users.id'], name=op.f('fk_case_appeals_filed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_appeals'))
    )
    with op.batch_alter_table('case_appeals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_appeals_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_appeals_evaluation_id'), ['evaluation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_appeals_state'), ['state'], unique=False)

    op.create_table('case_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.Enum('assigned', 'verified', 'answered', 'followed_up', 'reopened', 'closed', 'overdue', 'appealed', 'appeal_upheld', 'appeal_rejected', name='eventkind', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=80), nullable=False),
    sa.Column('from_state', sa.Enum('new', 'assigned', 'verified', 'answered', 'followed_up', 'closed', name='from_state', native_enum=False, create_constraint=True, length=16), nullable=True),
    sa.Column('to_state', sa.Enum('new', 'assigned', 'verified', 'answered', 'followed_up', 'closed', name='to_state', native_enum=False, create_constraint=True, length=16), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_case_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_events_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_events'))
    )
    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_events_case_id'), ['case_id'], unique=False)


def downgrade():
    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_events_case_id'))

    op.drop_table('case_events')
    with op.batch_alter_table('case_appeals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_appeals_state'))
        batch_op.drop_index(batch_op.f('ix_case_appeals_evaluation_id'))
        batch_op.drop_index(batch_op.f('ix_case_appeals_case_id'))

    op.drop_table('case_appeals')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_window_created')
        batch_op.drop_index('ix_cases_state_due')
        batch_op.drop_index(batch_op.f('ix_cases_hall_id'))
        batch_op.drop_index(batch_op.f('ix_cases_created_at'))
        batch_op.drop_index(batch_op.f('ix_cases_assignee_id'))

    op.drop_table('cases')
