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
    pass


def downgrade():
    pass
