"""rectification notices and evidence

Revision ID: 0008_notices
Revises: 0007_notifications
Create Date: 2026-11-30 22:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = "0008_notices"
down_revision = "0007_notifications"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=24), nullable=True),
    sa.Column('kind', sa.Enum('rectification', 'talk', name='noticekind', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('source', sa.Enum('scratch', 'alert', 'cases', 'inspection', 'ranking', 'follow_up', name='noticesource', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('source_key', sa.String(length=80), nullable=True),
    sa.Column('state', sa.Enum('draft', 'issued', 'acknowledged', 'reported', 'returned', 'closed', 'cancelled', name='noticestate', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('window_id', sa.Integer(), nullable=True),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('issuer_unit_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('problem', sa.Text(), nullable=False),
    sa.Column('requirement', sa.Text(), nullable=False),
    sa.Column('deadline_days', sa.Integer(), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deadline_estimated', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('return_count', sa.Integer(), nullable=False),
    sa.Column('overdue_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('escalated_to_id', sa.Integer(), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('public_text', sa.Text(), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('follows_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("state != 'closed' OR closed_at IS NOT NULL", name=op.f('ck_notices_closed_has_time')),
    sa.CheckConstraint("state IN ('draft', 'cancelled') OR (issued_at IS NOT NULL AND due_at IS NOT NULL AND number IS NOT NULL)", name=op.f('ck_notices_sent_has_deadline')),
    sa.CheckConstraint('deadline_days BETWEEN 1 AND 60', name=op.f('ck_notices_deadline_days_in_range')),
    sa.CheckConstraint('escalated_at IS NULL OR overdue_at IS NOT NULL', name=op.f('ck_notices_escalated_was_overdue')),
    sa.CheckConstraint('published_at IS NULL OR issued_at IS NOT NULL', name=op.f('ck_notices_published_was_issued')),
    sa.CheckConstraint('return_count >= 0', name=op.f('ck_notices_return_count_non_negative')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_notices_created_by_id_users')),
    sa.ForeignKeyConstraint(['escalated_to_id'], ['org_units.id'], name=op.f('fk_notices_escalated_to_id_org_units')),
    sa.ForeignKeyConstraint(['follows_id'], ['notices.id'], name=op.f('fk_notices_follows_id_notices')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_notices_issued_by_id_users')),
    sa.ForeignKeyConstraint(['issuer_unit_id'], ['org_units.id'], name=op.f('fk_notices_issuer_unit_id_org_units')),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_notices_org_unit_id_org_units')),
    sa.ForeignKeyConstraint(['window_id'], ['windows.id'], name=op.f('fk_notices_window_id_windows')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notices')),
    sa.UniqueConstraint('number', name=op.f('uq_notices_number')),
    sa.UniqueConstraint('source_key', name=op.f('uq_notices_source_key'))
    )
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notices_closed_at'), ['closed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_notices_org_unit_id'), ['org_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notices_published_at'), ['published_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_notices_state'), ['state'], unique=False)
        batch_op.create_index('ix_notices_state_due', ['state', 'due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_notices_window_id'), ['window_id'], unique=False)

    op.create_table('notice_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.Enum('created', 'edited', 'issued', 'acknowledged', 'reported', 'returned', 'verified', 'overdue', 'escalated', 'published', 'cancelled', name='eventkind', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=80), nullable=False),
    sa.Column('state', sa.Enum('draft', 'issued', 'acknowledged', 'reported', 'returned', 'closed', 'cancelled', name='noticestate', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_notice_events_actor_id_users')),
    sa.ForeignKeyConstraint(['notice_id'], ['notices.id'], name=op.f('fk_notice_events_notice_id_notices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_events'))
    )
    with op.batch_alter_table('notice_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notice_events_notice_id'), ['notice_id'], unique=False)

    op.create_table('notice_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('evaluation', 'case', 'alert', 'chart', 'inspection', name='linkkind', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('ref', sa.String(length=200), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['notice_id'], ['notices.id'], name=op.f('fk_notice_links_notice_id_notices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_links')),
    sa.UniqueConstraint('notice_id', 'kind', 'ref', name='uq_notice_links_notice_kind_ref')
    )
    with op.batch_alter_table('notice_links', schema=None) as batch_op:
        batch_op.create_index('ix_notice_links_kind_ref', ['kind', 'ref'], unique=False)

    op.create_table('notice_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('measures', sa.Text(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.Enum('accepted', 'returned', name='reviewoutcome', native_enum=False, create_constraint=True, length=16), nullable=True),
    sa.Column('review_comment', sa.Text(), nullable=False),
    sa.CheckConstraint('(outcome IS NULL) = (reviewed_at IS NULL)', name=op.f('ck_notice_reports_outcome_when_reviewed')),
    sa.CheckConstraint('number >= 1', name=op.f('ck_notice_reports_number_positive')),
    sa.ForeignKeyConstraint(['notice_id'], ['notices.id'], name=op.f('fk_notice_reports_notice_id_notices')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_notice_reports_reviewed_by_id_users')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_notice_reports_submitted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_reports')),
    sa.UniqueConstraint('notice_id', 'number', name='uq_notice_reports_notice_number')
    )
    with op.batch_alter_table('notice_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notice_reports_notice_id'), ['notice_id'], unique=False)

    op.create_table('notice_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('original_name', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("content_type IN ('image/jpeg', 'image/png', 'application/pdf')", name=op.f('ck_notice_files_content_type_known')),
    sa.CheckConstraint('size > 0', name=op.f('ck_notice_files_size_positive')),
    sa.ForeignKeyConstraint(['notice_id'], ['notices.id'], name=op.f('fk_notice_files_notice_id_notices')),
    sa.ForeignKeyConstraint(['report_id'], ['notice_reports.id'], name=op.f('fk_notice_files_report_id_notice_reports')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_notice_files_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_files')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_notice_files_stored_name'))
    )
    with op.batch_alter_table('notice_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notice_files_notice_id'), ['notice_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notice_files_report_id'), ['report_id'], unique=False)


def downgrade():
    with op.batch_alter_table('notice_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notice_files_report_id'))
        batch_op.drop_index(batch_op.f('ix_notice_files_notice_id'))

    op.drop_table('notice_files')
    with op.batch_alter_table('notice_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notice_reports_notice_id'))

    op.drop_table('notice_reports')
    with op.batch_alter_table('notice_links', schema=None) as batch_op:
        batch_op.drop_index('ix_notice_links_kind_ref')

    op.drop_table('notice_links')
    with op.batch_alter_table('notice_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notice_events_notice_id'))

    op.drop_table('notice_events')
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notices_window_id'))
        batch_op.drop_index('ix_notices_state_due')
        batch_op.drop_index(batch_op.f('ix_notices_state'))
        batch_op.drop_index(batch_op.f('ix_notices_published_at'))
        batch_op.drop_index(batch_op.f('ix_notices_org_unit_id'))
        batch_op.drop_index(batch_op.f('ix_notices_closed_at'))

    op.drop_table('notices')
