"""The rollups equal the raw evaluations, whatever happens to them."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import select

from feedback.accounts.models import Role
from feedback.clock import local_date
from feedback.evaluations.models import Evaluation, FlagReason, FlagStatus
from feedback.evaluations.services import restore_evaluation
from feedback.extensions import db
from feedback.stats import rollups
from feedback.stats.models import DimensionDayStats, StaffDayStats, WindowDayStats
from surveys import DIMENSIONS
from tests.stats.conftest import utc


def stored_rollups() -> dict[str, Counter]:
    """Every non-zero count in the three rollup tables, keyed by what it counts."""
    out: dict[str, Counter] = {"window": Counter(), "staff": Counter(), "dimension": Counter()}
    for row in db.session.execute(select(WindowDayStats.__table__)):
        for col in ("n1", "n2", "n3", "n4", "n5", "flagged", "verified", "ch_qr", "ch_token",
                    "ch_device", "ch_web", "ch_hotline", "ch_sms"):
            out["window"][(row.window_id, row.day, col)] += getattr(row, col)
    for row in db.session.execute(select(StaffDayStats.__table__)):
        for level in range(1, 6):
            out["staff"][(row.window_id, row.day, row.staff_id, level)] += getattr(row, f"n{level}")
    for row in db.session.execute(select(DimensionDayStats.__table__)):
        for level in range(1, 6):
            out["dimension"][(row.window_id, row.day, row.dimension, level)] += getattr(
                row, f"n{level}")
    return {name: +counter for name, counter in out.items()}  # drop zeros


def raw_counts() -> dict[str, Counter]:
    """The same figures counted one evaluation at a time, in Python."""
    out: dict[str, Counter] = {"window": Counter(), "staff": Counter(), "dimension": Counter()}
    rows = db.session.execute(select(
        Evaluation.window_id, Evaluation.created_at, Evaluation.level, Evaluation.channel,
        Evaluation.verified, Evaluation.staff_id, Evaluation.answers, Evaluation.flag_status,
        Evaluation.counted.label("counted")))
    for e in rows:
        day = local_date(e.created_at)
        if not e.counted:
            out["window"][(e.window_id, day, "flagged")] += 1
            continue
        out["window"][(e.window_id, day, f"n{e.level}")] += 1
        out["window"][(e.window_id, day, f"ch_{e.channel.value}")] += 1
        if e.verified:
            out["window"][(e.window_id, day, "verified")] += 1
        if e.staff_id is not None:
            out["staff"][(e.window_id, day, e.staff_id, e.level)] += 1
        for dimension in DIMENSIONS:
            value = e.answers.get(dimension.key)
            if value is not None:
                out["dimension"][(e.window_id, day, dimension.key, value)] += 1
    return {name: +counter for name, counter in out.items()}


def test_rollups_equal_the_raw_data_through_flagging_restoring_and_exclusion(
    app, rate, make_window, make_staff, make_user
):
    window = make_window()
    other = make_window(hall=window.org_unit)
    clerk = make_staff(window=window)
    # 15:59 UTC is 23:59 in Shanghai, 16:00 UTC is the next local day.
    rate(window, 5, at=utc(2026, 3, 1, 15, 59), staff=clerk, speed=5, attitude=4)
    rate(window, 1, at=utc(2026, 3, 1, 16, 0), staff=clerk, speed=1)
    rate(window, 3, at=utc(2026, 3, 2, 2, 0), integrity=3, competence=2)
    rate(other, 4, at=utc(2026, 3, 2, 3, 0))
    flagged = rate(window, 2, at=utc(2026, 3, 2, 4, 0), staff=clerk, flagged=True, speed=2)
    restored_later = rate(window, 5, at=utc(2026, 3, 2, 5, 0), flagged=True, attitude=5)
    to_exclude = rate(window, 1, at=utc(2026, 3, 2, 6, 0), staff=clerk, speed=1, attitude=1)
    assert flagged.flag_status == FlagStatus.FLAGGED
    assert stored_rollups() == raw_counts()

    supervisor = make_user(Role.SUPERVISOR, org_unit=window.org_unit)
    restore_evaluation(supervisor, restored_later, "checked the CCTV")
    db.session.commit()
    assert stored_rollups() == raw_counts()

    # An upheld appeal (the cases domain) excludes an evaluation and tells the rollups.
    was_counted = to_exclude.counted
    to_exclude.flag_status, to_exclude.flag_reason = FlagStatus.EXCLUDED, FlagReason.APPEAL
    rollups.on_status_change(to_exclude, was_counted)
    # Excluding an evaluation that was not counted changes nothing.
    flagged.flag_status, flagged.flag_reason = FlagStatus.EXCLUDED, FlagReason.APPEAL
    rollups.on_status_change(flagged, False)
    db.session.commit()

    expected = raw_counts()
    assert stored_rollups() == expected
    assert expected["window"][(window.id, date(2026, 3, 1), "n5")] == 1
    assert expected["window"][(window.id, date(2026, 3, 2), "n1")] == 1  # the excluded one left
    assert expected["window"][(window.id, date(2026, 3, 2), "flagged")] == 2
    assert expected["dimension"][(window.id, date(2026, 3, 2), "attitude", 5)] == 1

    # Rebuilt from the raw evaluations, the rollups are the same again.
    assert rollups.rebuild() == 7
    db.session.commit()
    assert stored_rollups() == expected
    # Rebuilding one window leaves the others alone.
    db.session.execute(WindowDayStats.__table__.delete())
    assert rollups.rebuild([window.id]) == 6
    db.session.commit()
    assert {key[0] for key in stored_rollups()["window"]} == {window.id}


def test_a_status_change_without_rollups_rebuilds_the_window(app, rate, make_window, make_user):
    """Rollups that were never built (a database upgraded without them) are rebuilt for the
    window instead of counting below zero."""
    window = make_window()
    rate(window, 4, at=utc(2026, 3, 2, 2))
    flagged = rate(window, 2, at=utc(2026, 3, 2, 3), flagged=True)
    for model in (WindowDayStats, StaffDayStats, DimensionDayStats):
        db.session.execute(model.__table__.delete())
    db.session.commit()
    restore_evaluation(make_user(Role.ADMIN), flagged, "")
    db.session.commit()
    assert stored_rollups() == raw_counts()
    assert raw_counts()["window"][(window.id, date(2026, 3, 2), "n2")] == 1
