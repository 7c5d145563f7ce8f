"""Which questionnaire a window shows on a given day, and which version an evaluation keeps."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from feedback import clock
from feedback.clock import local_date
from feedback.evaluations.models import Evaluation
from feedback.extensions import db
from feedback.orgs.models import ServiceCategory
from feedback.questionnaires.models import SurveyKind
from feedback.questionnaires.queries import current_version_for, get_current_version
from feedback.questionnaires.services import publish_version, set_survey_active
from feedback.windows.services import create_window
from tests.questionnaires.helpers import default_survey_row, form_url, relabelled

DAY = date(2026, 3, 15)
MARCH = {"starts_on": date(2026, 3, 1), "ends_on": date(2026, 3, 31)}


def shown(window, day: date = DAY):
    """The survey whose version ``window`` shows on ``day``."""
    return current_version_for(window, day).survey


@pytest.fixture
def other_trade_window(make_hall):
    """A window of another service trade (the housing provident fund)."""
    fund = db.session.scalar(select(ServiceCategory).where(ServiceCategory.code == "housing_fund"))
    window = create_window(None, name="公积金窗口", org_unit=make_hall(), category=fund)
    db.session.commit()
    return window


def test_a_window_with_no_assignment_shows_the_default(make_window):
    window = make_window()
    version = current_version_for(window, DAY)
    assert version.survey.is_default
    assert version == get_current_version(default_survey_row())


def test_the_default_shows_its_latest_version(make_window):
    window = make_window()
    default = default_survey_row()
    latest = publish_version(None, default, relabelled("改过的总体评价"))
    db.session.commit()
    assert current_version_for(window, DAY) == latest
    assert latest.number == 2


def test_a_trade_assignment_applies_to_every_window_of_the_trade(make_window, make_hall,
                                                                  make_survey, category,
                                                                  other_trade_window):
    first, second = make_window(), make_window(hall=make_hall())
    survey = make_survey(category=category)
    assert shown(first) == shown(second) == survey
    assert shown(other_trade_window).is_default


def test_a_window_assignment_beats_the_trade_assignment(make_window, make_survey, category):
    window, neighbour = make_window(), make_window()
    for_window = make_survey("窗口问卷", window=window)
    for_trade = make_survey("行业问卷", category=category)  # newer, but less specific
    assert shown(window) == for_window
    assert shown(neighbour) == for_trade


def test_a_later_assignment_of_the_same_rank_wins(make_window, make_survey, category):
    window = make_window()
    make_survey("旧", category=category)
    newer = make_survey("新", category=category)
    assert shown(window) == newer


@pytest.mark.parametrize(("day", "periodic"), [
    (date(2026, 2, 28), False),
    (date(2026, 3, 1), True),  # the first day is included
    (date(2026, 3, 15), True),
    (date(2026, 3, 31), True),  # so is the last
    (date(2026, 4, 1), False),
])
def test_a_periodic_survey_applies_between_its_dates_only(make_window, make_survey, category,
                                                          day, periodic):
    window = make_window()
    standing = make_survey("常设", window=window)
    survey = make_survey("社会满意度调查", SurveyKind.PERIODIC, category=category, **MARCH)
    assert shown(window, day) == (survey if periodic else standing)


def test_a_periodic_survey_beats_a_standing_one_at_any_level(make_window, make_survey,
                                                             category):
    window = make_window()
    make_survey("窗口常设", window=window)
    for_trade = make_survey("行业调查", SurveyKind.PERIODIC, category=category, **MARCH)
    assert shown(window) == for_trade
    for_window = make_survey("窗口调查", SurveyKind.PERIODIC, window=window, **MARCH)
    assert shown(window) == for_window


def test_a_standard_survey_with_dates_applies_only_between_them(make_window, make_survey):
    window = make_window()
    survey = make_survey("限时常设", window=window, starts_on=date(2026, 3, 10))
    assert shown(window, date(2026, 3, 9)).is_default
    assert shown(window, date(2026, 3, 10)) == survey
    assert shown(window, date(2030, 1, 1)) == survey


def test_an_inactive_survey_is_ignored(make_window, make_survey, category):
    window = make_window()
    standing = make_survey("常设", category=category)
    periodic = make_survey("调查", SurveyKind.PERIODIC, window=window, **MARCH)
    assert shown(window) == periodic
    set_survey_active(None, periodic, False)
    db.session.commit()
    assert shown(window) == standing
    set_survey_active(None, standing, False)
    db.session.commit()
    assert shown(window).is_default


# --- through the citizen's form -------------------------------------------------------------


def nonce_of(html: str) -> str:
    return re.search(r'name="nonce" value="([^"]+)"', html).group(1)


def rate(client, window, level: str = "5") -> Evaluation:
    page = client.get(form_url(window))
    assert page.status_code == 200
    response = client.post(form_url(window), data={"nonce": nonce_of(page.text),
                                                    "overall": level})
    assert response.status_code == 200
    return db.session.scalars(select(Evaluation).order_by(Evaluation.id.desc())).first()


def test_after_an_edit_new_evaluations_answer_the_new_version(client, make_window):
    window = make_window()
    default = default_survey_row()
    before = rate(client, window)
    first_version = before.survey_version_id

    edited = publish_version(None, default, relabelled("这次办事您满意吗"))
    db.session.commit()
    assert "这次办事您满意吗" in client.get(form_url(window)).text
    after = rate(client, window, "4")

    db.session.refresh(before)
    assert after.survey_version_id == edited.id
    assert before.survey_version_id == first_version != edited.id


def test_a_periodic_survey_is_on_the_form_only_within_its_dates(client, make_window,
                                                                make_survey, category):
    window = make_window()
    make_survey("社会满意度调查", SurveyKind.PERIODIC, label="请为本季度的服务打分",
                category=category, **MARCH)

    def form_on(day: date) -> str:
        # midday in China (UTC+8) is on the same date in UTC
        with clock.frozen_at(datetime(day.year, day.month, day.day, 4, tzinfo=UTC)):
            return client.get(form_url(window)).text

    assert "请为本季度的服务打分" not in form_on(date(2026, 2, 28))
    assert "请为本季度的服务打分" in form_on(date(2026, 3, 1))
    assert "请为本季度的服务打分" in form_on(date(2026, 3, 31))
    assert "请为本季度的服务打分" not in form_on(date(2026, 4, 1))

    with clock.frozen_at(datetime(2026, 3, 20, 4, tzinfo=UTC)):
        during = rate(client, window)
    with clock.frozen_at(datetime(2026, 4, 2, 4, tzinfo=UTC)):
        after = rate(client, window)
    assert during.survey_version.survey.name == "社会满意度调查"
    assert after.survey_version.survey.is_default


def test_days_are_counted_where_the_windows_are(app):
    # Asia/Shanghai (UTC+8), the default MANYI_TIMEZONE
    assert local_date(datetime(2026, 2, 28, 15, 59, tzinfo=UTC)) == date(2026, 2, 28)
    assert local_date(datetime(2026, 2, 28, 16, 0, tzinfo=UTC)) == date(2026, 3, 1)


def test_a_periodic_survey_starts_and_ends_at_midnight_in_china(client, make_window,
                                                                 make_survey, category):
    window = make_window()
    make_survey("社会满意度调查", SurveyKind.PERIODIC, label="请为本季度的服务打分",
                category=category, **MARCH)

    def form_at(moment: datetime) -> str:
        with clock.frozen_at(moment):
            return client.get(form_url(window)).text

    assert "请为本季度的服务打分" not in form_at(datetime(2026, 2, 28, 15, 59, tzinfo=UTC))
    assert "请为本季度的服务打分" in form_at(datetime(2026, 2, 28, 16, 1, tzinfo=UTC))
    assert "请为本季度的服务打分" in form_at(datetime(2026, 3, 31, 15, 59, tzinfo=UTC))
    assert "请为本季度的服务打分" not in form_at(datetime(2026, 3, 31, 16, 1, tzinfo=UTC))
