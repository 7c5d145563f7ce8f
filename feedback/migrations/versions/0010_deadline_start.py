"""cases remember when their deadline started counting

Revision ID: 0010_deadline_start
Revises: 0009_alerts
Create Date: 2026-12-01 02:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = "0010_deadline_start"
down_revision = "0009_alerts"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("cases") as batch_op:
        batch_op.add_column(sa.Column("deadline_start", sa.DateTime(timezone=True),
                                      nullable=True))
    # A case never reopened counted from its opening; a reopened one from its latest reopening.
    op.execute("UPDATE cases SET deadline_start = created_at "
               "WHERE due_at IS NOT NULL AND reopen_count = 0")
    op.execute("""
        UPDATE cases SET deadline_start = (
            SELECT max(e.at) FROM case_events AS e
            WHERE e.case_id = cases.id AND e.kind = 'reopened')
        WHERE due_at IS NOT NULL AND reopen_count > 0
    """)


def downgrade():
    with op.batch_alter_table("cases") as batch_op:
        batch_op.drop_column("deadline_start")
