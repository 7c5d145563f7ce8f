"""periodic steps: leases and the record of their runs

Revision ID: 0011_step_runs
Revises: 0010_deadline_start
Create Date: 2026-12-03 20:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = "0011_step_runs"
down_revision = "0010_deadline_start"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "step_runs",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("lease_owner", sa.String(length=128), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_count", sa.Integer(), nullable=True),
        sa.Column("last_seconds", sa.Float(), nullable=True),
        sa.Column("last_error_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.CheckConstraint("(lease_owner IS NULL) = (lease_until IS NULL)",
                           name=op.f("ck_step_runs_lease_whole")),
        sa.CheckConstraint("failures >= 0", name=op.f("ck_step_runs_failures_counted")),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_step_runs")),
    )


def downgrade():
    op.drop_table("step_runs")
