"""templates/macros/deadline.html: what a manager or supervisor reads about a deadline."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from flask import render_template_string
from flask_babel import refresh

from feedback.workdays.calendar import Deadline, add_working_days

BJ = ZoneInfo("Asia/Shanghai")
TEMPLATE = '{% from "macros/deadline.html" import deadline %}{{ deadline(d, now) }}'


def render(app, d, now, lang: str = "zh") -> str:
    with app.test_request_context(f"/?lang={lang}"):
        refresh()
        html = render_template_string(TEMPLATE, d=d, now=now)
    return re.sub(r"\s+", " ", html)


@pytest.fixture
def national_day_case(app) -> Deadline:
    # Opened Tuesday 29 September 2026: due at the end of Monday 12 October.
    return add_working_days(datetime(2026, 9, 29, 10, tzinfo=BJ), 5)


def test_working_days_left_skip_the_holiday(app, national_day_case):
    html = render(app, national_day_case, datetime(2026, 9, 30, 15, tzinfo=BJ))
    assert "2026-10-12 周一 到期" in html
    # 8, 9, the make-up Saturday 10 and 12 October.
    assert "还剩 4 个工作日" in html
    assert 'datetime="2026-10-12T16:00:00+00:00"' in html
    assert "估算" not in html


def test_the_last_day_and_then_overdue(app, national_day_case):
    assert "今天是最后一天" in render(app, national_day_case,
                                    datetime(2026, 10, 12, 23, 59, tzinfo=BJ))
    overdue = render(app, national_day_case, datetime(2026, 10, 13, 0, 0, tzinfo=BJ))
    assert "已逾期" in overdue
    assert "deadline-overdue" in overdue


def test_an_estimated_deadline_says_which_years_are_unknown(app):
    deadline = add_working_days(datetime(2099, 3, 2, 9, tzinfo=BJ), 5)
    assert deadline.estimated
    html = render(app, deadline, datetime(2099, 3, 2, 10, tzinfo=BJ))
    assert "估算：2099 年的节假日安排尚未公布，仅按周末计算。" in html
    assert 'role="note"' in html


def test_english(app, national_day_case):
    html = render(app, national_day_case, datetime(2026, 10, 9, 9, tzinfo=BJ), lang="en")
    assert "due 2026-10-12 Mon" in html
    assert "2 working days left" in html  # the make-up Saturday and Monday
    html = render(app, national_day_case, datetime(2026, 10, 10, 9, tzinfo=BJ), lang="en")
    assert "1 working day left" in html
    estimated = Deadline(national_day_case.due_at, 5, True, (2027, 2028))
    assert "the holidays of 2027, 2028 are not known yet" in render(
        app, estimated, datetime(2026, 10, 9, 9, tzinfo=BJ), lang="en")


def test_a_bare_due_time_and_nothing_at_all(app, national_day_case):
    html = render(app, national_day_case.due_at, datetime(2026, 9, 30, 15, tzinfo=BJ))
    assert "还剩 4 个工作日" in html
    assert render(app, None, None).strip() == ""
