"""The one look of Manyi's charts: colours, sizes, and text in the bundled Chinese font.

Every text of a chart (titles, tick labels, legends, notes) is set in Noto Sans CJK from
``feedback.cards.fonts`` with an explicit ``FontProperties``: nothing depends on matplotlib's
global ``rcParams`` or on the machine's fonts, so a chart renders the same Chinese glyphs on a
fresh server and no request changes another's settings.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

from babel.dates import format_skeleton
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

from feedback.cards.desk import ELLIPSIS, printable, text_width
from feedback.cards.fonts import cjk_font
from surveys.scale import LABELS_EN, LABELS_ZH, Level

# Bump when the drawing code changes what a chart looks like: chart URLs carry a hash of
# what they show (including this), and browsers keep them forever.
STYLE_VERSION = 1

INK = "#1d2430"
MUTED = "#5a6473"
GRID = "#e3e6eb"
AXIS = "#b8bfca"
SERIES = "#1a5fb4"  # the site's --focus blue: the index and its rolling mean
SERIES_LIGHT = "#8fb3e0"
BAND = "#cfe0f5"
TARGET = "#1f7a3a"  # the site's --ok green
MARKER = "#b3261e"  # the site's --brand red: rectification notices
PREVIOUS = "#c3c9d3"
# Best to worst, green to red, told apart by lightness too (readable in grey print).
LEVEL_COLOURS: dict[Level, str] = {
    Level.VERY_SATISFIED: "#1f7a3a",
    Level.SATISFIED: "#79b45f",
    Level.FAIRLY_SATISFIED: "#d6b240",
    Level.DISSATISFIED: "#e07b39",
    Level.VERY_DISSATISFIED: "#b3261e",
}

DPI = 100  # sizes are CSS pixels at 100 dpi
PNG_SCALE = 2  # PNGs carry twice the pixels, sharp on high-density screens and in print
SIZES: dict[str, tuple[int, int]] = {
    "wide": (880, 330),
    "half": (430, 280),
}
LANGUAGES = ("zh", "en")

TITLE_PT = 11
TEXT_PT = 9
SMALL_PT = 8


@lru_cache(maxsize=16)
def _font(size: float) -> FontProperties:
    return cjk_font(size)


def font(size: float = TEXT_PT) -> FontProperties:
    """The chart font at ``size`` points (a copy: callers may change it)."""
    return _font(size).copy()


def check_size(size: str) -> tuple[int, int]:
    """``(width, height)`` in CSS pixels of a named size; ``ValueError`` for an unknown one."""
    try:
        return SIZES[size]
    except KeyError:
        raise ValueError(f"size must be one of {', '.join(SIZES)}, got {size!r}") from None


def check_language(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}, got {lang!r}")
    return lang


def new_figure(width_px: int, height_px: int) -> Figure:
    fig = Figure(figsize=(width_px / DPI, height_px / DPI), dpi=DPI, facecolor="white")
    return fig


def style_axes(ax: Axes, *, grid_axis: str = "y") -> None:
    """Light grid behind the data, no box: the data is the darkest thing on the chart."""
    ax.set_facecolor("white")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(AXIS)
    ax.tick_params(colors=MUTED, length=3, width=0.6)
    ax.grid(axis=grid_axis, color=GRID, linewidth=0.8)
    ax.set_axisbelow(True)


def set_ticks(ax: Axes, axis: str, positions: Sequence[float], labels: Sequence[str],
              size: float = SMALL_PT) -> None:
    """Fixed ticks with labels in the chart font (tick labels otherwise use DejaVu Sans)."""
    setter = ax.set_xticks if axis == "x" else ax.set_yticks
    setter(list(positions), labels=[clean(label) for label in labels], fontproperties=font(size),
           color=MUTED)


def clean(text: str) -> str:
    """``text`` without what the font cannot draw (emoji would print as empty boxes)."""
    return printable(text).replace("\n", " ")


def shorten(text: str, width_px: float, size: float = TEXT_PT) -> str:
    """``text`` cut with an ellipsis to fit ``width_px`` at ``size`` points."""
    text = clean(text)
    if text_px(text, size) <= width_px:
        return text
    while text and text_px(text + ELLIPSIS, size) > width_px:
        text = text[:-1]
    return text + ELLIPSIS


def text_px(text: str, size: float) -> float:
    """Width of ``text`` in CSS pixels at ``size`` points."""
    return text_width(text, size) / 25.4 * DPI


def index_ticks(low: float, high: float) -> list[float]:
    """Ticks every 5 or 10 index points (or more) between ``low`` and ``high``."""
    span = high - low
    step = 5 if span <= 30 else 10 if span <= 60 else 20
    first = math.ceil(low / step) * step
    return [float(v) for v in range(int(first), int(high) + 1, step)]


def level_label(level: Level, lang: str) -> str:
    """The national wording of a level (非常满意 …) in ``lang``."""
    return (LABELS_ZH if lang == "zh" else LABELS_EN)[level]


def short_date(day, lang: str) -> str:
    """3月1日 / Mar 1."""
    return format_skeleton("MMMd", day, locale=lang)


def empty_note(ax: Axes, text: str) -> None:
    """A message in the middle of an empty chart, instead of bare axes."""
    ax.text(0.5, 0.5, clean(text), transform=ax.transAxes, ha="center", va="center",
            color=MUTED, fontproperties=font(TEXT_PT + 1))


def fmt_number(value: float, digits: int = 1) -> str:
    return f"{value:.{digits}f}"
