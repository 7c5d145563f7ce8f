"""The rows of the spreadsheet exports: evaluations one by one, and figures per window or per
org unit for a period. Files are written by :mod:`feedback.exports` (formula injection
neutralised, CSV with a BOM, XLSX in write-only mode); this module only chooses the rows.

Every function takes the user and keeps to what they may see: a manager's windows, a
supervisor's subtree. Headers are in the interface language (Chinese by default). A citizen's
phone number is never exported, only whether one was left.

Periods are local days (``BABEL_DEFAULT_TIMEZONE``), as on the dashboards, so an export of a
month holds exactly the evaluations the month's figures count. The figures per window and per
unit come from the rollups (``feedback.stats``), computed with :mod:`surveys.scoring` as
everywhere else; flagged evaluations (and those excluded by an upheld appeal) are counted
apart and are in no other figure.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select

from feedback.accounts.models import User
from feedback.clock import start_of_local_day
from feedback.evaluations.forms import CHANNEL_LABELS, FLAG_LABELS
from feedback.evaluations.models import Evaluation, FlagStatus
from feedback.extensions import db
from feedback.orgs.forms import KIND_LABELS
from feedback.orgs.models import OrgUnit
from feedback.permissions import visible_units_filter, visible_windows_filter
from feedback.stats.models import LEVEL_COLUMNS, WindowDayStats
from feedback.windows.models import Staff, Window
from surveys import (
    BAD_REASONS,
    DIMENSIONS,
    LABELS_EN,
    LABELS_ZH,
    REASONS_KEY,
    Level,
    LevelCounts,
    bad_share,
    good_share,
    satisfaction_index,
)

__all__ = [
    "AggregateRow",
    "EvaluationFilter",
    "count_evaluations",
    "evaluation_header",
    "evaluation_rows",
    "unit_aggregate_header",
    "unit_aggregate_rows",
    "unit_aggregates",
    "window_aggregate_header",
    "window_aggregate_rows",
    "window_aggregates",
]

YIELD_PER = 1000

STATUS_LABELS = {
    FlagStatus.COUNTED: _l("counted"),
    FlagStatus.FLAGGED: _l("flagged"),
    FlagStatus.RESTORED: _l("restored"),
    FlagStatus.EXCLUDED: _l("excluded"),
}


def _zh() -> bool:
    return str(get_locale()) == "zh"


def _level_label(level: int) -> str:
    try:
        value = Level(int(level))
    except (TypeError, ValueError):
        return str(level)
    return (LABELS_ZH if _zh() else LABELS_EN)[value]


def _yes_no(value: bool) -> str:
    return str(_l("yes") if value else _l("no"))


def _percent(share: float | None) -> float | None:
    return None if share is None else round(100 * share, 2)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


# --- evaluations -----------------------------------------------------------------------------


@dataclass(frozen=True)
class EvaluationFilter:
    """What an evaluations export holds: local days ``start``..``end``, and optionally one
    window or one unit's subtree, one level, and flagged and excluded evaluations too."""

    start: date
    end: date
    window: Window | None = None
    unit: OrgUnit | None = None
    level: int | None = None
    include_flagged: bool = False

    def describe(self) -> dict[str, Any]:
        """The filter as the audit log keeps it."""
        return {
            "from": self.start.isoformat(), "to": self.end.isoformat(),
            "window": self.window.code if self.window is not None else None,
            "unit": self.unit.code if self.unit is not None else None,
            "level": self.level, "include_flagged": self.include_flagged,
        }


def _filtered(query: Select, user: User, filters: EvaluationFilter) -> Select:
    query = (
        query.join(Window, Window.id == Evaluation.window_id)
        .join(OrgUnit, OrgUnit.id == Window.org_unit_id)
        .where(visible_windows_filter(user),
               Evaluation.created_at >= start_of_local_day(filters.start),
               Evaluation.created_at < start_of_local_day(filters.end + timedelta(days=1)))
    )
    if filters.window is not None:
        query = query.where(Evaluation.window_id == filters.window.id)
    if filters.unit is not None:
        query = query.where(OrgUnit.in_subtree(filters.unit))
    if filters.level:
        query = query.where(Evaluation.level == filters.level)
    if not filters.include_flagged:
        query = query.where(Evaluation.counted)
    return query


