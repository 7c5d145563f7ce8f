"""The period picker of the dashboards: ``?period=7d|30d|90d|month[&month=2026-03]
[&granularity=day|week]``, read from the query string (a GET form: nothing changes, no CSRF).

A period is compared with the one before it: the 30 days up to today with the 30 days before
them, a calendar month with the month before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, Optional, ValidationError

ROLLING_PERIODS = {"7d": 7, "30d": 30, "90d": 90}
DEFAULT_PERIOD = "30d"
MONTH = re.compile(r"(\d{4})-(\d{2})")
EARLIEST_MONTH = date(2000, 1, 1)


@dataclass(frozen=True)
class Period:
    """A range of local days (both ends included) and the range it is compared with."""

    key: str  # "7d", "30d", "90d" or "month"
    start: date
    end: date
    previous_start: date
    previous_end: date
    granularity: str  # trend points: "day" or "week"
    month: str = ""  # "2026-03" for a month

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def previous(self) -> tuple[date, date]:
        return self.previous_start, self.previous_end

    @property
    def current(self) -> tuple[date, date]:
        return self.start, self.end

    def args(self) -> dict[str, str]:
        """The query string that selects this period again."""
        values = {"period": self.key, "granularity": self.granularity}
        if self.key == "month":
            values["month"] = self.month
        return values


def _month_start(value: str) -> date | None:
    found = MONTH.fullmatch(value.strip())
    if found is None:
        return None
    year, month = int(found[1]), int(found[2])
    if not 1 <= month <= 12:
        return None
    return date(year, month, 1)


def _add_months(first: date, count: int) -> date:
    index = first.year * 12 + first.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


class PeriodForm(FlaskForm):
    """Built from ``request.args``: ``PeriodForm(request.args, today=...)``."""

    class Meta:
        csrf = False  # a GET form that only chooses what to show

    period = SelectField(_l("Period"), default=DEFAULT_PERIOD, validate_choice=False, choices=[
        SelectChoice("7d", _l("Last 7 days")),
        SelectChoice("30d", _l("Last 30 days")),
        SelectChoice("90d", _l("Last 90 days")),
        SelectChoice("month", _l("A calendar month")),
    ], validators=[AnyOf([*ROLLING_PERIODS, "month"],
                         message=_l("Choose the last 7, 30 or 90 days, or a calendar month."))])
    month = StringField(_l("Month"), validators=[Optional()],  # empty: the current month
                        description=_l("As 2026-03; for a calendar month."),
                        render_kw={"placeholder": "2026-03", "inputmode": "numeric",
                                   "pattern": r"\d{4}-\d{2}", "maxlength": 7})
    granularity = SelectField(_l("Points"), validate_choice=False, choices=[
        SelectChoice("", _l("Automatic")),
        SelectChoice("day", _l("Daily")),
        SelectChoice("week", _l("Weekly")),
    ], validators=[Optional(), AnyOf(["day", "week"],
                                     message=_l("Points are daily or weekly."))])

    def __init__(self, formdata, *, today: date, **kwargs) -> None:
        super().__init__(formdata, **kwargs)
        self.today = today

    def validate_month(self, field: StringField) -> None:
        if self.period.data != "month":
            return
        first = _month_start(field.data)
        if first is None:
            raise ValidationError(_l("Give the month as year and month, like 2026-03."))
        if first > self.today.replace(day=1):
            raise ValidationError(_l("That month has not begun yet."))
        if first < EARLIEST_MONTH:
            raise ValidationError(_l("Choose a month from 2000 on."))

    def resolve(self) -> Period:
        """The chosen period; call after ``validate()`` succeeded."""
        key = self.period.data
        if key == "month":
            start = _month_start(self.month.data or "") or self.today.replace(day=1)
            following = _add_months(start, 1)
            end = min(following - timedelta(days=1), self.today)
            previous_start = _add_months(start, -1)
            previous_end = start - timedelta(days=1)
            month = f"{start:%Y-%m}"
        else:
            days = ROLLING_PERIODS[key]
            end = self.today
            start = end - timedelta(days=days - 1)
            previous_end = start - timedelta(days=1)
            previous_start = previous_end - timedelta(days=days - 1)
            month = ""
        granularity = self.granularity.data or ("week" if (end - start).days >= 60 else "day")
        return Period(key=key, start=start, end=end, previous_start=previous_start,
                      previous_end=previous_end, granularity=granularity, month=month)
