"""The charts as pure functions of plain data: what they draw, in which font, in which format."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from datetime import date, timedelta

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font
from matplotlib.lines import Line2D
from PIL import Image

from feedback.cards.fonts import cjk_font_path
from feedback.charts.distribution import Distribution, DistributionLabels, draw_distribution
from feedback.charts.ranking import MAX_ROWS, Ranking, RankingLabels, RankingRow, draw_ranking
from feedback.charts.render import render
from feedback.charts.style import PNG_SCALE, SIZES
from feedback.charts.trend import Marker, Trend, TrendLabels, TrendPoint, draw_trend

ZH_TREND = TrendLabels(index="满意度指数", rolling="7日滚动平均", band="95%置信区间",
                       target="目标", empty="本期暂无评价")
ZH_LEVELS = ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]
EN_LEVELS = ["Very satisfied", "Satisfied", "Fairly satisfied", "Dissatisfied",
             "Very dissatisfied"]


def points(days: int = 30, start: date = date(2026, 3, 1), gap: set[int] = frozenset()):
    out = []
    for i in range(days):
        if i in gap:
            out.append(TrendPoint(start + timedelta(days=i), n=0, index=None))
        else:
            out.append(TrendPoint(start + timedelta(days=i), n=20, index=80 + i % 7,
                                  rolling=83.0, low=80.0, high=86.0))
    return tuple(out)


def texts(fig: Figure) -> list[str]:
    """Every text the figure draws (titles, ticks, legends, notes)."""
    found = [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]
    return [t for t in found if t]


def glyph_ids(svg: bytes) -> set[str]:
    return set(re.findall(r'<path id="([^"]+)"', svg.decode()))


def font_glyph(char: str) -> str:
    path = cjk_font_path()
    index = FT2Font(path, face_index=path.face_index).get_char_index(ord(char))
    assert index, f"the bundled font has no {char!r}"
    return f"{index:x}"


# --- the font: no tofu, nothing from the machine -----------------------------------------------


def test_chinese_is_drawn_with_the_bundled_font():
    """Every glyph of the SVG is an outline of Noto Sans CJK SC, the Chinese ones included;
    no DejaVu Sans (matplotlib's default) and no .notdef box (glyph 0, "tofu")."""
    svg = render(draw_trend(Trend(points(), markers=((date(2026, 3, 9), "整改通知"),),
                                  labels=ZH_TREND)), "svg")
    ids = {i for i in glyph_ids(svg) if not re.fullmatch(r"m[0-9a-f]+", i)}  # markers
    assert ids, "the SVG draws no text"
    assert all(i.startswith("NotoSansCJKsc-Regular-") for i in ids), ids
    drawn = {i.rsplit("-", 1)[1] for i in ids}
    assert "0" not in drawn
    for char in "满意度指数滚动平均置信区间目标整改通知月日":
        assert font_glyph(char) in drawn, char


def test_level_names_are_drawn_in_the_bundled_font():
    svg = render(draw_distribution(Distribution((5, 4, 3, 2, 1))), "svg")
    drawn = {i.rsplit("-", 1)[1] for i in glyph_ids(svg) if i.startswith("NotoSansCJKsc")}
    assert {font_glyph(c) for c in "非常满意基本不"} <= drawn
    assert not any(i.startswith("DejaVu") for i in glyph_ids(svg))


def test_what_the_font_cannot_draw_is_left_out_instead_of_warning():
    """Warnings are errors in this suite: an emoji glyph missing from the font would fail."""
    rows = (RankingRow("1. 不动产登记窗口😀", adjusted=92.0, n=40, raw=93.0),)
    render(draw_ranking(Ranking(rows)), "png")
    render(draw_trend(Trend(points(), markers=((date(2026, 3, 9), "通知\U0001f525"),))), "svg")


# --- formats --------------------------------------------------------------------------------------


def test_png_has_the_css_size_times_the_scale():
    body = render(draw_trend(Trend(points())), "png")
    image = Image.open(io.BytesIO(body))
    assert image.format == "PNG"
    assert image.size == (SIZES["wide"][0] * PNG_SCALE, SIZES["wide"][1] * PNG_SCALE)
    # Drawn, not blank: both the white background and the dark series are there.
    colours = np.asarray(image.convert("L"))
    assert colours.max() > 240 and colours.min() < 100


def test_svg_is_an_svg_with_its_size():
    body = render(draw_distribution(Distribution((5, 4, 3, 2, 1))), "svg")
    assert body.lstrip().startswith(b"<?xml") and b"<svg" in body
    width, height = SIZES["half"]
    assert f'width="{width * 0.72:g}pt"'.encode() in body
    assert f'height="{height * 0.72:g}pt"'.encode() in body


def test_unknown_format_is_refused():
    with pytest.raises(ValueError, match="png, svg"):
        render(draw_distribution(Distribution((1, 0, 0, 0, 0))), "gif")


def test_charts_never_load_pyplot():
    """pyplot keeps global figures: a web process must not even import it."""
    code = (
        "import sys\n"
        "from feedback.charts.cache import render_chart\n"
        "from feedback.charts.trend import Trend\n"
        "render_chart(Trend(()), 'png'); render_chart(Trend(()), 'svg')\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --- the trend ------------------------------------------------------------------------------------


def _lines(fig: Figure) -> list[Line2D]:
    return [line for ax in fig.axes for line in ax.get_lines()]


def test_trend_breaks_where_nobody_rated():
    fig = draw_trend(Trend(points(10, gap={4, 5}), labels=ZH_TREND))
    dots = next(line for line in _lines(fig) if line.get_marker() == "o")
    y = np.asarray(dots.get_ydata(), dtype=float)
    assert np.isnan(y[4]) and np.isnan(y[5])
    assert not np.isnan(y[3]) and y[3] == 83.0


def test_trend_draws_the_target_the_band_and_the_legend():
    fig = draw_trend(Trend(points(), target=92.5, labels=ZH_TREND))
    target = [line for line in _lines(fig) if list(line.get_ydata()) == [92.5, 92.5]]
    assert len(target) == 1
    ax = fig.axes[0]
    assert len(ax.collections) == 1  # the 95 % band
    assert ax.get_ylim()[1] >= 100
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["95%置信区间", "满意度指数", "7日滚动平均", "目标 92.5"]


def test_trend_without_target_has_no_target_line():
    fig = draw_trend(Trend(points(), target=None, labels=ZH_TREND))
    assert not any(t.startswith("目标") for t in texts(fig))


def test_notices_are_marked_on_their_day_and_only_inside_the_range():
    chart = Trend(points(), labels=ZH_TREND, markers=(
        Marker(date(2026, 3, 10), "整改 2026-0007 下发"),
        (date(2026, 3, 25), "整改 2026-0007 办结"),  # plain tuples are accepted too
        (date(2026, 5, 1), "范围以外"),
    ))
    fig = draw_trend(chart)
    vertical = [line for line in _lines(fig)
                if len(set(line.get_xdata())) == 1 and line.get_linestyle() != "None"]
    assert sorted(line.get_xdata()[0] for line in vertical) == [
        date(2026, 3, 10).toordinal(), date(2026, 3, 25).toordinal()]
    drawn = texts(fig)
    assert "整改 2026-0007 下发" in drawn and "整改 2026-0007 办结" in drawn
    assert "范围以外" not in drawn


def test_dates_are_labelled_in_the_language_of_the_chart():
    zh = texts(draw_trend(Trend(points(), lang="zh")))
    en = texts(draw_trend(Trend(points(), lang="en")))
    assert "3月1日" in zh
    assert "Mar 1" in en


def test_an_empty_trend_says_so():
    assert "本期暂无评价" in texts(draw_trend(Trend((), labels=ZH_TREND)))
    quiet = tuple(TrendPoint(date(2026, 3, 1) + timedelta(days=i), 0, None) for i in range(7))
    assert "本期暂无评价" in texts(draw_trend(Trend(quiet, labels=ZH_TREND)))


def test_a_trend_refuses_what_it_cannot_draw():
    with pytest.raises(ValueError, match="granularity"):
        Trend(points(), granularity="month")
    with pytest.raises(ValueError, match="size"):
        Trend(points(), size="huge")
    with pytest.raises(ValueError, match="lang"):
        Trend(points(), lang="fr")


# --- the distribution ----------------------------------------------------------------------------


def _bars(fig: Figure) -> list:
    return [p for p in fig.axes[0].patches]


def test_distribution_shows_the_national_levels_best_first():
    fig = draw_distribution(Distribution((6, 2, 1, 0, 1)))
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == ZH_LEVELS
    widths = [round(bar.get_width(), 6) for bar in _bars(fig)]
    assert widths == [60.0, 20.0, 10.0, 0.0, 10.0]
    assert "60.0%  (6)" in texts(fig)
    english = draw_distribution(Distribution((6, 2, 1, 0, 1), lang="en"))
    assert [t.get_text() for t in english.axes[0].get_yticklabels()] == EN_LEVELS


def test_distribution_compares_with_the_last_period():
    labels = DistributionLabels(this_period="本期", last_period="上期")
    fig = draw_distribution(Distribution((5, 5, 0, 0, 0), previous=(0, 0, 0, 0, 4),
                                         labels=labels))
    widths = [round(bar.get_width(), 6) for bar in _bars(fig)]
    assert widths == [50.0, 50.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 100.0]
    assert {"本期", "上期"} <= set(texts(fig))


def test_distribution_refuses_counts_that_are_not_five_whole_numbers():
    for bad in ((1, 2, 3), (1, 2, 3, 4, -1), (1, 2, 3, 4, 0.5), (True, 0, 0, 0, 0)):
        with pytest.raises(ValueError):
            Distribution(bad)


def test_an_empty_distribution_says_so():
    fig = draw_distribution(Distribution((0, 0, 0, 0, 0),
                                         labels=DistributionLabels(empty="本期暂无评价")))
    assert "本期暂无评价" in texts(fig) and _bars(fig) == []


# --- the ranking ----------------------------------------------------------------------------------


def test_ranking_draws_adjusted_index_raw_index_and_wilson_interval():
    rows = (RankingRow("1. 公积金窗口", adjusted=94.0, n=3000, raw=94.2, share=0.96, low=0.95,
                       high=0.97),
            RankingRow("2. 不动产窗口", adjusted=88.5, n=3, raw=100.0, share=1.0, low=0.44,
                       high=1.0))
    fig = draw_ranking(Ranking(rows, labels=RankingLabels(adjusted="调整后指数")))
    index_ax, share_ax = fig.axes
    bars = index_ax.patches
    assert [round(b.get_x() + b.get_width(), 6) for b in bars] == [94.0, 88.5]
    whiskers = share_ax.collections[0].get_segments()
    assert [(s[0][0], s[1][0]) for s in whiskers] == [(0.95, 0.97), (0.44, 1.0)]
    drawn = texts(fig)
    assert "1. 公积金窗口" in drawn and "94.0 · n=3000" in drawn and "88.5 · n=3" in drawn
    assert share_ax.get_xlim()[0] <= 0.44


def test_ranking_grows_with_its_rows_and_has_a_limit():
    few = Ranking(tuple(RankingRow(f"{i}. 窗口", 90.0, 10) for i in range(3)))
    many = Ranking(tuple(RankingRow(f"{i}. 窗口", 90.0, 10) for i in range(30)))
    assert many.height_px > few.height_px
    fig = draw_ranking(many)
    assert fig.get_figheight() * fig.dpi == pytest.approx(many.height_px)
    with pytest.raises(ValueError, match="at most"):
        Ranking(tuple(RankingRow("窗口", 90.0, 10) for _ in range(MAX_ROWS + 1)))


def test_long_window_names_are_shortened_with_an_ellipsis():
    name = "1. " + "长沙市望城区政务服务中心住房和城乡建设窗口区不动产登记综合受理窗口" * 2
    fig = draw_ranking(Ranking((RankingRow(name, 90.0, 10),)))
    shown = [t for t in texts(fig) if t.startswith("1. ")]
    assert len(shown) == 1 and shown[0].endswith("…") and len(shown[0]) < len(name)
