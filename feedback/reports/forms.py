"""The report pages' choices, read from the query string: what to export and for which period,
and which month's report to print. GET forms (nothing changes, no CSRF), like the dashboards'
period picker.

A period is a calendar month (``month=2026-11``) or a range of local days (``start`` and
``end``, both included); without either, the last complete month. A month that has begun runs
up to today; one that has not begun is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField
from wtforms.validators import AnyOf, Length, Optional, ValidationError

from surveys import LABELS_EN, LABELS_ZH, Level

MONTH = re.compile(r"(\d{4})-(\d{2})")
EARLIEST = date(2000, 1, 1)
MAX_DAYS = 3 * 366  # as the statistics API: a longer export is a backup, not a report


@dataclass(frozen=True)
class ReportPeriod:
    """Local days ``start``..``end`` (both included); ``month`` is ``"2026-11"`` for a
    calendar month (``partial`` while it runs), empty for a free range."""

    start: date
    end: date
    month: str = ""
    partial: bool = False

    @property
    def label(self) -> str:
        """For file names: ``2026-11`` or ``2026-11-01_2026-11-15``."""
        return self.month or f"{self.start.isoformat()}_{self.end.isoformat()}"

    def args(self) -> dict[str, str]:
        if self.month:
            return {"month": self.month}
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


def month_start(text: str) -> date | None:
    """The first day of ``"2026-11"``; None when it is not a month."""
    found = MONTH.fullmatch((text or "").strip())
    if found is None or not 1 <= int(found[2]) <= 12:
        return None
    return date(int(found[1]), int(found[2]), 1)


def add_months(first: date, count: int) -> date:
    index = first.year * 12 + first.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def last_complete_month(today: date) -> date:
    return add_months(today.replace(day=1), -1)


def month_period(first: date, today: date) -> ReportPeriod:
    """The calendar month starting ``first``, up to ``today`` if it is still running."""
    last = add_months(first, 1) - timedelta(days=1)
    return ReportPeriod(start=first, end=min(last, today), month=f"{first:%Y-%m}",
                        partial=last > today)


def check_month(text: str, today: date) -> date:
    """The first day of the month ``text`` names; ``ValidationError`` when it is malformed,
    has not begun, or lies before 2000."""
    first = month_start(text)
    if first is None:
        raise ValidationError(_l("Give the month as year and month, like 2026-03."))
    if first > today.replace(day=1):
        raise ValidationError(_l("That month has not begun yet."))
    if first < EARLIEST:
        raise ValidationError(_l("Choose a month from 2000 on."))
    return first


class _PeriodForm(FlaskForm):
    """Built from ``request.args`` with today's local date: ``Form(request.args, today=…)``."""

    class Meta:
        csrf = False  # a GET form that only chooses what to read

    month = StringField(_l("Month"), validators=[Optional()],
                        description=_l("As 2026-03. Or give a first and a last day instead."),
                        render_kw={"placeholder": "2026-03", "inputmode": "numeric",
                                   "pattern": r"\d{4}-\d{2}", "maxlength": 7})
    start = DateField(_l("First day"), validators=[Optional()])
    end = DateField(_l("Last day"), validators=[Optional()])

    def __init__(self, formdata, *, today: date, **kwargs) -> None:
        super().__init__(formdata, **kwargs)
        self.today = today

    def validate_month(self, field: StringField) -> None:
        if field.data:
            check_month(field.data, self.today)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # The range is checked here: each date field alone is optional.
        start, end = self.start.data, self.end.data
        problem = None
        if self.start.errors or self.end.errors:
            return False
        if (start is None) != (end is None):
            problem = _l("Give both the first and the last day, or a month.")
        elif start is not None and end is not None:
            if start > end:
                problem = _l("The last day is before the first.")
            elif start < EARLIEST:
                problem = _l("Choose a month from 2000 on.")
            elif (end - start).days + 1 > MAX_DAYS:
                problem = _l("A period of at most %(days)d days.", days=MAX_DAYS)
        if problem is not None:
            self.end.errors = [*self.end.errors, problem]
            return False
        return valid

    def period(self) -> ReportPeriod:
        """The chosen period; call after ``validate()`` succeeded. Days win over a month."""
        if self.start.data and self.end.data:
            return ReportPeriod(start=self.start.data, end=self.end.data)
        first = month_start(self.month.data or "") or last_complete_month(self.today)
        return month_period(first, self.today)


def _level_choices():
    labels = LABELS_ZH if str(get_locale()) == "zh" else LABELS_EN
    return [("", _l("All"))] + [(str(int(level)), labels[level]) for level in Level]


class EvaluationExportForm(_PeriodForm):
    """Evaluations of the windows the user may see: one window or one unit's subtree, a
    period, one level, flagged ones too if asked."""

    window = StringField(_l("Window code"), validators=[Optional(), Length(max=32)],
                         description=_l("Leave empty for all the windows you may see."))
    unit = StringField(_l("Unit code"), validators=[Optional(), Length(max=32)],
                       description=_l("Every window below this unit."))
    level = SelectField(_l("Rating"), default="", validate_choice=False, validators=[
        Optional(), AnyOf(["1", "2", "3", "4", "5"], message=_l("Choose a level of the scale."))])
    flagged = BooleanField(_l("Include flagged and excluded evaluations"))

    def __init__(self, formdata, *, today: date, **kwargs) -> None:
        super().__init__(formdata, today=today, **kwargs)
        self.level.choices = _level_choices()

    def validate_unit(self, field: StringField) -> None:
        if field.data and self.window.data:
            raise ValidationError(_l("Choose a window or a unit, not both."))


class AggregateExportForm(_PeriodForm):
    """Figures per window or per unit for a period, within one unit's subtree if given."""

    unit = StringField(_l("Unit code"), validators=[Optional(), Length(max=32)],
                       description=_l("Every window below this unit."))


class MonthlyReportForm(FlaskForm):
    """Which unit's monthly report, for which month (the last complete one by default)."""

    class Meta:
        csrf = False

    unit = StringField(_l("Unit code"), validators=[Optional(), Length(max=32)])
    month = StringField(_l("Month"), validators=[Optional()],
                        render_kw={"placeholder": "2026-03", "inputmode": "numeric",
                                   "pattern": r"\d{4}-\d{2}", "maxlength": 7})

    def __init__(self, formdata, *, today: date, **kwargs) -> None:
        super().__init__(formdata, **kwargs)
        self.today = today

    def validate_month(self, field: StringField) -> None:
        if field.data:
            check_month(field.data, self.today)

    def first_day(self) -> date:
        return month_start(self.month.data or "") or last_complete_month(self.today)