def count_evaluations(user: User, filters: EvaluationFilter) -> tuple[int, int]:
    """How many evaluations the export holds, and the highest id among them (0 for none).

    The rows are then read up to that id, so the file holds exactly the rows counted here
    (and audited) even while new evaluations arrive.
    """
    row = db.session.execute(
        _filtered(select(func.count(), func.max(Evaluation.id)).select_from(Evaluation),
                  user, filters)
    ).one()
    return int(row[0]), int(row[1] or 0)


def evaluation_header() -> list[str]:
    """The column names, in the interface language."""
    zh = _zh()
    dimensions = [f"{d.zh}（1–5）" if zh else f"{d.en} (1–5)" for d in DIMENSIONS]
    return [str(name) for name in (
        _l("Evaluation ID"), _l("Rated at"), _l("Unit"), _l("Window code"), _l("Window"),
        _l("Channel"), _l("Level (1–5)"), _l("Rating"), *dimensions, _l("Reasons"),
        _l("Staff badge number"), _l("Comment"), _l("Phone number left"),
        _l("Verified transaction"), _l("Status"), _l("Flag reason"),
    )]


def evaluation_rows(user: User, filters: EvaluationFilter, upto_id: int) -> Iterator[list[Any]]:
    """The evaluations of the export, oldest first, one list per row of
    ``evaluation_header()``; read in batches, so a million rows never sit in memory.

    The query and the labels are settled now, in the request: the rows may be read later,
    while a streamed response is sent, when the request's objects are no longer loaded.
    """
    query = _filtered(
        select(Evaluation.id, Evaluation.created_at, OrgUnit.name.label("unit_name"),
               Window.code.label("window_code"), Window.name.label("window_name"),
               Evaluation.channel, Evaluation.level, Evaluation.answers, Staff.badge_no,
               Evaluation.comment, Evaluation.phone_cipher.is_not(None).label("has_phone"),
               Evaluation.verified, Evaluation.flag_status, Evaluation.flag_reason)
        .select_from(Evaluation)
        .outerjoin(Staff, Staff.id == Evaluation.staff_id),
        user, filters,
    ).where(Evaluation.id <= upto_id).order_by(Evaluation.created_at, Evaluation.id)
    labels = _Labels(
        reasons={r.code: (r.zh if _zh() else r.en) for r in BAD_REASONS},
        channels={channel.value: str(label) for channel, label in CHANNEL_LABELS.items()},
        flags={reason.value: str(label) for reason, label in FLAG_LABELS.items()},
        statuses={status.value: str(label) for status, label in STATUS_LABELS.items()},
        levels={level: _level_label(level) for level in range(1, 6)},
        yes=_yes_no(True), no=_yes_no(False),
    )
    return _read_rows(query if upto_id > 0 else None, labels)


@dataclass(frozen=True)
class _Labels:
    reasons: dict[str, str]
    channels: dict[str, str]
    flags: dict[str, str]
    statuses: dict[str, str]
    levels: dict[int, str]
    yes: str
    no: str


def _read_rows(query: Select | None, labels: _Labels) -> Iterator[list[Any]]:
    if query is None:
        return
    reasons, channels, statuses, flags = (labels.reasons, labels.channels, labels.statuses,
                                          labels.flags)
    keys = [d.key for d in DIMENSIONS]
    for (number, created_at, unit_name, window_code, window_name, channel, level, answers,
         badge_no, comment, has_phone, verified, status, flag) in db.session.execute(
            query.execution_options(yield_per=YIELD_PER)):
        answers = answers if isinstance(answers, dict) else {}
        chosen = answers.get(REASONS_KEY) or ()
        if isinstance(chosen, str):
            chosen = (chosen,)
        channel, status, flag = _value(channel), _value(status), _value(flag)
        yield [
            number, created_at, unit_name, window_code, window_name,
            channels.get(channel, channel), level, labels.levels.get(level, str(level)),
            *[_dimension(answers.get(key)) for key in keys],
            "、".join(reasons.get(code, str(code)) for code in chosen),
            badge_no or "", comment or "", labels.yes if has_phone else labels.no,
            labels.yes if verified else labels.no,
            statuses.get(status, status), flags.get(flag, flag) if flag else "",
        ]


