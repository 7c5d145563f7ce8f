"""The satisfaction index over time: daily or weekly points, the 7-day rolling mean with its
95 % confidence band, the target line and, optionally, rectification notices as markers.

    chart = Trend(points=(TrendPoint(date(2026, 3, 1), n=40, index=91.2, rolling=90.4,
                                     low=87.9, high=92.9), ...),
                  granularity="day", target=90, labels=TrendLabels(...), lang="zh")
    fig = draw_trend(chart)

A point with no ratings (``n == 0``) has no index: the lines break there instead of diving
to zero, because no rating is not a rating of zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import ClassVar

import numpy as np
from matplotlib.figure import Figure

from feedback.charts.style import (
    BAND,
    INK,
    MARKER,
    MUTED,
    SERIES,
    SERIES_LIGHT,
    SMALL_PT,
    TARGET,
    check_language,
    check_size,
    clean,
    empty_note,
    font,
    index_ticks,
    new_figure,
    set_ticks,
    short_date,
    shorten,
    style_axes,
)

GRANULARITIES = ("day", "week")
MAX_X_TICKS = 8
MARKER_LABEL_PX = 120


@dataclass(frozen=True)
class TrendPoint:
    """One day or week: how many ratings, their index and the rolling mean with its band."""

    start: date
    n: int
    index: float | None
    rolling: float | None = None
    low: float | None = None  # 95 % confidence band of the rolling mean (index points)
    high: float | None = None


@dataclass(frozen=True)
class Marker:
    """Something that happened on a day, drawn as a vertical line (a rectification notice)."""

    day: date
    label: str


@dataclass(frozen=True)
class TrendLabels:
    """The words on the chart, already translated."""

    index: str = "Satisfaction index"
    rolling: str = "7-day rolling mean"
    band: str = "95% confidence band"
    target: str = "Target"
    empty: str = "No ratings in this period"


@dataclass(frozen=True)
class Trend:
    points: tuple[TrendPoint, ...]
    granularity: str = "day"
    target: float | None = 90.0
    markers: tuple[Marker, ...] = ()
    labels: TrendLabels = field(default_factory=TrendLabels)
    lang: str = "zh"
    size: str = "wide"

    kind: ClassVar[str] = "trend"

    def __post_init__(self) -> None:
        if self.granularity not in GRANULARITIES:
            raise ValueError(f"granularity must be day or week, got {self.granularity!r}")
        check_size(self.size)
        check_language(self.lang)
        object.__setattr__(self, "points", tuple(self.points))
        object.__setattr__(self, "markers", tuple(
            m if isinstance(m, Marker) else Marker(*m) for m in self.markers))


def _values(points: Sequence[TrendPoint], name: str) -> np.ndarray:
    return np.array([np.nan if getattr(p, name) is None else float(getattr(p, name))
                     for p in points], dtype=float)


def _y_range(chart: Trend) -> tuple[float, float]:
    """From a little below the lowest thing drawn (target included) up to 100."""
    values = [v for p in chart.points for v in (p.index, p.rolling, p.low, p.high)
              if v is not None]
    if chart.target is not None:
        values.append(chart.target)
    if not values:
        return 0.0, 100.0
    low = min(values)
    low = max(0.0, (low - 5) // 10 * 10)
    return low, 100.0


def _x_ticks(days: Sequence[date], lang: str) -> tuple[list[int], list[str]]:
    step = max(1, -(-len(days) // MAX_X_TICKS))
    chosen = list(days[::step])
    return [d.toordinal() for d in chosen], [short_date(d, lang) for d in chosen]


def draw_trend(chart: Trend) -> Figure:
    """A new figure of ``chart``."""
    width, height = check_size(chart.size)
    fig = new_figure(width, height)
    ax = fig.add_axes((0.07, 0.13, 0.9, 0.72))
    style_axes(ax)
    labels = chart.labels
    points = chart.points
    low, high = _y_range(chart)
    ax.set_ylim(low, high + 1)
    ticks = index_ticks(low, high)
    set_ticks(ax, "y", ticks, [f"{t:.0f}" for t in ticks])

    if not points:
        ax.set_xticks([])
        empty_note(ax, labels.empty)
        return fig
    x = np.array([p.start.toordinal() for p in points], dtype=float)
    pad = 0.6 if chart.granularity == "day" else 3.5
    ax.set_xlim(x[0] - pad, x[-1] + pad)
    set_ticks(ax, "x", *_x_ticks([p.start for p in points], chart.lang))

    index, rolling = _values(points, "index"), _values(points, "rolling")
    band_low, band_high = _values(points, "low"), _values(points, "high")
    handles = []
    has_band = ~np.isnan(band_low) & ~np.isnan(band_high)
    if has_band.any():
        handles.append(ax.fill_between(x, band_low, band_high, where=has_band, color=BAND,
                                       linewidth=0, label=clean(labels.band), interpolate=False))
    if not np.isnan(index).all():
        (dots,) = ax.plot(x, index, linestyle="none", marker="o", markersize=3.2,
                          color=SERIES_LIGHT, label=clean(labels.index))
        handles.append(dots)
    if not np.isnan(rolling).all():
        (line,) = ax.plot(x, rolling, color=SERIES, linewidth=2, label=clean(labels.rolling),
                          solid_capstyle="round")
        handles.append(line)
    if chart.target is not None:
        target = ax.axhline(chart.target, color=TARGET, linewidth=1.2, linestyle=(0, (5, 3)),
                            label=clean(f"{labels.target} {chart.target:g}"))
        handles.append(target)
    if all(p.n == 0 for p in points):
        empty_note(ax, labels.empty)

    first, last = points[0].start, points[-1].start
    for marker in chart.markers:
        if not first <= marker.day <= last:
            continue
        day = marker.day.toordinal()
        ax.axvline(day, color=MARKER, linewidth=1, linestyle=(0, (2, 2)))
        ax.annotate(shorten(marker.label, MARKER_LABEL_PX, SMALL_PT), (day, high + 1),
                    xytext=(3, -3), textcoords="offset points", rotation=90, ha="left",
                    va="top", color=MARKER, fontproperties=font(SMALL_PT),
                    annotation_clip=False)

    if handles:
        ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0, 1.01), ncol=len(handles),
                  frameon=False, prop=font(SMALL_PT + 0.5), labelcolor=INK, borderaxespad=0,
                  handlelength=1.8, columnspacing=1.4)
    ax.yaxis.label.set_color(MUTED)
    return fig
