"""Six months of demo evaluations on every demo window, so every dashboard has trends.

A step of the demo loader (``feedback.demo.loader.STEPS``). Each window gets a volume that
suits its trade (busy title registration, quiet parks), a quality and a slow trend — some
improve, some slip — and office hours with quiet weekends. Two windows are weak (many bad
reviews, one of them a window of the demo ``manager``), about 2 % of the ratings are flagged
with a reason, one window's ratings stop a week before "now" (as if its QR code had been
taken down), and some citizens leave a comment or rate the dimensions and the staff member.

The rows are inserted in bulk and the rollups built afterwards by ``rollups.rebuild`` — not
one by one through the rating service, which would take minutes. Historical demo ratings get
no tracking number: their cases would have been closed long ago.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from flask import current_app

from feedback.clock import local_date
from feedback.evaluations.models import Channel, Evaluation, FlagReason, FlagStatus
from feedback.extensions import db
from feedback.questionnaires.models import SurveyVersion
from feedback.questionnaires.queries import current_version_for
from feedback.stats import rollups
from surveys import DIMENSIONS, REASONS_KEY

if TYPE_CHECKING:
    from feedback.demo.loader import DemoContext

DAYS = 183
FLAGGED_SHARE = 0.02
# Windows that stop being rated this many days before "now" (the QR code went missing), and
# the weekday mean they had before: busy enough for the silence alert to notice (median 5).
SILENT_DAYS = 7
SILENT_VOLUME = 9
# Mean ratings a weekday, by trade.
VOLUME = {
    "licensing": 5, "utilities": 6, "parks": 3, "real_estate": 8, "property": 3,
    "housing_fund": 7, "hotline": 5,
}
CHANNELS = {
    "hotline": ((Channel.HOTLINE, 0.85), (Channel.SMS, 0.15)),
    "default": ((Channel.QR, 0.6), (Channel.DEVICE, 0.25), (Channel.TOKEN, 0.12),
                (Channel.WEB, 0.03)),
}
WEAK_WINDOWS = ("HN-CS-WC-H1/property_complaint",)  # plus one chosen at random
SILENT_WINDOW_COUNT = 1
GOOD_COMMENTS = (
    "工作人员很耐心，一次就办好了。", "效率很高，点赞！", "服务热情，材料一次性告知清楚。",
    "比以前快多了。", "窗口人员态度很好。", "流程清楚，没有多跑路。",
)
BAD_COMMENTS = (
    "排队太久，等了一个多小时。", "材料要求说不清楚，跑了三趟。", "工作人员态度冷淡。",
    "电话一直打不通。", "让我去别的窗口，又被推回来。", "系统老是故障，办不了。",
)
BAD_REASONS = ("attitude", "slow", "many_trips", "buck_passing", "other")


def add_evaluations(ctx: DemoContext) -> None:
    """Six months of ratings up to the day before ``ctx.now``, then the rollups."""
    rng = ctx.rng
    refs = list(ctx.windows)
    weak = set(WEAK_WINDOWS) & set(refs)
    others = [ref for ref in refs if ref not in weak]
    weak.add(rng.choice(others))
    silent = set(rng.sample([ref for ref in others if ref not in weak], SILENT_WINDOW_COUNT))
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    today = local_date(ctx.now)
    first = today - timedelta(days=DAYS)
    rows: list[dict] = []
    flagged = 0
    for ref in refs:
        window = ctx.windows[ref]
        version = current_version_for(window, today)
        staff_ids = [s.id for s in ctx.staff.get(ref, [])]
        trade = window.category.code
        volume = VOLUME.get(trade, 8) * rng.uniform(0.5, 1.6)
        if ref in silent:
            volume = max(volume, SILENT_VOLUME)
        if ref in weak:
            quality, trend = rng.uniform(3.0, 3.4), rng.uniform(-0.3, 0.1)
        else:
            quality, trend = rng.uniform(3.9, 4.6), rng.gauss(0.1, 0.35)
        channels = CHANNELS["hotline" if trade == "hotline" else "default"]
        last = today - timedelta(days=SILENT_DAYS if ref in silent else 1)
        day = first
        while day <= last:
            progress = (day - first).days / DAYS
            factor = 0.3 if day.weekday() >= 5 else 1.0
            for _ in range(_poisson(rng, volume * factor)):
                row = _evaluation(rng, window.id, version, staff_ids, channels,
                                  quality + trend * (progress - 0.5), day, zone)
                flagged += row["flag_status"] == FlagStatus.FLAGGED
                rows.append(row)
            day += timedelta(days=1)
    rows.sort(key=lambda r: r["created_at"])
    _bulk_insert(rows)
    rollups.rebuild()
    ctx.summary.counts["evaluations"] = len(rows)
    ctx.summary.counts["flagged evaluations"] = flagged


def _bulk_insert(rows: list[dict]) -> None:
    """One driver-level ``executemany``: tens of thousands of rows in well under a second,
    where the ORM's per-row type processing would take many (values are prepared here)."""
    if not rows:
        return
    connection = db.session.connection()
    sqlite = connection.dialect.name == "sqlite"
    columns = list(rows[0])
    marks = ", ".join("?" if sqlite else "%s" for _ in columns)
    prepared = []
    for row in rows:
        values = dict(row)
        values["answers"] = json.dumps(row["answers"], ensure_ascii=False)
        for key in ("channel", "flag_status", "flag_reason"):
            values[key] = row[key].value if row[key] is not None else None
        if sqlite:  # what UTCDateTime stores there: naive UTC text
            values["created_at"] = row["created_at"].strftime("%Y-%m-%d %H:%M:%S.%f")
        prepared.append(tuple(values[c] for c in columns))
    table = Evaluation.__table__.name
    connection.exec_driver_sql(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",  # noqa: S608  (our own names)
        prepared)


