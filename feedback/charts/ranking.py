"""Windows of a subtree ranked by their Bayesian-adjusted satisfaction index.

Two panels share the rows, best first:

* left, the adjusted index as a bar, the window's raw index as a hollow ring (far from the bar
  where few ratings pulled it toward the subtree's mean), the target line, and ``n`` ratings;
* right, the good-review share (好评率) with its 95 % Wilson interval: a wide whisker says the
  figure rests on few ratings.

    fig = draw_ranking(Ranking(rows=(RankingRow("1. 不动产登记窗口", adjusted=93.1, raw=94.0,
                                                n=812, share=0.95, low=0.93, high=0.96), ...),
                               target=90, labels=RankingLabels(...), lang="zh"))
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from feedback.charts.style import (
    INK,
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
    shorten,
    style_axes,
    text_px,
)

MAX_ROWS = 40
ROW_PX = 24
CHROME_PX = 80  # legend above, ticks below
MAX_LABEL_PX = 240


@dataclass(frozen=True)
class RankingRow:
    """One window: its label (rank and name), adjusted and raw index, count, good share."""

    label: str
    adjusted: float | None
    n: int
    raw: float | None = None
    share: float | None = None  # good-review share 0..1
    low: float | None = None  # its Wilson interval
    high: float | None = None


@dataclass(frozen=True)
class RankingLabels:
    adjusted: str = "Adjusted index"
    raw: str = "Own index"
    share: str = "Good-review share (95% interval)"
    target: str = "Target"
    empty: str = "No ratings in this period"


@dataclass(frozen=True)
class Ranking:
    rows: tuple[RankingRow, ...]
    target: float | None = 90.0
    labels: RankingLabels = field(default_factory=RankingLabels)
    lang: str = "zh"
    size: str = "wide"  # the width; the height follows the number of rows

    kind: ClassVar[str] = "ranking"

    def __post_init__(self) -> None:
        check_size(self.size)
        check_language(self.lang)
        rows = tuple(self.rows)
        if len(rows) > MAX_ROWS:
            raise ValueError(f"a ranking chart shows at most {MAX_ROWS} rows, got {len(rows)}")
        object.__setattr__(self, "rows", rows)

    @property
    def height_px(self) -> int:
        return CHROME_PX + ROW_PX * max(len(self.rows), 3)


def draw_ranking(chart: Ranking) -> Figure:
    width, _ = check_size(chart.size)
    height = chart.height_px
    fig = new_figure(width, height)
    labels = [shorten(row.label, MAX_LABEL_PX) for row in chart.rows]
    label_px = max([text_px(label, 9) for label in labels] + [40]) + 12
    bottom, top = 28 / height, 1 - 46 / height
    left = label_px / width
    split = left + (0.97 - left) * 0.62
    index_ax = fig.add_axes((left, bottom, split - left - 0.07, top - bottom))
    share_ax = fig.add_axes((split, bottom, 0.97 - split, top - bottom))
    for ax in (index_ax, share_ax):
        style_axes(ax, grid_axis="x")
        ax.tick_params(axis="y", length=0)
    rows = list(range(len(chart.rows)))
    for ax in (index_ax, share_ax):
        ax.set_ylim(max(len(rows), 3) - 0.5, -0.5)  # first row on top
    # Row labels as plain texts: a tick per row costs five artists and ~3 ms each to build.
    for ax in (index_ax, share_ax):
        ax.set_yticks([])
    label_font = font(9)
    for y, label in zip(rows, labels, strict=True):
        index_ax.annotate(label, (0, y), xycoords=("axes fraction", "data"), xytext=(-6, 0),
                          textcoords="offset points", ha="right", va="center", color=INK,
                          fontproperties=label_font, annotation_clip=False)

    values = [v for row in chart.rows for v in (row.adjusted, row.raw) if v is not None]
    if chart.target is not None:
        values.append(chart.target)
    low = max(0.0, (min(values) - 5) // 10 * 10) if values else 0.0
    index_ax.set_xlim(low, 100)
    ticks = index_ticks(low, 100)
    set_ticks(index_ax, "x", ticks, [f"{t:.0f}" for t in ticks])
    lows = [row.low for row in chart.rows if row.low is not None]
    share_low = min(0.5, (min(lows) * 10) // 1 / 10) if lows else 0.0
    share_ax.set_xlim(share_low, 1)
    share_ticks = [share_low, (share_low + 1) / 2, 1.0]
    set_ticks(share_ax, "x", share_ticks, [f"{t:.0%}" for t in share_ticks])

    if not any(row.n for row in chart.rows):
        empty_note(index_ax, chart.labels.empty)
        return fig
    handles = []
    bars = [(y, row) for y, row in zip(rows, chart.rows, strict=True) if row.adjusted is not None]
    if bars:
        index_ax.barh([y for y, _ in bars], [row.adjusted - low for _, row in bars], left=low,
                      height=0.62, color=SERIES, linewidth=0)
    raws = [(y, row.raw) for y, row in zip(rows, chart.rows, strict=True) if row.raw is not None]
    if raws:
        index_ax.plot([r for _, r in raws], [y for y, _ in raws], marker="o", markersize=5,
                      markerfacecolor="white", markeredgecolor=INK, markeredgewidth=1,
                      linestyle="none")
    for y, row in bars:
        end = max(row.adjusted, row.raw if row.raw is not None else 0.0)
        index_ax.annotate(f"{row.adjusted:.1f} · n={row.n}", (end, y), xytext=(6, 0),
                          textcoords="offset points", va="center", ha="left", color=INK,
                          fontproperties=font(SMALL_PT), annotation_clip=False)
    whiskers = [(y, row) for y, row in zip(rows, chart.rows, strict=True)
                if row.low is not None and row.high is not None]
    if whiskers:
        share_ax.hlines([y for y, _ in whiskers], [row.low for _, row in whiskers],
                        [row.high for _, row in whiskers], color=SERIES_LIGHT, linewidth=2.4)
    shares = [(y, row.share) for y, row in zip(rows, chart.rows, strict=True)
              if row.share is not None]
    if shares:
        share_ax.plot([s for _, s in shares], [y for y, _ in shares], marker="o", markersize=4.5,
                      color=SERIES, linestyle="none")
    handles.append(Patch(color=SERIES, label=clean(chart.labels.adjusted)))
    handles.append(Line2D([], [], marker="o", markersize=5, markerfacecolor="white",
                          markeredgecolor=INK, linestyle="none", label=clean(chart.labels.raw)))
    if chart.target is not None:
        index_ax.axvline(chart.target, color=TARGET, linewidth=1.2, linestyle=(0, (5, 3)))
        handles.append(Line2D([], [], color=TARGET, linewidth=1.2, linestyle=(0, (5, 3)),
                              label=clean(f"{chart.labels.target} {chart.target:g}")))
    index_ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0, 1.0), ncol=3,
                    frameon=False, prop=font(SMALL_PT + 0.5), labelcolor=INK, borderaxespad=0.3,
                    handlelength=1.4)
    # Placed by hand: Axes.set_title measures every tick label to find room (slow).
    fig.text(split, top + 12 / height, clean(chart.labels.share), ha="left", va="bottom",
             color=MUTED, fontproperties=font(SMALL_PT + 0.5))
    return fig
