"""Rendered charts are kept by what they show: a repeat view renders nothing."""

from __future__ import annotations

import os
import threading
import time
from dataclasses import replace
from datetime import date

import pytest

from feedback.charts import cache as cache_module
from feedback.charts.cache import ChartCache, chart_key, render_chart
from feedback.charts.distribution import Distribution, DistributionLabels
from feedback.charts.ranking import Ranking, RankingRow
from feedback.charts.trend import Trend, TrendLabels, TrendPoint

SCOPE = "window:k7x2m9qa"


def trend(**changes) -> Trend:
    chart = Trend(points=(TrendPoint(date(2026, 3, 1), 10, 90.0, 90.0, 85.0, 95.0),
                          TrendPoint(date(2026, 3, 2), 12, 87.5, 88.6, 84.0, 93.2)),
                  labels=TrendLabels(index="满意度指数"))
    return replace(chart, **changes)


def test_the_key_is_the_same_for_the_same_chart_and_changes_with_anything_shown():
    key = chart_key(trend())
    assert key == chart_key(trend())
    assert len(key) == 32 and int(key, 16) >= 0
    variants = [
        trend(points=trend().points[:1]),  # the data
        trend(points=(*trend().points[:1], replace(trend().points[1], n=13))),
        trend(labels=TrendLabels(index="Satisfaction index")),  # the labels
        trend(lang="en"),  # the language
        trend(size="half"),  # the size
        trend(target=85.0),
        trend(markers=((date(2026, 3, 2), "整改"),)),
        trend(granularity="week"),
    ]
    keys = {chart_key(v) for v in variants}
    assert key not in keys and len(keys) == len(variants)
    # Another kind of chart with "the same" fields never collides either.
    assert chart_key(Distribution((1, 0, 0, 0, 0))) != chart_key(
        Distribution((1, 0, 0, 0, 0), labels=DistributionLabels(this_period="本期")))


def test_the_key_changes_with_the_drawing_code(monkeypatch):
    before = chart_key(trend())
    monkeypatch.setattr(cache_module, "STYLE_VERSION", cache_module.STYLE_VERSION + 1)
    assert chart_key(trend()) != before


def test_a_repeat_view_renders_nothing():
    cache = ChartCache()
    first = cache.render(SCOPE, trend(), "svg")
    assert cache.stats.renders == 1
    for _ in range(3):
        assert cache.render(SCOPE, trend(), "svg") == first
    assert cache.stats.renders == 1 and cache.stats.memory_hits == 3
    cache.render(SCOPE, trend(), "png")  # another format is another rendering
    assert cache.stats.renders == 2
    cache.render(SCOPE, trend(lang="en"), "svg")  # and so is anything else shown
    assert cache.stats.renders == 3


def test_the_cached_bytes_are_the_chart():
    cache = ChartCache()
    body = cache.render(SCOPE, trend(), "png")
    assert body.startswith(b"\x89PNG")
    assert cache.get(SCOPE, chart_key(trend()), "png") == body
    assert cache.get(SCOPE, chart_key(trend()), "svg") is None


def test_charts_are_only_found_under_their_own_scope():
    cache = ChartCache()
    key = cache.remember(SCOPE, trend())
    cache.render(SCOPE, trend(), "svg")
    assert cache.chart(SCOPE, key) == trend()
    assert cache.get(SCOPE, key, "svg") is not None
    assert cache.chart("window:other", key) is None
    assert cache.get("window:other", key, "svg") is None


def test_least_recently_used_bytes_go_first_within_the_budget():
    small = render_chart(Distribution((1, 0, 0, 0, 0)), "svg")
    cache = ChartCache(max_bytes=int(len(small) * 2.5))
    charts = [Distribution((i + 1, 0, 0, 0, 0)) for i in range(3)]
    for chart in charts[:2]:
        cache.render(SCOPE, chart, "svg")
    cache.get(SCOPE, chart_key(charts[0]), "svg")  # used again: the second is now the oldest
    cache.render(SCOPE, charts[2], "svg")
    assert cache.get(SCOPE, chart_key(charts[0]), "svg") is not None
    assert cache.get(SCOPE, chart_key(charts[1]), "svg") is None
    assert cache.get(SCOPE, chart_key(charts[2]), "svg") is not None


def test_files_are_shared_between_processes(tmp_path):
    """Two caches over one directory stand for two workers: one renders, the other reads."""
    first, second = ChartCache(directory=tmp_path), ChartCache(directory=tmp_path)
    body = first.render(SCOPE, trend(), "svg")
    assert second.render(SCOPE, trend(), "svg") == body
    assert second.stats.renders == 0 and second.stats.file_hits == 1
    # Filed by scope: another window's URL does not reach the file either.
    assert ChartCache(directory=tmp_path).get("window:other", chart_key(trend()), "svg") is None
    assert not list(tmp_path.rglob("*.part"))


def test_files_with_odd_scopes_or_keys_stay_inside_the_directory(tmp_path):
    cache = ChartCache(directory=tmp_path / "charts")
    cache.render("unit:../../etc", trend(), "svg")
    written = list((tmp_path / "charts").rglob("*.svg"))
    assert len(written) == 1 and written[0].parent.parent == tmp_path / "charts"
    assert cache.get("unit:x", "../../secret", "svg") is None


def test_old_files_are_pruned(tmp_path):
    cache = ChartCache(directory=tmp_path)
    cache.render(SCOPE, trend(), "svg")
    cache.render(SCOPE, trend(lang="en"), "svg")
    old, new = sorted(tmp_path.rglob("*.svg"))
    month_ago = time.time() - 30 * 86400
    os.utime(old, (month_ago, month_ago))
    assert cache.prune(days=14) == 1
    assert not old.exists() and new.exists()


def test_concurrent_requests_share_one_cache():
    cache = ChartCache()
    results: list[bytes] = []

    def view() -> None:
        results.append(cache.render(SCOPE, trend(), "svg"))

    threads = [threading.Thread(target=view) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 1
    assert cache.get(SCOPE, chart_key(trend()), "svg") == results[0]


def test_only_charts_are_rendered():
    with pytest.raises(TypeError):
        render_chart("trend", "svg")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        ChartCache().render(SCOPE, Ranking((RankingRow("窗口", 90.0, 3),)), "jpeg")