def _poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth's method is fine for the small means here)."""
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, mean ** 0.5)))
    limit, k, p = pow(2.718281828459045, -mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _evaluation(rng: random.Random, window_id: int, version: SurveyVersion,
                staff_ids: list[int], channels, mean: float, day, zone: ZoneInfo) -> dict:
    level = min(5, max(1, round(rng.gauss(mean, 0.9))))
    answers: dict = {"overall": level}
    if rng.random() < 0.5:
        for dimension in DIMENSIONS:
            if rng.random() < 0.8:
                answers[dimension.key] = min(5, max(1, level + round(rng.gauss(0, 0.6))))
    staff_id = rng.choice(staff_ids) if staff_ids and rng.random() < 0.6 else None
    if staff_id is not None:
        answers["staff"] = staff_id
    comment = ""
    if level <= 2:
        answers[REASONS_KEY] = sorted(set(rng.choices(BAD_REASONS, k=rng.randint(1, 2))))
        if rng.random() < 0.5:
            comment = rng.choice(BAD_COMMENTS)
    elif level >= 4 and rng.random() < 0.08:
        comment = rng.choice(GOOD_COMMENTS)
    if comment:
        answers["comment"] = comment
    channel = rng.choices([c for c, _ in channels], weights=[w for _, w in channels])[0]
    local = datetime.combine(day, time(8, 30), tzinfo=zone) + timedelta(
        seconds=rng.uniform(0, 9 * 3600))
    reason = None
    if rng.random() < FLAGGED_SHARE:
        reason = rng.choice((FlagReason.REPEAT, FlagReason.BURST, FlagReason.STAFF_SESSION))
    return {
        "window_id": window_id,
        "staff_id": staff_id,
        "survey_version_id": version.id,
        "channel": channel,
        "level": level,
        "answers": answers,
        "comment": comment,
        "wants_reply": False,
        "created_at": local.astimezone(UTC),
        "verified": channel == Channel.TOKEN and reason is None,
        "flag_status": FlagStatus.FLAGGED if reason is not None else FlagStatus.COUNTED,
        "flag_reason": reason,
    }
