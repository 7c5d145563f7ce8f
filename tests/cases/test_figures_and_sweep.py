"""The handling figures dashboards show, and the sweep that keeps deadlines honest."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from feedback import clock
from feedback.audit.models import AuditLog
from feedback.cases.figures import handling_figures, handling_figures_by_window, open_cases
from feedback.cases.models import Case, CaseState, Triage, Verdict
from feedback.cases.workflow import services
from feedback.extensions import db
from feedback.periodic.services import counts, sweep
from feedback.periodic.steps import STEPS, Step
from feedback.workdays.calendar import deadline_last_day
from feedback.workdays.services import enter_calendar_days
from tests.cases.support import case_by_number, rate, shown

BEIJING = timezone(timedelta(hours=8))
MONDAY = datetime(2025, 6, 9, 9, 0, tzinfo=BEIJING)  # no holiday for weeks around


def bad_review(app, window, at: datetime, *, phone: str = "") -> Case:
    contact = {"phone": phone, "consent": "yes"} if phone else {}
    with clock.frozen_at(at):
        thanks = rate(app.test_client(), window, overall="1", **contact)
        services.announce_new_cases(at)
        db.session.commit()
    return case_by_number(shown(thanks.text, "tracking-no"))


def handle(world, case: Case, at: datetime, verdict: Verdict | None = None) -> None:
    with clock.frozen_at(at):
        services.assign_case(world.manager_a, case, world.manager_a)
        services.verify_case(world.manager_a, case, founded=True, finding="属实",
                             triage=Triage.FIX_NOW)
        services.answer_case(world.manager_a, case, "已整改")
        if verdict is not None:
            services.record_callback(world.operator, case, verdict)
        db.session.commit()


def test_handling_figures(app, world):
    on_time = bad_review(app, world.window_a, MONDAY, phone="13812345678")
    handle(world, on_time, MONDAY + timedelta(hours=26), Verdict.SATISFIED)
    late = bad_review(app, world.window_a, MONDAY + timedelta(hours=1), phone="13912345678")
    handle(world, late, MONDAY + timedelta(days=10))  # answered, never called back
    unhappy = bad_review(app, world.window_a, MONDAY + timedelta(hours=2))
    handle(world, unhappy, MONDAY + timedelta(hours=50), Verdict.DISSATISFIED)
    overdue = bad_review(app, world.window_a, MONDAY + timedelta(hours=3))
    bad_review(app, world.window_b, MONDAY)  # another window
    earlier = bad_review(app, world.window_a, MONDAY - timedelta(days=30))  # before the period

    now = MONDAY + timedelta(days=20)
    figures = handling_figures([world.window_a.id], date(2025, 6, 1), date(2025, 6, 30),
                               now=now)
    assert figures.cases == 4
    assert figures.answered == 3 and figures.answered_on_time == 2
    assert figures.overdue == 1 and figures.due == 4
    assert figures.on_time_rate == pytest.approx(0.5)
    # named bad reviews answered: on_time (called back) and late (not)
    assert (figures.named_bad_reviews, figures.called_back) == (2, 1)
    assert figures.callback_rate == pytest.approx(0.5)
    assert (figures.verdicts, figures.satisfied, figures.dissatisfied) == (2, 1, 1)
    assert figures.satisfaction_rate == pytest.approx(0.5)
    assert figures.median_answer_hours == pytest.approx(48.0)  # 26, 48, 239 hours
    assert overdue.state == CaseState.NEW

    per_window = handling_figures_by_window(
        [world.window_a.id, world.window_b.id, world.window_c.id],
        MONDAY - timedelta(hours=1), MONDAY + timedelta(days=1), now=now)
    assert per_window[world.window_a.id].cases == 4
    assert per_window[world.window_b.id].cases == 1
    assert per_window[world.window_c.id].cases == 0
    assert per_window[world.window_c.id].on_time_rate is None
    assert handling_figures([], date(2025, 6, 1), date(2025, 6, 30)).cases == 0

    waiting = open_cases([world.window_a.id], limit=3)
    assert len(waiting) == 3 and waiting[0].id == earlier.id  # the most overdue first
    assert [c.due_at for c in waiting] == sorted(c.due_at for c in waiting)
    assert open_cases([world.window_c.id]) == [] and open_cases([]) == []


CALLS: list[datetime] = []


def recording_step(now: datetime) -> int:
    CALLS.append(clock.now())
    return 7


def test_sweep_runs_each_step_at_the_given_time(app, world):
    with clock.frozen_at(MONDAY):
        rate(app.test_client(), world.window_a, overall="2")
    mine = tuple(step for step in STEPS if step.name.startswith("cases "))
    steps = (*mine, Step("a later domain", "a later domain", f"{__name__}:recording_step",
                             every=timedelta(minutes=1)))
    ran = counts(sweep(MONDAY + timedelta(days=1), steps))
    assert ran == {"cases announced": 1, "cases overdue": 0, "a later domain": 7}
    assert CALLS[-1] == MONDAY + timedelta(days=1)  # the clock reads the sweep's time
    assert counts(sweep(MONDAY + timedelta(days=1)))["cases announced"] == 0  # idempotent
    with pytest.raises(ValueError):
        counts(sweep(datetime(2025, 6, 9, 9, 0)))


def test_sweep_command_refuses_a_time_without_offset(runner):
    result = runner.invoke(args=["sweep", "--now", "2025-06-09T09:00"])
    assert result.exit_code != 0 and "offset" in result.output
    result = runner.invoke(args=["sweep", "--now", "yesterday"])
    assert result.exit_code != 0
    result = runner.invoke(args=["sweep"])
    assert result.exit_code == 0 and "cases overdue: 0" in result.output


def test_an_estimated_deadline_is_counted_again_once_the_year_is_entered(app, world):
    """The package knows no holidays of 2027: a case opened just before the Spring Festival
    is due by weekends only, and says so; once an administrator enters the holidays, the
    sweep counts its deadline again, past them, before it looks for overdue cases."""
    opened = datetime(2027, 2, 4, 10, 0, tzinfo=BEIJING)  # a Thursday
    case = bad_review(app, world.window_a, opened)
    assert case.deadline_estimated and case.deadline_uncovered == "2027"
    assert deadline_last_day(case.due_at) == date(2027, 2, 11)  # five weekdays on

    enter_calendar_days(world.admin, "2027-02-06..2027-02-12 春节 休\n2027-02-14 春节调休 班")
    db.session.commit()
    later = datetime(2027, 2, 12, 9, 0, tzinfo=BEIJING)  # past the estimate, within the real one
    ran = counts(sweep(later))
    assert ran["case deadlines recounted"] == 1
    assert ran["cases overdue"] == 0
    case = db.session.get(Case, case.id)
    # Fri 5, then the holiday, the make-up Sunday 14, Mon 15, Tue 16, Wed 17.
    assert deadline_last_day(case.due_at) == date(2027, 2, 17)
    assert not case.deadline_estimated and case.deadline_uncovered == ""
    assert not case.overdue
    recounted = db.session.scalars(
        select(AuditLog).where(AuditLog.action == "case.deadline_recounted")).one()
    assert recounted.object_id == str(case.id)
    assert counts(sweep(later))["case deadlines recounted"] == 0


def test_an_overdue_case_keeps_its_estimated_deadline(app, world):
    opened = datetime(2027, 2, 4, 10, 0, tzinfo=BEIJING)
    case = bad_review(app, world.window_a, opened)
    assert counts(sweep(datetime(2027, 2, 12, 9, 0, tzinfo=BEIJING)))["cases overdue"] == 1
    enter_calendar_days(world.admin, "2027-02-06..2027-02-12 春节 休")
    db.session.commit()
    assert counts(sweep(datetime(2027, 2, 12, 10, 0, tzinfo=BEIJING)))[
        "case deadlines recounted"] == 0
    case = db.session.get(Case, case.id)
    assert case.overdue and deadline_last_day(case.due_at) == date(2027, 2, 11)
