"""in-app inbox and e-mail outbox

Revision ID: 0007_notifications
Revises: 0006_stats
Create Date: 2026-11-30 22:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = "0007_notifications"
down_revision = "0006_stats"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