def _value(member: Any) -> str:
    return getattr(member, "value", member) if member is not None else ""


_DIMENSION_VALUES: dict[Any, int] = {**{str(v): v for v in range(1, 6)},
                                     **{v: v for v in range(1, 6)}}


def _dimension(answer: Any) -> int | None:
    """A dimension's answer (stored as text, ``"4"``) as its level; None when not rated."""
    try:
        return _DIMENSION_VALUES.get(answer)
    except TypeError:  # an unhashable answer: not a level
        return None


# --- figures per window and per unit -------------------------------------------------------------


@dataclass(frozen=True)
class AggregateRow:
    """The figures of one window, or of one unit's whole subtree, over a period."""

    code: str
    name: str
    counts: LevelCounts
    flagged: int  # kept but not counted: flagged, or excluded by an upheld appeal
    unit_code: str = ""  # a window's unit, or a unit's parent
    unit_name: str = ""
    kind: str = ""  # a unit's kind (province, city, county, hall)
    windows: int = 1  # a unit's windows (active, or rated in the period)
    active: bool = True

    @property
    def n(self) -> int:
        return self.counts.total

    @property
    def index(self) -> float | None:
        return satisfaction_index(self.counts)

    @property
    def good_share(self) -> float | None:
        return good_share(self.counts)

    @property
    def bad_share(self) -> float | None:
        return bad_share(self.counts)


def _sums(start: date, end: date):
    s = WindowDayStats
    return (
        select(s.window_id,
               *[func.coalesce(func.sum(getattr(s, c)), 0).label(c) for c in LEVEL_COLUMNS],
               func.coalesce(func.sum(s.flagged), 0).label("flagged"))
        .where(s.day >= start, s.day <= end)
        .group_by(s.window_id)
        .subquery()
    )


def _counts(row) -> LevelCounts:
    return LevelCounts(very_dissatisfied=int(row.n1 or 0), dissatisfied=int(row.n2 or 0),
                       fairly_satisfied=int(row.n3 or 0), satisfied=int(row.n4 or 0),
                       very_satisfied=int(row.n5 or 0))


def _window_totals(user: User, start: date, end: date, *, unit: OrgUnit | None = None,
                   window: Window | None = None):
    sums = _sums(start, end)
    query = (
        select(Window.id, Window.code, Window.name, Window.active,
               OrgUnit.id.label("unit_id"), OrgUnit.code.label("unit_code"),
               OrgUnit.name.label("unit_name"), OrgUnit.path,
               *[sums.c[c] for c in LEVEL_COLUMNS], sums.c.flagged)
        .join(OrgUnit, OrgUnit.id == Window.org_unit_id)
        .outerjoin(sums, sums.c.window_id == Window.id)
        .where(visible_windows_filter(user))
        .order_by(OrgUnit.path, Window.name, Window.code)
    )
    if unit is not None:
        query = query.where(OrgUnit.in_subtree(unit))
    if window is not None:
        query = query.where(Window.id == window.id)
    return db.session.execute(query).all()


def window_aggregates(user: User, start: date, end: date, *, unit: OrgUnit | None = None,
                      window: Window | None = None) -> list[AggregateRow]:
    """Each window the user may see (within ``unit``'s subtree, or only ``window``), in tree
    order: its counted ratings per level and flagged ones over ``start``..``end``. Inactive
    windows are listed only when they have evaluations in the period."""
    rows = []
    for row in _window_totals(user, start, end, unit=unit, window=window):
        counts, flagged = _counts(row), int(row.flagged or 0)
        if not row.active and counts.total == 0 and flagged == 0:
            continue
        rows.append(AggregateRow(code=row.code, name=row.name, counts=counts, flagged=flagged,
                                 unit_code=row.unit_code, unit_name=row.unit_name,
                                 active=row.active))
    return rows


