"""The dashboards' charts built from the statistics, with their words in the reader's language.

These functions turn ``feedback.stats.queries`` results into the plain dataclasses of
``feedback.charts``; the page and the chart's image request build the same chart from the same
numbers, so both arrive at the same cache key.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _

from feedback.charts.distribution import Distribution, DistributionLabels
from feedback.charts.ranking import Ranking, RankingLabels, RankingRow
from feedback.charts.trend import Marker, Trend, TrendLabels, TrendPoint
from feedback.stats.queries import Point, RankedWindow, Summary
from surveys import Level

# A ranking chart shows the whole list up to this many windows, else the best and the worst.
RANKING_CHART_ROWS = 20
RANKING_CHART_ENDS = 10


def chart_language() -> str:
    return "zh" if str(get_locale()) == "zh" else "en"


def target_index() -> float:
    return float(current_app.config["DASHBOARD_TARGET_INDEX"])


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def trend_chart(points: Sequence[Point], granularity: str,
                markers: Sequence[tuple[date, str]] = ()) -> Trend:
    """The trend of a window (or several) from ``window_series`` points."""
    labels = TrendLabels(
        index=_("Daily index") if granularity == "day" else _("Weekly index"),
        rolling=_("7-day rolling mean"),
        band=_("%(p)d%% confidence band", p=95),
        target=_("Target"),
        empty=_("No ratings in this period"),
    )
    return Trend(
        points=tuple(TrendPoint(start=p.start, n=p.n, index=_round(p.index),
                                rolling=_round(p.rolling_index), low=_round(p.low),
                                high=_round(p.high)) for p in points),
        granularity=granularity,
        target=target_index(),
        markers=tuple(Marker(day, label) for day, label in markers),
        labels=labels,
        lang=chart_language(),
    )


def distribution_chart(this: Summary, last: Summary | None) -> Distribution:
    labels = DistributionLabels(this_period=_("This period"), last_period=_("Last period"),
                                empty=_("No ratings in this period"))
    previous = tuple(last.counts[level] for level in Level) if last is not None else None
    return Distribution(counts=tuple(this.counts[level] for level in Level), previous=previous,
                        labels=labels, lang=chart_language())


def ranking_rows(rows: Sequence[RankedWindow]) -> list[RankedWindow]:
    """The ranked windows the chart shows: all of them, or the best and the worst ten."""
    ranked = [r for r in rows if r.rank is not None]
    if len(ranked) <= RANKING_CHART_ROWS:
        return ranked
    return ranked[:RANKING_CHART_ENDS] + ranked[-RANKING_CHART_ENDS:]


def ranking_chart(rows: Sequence[RankedWindow]) -> Ranking:
    labels = RankingLabels(adjusted=_("Adjusted index"), raw=_("Own index"),
                           share=_("Good-review share (%(p)d%% interval)", p=95),
                           target=_("Target"), empty=_("No ratings in this period"))
    return Ranking(
        rows=tuple(RankingRow(label=f"{r.rank}. {r.name}", adjusted=_round(r.adjusted_index),
                              n=r.n, raw=_round(r.index), share=_round(r.good_share, 4),
                              low=_round(r.good_share_low, 4), high=_round(r.good_share_high, 4))
                   for r in ranking_rows(rows)),
        target=target_index(),
        labels=labels,
        lang=chart_language(),
    )
