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
    pass


def downgrade():
    pass
