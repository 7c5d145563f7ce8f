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
    pass


def downgrade():
    pass
