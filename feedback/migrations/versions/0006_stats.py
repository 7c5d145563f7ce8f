"""statistics rollups and API tokens

Revision ID: 0006_stats
Revises: 0005_cases
Create Date: 2026-11-30 22:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = "0006_stats"
down_revision = "0005_cases"
branch_labels = None
depends_on = None


def _counts():
    return [sa.Column(f"n{level}", sa.Integer(), server_default="0", nullable=False)
            for level in range(1, 6)]


def upgrade():
    op.create_table('dimension_day_stats',
    sa.Column('window_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('dimension', sa.String(length=40), nullable=False),
    *_counts(),
    sa.CheckConstraint('n1 >= 0 AND n2 >= 0 AND n3 >= 0 AND n4 >= 0 AND n5 >= 0', name=op.f('ck_dimension_day_stats_counts_non_negative')),
    sa.ForeignKeyConstraint(['window_id'], ['windows.id'], name=op.f('fk_dimension_day_stats_window_id_windows'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('window_id', 'day', 'dimension', name=op.f('pk_dimension_day_stats')),
    sqlite_with_rowid=False,
    )
    op.create_table('window_day_stats',
    sa.Column('window_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    *_counts(),
    sa.Column('flagged', sa.Integer(), server_default='0', nullable=False),
    sa.Column('verified', sa.Integer(), server_default='0', nullable=False),
    sa.Column('ch_qr', sa.Integer(), server_default='0', nullable=False),
    sa.Column('ch_token', sa.Integer(), server_default='0', nullable=False),
    sa.Column('ch_device', sa.Integer(), server_default='0', nullable=False),
    sa.Column('ch_web', sa.Integer(), server_default='0', nullable=False),
    sa.Column('ch_hotline', sa.Integer(), server_default='0', nullable=False),
    sa.Column('ch_sms', sa.Integer(), server_default='0', nullable=False),
    sa.CheckConstraint('n1 >= 0 AND n2 >= 0 AND n3 >= 0 AND n4 >= 0 AND n5 >= 0 AND flagged >= 0 AND verified >= 0 AND ch_qr >= 0 AND ch_token >= 0 AND ch_device >= 0 AND ch_web >= 0 AND ch_hotline >= 0 AND ch_sms >= 0', name=op.f('ck_window_day_stats_counts_non_negative')),
    sa.ForeignKeyConstraint(['window_id'], ['windows.id'], name=op.f('fk_window_day_stats_window_id_windows'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('window_id', 'day', name=op.f('pk_window_day_stats')),
    sqlite_with_rowid=False,
    )

    op.create_table('staff_day_stats',
    sa.Column('window_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    *_counts(),
    sa.CheckConstraint('n1 >= 0 AND n2 >= 0 AND n3 >= 0 AND n4 >= 0 AND n5 >= 0', name=op.f('ck_staff_day_stats_counts_non_negative')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_staff_day_stats_staff_id_staff'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['window_id'], ['windows.id'], name=op.f('fk_staff_day_stats_window_id_windows'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('window_id', 'day', 'staff_id', name=op.f('pk_staff_day_stats')),
    sqlite_with_rowid=False,
    )

    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('prefix', sa.String(length=12), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('prefix', name=op.f('uq_api_tokens_prefix'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('evaluation_tokens', schema=None) as batch_op:
        batch_op.create_index('ix_evaluation_tokens_window_issued', ['window_id', 'issued_at'], unique=False)

    _fill_rollups()


def _fill_rollups():
    """Count the evaluations stored before this revision (nothing to do on an empty database)."""
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT 1 FROM evaluations LIMIT 1")).first() is None:
        return
    from feedback.stats.rollups import rebuild

    rebuild(connection=bind)


def downgrade():
    with op.batch_alter_table('evaluation_tokens', schema=None) as batch_op:
        batch_op.drop_index('ix_evaluation_tokens_window_issued')

    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
    op.drop_table('staff_day_stats')
    op.drop_table('window_day_stats')
    op.drop_table('dimension_day_stats')
