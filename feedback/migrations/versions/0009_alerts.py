"""statistical alerts

Revision ID: 0009_alerts
Revises: 0008_notices
Create Date: 2026-11-30 22:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = "0009_alerts"
down_revision = "0008_notices"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('alert_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('burst_enabled', sa.Boolean(), nullable=True),
    sa.Column('burst_count', sa.Integer(), nullable=True),
    sa.Column('burst_hours', sa.Integer(), nullable=True),
    sa.Column('low_index_enabled', sa.Boolean(), nullable=True),
    sa.Column('low_index_threshold', sa.Float(), nullable=True),
    sa.Column('low_index_min_ratings', sa.Integer(), nullable=True),
    sa.Column('low_index_days', sa.Integer(), nullable=True),
    sa.Column('pchart_enabled', sa.Boolean(), nullable=True),
    sa.Column('pchart_period', sa.Enum('day', 'week', name='periodunit', native_enum=False, create_constraint=True, length=16), nullable=True),
    sa.Column('pchart_sigmas', sa.Float(), nullable=True),
    sa.Column('pchart_history', sa.Integer(), nullable=True),
    sa.Column('pchart_min_history', sa.Integer(), nullable=True),
    sa.Column('pchart_min_count', sa.Integer(), nullable=True),
    sa.Column('cusum_enabled', sa.Boolean(), nullable=True),
    sa.Column('cusum_k', sa.Float(), nullable=True),
    sa.Column('cusum_h', sa.Float(), nullable=True),
    sa.Column('cusum_days', sa.Integer(), nullable=True),
    sa.Column('cusum_history_days', sa.Integer(), nullable=True),
    sa.Column('cusum_min_history', sa.Integer(), nullable=True),
    sa.Column('silence_enabled', sa.Boolean(), nullable=True),
    sa.Column('silence_days', sa.Integer(), nullable=True),
    sa.Column('silence_min_median', sa.Float(), nullable=True),
    sa.Column('silence_working_days', sa.Boolean(), nullable=True),
    sa.Column('silence_baseline_days', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('burst_count IS NULL OR (burst_count >= 2 AND burst_count <= 1000)', name=op.f('ck_alert_rules_burst_count_in_range')),
    sa.CheckConstraint('burst_hours IS NULL OR (burst_hours >= 1 AND burst_hours <= 72)', name=op.f('ck_alert_rules_burst_hours_in_range')),
    sa.CheckConstraint('cusum_days IS NULL OR (cusum_days >= 2 AND cusum_days <= 90)', name=op.f('ck_alert_rules_cusum_days_in_range')),
    sa.CheckConstraint('cusum_h IS NULL OR (cusum_h >= 0.5 AND cusum_h <= 20)', name=op.f('ck_alert_rules_cusum_h_in_range')),
    sa.CheckConstraint('cusum_history_days IS NULL OR (cusum_history_days >= 7 AND cusum_history_days <= 365)', name=op.f('ck_alert_rules_cusum_history_days_in_range')),
    sa.CheckConstraint('cusum_k IS NULL OR (cusum_k >= 0 AND cusum_k <= 3)', name=op.f('ck_alert_rules_cusum_k_in_range')),
    sa.CheckConstraint('cusum_min_history IS NULL OR (cusum_min_history >= 2 AND cusum_min_history <= 365)', name=op.f('ck_alert_rules_cusum_min_history_in_range')),
    sa.CheckConstraint('low_index_days IS NULL OR (low_index_days >= 1 AND low_index_days <= 365)', name=op.f('ck_alert_rules_low_index_days_in_range')),
    sa.CheckConstraint('low_index_min_ratings IS NULL OR (low_index_min_ratings >= 1 AND low_index_min_ratings <= 100000)', name=op.f('ck_alert_rules_low_index_min_ratings_in_range')),
    sa.CheckConstraint('low_index_threshold IS NULL OR (low_index_threshold >= 1 AND low_index_threshold <= 100)', name=op.f('ck_alert_rules_low_index_threshold_in_range')),
    sa.CheckConstraint('pchart_history IS NULL OR (pchart_history >= 3 AND pchart_history <= 365)', name=op.f('ck_alert_rules_pchart_history_in_range')),
    sa.CheckConstraint('pchart_min_count IS NULL OR (pchart_min_count >= 1 AND pchart_min_count <= 10000)', name=op.f('ck_alert_rules_pchart_min_count_in_range')),
    sa.CheckConstraint('pchart_min_history IS NULL OR (pchart_min_history >= 2 AND pchart_min_history <= 365)', name=op.f('ck_alert_rules_pchart_min_history_in_range')),
    sa.CheckConstraint('pchart_sigmas IS NULL OR (pchart_sigmas >= 1 AND pchart_sigmas <= 6)', name=op.f('ck_alert_rules_pchart_sigmas_in_range')),
    sa.CheckConstraint('silence_baseline_days IS NULL OR (silence_baseline_days >= 7 AND silence_baseline_days <= 365)', name=op.f('ck_alert_rules_silence_baseline_days_in_range')),
    sa.CheckConstraint('silence_days IS NULL OR (silence_days >= 1 AND silence_days <= 30)', name=op.f('ck_alert_rules_silence_days_in_range')),
    sa.CheckConstraint('silence_min_median IS NULL OR (silence_min_median >= 1 AND silence_min_median <= 10000)', name=op.f('ck_alert_rules_silence_min_median_in_range')),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_alert_rules_org_unit_id_org_units')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_alert_rules_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_rules')),
    sa.UniqueConstraint('org_unit_id', name=op.f('uq_alert_rules_org_unit_id'))
    )
    op.create_table('alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('window_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('burst', 'low_index', 'p_chart', 'cusum', 'silence', 'relapse', name='alertkind', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('status', sa.Enum('open', 'dismissed', 'notice_drafted', name='alertstatus', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('detected_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('dismissed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('dismissed_by_id', sa.Integer(), nullable=True),
    sa.Column('dismiss_reason', sa.Text(), nullable=True),
    sa.Column('notice_id', sa.Integer(), nullable=True),
    sa.Column('notice_drafted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('notice_drafted_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("(status = 'dismissed') = (dismissed_at IS NOT NULL AND dismiss_reason IS NOT NULL)", name=op.f('ck_alerts_dismissal_has_reason')),
    sa.CheckConstraint("(status = 'notice_drafted') = (notice_drafted_at IS NOT NULL)", name=op.f('ck_alerts_notice_drafted_when_stated')),
    sa.CheckConstraint('period_start <= period_end', name=op.f('ck_alerts_period_ordered')),
    sa.ForeignKeyConstraint(['dismissed_by_id'], ['users.id'], name=op.f('fk_alerts_dismissed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['notice_drafted_by_id'], ['users.id'], name=op.f('fk_alerts_notice_drafted_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['notice_id'], ['notices.id'], name=op.f('fk_alerts_notice_id_notices'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['window_id'], ['windows.id'], name=op.f('fk_alerts_window_id_windows')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alerts')),
    sa.UniqueConstraint('window_id', 'kind', 'period_start', name='uq_alerts_window_kind_period')
    )
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alerts_notice_id'), ['notice_id'], unique=False)
        batch_op.create_index('ix_alerts_status_detected', ['status', 'detected_at'], unique=False)


def downgrade():
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_index('ix_alerts_status_detected')
        batch_op.drop_index(batch_op.f('ix_alerts_notice_id'))

    op.drop_table('alerts')
    op.drop_table('alert_rules')
