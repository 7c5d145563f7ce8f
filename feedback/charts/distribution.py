"""The ratings of a period over the five national levels (非常满意 … 非常不满意), best first,
as shares with their counts, beside the previous period's shares when given.

    fig = draw_distribution(Distribution(counts=(120, 40, 9, 3, 1), previous=(100, 50, 8, 6, 2),
                                         labels=DistributionLabels(...), lang="zh"))
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from matplotlib.figure import Figure
from matplotlib.patches import Patch

from feedback.charts.style import (
    INK,
    LEVEL_COLOURS,
    MUTED,
    PREVIOUS,
    SMALL_PT,
    TEXT_PT,
    check_language,
    check_size,
    clean,
    empty_note,
    font,
    level_label,
    new_figure,
    set_ticks,
    style_axes,
    text_px,
)
from surveys.scale import Level

LEVELS = tuple(Level)  # best first, as the national evaluators show them


@dataclass(frozen=True)
class DistributionLabels:
    this_period: str = "This period"
    last_period: str = "Last period"
    empty: str = "No ratings in this period"


@dataclass(frozen=True)
class Distribution:
    """Counts per level, best first: ``(非常满意, 满意, 基本满意, 不满意, 非常不满意)``."""

    counts: tuple[int, int, int, int, int]
    previous: tuple[int, int, int, int, int] | None = None
    labels: DistributionLabels = field(default_factory=DistributionLabels)
    lang: str = "zh"
    size: str = "half"

    kind: ClassVar[str] = "distribution"

    def __post_init__(self) -> None:
        check_size(self.size)
        check_language(self.lang)
        for name in ("counts", "previous"):
            value = getattr(self, name)
            if value is None:
                continue
            value = tuple(value)
            if len(value) != len(LEVELS) or any(
                    isinstance(c, bool) or not isinstance(c, int) or c < 0 for c in value):
                raise ValueError(f"{name} must be five whole numbers >= 0, got {value!r}")
            object.__setattr__(self, name, value)

    @property
    def total(self) -> int:
        return sum(self.counts)


def _shares(counts: tuple[int, ...]) -> list[float]:
    total = sum(counts)
    return [100 * c / total if total else 0.0 for c in counts]


def draw_distribution(chart: Distribution) -> Figure:
    width, height = check_size(chart.size)
    fig = new_figure(width, height)
    names = [level_label(level, chart.lang) for level in LEVELS]
    left = (max(text_px(name, TEXT_PT) for name in names) + 14) / width
    ax = fig.add_axes((left, 30 / height, 0.84 - left, 1 - 74 / height))
    style_axes(ax, grid_axis="x")
    rows = list(range(len(LEVELS)))
    ax.set_ylim(len(LEVELS) - 0.45, -0.55)  # best level on top
    set_ticks(ax, "y", rows, names, TEXT_PT)
    ax.tick_params(axis="y", length=0)
    set_ticks(ax, "x", [0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"])
    ax.set_xlim(0, 100)

    if chart.total == 0:
        empty_note(ax, chart.labels.empty)
        return fig
    shares = _shares(chart.counts)
    compare = chart.previous is not None and sum(chart.previous) > 0
    thick = 0.42 if compare else 0.62
    offset = thick / 2 if compare else 0.0
    colours = [LEVEL_COLOURS[level] for level in LEVELS]
    ax.barh([r - offset for r in rows], shares, height=thick, color=colours, linewidth=0)
    if compare:
        ax.barh([r + offset for r in rows], _shares(chart.previous), height=thick,
                color=PREVIOUS, linewidth=0)
    for row, share, count in zip(rows, shares, chart.counts, strict=True):
        ax.annotate(f"{share:.1f}%  ({count})", (share, row - offset), xytext=(4, 0),
                    textcoords="offset points", va="center", ha="left", color=INK,
                    fontproperties=font(SMALL_PT), annotation_clip=False)
    if compare:
        handles = [Patch(color=LEVEL_COLOURS[Level.VERY_SATISFIED],
                         label=clean(chart.labels.this_period)),
                   Patch(color=PREVIOUS, label=clean(chart.labels.last_period))]
        ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0, 1.01), ncol=2,
                  frameon=False, prop=font(SMALL_PT + 0.5), labelcolor=MUTED, borderaxespad=0,
                  handlelength=1.2)
    return fig
