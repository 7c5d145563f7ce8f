"""What reports write: an audit entry for every export and every monthly report handed out.

An export copies citizens' comments out of Manyi, so who took what is kept like any change:
who, which kind and format, the filter, and how many rows. Flush only: the request (or the
command) commits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from feedback.audit.services import record

if TYPE_CHECKING:
    from feedback.accounts.models import User
    from feedback.orgs.models import OrgUnit

EXPORT_ACTION = "report.export"
MONTHLY_ACTION = "report.monthly"


def record_export(actor: User | None, kind: str, fmt: str, filters: dict[str, Any],
                  rows: int, obj: Any = None) -> None:
    """Audit an export of ``rows`` rows of ``kind`` (``evaluations``, ``windows``, ``units``)
    as ``fmt`` with ``filters``; ``obj`` is the window or unit it was limited to, if any.
    Raises nothing."""
    record(actor, EXPORT_ACTION, obj, {"kind": kind, "format": fmt, "filters": filters,
                                       "rows": rows},
           object_type=None if obj is not None else "export")


def record_monthly_report(actor: User | None, unit: OrgUnit, month: str) -> None:
    """Audit that ``actor`` (None: the command line) took ``unit``'s report for ``month``."""
    record(actor, MONTHLY_ACTION, unit, {"month": month, "format": "pdf"})
