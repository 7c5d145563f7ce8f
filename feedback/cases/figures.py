"""How well cases are handled, per window or for a set of windows (a unit's): the dashboards'
figures.

* on-time answer rate: first answers given by the deadline, of the cases whose answer is due
  (answered, or past the deadline without an answer);
* callback rate for named bad reviews (target 100%): answered bad reviews whose citizen left a
  phone number and was called back (回访);
* satisfaction with the handling: 满意 and 基本满意 among the cases with a verdict (the latest);
* median time to the first answer, in hours.

Cases count in the period they were opened. No access check here: pass windows the reader
may see (``feedback.permissions.visible_windows_filter``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from statistics import median

from sqlalchemy import select

from feedback import clock
from feedback.cases.models import UNANSWERED_STATES, Case, CaseKind, Verdict
from feedback.cases.queries import open_cases
from feedback.clock import end_of_local_day
from feedback.extensions import db

__all__ = ["HandlingFigures", "handling_figures", "handling_figures_by_window", "open_cases"]


@dataclass(frozen=True)
class HandlingFigures:
    cases: int = 0  # opened in the period
    due: int = 0  # answered, or past the deadline without an answer
    answered: int = 0
    answered_on_time: int = 0
    overdue: int = 0  # past the deadline, still unanswered
    named_bad_reviews: int = 0  # answered bad reviews with a phone number
    called_back: int = 0  # … of which the citizen was called back
    verdicts: int = 0
    satisfied: int = 0
    fairly_satisfied: int = 0
    dissatisfied: int = 0
    median_answer_hours: float | None = None

    @property
    def on_time_rate(self) -> float | None:
        """0–1, None without any case due."""
        return self.answered_on_time / self.due if self.due else None

    @property
    def callback_rate(self) -> float | None:
        return self.called_back / self.named_bad_reviews if self.named_bad_reviews else None

    @property
    def satisfaction_rate(self) -> float | None:
        """满意 + 基本满意 among verdicts."""
        return (self.satisfied + self.fairly_satisfied) / self.verdicts if self.verdicts else None


def _bounds(start: date | datetime, end: date | datetime) -> tuple[datetime, datetime]:
    """Local days (both included) or aware times (``[start, end)``) as UTC bounds."""
    low = start if isinstance(start, datetime) else end_of_local_day(start - timedelta(days=1))
    high = end if isinstance(end, datetime) else end_of_local_day(end)
    return low, high


_COLUMNS = (Case.window_id, Case.kind, Case.state, Case.created_at, Case.due_at,
            Case.first_answered_at, Case.answered_on_time, Case.phone_cipher.is_not(None),
            Case.called_back_at, Case.verdict)


def _rows(window_ids: Iterable[int], start: date | datetime, end: date | datetime):
    ids = sorted(set(window_ids))
    if not ids:
        return []
    low, high = _bounds(start, end)
    return db.session.execute(
        select(*_COLUMNS).where(Case.window_id.in_(ids), Case.created_at >= low,
                                Case.created_at < high))


def _figures(rows, now: datetime) -> HandlingFigures:
    counts: dict[str, int] = defaultdict(int)
    hours: list[float] = []
    for (_window, kind, state, created_at, due_at, first_answered_at, on_time, named,
         called_back_at, verdict) in rows:
        counts["cases"] += 1
        if first_answered_at is not None:
            counts["answered"] += 1
            counts["due"] += 1
            counts["answered_on_time"] += bool(on_time)
            hours.append((first_answered_at - created_at).total_seconds() / 3600)
            if kind == CaseKind.BAD_REVIEW and named:
                counts["named_bad_reviews"] += 1
                counts["called_back"] += called_back_at is not None
        elif state in UNANSWERED_STATES and due_at is not None and due_at <= now:
            counts["due"] += 1
            counts["overdue"] += 1
        if verdict is not None:
            counts["verdicts"] += 1
            counts[{Verdict.SATISFIED: "satisfied", Verdict.FAIRLY_SATISFIED: "fairly_satisfied",
                    Verdict.DISSATISFIED: "dissatisfied"}[Verdict(verdict)]] += 1
    return HandlingFigures(**counts, median_answer_hours=(
        round(median(hours), 1) if hours else None))


def handling_figures(window_ids: Iterable[int], start: date | datetime, end: date | datetime,
                     *, now: datetime | None = None) -> HandlingFigures:
    """The handling figures of the cases of ``window_ids`` opened between ``start`` and ``end``
    (local days, both included; or aware times, end excluded), as of ``now``."""
    return _figures(_rows(window_ids, start, end), now or clock.now())


def handling_figures_by_window(window_ids: Iterable[int], start: date | datetime,
                               end: date | datetime, *, now: datetime | None = None
                               ) -> dict[int, HandlingFigures]:
    """``handling_figures`` for each window, from one query (windows without cases: empty)."""
    ids = sorted(set(window_ids))
    grouped: dict[int, list] = {window_id: [] for window_id in ids}
    for row in _rows(ids, start, end):
        grouped[row[0]].append(row)
    now = now or clock.now()
    return {window_id: _figures(rows, now) for window_id, rows in grouped.items()}