def unit_aggregates(user: User, start: date, end: date, *,
                    unit: OrgUnit | None = None) -> list[AggregateRow]:
    """Each org unit the user may see (``unit`` and below, if given), in tree order, with the
    figures of its whole subtree over ``start``..``end``: the same numbers as the statistics
    API and a subtree dashboard give for that unit."""
    units_query = select(OrgUnit).where(visible_units_filter(user)).order_by(OrgUnit.path)
    if unit is not None:
        units_query = units_query.where(OrgUnit.in_subtree(unit))
    units = list(db.session.scalars(units_query))
    if not units:
        return []
    by_id = {u.id: u for u in units}
    totals: dict[int, list[int]] = {u.id: [0] * 6 for u in units}  # n1..n5, flagged
    windows: dict[int, int] = dict.fromkeys(by_id, 0)
    for row in _window_totals(user, start, end, unit=unit):
        counts, flagged = _counts(row), int(row.flagged or 0)
        if not row.active and counts.total == 0 and flagged == 0:
            continue
        values = [counts[level] for level in range(1, 6)] + [flagged]
        # A window counts in its own unit and in every unit above it.
        for part in row.path.strip("/").split("/"):
            owner = int(part)
            if owner in totals:
                totals[owner] = [a + b for a, b in zip(totals[owner], values, strict=True)]
                windows[owner] += 1
    parents = {u.parent_id for u in units if u.parent_id is not None} - by_id.keys()
    parent_names = {
        row.id: (row.code, row.name)
        for row in db.session.execute(
            select(OrgUnit.id, OrgUnit.code, OrgUnit.name).where(OrgUnit.id.in_(parents)))
    } if parents else {}
    rows = []
    for u in units:
        n1, n2, n3, n4, n5, flagged = totals[u.id]
        parent = by_id.get(u.parent_id) if u.parent_id is not None else None
        parent_code, parent_name = ((parent.code, parent.name) if parent is not None
                                    else parent_names.get(u.parent_id, ("", "")))
        rows.append(AggregateRow(
            code=u.code, name=u.name,
            counts=LevelCounts(very_dissatisfied=n1, dissatisfied=n2, fairly_satisfied=n3,
                               satisfied=n4, very_satisfied=n5),
            flagged=flagged, unit_code=parent_code, unit_name=parent_name,
            kind=str(KIND_LABELS.get(u.kind, u.kind)), windows=windows[u.id], active=u.active,
        ))
    return rows


def _figure_header() -> list[str]:
    return [
        str(_l("Ratings")), *[_level_label(int(level)) for level in Level],
        str(_l("Satisfaction index")), str(_l("Good-review share (%)")),
        str(_l("Bad-review share (%)")), str(_l("Flagged or excluded (not counted)")),
    ]


def _figures(row: AggregateRow) -> list[Any]:
    return [
        row.n, *[row.counts[level] for level in Level],
        _round(row.index), _percent(row.good_share), _percent(row.bad_share), row.flagged,
    ]


def window_aggregate_header() -> list[str]:
    return [str(_l("Window code")), str(_l("Window")), str(_l("Unit code")), str(_l("Unit")),
            *_figure_header()]


def window_aggregate_rows(rows: Sequence[AggregateRow]) -> Iterator[list[Any]]:
    for row in rows:
        yield [row.code, row.name, row.unit_code, row.unit_name, *_figures(row)]


def unit_aggregate_header() -> list[str]:
    return [str(_l("Unit code")), str(_l("Unit")), str(_l("Kind")), str(_l("Parent unit")),
            str(_l("Number of windows")), *_figure_header()]


def unit_aggregate_rows(rows: Sequence[AggregateRow]) -> Iterator[list[Any]]:
    for row in rows:
        yield [row.code, row.name, row.kind, row.unit_name, row.windows, *_figures(row)]
