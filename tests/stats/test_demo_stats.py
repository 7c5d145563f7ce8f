"""The demo's six months of evaluations: on every window, with trends, and in the rollups."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from feedback.demo.loader import load_demo
from feedback.evaluations.models import Evaluation, FlagStatus
from feedback.extensions import db
from feedback.orgs.models import OrgUnit
from feedback.stats import queries
from feedback.windows.models import Window
from tests.stats.test_rollups import raw_counts, stored_rollups

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # 10:00 in Changsha


def test_demo_has_six_months_of_evaluations_on_every_window(app):
    summary = load_demo(now=NOW)
    db.session.commit()
    assert summary.counts["evaluations"] > 10_000
    assert stored_rollups() == raw_counts()  # built by the rebuild, equal to the raw rows

    today = date(2026, 11, 30)
    windows = db.session.scalars(select(Window)).all()
    first_month = (today - timedelta(days=183), today - timedelta(days=153))
    last_week = (today - timedelta(days=6), today - timedelta(days=1))
    silent = []
    for window in windows:
        assert queries.window_summary([window.id], *first_month).n > 0, window.name
        if queries.window_summary([window.id], *last_week).n == 0:
            silent.append(window.name)
    assert len(silent) == 1  # one window whose ratings stopped (its QR code went missing)
    assert db.session.scalar(select(func.count()).select_from(Evaluation)
                             .where(Evaluation.created_at >= NOW)) == 0

    flagged = db.session.scalar(select(func.count()).select_from(Evaluation)
                                .where(Evaluation.flag_status == FlagStatus.FLAGGED))
    assert 0.01 < flagged / summary.counts["evaluations"] < 0.04

    province = db.session.scalar(select(OrgUnit).where(OrgUnit.code == "HN"))
    ranked = queries.ranking(province, today - timedelta(days=90), today)
    assert all(r.rank is not None for r in ranked)
    weakest = {r.name for r in ranked[-2:]}
    assert "物业投诉受理窗口" in " ".join(weakest) or any("物业" in n for n in weakest)
    indexes = [r.index for r in ranked]
    assert max(indexes) - min(indexes) > 20  # strong and weak windows, not all alike
    months = queries.unit_months(province, 6, today)
    assert len(months) == 3 and all(cell.n > 0 for row in months for cell in row.months)
