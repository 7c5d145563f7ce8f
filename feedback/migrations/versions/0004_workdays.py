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
    pass


def downgrade():
    pass
