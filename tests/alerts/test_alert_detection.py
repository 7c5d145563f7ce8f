"""Detection through the sweep on real ratings: what is raised, once, and who is told."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from feedback.alerts.models import Alert, AlertStatus
from feedback.alerts.queries import open_alerts
from feedback.alerts.rules import AlertKind
from feedback.alerts.services import detect_alerts, dismiss_alert, save_rules
from feedback.audit.models import AuditLog
from feedback.evaluations.links import qr_key
from feedback.extensions import db
from feedback.notices.models import LinkKind, Notice
from feedback.notices.workflow import NoticeSource, NoticeState
from feedback.notifications.models import Notification
from feedback.periodic.services import counts, sweep
from tests.alerts.conftest import NOW


def alerts(**where) -> list[Alert]:
    db.session.expire_all()
    query = select(Alert).order_by(Alert.id)
    for key, value in where.items():
        query = query.where(getattr(Alert, key) == value)
    return list(db.session.scalars(query))


def rate_by_qr(app, window, level: int, at: datetime) -> None:
    """A citizen with their own phone scans the desk card and rates (the public form)."""
    from feedback import clock

    url = f"/w/{window.code}?k={qr_key(window)}"
    client = app.test_client()
    with clock.frozen_at(at):
        page = client.get(url)
        nonce = re.search(r'name="nonce" value="([^"]+)"', page.text).group(1)
        response = client.post(url, data={"nonce": nonce, "overall": str(level),
                                           "reasons": ["attitude"]})
    assert response.status_code == 200


def test_a_surge_of_bad_reviews_raises_one_alert_that_becomes_a_draft_notice(
        app, world, rate, sign_in):
    window = world.window_a1
    for minute in (0, 30, 90):
        rate(window, 5, NOW - timedelta(hours=3) + timedelta(minutes=minute))
    for minute in range(0, 60, 10):  # six bad reviews within the hour before 10:00
        rate_by_qr(app, window, 1, NOW - timedelta(hours=1) + timedelta(minutes=minute))

    ran = counts(sweep(NOW))
    assert ran["alerts raised"] == 1
    (alert,) = alerts()
    assert (alert.kind, alert.window_id, alert.status) == (AlertKind.BURST, window.id,
                                                           AlertStatus.OPEN)
    assert alert.evidence["bad"] == 6
    assert len(alert.evidence["evaluations"]) == 6

    # the sweep runs again a few minutes later, and the next day: nothing new
    assert counts(sweep(NOW + timedelta(minutes=5)))["alerts raised"] == 0
    assert counts(sweep(NOW + timedelta(hours=20)))["alerts raised"] == 0
    assert len(alerts()) == 1

    # the supervisors nearest above the window are told, not those of the province or city B
    told = set(db.session.scalars(
        select(Notification.user_id).where(Notification.kind == "alert.raised")))
    assert told == {world.sup_a.id}
    raised = db.session.scalars(select(AuditLog).where(AuditLog.action == "alert.raise")).all()
    assert [(e.object_type, e.object_id, e.actor_name) for e in raised] == [
        ("Alert", str(alert.id), "system")]

    client = sign_in(world.sup_a)
    page = client.get(f"/alerts/{alert.id}")
    assert page.status_code == 200
    assert "差评集中出现" in page.text and "不动产登记窗口" in page.text
    assert f"/dashboard/windows/{window.code}" in page.text

    response = client.post(f"/alerts/{alert.id}/notice")
    assert response.status_code == 302
    notice = db.session.scalars(select(Notice)).one()
    assert response.headers["Location"].endswith(f"/admin/notices/{notice.id}")
    assert (notice.state, notice.source, notice.window_id) == (
        NoticeState.DRAFT, NoticeSource.ALERT, window.id)
    assert "6" in notice.problem and "不动产登记窗口" in notice.problem
    links = {(link.kind, link.ref) for link in notice.links}
    assert (LinkKind.ALERT, str(alert.id)) in links
    assert {ref for kind, ref in links if kind == LinkKind.EVALUATION} == {
        str(i) for i in alert.evidence["evaluations"]}
    (alert,) = alerts()
    assert (alert.status, alert.notice_id) == (AlertStatus.NOTICE_DRAFTED, notice.id)
    assert alert.notice_drafted_by_id == world.sup_a.id

    # a second click makes no second notice
    client.post(f"/alerts/{alert.id}/notice")
    assert db.session.scalar(select(func.count()).select_from(Notice)) == 1
    assert db.session.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.action == "alert.draft_notice")) == 1


def test_flagged_ratings_do_not_make_a_burst(app, world, rate):
    """Six bad reviews from one browser: the repeats are flagged and do not count."""
    from feedback import clock
    from feedback.clock import local_date
    from feedback.evaluations.models import Channel
    from feedback.evaluations.services import Contact, Submission, submit_evaluation
    from feedback.questionnaires.queries import current_version_ref

    window = world.window_a1
    for minute in range(0, 60, 10):
        at = NOW - timedelta(minutes=60 - minute)
        with clock.frozen_at(at):
            version = current_version_ref(window.id, window.category_id, local_date(at))
            submit_evaluation(window, version, {"overall": "1"}, Contact(),
                              Submission(channel=Channel.QR, client_id="the-same-phone"))
    db.session.commit()
    assert detect_alerts(NOW) == []


def test_a_dismissed_alert_is_not_raised_again_for_its_period(app, world, rate):
    for minute in range(5):
        rate(world.window_b, 2, NOW - timedelta(minutes=30 - minute))
    (alert,) = detect_alerts(NOW)
    dismiss_alert(world.sup_b, alert, "同一位群众多次提交，已电话核实")
    db.session.commit()
    assert detect_alerts(NOW + timedelta(minutes=10)) == []
    # a new burst on another day is a new alert
    for minute in range(5):
        rate(world.window_b, 2, NOW + timedelta(days=2, minutes=minute))
    (again,) = detect_alerts(NOW + timedelta(days=2, hours=1))
    assert again.kind == AlertKind.BURST and again.id != alert.id


def test_the_rules_of_the_unit_decide(app, world, rate):
    save_rules(world.admin, world.province, {"burst_count": 3})
    save_rules(world.sup_a, world.hall_a, {"burst_count": 7})
    db.session.commit()
    for window in (world.window_a1, world.window_b):
        for minute in range(3):
            rate(window, 1, NOW - timedelta(minutes=20 - minute))
    raised = detect_alerts(NOW)
    assert [(a.kind, a.window_id) for a in raised] == [(AlertKind.BURST, world.window_b.id)]


def test_a_detector_switched_off_raises_nothing(app, world, rate):
    save_rules(world.sup_b, world.city_b, {"burst_enabled": False})
    db.session.commit()
    for minute in range(6):
        rate(world.window_b, 1, NOW - timedelta(minutes=20 - minute))
    assert detect_alerts(NOW) == []


def test_ratings_that_stop_raise_a_silence_alert(app, world, history):
    history(world.window_a1, 6)  # four working weeks, six ratings a day, to Friday 27 March
    history(world.window_a2, 1)  # a window rarely rated: its silence means nothing
    assert detect_alerts(datetime(2026, 3, 30, 2, 0, tzinfo=UTC)) == []  # Monday: a weekend
    (alert,) = detect_alerts(NOW)  # Wednesday: Monday and Tuesday without a rating
    assert (alert.kind, alert.window_id) == (AlertKind.SILENCE, world.window_a1.id)
    assert alert.evidence["silent_days"] == 2 and alert.evidence["median"] == 6
    assert (alert.period_start.isoformat(), alert.period_end.isoformat()) == (
        "2026-03-28", "2026-03-31")
    assert detect_alerts(NOW + timedelta(days=1)) == []  # the same silence, still


def test_a_bad_day_against_the_windows_own_history_raises_a_p_chart_alert(app, world, history,
                                                                          rate):
    # 10 % bad reviews is this window's normal, on the working days of the last three weeks
    history(world.window_a1, 10, 1, days=21, end=date(2026, 4, 1))
    for i in range(8):  # today: 8 of 12 bad, spread out (no burst)
        rate(world.window_a1, 1, NOW - timedelta(hours=9) + timedelta(minutes=i * 70))
    for minute in range(4):
        rate(world.window_a1, 5, NOW - timedelta(minutes=minute + 1))
    raised = detect_alerts(NOW)
    assert [a.kind for a in raised] == [AlertKind.P_CHART]
    evidence = raised[0].evidence
    assert (evidence["n"], evidence["bad"], evidence["p_bar"]) == (12, 8, 0.1)
    assert evidence["share"] > evidence["ucl"]


def test_open_alerts_for_the_dashboard(app, world, make_alert):
    a1 = make_alert(world.window_a1)
    make_alert(world.window_a1, status=AlertStatus.DISMISSED)
    a2 = make_alert(world.window_a2, AlertKind.LOW_INDEX)
    make_alert(world.window_b)
    assert {a.id for a in open_alerts(world.sup_a)} == {a1.id, a2.id}
    assert [a.id for a in open_alerts(world.manager_a1)] == [a1.id]
    assert open_alerts(world.sup_a, unit=world.city_b) == []
    assert len(open_alerts(world.admin, limit=1)) == 1
    assert len(open_alerts(world.admin, unit=world.province)) == 3


def test_a_window_that_falls_back_after_a_closed_notice_gets_a_follow_up(
        app, world, rate, sign_in):
    from feedback import clock
    from feedback.notices.services import (
        acknowledge_notice,
        draft_notice,
        issue_notice,
        submit_report,
        verify_notice,
    )

    window = world.window_a1
    with clock.frozen_at(datetime(2026, 2, 2, 2, 0, tzinfo=UTC)):
        closed = draft_notice(world.sup_a, target_window=window, problem="差评较多",
                              requirement="整改服务态度")
        issue_notice(world.sup_a, closed)
        acknowledge_notice(world.manager_a1, closed)
        submit_report(world.manager_a1, closed, "已开展培训")
    with clock.frozen_at(datetime(2026, 3, 2, 2, 0, tzinfo=UTC)):
        verify_notice(world.sup_a, closed)
    db.session.commit()
    day = date(2026, 3, 3)
    while day < date(2026, 4, 1):  # after closing, two dissatisfied citizens every working day
        if day.weekday() < 5:
            for hour in (1, 5):
                rate(window, 2, datetime(day.year, day.month, day.day, hour, tzinfo=UTC))
        day += timedelta(days=1)

    raised = {a.kind: a for a in detect_alerts(NOW)}
    assert set(raised) == {AlertKind.LOW_INDEX, AlertKind.RELAPSE}
    relapse = raised[AlertKind.RELAPSE]
    assert relapse.window_id == window.id
    assert relapse.evidence["notice_id"] == closed.id
    assert relapse.evidence["index"] == 25.0 and relapse.evidence["threshold"] == 70.0
    db.session.commit()
    assert detect_alerts(NOW + timedelta(days=1)) == []

    client = sign_in(world.sup_a)
    page = client.get(f"/alerts/{relapse.id}")
    assert closed.number in page.text and "起草后续整改通知" in page.text
    assert client.post(f"/alerts/{relapse.id}/notice").status_code == 302
    follow_up = db.session.scalars(select(Notice).where(Notice.follows_id == closed.id)).one()
    assert follow_up.source == NoticeSource.FOLLOW_UP
    assert fresh_alert(relapse).notice_id == follow_up.id


def fresh_alert(alert: Alert) -> Alert:
    db.session.expire_all()
    return db.session.get(Alert, alert.id)
