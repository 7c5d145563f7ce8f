"""The monthly report 专报 of an org unit: an A4 PDF, in Chinese, for reporting upward.

What it shows, all read from the other domains rather than counted again:

* a cover with the unit, the month and its headline figures against the month before
  (``feedback.stats.queries.window_summary`` over the subtree's windows);
* the overview: the five levels and the dimensions, this month and last;
* the daily trend and the ranking chart (``feedback.dashboards.charts`` builds them exactly
  as the dashboards do, ``feedback.charts`` draws them), each followed by its numbers;
* the subtree's windows ranked by their Bayesian-adjusted index with the Wilson interval of
  the good-review share (``ranking``), and the child units month by month (``unit_months``);
* how complaints and bad reviews were handled (``feedback.cases.figures``) and the
  rectification notices issued or closed in the month (``feedback.notices``).

The report is a document for the authorities above, in Chinese whatever the reader's
interface language: its own words are literal Chinese (as on the desk cards), and the charts'
and notice states' words are taken in Chinese with ``force_locale("zh")``.

``build_monthly_report`` reads the database into a plain :class:`MonthlyReport`;
``render_monthly_report`` draws it and touches nothing but matplotlib.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from feedback import clock
from feedback.cards.desk import fit_block, line_height
from feedback.cases.figures import HandlingFigures, handling_figures
from feedback.charts.cache import Chart, render_chart
from feedback.charts.ranking import Ranking
from feedback.charts.trend import Trend
from feedback.clock import local_date, start_of_local_day
from feedback.dashboards import charts as dashboard_charts
from feedback.extensions import db
from feedback.notices.models import Notice
from feedback.notices.workflow import STATE_LABELS
from feedback.orgs.models import OrgUnit
from feedback.reports.forms import ReportPeriod, add_months, month_period
from feedback.reports.layout import BAD, BRAND, GOOD, MUTED, Column, Document, Headline
from feedback.stats import setting
from feedback.stats.queries import (
    RankedWindow,
    Summary,
    UnitMonthRow,
    ranking,
    unit_months,
    window_series,
    window_summary,
)
from feedback.windows.models import Window
from surveys import DIMENSIONS, LABELS_ZH, Level, LevelCounts, satisfaction_index

__all__ = [
    "MonthlyReport",
    "NoticeLine",
    "build_monthly_report",
    "monthly_report_pdf",
    "render_monthly_report",
    "report_filename",
    "subtree_window_ids",
]

TITLE = "群众满意度月度专报"
UNIT_MONTHS = 6
# A province has a thousand windows: the table lists them all up to this many, else the best
# and the lowest half of it each (the complete list is the per-window export).
WINDOW_TABLE_MAX = 100

ChartRenderer = Callable[[Chart], bytes]


@dataclass(frozen=True)
class NoticeLine:
    """A rectification notice issued or closed in the month, as the report lists it."""

    number: str
    target: str
    title: str
    state: str  # its state, in Chinese
    issued: date | None
    due: date | None
    closed: date | None
    overdue: bool


@dataclass(frozen=True)
class MonthlyReport:
    """Everything the monthly report prints, as plain values."""

    unit_code: str
    unit_name: str
    unit_path: tuple[str, ...]  # the units above, from the root
    period: ReportPeriod
    previous: ReportPeriod
    generated_at: datetime  # local time
    this: Summary
    last: Summary
    ranked: tuple[RankedWindow, ...]
    months: tuple[UnitMonthRow, ...]
    handling: HandlingFigures
    last_handling: HandlingFigures
    notices: tuple[NoticeLine, ...]
    notices_issued: int
    notices_closed: int
    trend: Trend
    ranking: Ranking
    target: float
    prior_weight: int

    @property
    def rated(self) -> list[RankedWindow]:
        return [r for r in self.ranked if r.rank is not None]


# --- reading -------------------------------------------------------------------------------------


def subtree_window_ids(unit: OrgUnit) -> list[int]:
    """Every window below ``unit`` (inactive ones too: their ratings of the month count)."""
    return list(db.session.scalars(
        select(Window.id).join(OrgUnit, OrgUnit.id == Window.org_unit_id)
        .where(OrgUnit.in_subtree(unit)).order_by(Window.id)))


def _ancestors(unit: OrgUnit) -> tuple[str, ...]:
    ids = unit.ancestor_ids
    if not ids:
        return ()
    names = {row.id: row.name for row in db.session.execute(
        select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(ids)))}
    return tuple(names[i] for i in ids if i in names)


def _notices(unit: OrgUnit, period: ReportPeriod) -> tuple[list[NoticeLine], int, int]:
    low = start_of_local_day(period.start)
    high = start_of_local_day(period.end + timedelta(days=1))
    notices = db.session.scalars(
        select(Notice).join(OrgUnit, OrgUnit.id == Notice.org_unit_id)
        .where(OrgUnit.in_subtree(unit),
               or_(and_(Notice.issued_at >= low, Notice.issued_at < high),
                   and_(Notice.closed_at >= low, Notice.closed_at < high)))
        .options(joinedload(Notice.window), joinedload(Notice.org_unit))
        .order_by(Notice.issued_at, Notice.id)
    ).unique()
    lines, issued, closed = [], 0, 0
    for notice in notices:
        issued += notice.issued_at is not None and low <= notice.issued_at < high
        closed += notice.closed_at is not None and low <= notice.closed_at < high
        lines.append(NoticeLine(
            number=notice.number or "", target=notice.target_name, title=notice.title,
            state=str(STATE_LABELS.get(notice.state, notice.state)),
            issued=local_date(notice.issued_at) if notice.issued_at else None,
            due=local_date(notice.due_at - timedelta(seconds=1)) if notice.due_at else None,
            closed=local_date(notice.closed_at) if notice.closed_at else None,
            overdue=notice.overdue_at is not None,
        ))
    return lines, issued, closed


def build_monthly_report(unit: OrgUnit, first: date, *,
                         now: datetime | None = None) -> MonthlyReport:
    """Read ``unit``'s report for the month beginning ``first`` (up to today if it runs).

    Raises ``ValueError`` for a month that has not begun. No access check: the caller has
    made sure the reader may see ``unit``.
    """
    now = now or clock.now()
    today = local_date(now)
    if first.replace(day=1) > today.replace(day=1):
        raise ValueError(f"the month {first:%Y-%m} has not begun")
    period = month_period(first.replace(day=1), today)
    previous = month_period(add_months(period.start, -1), today)
    ids = subtree_window_ids(unit)
    ranked = ranking(unit, period.start, period.end)
    with force_locale("zh"):
        series = window_series(ids, period.start, period.end, "day")
        trend = dashboard_charts.trend_chart(series, "day")
        ranking_chart = dashboard_charts.ranking_chart(ranked)
        notices, issued, closed = _notices(unit, period)  # their states in Chinese
    return MonthlyReport(
        unit_code=unit.code, unit_name=unit.name, unit_path=_ancestors(unit),
        period=period, previous=previous,
        generated_at=now.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])),
        this=window_summary(ids, period.start, period.end),
        last=window_summary(ids, previous.start, previous.end),
        ranked=tuple(ranked),
        months=tuple(unit_months(unit, UNIT_MONTHS, period.end)),
        handling=handling_figures(ids, period.start, period.end, now=now),
        last_handling=handling_figures(ids, previous.start, previous.end, now=now),
        notices=tuple(notices), notices_issued=issued, notices_closed=closed,
        trend=trend, ranking=ranking_chart, target=dashboard_charts.target_index(),
        prior_weight=setting("RANKING_PRIOR_WEIGHT"),
    )


def report_filename(report: MonthlyReport) -> str:
    return f"manyi-monthly-{report.unit_code}-{report.period.month}.pdf"


def monthly_report_pdf(unit: OrgUnit, first: date, *, now: datetime | None = None,
                       chart_png: ChartRenderer | None = None) -> tuple[MonthlyReport, bytes]:
    """``unit``'s report for the month of ``first``: the figures and the PDF."""
    report = build_monthly_report(unit, first, now=now)
    return report, render_monthly_report(report, chart_png)


