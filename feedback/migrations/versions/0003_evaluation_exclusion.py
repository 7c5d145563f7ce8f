"""evaluations excluded by an upheld appeal: status 'excluded', reason 'appeal'

Revision ID: 0003_evaluation_exclusion
Revises: 0002_evaluations
Create Date: 2026-11-30 22:50:00

"""
from alembic import op


revision = "0003_evaluation_exclusion"
down_revision = "0002_evaluations"
branch_labels = None
depends_on = None

# Named by the metadata's convention (ck_<table>_<name>), as the Enum types named them.
STATUS = "flagstatus"
REASON = "flagreason"


def _replace(status: str, reason: str) -> None:
    with op.batch_alter_table("evaluations", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(f"ck_evaluations_{STATUS}"), type_="check")
        batch_op.drop_constraint(op.f(f"ck_evaluations_{REASON}"), type_="check")
        batch_op.create_check_constraint(STATUS, f"flag_status IN ({status})")
        batch_op.create_check_constraint(REASON, f"flag_reason IN ({reason})")


def upgrade():
    _replace("'counted', 'flagged', 'restored', 'excluded'",
             "'repeat', 'burst', 'staff_session', 'appeal'")


def downgrade():
    _replace("'counted', 'flagged', 'restored'", "'repeat', 'burst', 'staff_session'")
