"""working-day calendar and deadline policies

Revision ID: 0004_workdays
Revises: 0003_evaluation_exclusion
Create Date: 2026-11-30 22:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = "0004_workdays"
down_revision = "0003_evaluation_exclusion"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calendar_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('is_working_day', sa.Boolean(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['entered_by_id'], ['users.id'], name=op.f('fk_calendar_days_entered_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_calendar_days'))
    )
    op.create_table('deadline_policies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('case_answer', 'notice', name='deadlinekind', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('working_days', sa.Integer(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('working_days BETWEEN 1 AND 60', name=op.f('ck_deadline_policies_working_days_in_range')),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_deadline_policies_org_unit_id_org_units')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_deadline_policies_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deadline_policies')),
    sa.UniqueConstraint('org_unit_id', 'kind', name='uq_deadline_policies_unit_kind')
    )


def downgrade():
    op.drop_table('deadline_policies')
    op.drop_table('calendar_days')