# --- words and numbers ------------------------------------------------------------------------


def _month_zh(day: date) -> str:
    return f"{day.year}年{day.month}月"


def _day_zh(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _num(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _pct(share: float | None, digits: int = 1) -> str:
    return "—" if share is None else f"{100 * share:.{digits}f}%"


def _hours(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _change(now: float | None, then: float | None, *, points: bool = False,
            higher_is_better: bool = True, scale: float = 1.0) -> tuple[str, str]:
    """"较上月上升 1.2" and its colour (green when better, red when worse)."""
    if now is None:
        return "本月无评价", MUTED
    if then is None:
        return "上月无评价，无法比较", MUTED
    delta = (now - then) * scale
    unit = "个百分点" if points else ""
    if math.isclose(delta, 0.0, abs_tol=0.05):
        return "与上月持平", MUTED
    better = (delta > 0) == higher_is_better
    word = "上升" if delta > 0 else "下降"
    return f"较上月{word} {abs(delta):.1f}{unit}", GOOD if better else BAD


def _count_change(now: int, then: int) -> tuple[str, str]:
    if then == 0:
        return ("上月无评价" if now else "本月、上月均无评价"), MUTED
    delta = now - then
    if delta == 0:
        return "与上月持平", MUTED
    word = "增加" if delta > 0 else "减少"
    return f"较上月{word} {abs(delta)} 条（{100 * delta / then:+.1f}%）", MUTED


def _interval(low: float | None, high: float | None, share: bool = False) -> str:
    if low is None or high is None:
        return "—"
    if share:
        return f"{100 * low:.1f}–{100 * high:.1f}%"
    return f"{low:.1f}–{high:.1f}"


# --- drawing -----------------------------------------------------------------------------------


SECTION_NUMBERS = "一二三四五六七八九十"


class _Sections:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.count = 0

    def __call__(self, title: str, keep: float = 30.0) -> None:
        self.doc.heading(f"{SECTION_NUMBERS[self.count]}、{title}", keep=keep)
        self.count += 1


def render_monthly_report(report: MonthlyReport, chart_png: ChartRenderer | None = None) -> bytes:
    """The PDF of ``report``; charts are drawn by ``chart_png`` (without a cache by default)."""
    chart_png = chart_png or (lambda chart: render_chart(chart, "png"))
    month = _month_zh(report.period.start)
    doc = Document(footer=f"{report.unit_name} · {month}{TITLE}")
    _cover(doc, report)
    doc.new_page()
    section = _Sections(doc)
    _overview(doc, section, report)
    _trend(doc, section, report, chart_png)
    _windows(doc, section, report, chart_png)
    _units(doc, section, report)
    _cases(doc, section, report)
    _notices_section(doc, section, report)
    _notes(doc, report)
    return doc.render(title=f"{report.unit_name} {month}{TITLE}",
                      subject=f"{report.unit_code} {report.period.month}")


def _period_text(report: MonthlyReport) -> str:
    period = report.period
    text = f"{_day_zh(period.start)}至{_day_zh(period.end)}"
    if period.partial:
        text += "（本月尚未结束，数据截至当日）"
    return text


def _headlines(report: MonthlyReport) -> list[Headline]:
    this, last = report.this, report.last
    n_note = _count_change(this.n, last.n)
    index_note = _change(this.index, last.index)
    good_note = _change(this.good_share, last.good_share, points=True, scale=100)
    bad_note = _change(this.bad_share, last.bad_share, points=True, scale=100,
                       higher_is_better=False)
    return [
        Headline("有效评价（条）", f"{this.n:,}", *n_note),
        Headline("满意度指数（0–100）", _num(this.index), *index_note),
        Headline("好评率（非常满意、满意）", _pct(this.good_share), *good_note),
        Headline("差评率（不满意、非常不满意）", _pct(this.bad_share), *bad_note),
    ]


def _cover(doc: Document, report: MonthlyReport) -> None:
    page, left, width = doc.page, doc.left, doc.width
    month = _month_zh(report.period.start)
    doc.y = 34
    page.rect(left, doc.y, width, 2.2, color=BRAND)
    doc.y += 8
    page.text(left, doc.y, f"满意度监测 · {TITLE}", 12, color=BRAND)
    doc.y += 12
    lines, size = fit_block(report.unit_name, width, 30, 26, 16, leading=1.3)
    for line in lines:
        page.text(left, doc.y, line, size, bold=True)
        doc.y += line_height(size, 1.3)
    doc.y += 3
    page.text(left, doc.y, f"{month}群众满意度情况", 18)
    doc.y += 14
    if report.unit_path:
        doc.paragraph("上级单位：" + " › ".join(report.unit_path), 9.5, color=MUTED)
    rated = len(report.rated)
    meta = [
        f"统计期间：{_period_text(report)}",
        f"单位编码：{report.unit_code}",
        f"下辖窗口：{len(report.ranked)} 个，本月有评价的 {rated} 个",
        f"生成时间：{report.generated_at:%Y-%m-%d %H:%M}",
    ]
    for line in meta:
        doc.paragraph(line, 10, color=MUTED, leading=1.5)
    doc.y = max(doc.y + 8, 120)
    doc.heading("本月要点", keep=70)
    doc.figures(_headlines(report))
    this = report.this
    notes = []
    if this.index_interval is not None:
        notes.append(f"满意度指数的95%置信区间为 {_interval(*this.index_interval)}。")
    notes.append(f"另有存疑或经申诉复核排除的评价 {this.flagged} 条，未计入以上数字。")
    doc.paragraph("".join(notes), 9.5, color=MUTED)
    doc.space(2)
    doc.paragraph(_summary_text(report), 11, leading=1.75)


def _summary_text(report: MonthlyReport) -> str:
    this, last = report.this, report.last
    month = _month_zh(report.period.start)
    if this.n == 0:
        return f"{month}，{report.unit_name}所辖窗口未收到计入统计的群众评价。"
    text = (f"{month}，{report.unit_name}所辖窗口共收到计入统计的群众评价 {this.n:,} 条，"
            f"满意度指数 {_num(this.index)}")
    if last.index is not None:
        text += f"（上月 {_num(last.index)}）"
    text += f"，好评率 {_pct(this.good_share)}，差评率 {_pct(this.bad_share)}。"
    rated = report.rated
    if rated:
        best, worst = rated[0], rated[-1]
        text += (f"本月有评价的窗口 {len(rated)} 个，"
                 f"调整后指数最高的是{best.name}（{_num(best.adjusted_index)}）")
        if len(rated) > 1:
            text += f"，最低的是{worst.name}（{_num(worst.adjusted_index)}）"
        text += "。"
        below = [r for r in rated if r.adjusted_index is not None
                 and r.adjusted_index < report.target]
        if below:
            text += f"调整后指数低于目标值 {report.target:g} 的窗口 {len(below)} 个。"
    handling = report.handling
    if handling.cases:
        text += f"本月受理差评、投诉和建议 {handling.cases} 件"
        if handling.on_time_rate is not None:
            text += f"，按时答复率 {_pct(handling.on_time_rate)}"
        text += "。"
    if report.notices_issued or report.notices_closed:
        text += (f"本月签发整改通知 {report.notices_issued} 件，"
                 f"办结 {report.notices_closed} 件。")
    return text


def _overview(doc: Document, section: _Sections, report: MonthlyReport) -> None:
    this, last = report.this, report.last
    section("总体情况")
    doc.paragraph(f"统计期间：{_period_text(report)}；对比期间："
                  f"{_day_zh(report.previous.start)}至{_day_zh(report.previous.end)}。", 9.5,
                  color=MUTED)
    rows = []
    for level in Level:
        now_n, then_n = this.counts[level], last.counts[level]
        rows.append([LABELS_ZH[level], f"{now_n:,}", _share(now_n, this.n), f"{then_n:,}",
                     _share(then_n, last.n)])
    rows.append(["合计", f"{this.n:,}", _share(this.n, this.n), f"{last.n:,}",
                 _share(last.n, last.n)])
    doc.table([Column("评价等级", 50), Column("本月（条）", 31, "right"),
               Column("占比", 31, "right"), Column("上月（条）", 31, "right"),
               Column("占比", 31, "right")], rows, strong=[len(rows) - 1])
    keys = list(dict.fromkeys([*this.dimensions, *last.dimensions]))
    if keys:
        names = {d.key: d.zh for d in DIMENSIONS}
        doc.paragraph("分项评价（1–5分，5分为非常满意）：", 10)
        doc.table([Column("评价维度", 50), Column("本月均分", 31, "right"),
                   Column("本月评价数", 31, "right"), Column("上月均分", 31, "right"),
                   Column("上月评价数", 31, "right")],
                  [[names.get(key, key), _num(this.dimensions.get(key), 2),
                    f"{_dimension_n(this, key):,}", _num(last.dimensions.get(key), 2),
                    f"{_dimension_n(last, key):,}"] for key in keys])
    channels = {"qr": "窗口二维码", "token": "办件评价码", "device": "评价器", "web": "网站",
                "hotline": "12319热线", "sms": "短信"}
    used = [f"{channels.get(k, k)} {v:,} 条" for k, v in this.channels.items() if v]
    if used:
        text = "评价渠道：" + "、".join(used) + "。"
        if this.tokens_issued:
            text += (f"本月发放办件评价码 {this.tokens_issued:,} 个，"
                     f"使用率 {_pct(this.token_coverage)}。")
        doc.paragraph(text, 9.5, color=MUTED)


def _dimension_n(summary: Summary, key: str) -> int:
    counts = summary.dimension_counts.get(key)
    return counts.total if counts is not None else 0


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "—"


def _trend(doc: Document, section: _Sections, report: MonthlyReport,
           chart_png: ChartRenderer) -> None:
    section("满意度走势", keep=75)
    doc.image(chart_png(report.trend),
              caption=f"{_month_zh(report.period.start)}逐日满意度指数（点）、7日滚动平均（线）"
                      f"及其95%置信带，虚线为目标值 {report.target:g}。")
    points = [p for p in report.trend.points if p.n]
    if points:
        best = max(points, key=lambda p: (p.index or 0.0, p.n))
        worst = min(points, key=lambda p: (p.index or 0.0, -p.n))
        busiest = max(points, key=lambda p: p.n)
        doc.paragraph(
            f"本月有评价的天数 {len(points)} 天；评价最多的是{_day_zh(busiest.start)}"
            f"（{busiest.n} 条）；日指数最高 {_num(best.index)}（{_day_zh(best.start)}），"
            f"最低 {_num(worst.index)}（{_day_zh(worst.start)}）。", 9.5, color=MUTED)


def _windows(doc: Document, section: _Sections, report: MonthlyReport,
             chart_png: ChartRenderer) -> None:
    rated = report.rated
    section("窗口排名", keep=60)
    doc.paragraph(
        f"按调整后满意度指数排名：每个窗口的评价与 {report.prior_weight} 条处于本辖区平均水平的"
        "虚拟评价合并计算，评价少的窗口向平均水平靠拢，避免个别评价造成排名失真。"
        "好评率后为其95%置信区间（Wilson），区间越宽说明评价越少、结论越不确定。", 9.5,
        color=MUTED)
    if not rated:
        doc.paragraph("本月没有窗口收到计入统计的评价。")
        return
    doc.image(chart_png(report.ranking))
    shown: list[RankedWindow | None] = list(rated)
    gap = None
    if len(rated) > WINDOW_TABLE_MAX:
        half = WINDOW_TABLE_MAX // 2
        shown = [*rated[:half], None, *rated[-half:]]
        gap = half
    rows = []
    for r in shown:
        if r is None:
            rows.append(["…", f"（中间 {len(rated) - 2 * half} 个窗口从略）", "", "", "", "", ""])
            continue
        interval = _interval(r.good_share_low, r.good_share_high, share=True)
        rows.append([str(r.rank), r.name, r.org_unit_name, f"{r.n:,}", _num(r.index),
                     _num(r.adjusted_index), f"{_pct(r.good_share)} ({interval})"])
    doc.table([Column("排名", 11, "center"), Column("窗口", 45), Column("所属单位", 37),
               Column("评价数", 15, "right"), Column("指数", 14, "right"),
               Column("调整后指数", 19, "right"), Column("好评率（95%区间）", 33, "right")],
              rows, muted=[gap] if gap is not None else [])
    unrated = len(report.ranked) - len(rated)
    notes = []
    if gap is not None:
        notes.append(f"本表列出排名前 {half} 位和后 {half} 位的窗口，完整名单请导出“窗口汇总”表。")
    if unrated:
        notes.append(f"另有 {unrated} 个窗口本月无计入统计的评价，未参加排名。")
    if notes:
        doc.paragraph("".join(notes), 9, color=MUTED)


def _units(doc: Document, section: _Sections, report: MonthlyReport) -> None:
    section("下级单位逐月情况", keep=40)
    if not report.months:
        doc.paragraph("本单位没有下级单位和窗口。")
        return
    months = [cell.month for cell in report.months[0].months]
    doc.paragraph("各单位（含其全部下级）满意度指数，括号内为评价条数。", 9.5, color=MUTED)
    rows = []
    for row in report.months:
        name = f"{row.name}（本级窗口）" if row.own else row.name
        rows.append([name, *[_cell(c.index, c.n) for c in row.months]])
    if len(report.months) > 1:
        totals = [sum((row.months[i].counts for row in report.months), LevelCounts())
                  for i in range(len(months))]
        rows.append(["合计", *[_cell(satisfaction_index(c), c.total) for c in totals]])
    width = (doc.width - 46) / len(months)
    doc.table([Column("单位", 46), *[Column(f"{m.year}-{m.month:02d}", width, "right")
                                    for m in months]],
              rows, strong=[len(rows) - 1] if len(report.months) > 1 else [])


def _cell(index: float | None, n: int) -> str:
    return f"{index:.1f} ({n:,})" if n else "—"


def _cases(doc: Document, section: _Sections, report: MonthlyReport) -> None:
    section("差评与投诉处理", keep=50)
    this, last = report.handling, report.last_handling
    doc.paragraph("按案件受理时间统计；答复期限按工作日计算。回访率指留有电话的差评中已回访的比例，"
                  "处理满意率指群众对处理结果评价为满意或基本满意的比例。", 9.5, color=MUTED)
    rows = [
        ["受理件数", f"{this.cases:,}", f"{last.cases:,}"],
        ["应答复件数（已答复或已过期限）", f"{this.due:,}", f"{last.due:,}"],
        ["按时答复率", _pct(this.on_time_rate), _pct(last.on_time_rate)],
        ["逾期未答复", f"{this.overdue:,}", f"{last.overdue:,}"],
        ["差评回访率", _pct(this.callback_rate), _pct(last.callback_rate)],
        ["处理满意率", _pct(this.satisfaction_rate), _pct(last.satisfaction_rate)],
        ["首次答复用时中位数（小时）", _hours(this.median_answer_hours),
         _hours(last.median_answer_hours)],
    ]
    doc.table([Column("指标", 86), Column("本月", 44, "right"), Column("上月", 44, "right")],
              rows)


def _notices_section(doc: Document, section: _Sections, report: MonthlyReport) -> None:
    section("整改通知", keep=40)
    if not report.notices:
        doc.paragraph("本月未签发或办结整改通知。")
        return
    overdue = sum(1 for n in report.notices if n.overdue)
    doc.paragraph(f"本月签发整改通知 {report.notices_issued} 件，办结 {report.notices_closed} 件；"
                  f"下表 {len(report.notices)} 件中曾逾期的 {overdue} 件。", 10)
    rows = [[n.number, n.target, n.title, _date(n.issued), _date(n.due), _date(n.closed),
             n.state + ("（曾逾期）" if n.overdue else "")] for n in report.notices]
    doc.table([Column("编号", 19), Column("整改对象", 34), Column("事项", 45),
               Column("签发", 18), Column("期限", 18), Column("办结", 18),
               Column("状态", 22)], rows, size=8)


def _zone_name(moment: datetime) -> str:
    name = getattr(moment.tzinfo, "key", str(moment.tzinfo))
    return "北京时间" if name in ("Asia/Shanghai", "Asia/Chongqing", "PRC") else f"{name} 时间"


def _date(day: date | None) -> str:
    return "—" if day is None else f"{day:%m-%d}"


def _notes(doc: Document, report: MonthlyReport) -> None:
    doc.heading("说明", keep=30)
    for line in (
        "1. 满意度指数：非常满意计100分、满意75分、基本满意50分、不满意25分、非常不满意0分，"
        "取全部计入统计评价的平均值。",
        "2. 好评率为“非常满意”和“满意”之和所占比例；差评率为“不满意”和“非常不满意”之和所占比例。",
        "3. 同一浏览器短时间内重复评价同一窗口、同一地址集中提交、工作人员登录状态下提交的评价"
        "标记为存疑，经申诉复核排除的评价同样不计入统计，均单独列示。",
        f"4. 调整后指数按贝叶斯方法计算，先验为本辖区各窗口指数的平均值，权重为 "
        f"{report.prior_weight} 条评价。",
        f"5. 日期均按{_zone_name(report.generated_at)}计算。",
    ):
        doc.paragraph(line, 9, color=MUTED, leading=1.5)

