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


def upgrade():
    pass


def downgrade():
    pass
