"""Working days as the State Council arranges them, and deadlines counted in them.

The 2026 facts are the official arrangement as the ``chinese-calendar`` package gives it:
National Day 1–7 October off, Sunday 20 September and Saturday 10 October worked; Spring
Festival 15–23 February off, Saturdays 14 and 28 February worked.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event

from feedback import clock
from feedback.extensions import db
from feedback.workdays.calendar import (
    Deadline,
    add_working_days,
    day_source,
    is_working_day,
    package_covers,
    working_days_between,
    working_days_in,
    working_days_left,
)
from feedback.workdays.services import enter_calendar_days

BJ = ZoneInfo("Asia/Shanghai")


def bj(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    """A moment in Beijing time, as the windows live it."""
    return datetime(year, month, day, hour, minute, tzinfo=BJ)


def end_of(year: int, month: int, day: int) -> datetime:
    """24:00 Beijing time of that day, in UTC: what ``Deadline.due_at`` holds."""
    return datetime(year, month, day, tzinfo=BJ).astimezone(UTC) + timedelta(days=1)


def first_unknown_year() -> int:
    """The first year after 2026 the installed package has no arrangement for (2027 with
    chinese-calendar 1.11); computed so a newer package moves the tests along."""
    return next(year for year in range(2027, 2100) if not package_covers(year))


# --- the official arrangement ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 10, 1), False),  # National Day, a Thursday
        (date(2026, 10, 5), False),  # a Monday inside the holiday
        (date(2026, 10, 8), True),
        (date(2026, 10, 10), True),  # make-up Saturday
        (date(2026, 9, 20), True),  # make-up Sunday
        (date(2026, 10, 11), False),  # an ordinary Sunday
        (date(2026, 2, 14), True),  # Spring Festival make-up Saturday
        (date(2026, 2, 16), False),  # 除夕, a Monday
        (date(2026, 2, 23), False),  # the last day of the Spring Festival holiday, a Monday
        (date(2026, 2, 28), True),  # Spring Festival make-up Saturday
    ],
)
def test_2026_days_follow_the_official_arrangement(app, day, working):
    assert is_working_day(day) is working
    assert day_source(day) == "package"


def test_a_case_across_national_day_counts_the_make_up_saturday(app):
    # Opened on Tuesday 29 September: Wed 30 Sep, then 1–7 Oct off; Thu 8, Fri 9, the make-up
    # Saturday 10 and Monday 12 October are working days 2 to 5.
    deadline = add_working_days(bj(2026, 9, 29, 10), 5)
    assert deadline == Deadline(due_at=end_of(2026, 10, 12), working_days=5, estimated=False,
                                uncovered_years=())
    assert deadline.due_at == datetime(2026, 10, 12, 16, 0, tzinfo=UTC)
    # Weekends alone would have ended on Tuesday 6 October, in the middle of the holiday.
    assert deadline.due_at > end_of(2026, 10, 6)


def test_a_notice_across_the_spring_festival(app):
    # Issued Monday 9 February 2026 with 15 working days: Tue 10 – Fri 13 (4), make-up Sat 14
    # (5), 15–23 off, Tue 24 – Fri 27 (9), make-up Sat 28 (10), Mon 2 – Fri 6 March (15).
    deadline = add_working_days(bj(2026, 2, 9), 15)
    assert deadline.due_at == end_of(2026, 3, 6)
    assert not deadline.estimated


def test_working_days_between_skips_the_holiday_and_counts_backwards_too(app):
    start, end = bj(2026, 9, 30), bj(2026, 10, 12)
    assert working_days_between(start, end) == 4  # 8, 9, 10 (make-up) and 12 October
    assert working_days_between(end, start) == -4
    assert working_days_between(start, bj(2026, 9, 30, 18)) == 0


# --- administrators' entries ---------------------------------------------------------------------


def test_an_administrator_entry_overrides_the_package(app):
    before = add_working_days(bj(2026, 9, 29, 10), 5)
    # A local decision: 9 October off as well, and the make-up Saturday cancelled.
    enter_calendar_days(None, "2026-10-09 地方调整 休\n2026-10-10 取消调休 休")
    assert day_source(date(2026, 10, 9)) == "admin"
    assert not is_working_day(date(2026, 10, 10))
    assert day_source(date(2026, 10, 8)) == "package"  # the rest of the year is unchanged
    after = add_working_days(bj(2026, 9, 29, 10), 5)
    # 30 Sep, 8, 12, 13, 14 October.
    assert after.due_at == end_of(2026, 10, 14)
    assert after.due_at > before.due_at
    assert not after.estimated


def test_an_administrator_can_make_a_weekend_a_working_day(app):
    assert not is_working_day(date(2026, 11, 7))  # a Saturday
    enter_calendar_days(None, "2026-11-07 集中办公 班")
    assert is_working_day(date(2026, 11, 7))
    # Thursday 5 Nov + 2: Friday 6 and the Saturday now worked.
    assert add_working_days(bj(2026, 11, 5), 2).due_at == end_of(2026, 11, 7)


# --- a year nobody knows yet -------------------------------------------------------------------


def test_a_year_the_package_does_not_know_is_counted_by_weekends_and_marked_estimated(app):
    year = 2099
    assert not package_covers(year)
    assert package_covers(2026)
    monday = date(year, 3, 2)
    while monday.weekday() != 0:
        monday += timedelta(days=1)
    start = datetime.combine(monday, datetime.min.time(), tzinfo=BJ) + timedelta(hours=9)
    deadline = add_working_days(start, 5)
    # Weekends only: Tuesday to Friday, then the next Monday.
    next_monday = monday + timedelta(days=7)
    assert deadline.due_at == end_of(year, next_monday.month, next_monday.day)
    assert deadline.estimated
    assert deadline.uncovered_years == (year,)
    assert day_source(monday) == "weekends"


def test_a_deadline_running_into_an_unknown_year_names_only_that_year(app):
    unknown = first_unknown_year()
    deadline = add_working_days(bj(unknown - 1, 12, 24), 10)
    assert deadline.estimated
    assert deadline.uncovered_years == (unknown,)
    # New Year's Day of the unknown year is counted as a working day unless it is a weekend.
    assert is_working_day(date(unknown, 1, 1)) is (date(unknown, 1, 1).weekday() < 5)


def test_entering_a_year_makes_its_deadlines_exact(app):
    unknown = first_unknown_year()
    start = bj(unknown - 1, 12, 31, 10)
    guessed = add_working_days(start, 3)
    lines = f"{unknown}-01-01..{unknown}-01-03 元旦 休\n{unknown}-01-04 元旦调休 班"
    enter_calendar_days(None, lines)
    known = add_working_days(start, 3)
    assert not known.estimated and known.uncovered_years == ()
    assert day_source(date(unknown, 1, 1)) == "admin"
    assert day_source(date(unknown, 3, 1)) == "admin"  # the year counts as entered
    assert known.due_at != guessed.due_at


def test_a_request_reads_each_year_once_and_sees_its_own_writes(app):
    reads = []

    def count(_conn, _cursor, statement, *_args):
        if "FROM calendar_days" in statement:
            reads.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        with app.test_request_context("/"):
            for day in range(1, 29):
                add_working_days(bj(2026, 2, day), 5)
            assert len(reads) == 1  # February and March 2026: one year, read once
            # Thu 26 Feb + 5: Fri 27, the make-up Sat 28, Mon 2, Tue 3, Wed 4 March …
            assert add_working_days(bj(2026, 2, 26), 5).due_at == end_of(2026, 3, 4)
            enter_calendar_days(None, "2026-03-02 地方调整 休")
            # … until Monday 2 March is taken off in the same request.
            assert add_working_days(bj(2026, 2, 26), 5).due_at == end_of(2026, 3, 5)
        # Outside a request nothing is kept: a sweep sees what others entered meanwhile.
        reads.clear()
        add_working_days(bj(2026, 2, 1), 5)
        add_working_days(bj(2026, 2, 1), 5)
        assert len(reads) == 2
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def test_working_days_in_a_range(app):
    days = working_days_in(date(2026, 9, 28), date(2026, 10, 11))
    assert [d.day for d, working in days.items() if working] == [28, 29, 30, 8, 9, 10]
    assert len(days) == 14


# --- local days --------------------------------------------------------------------------------


def test_a_case_opened_at_2330_beijing_time_starts_counting_the_next_beijing_day(app):
    # Thursday 15 October 2026, 23:30 in Beijing is 15:30 UTC the same day.
    opened = bj(2026, 10, 15, 23, 30)
    deadline = add_working_days(opened, 5)
    assert deadline.due_at == end_of(2026, 10, 22)  # Fri 16, Mon 19 … Thu 22
    assert deadline.due_at == datetime(2026, 10, 22, 16, 0, tzinfo=UTC)
    # Thirty-one minutes later it is Friday in Beijing (16:01 UTC, still Thursday in UTC):
    # Friday is day 0, and the deadline moves to the next Friday.
    after_midnight = opened + timedelta(minutes=31)
    assert after_midnight.astimezone(UTC).date() == date(2026, 10, 15)
    assert add_working_days(after_midnight, 5).due_at == end_of(2026, 10, 23)


def test_the_deadline_ends_at_midnight_beijing_time(app):
    deadline = add_working_days(bj(2026, 10, 15, 23, 30), 5)
    assert working_days_left(deadline.due_at, bj(2026, 10, 22, 23, 59)) == 0  # last day
    assert working_days_left(deadline.due_at, bj(2026, 10, 23, 0, 0)) is None  # overdue
    assert working_days_left(deadline.due_at, bj(2026, 10, 16, 8)) == 4


def test_the_local_day_follows_the_configured_time_zone(make_app):
    app = make_app(BABEL_DEFAULT_TIMEZONE="UTC")
    with app.app_context():
        # 00:30 on Friday in Beijing is still Thursday in UTC, so Thursday is day 0.
        opened = bj(2026, 10, 16, 0, 30)
        deadline = add_working_days(opened, 5)
    assert deadline.due_at == datetime(2026, 10, 23, 0, 0, tzinfo=UTC)


def test_naive_times_and_negative_days_are_refused(app):
    with pytest.raises(ValueError):
        add_working_days(datetime(2026, 10, 15, 9), 5)
    with pytest.raises(ValueError):
        add_working_days(clock.now(), -1)
