"""The pure statistics: values checked against hand computations and against surveys.scoring,
so that a wrong formula fails."""

from __future__ import annotations

import math
import random

import pytest

from feedback.stats import metrics
from surveys import (
    LevelCounts,
    bad_share,
    bayesian_index,
    good_share,
    mean_level,
    satisfaction_index,
    wilson_interval,
)


def random_tallies(count: int = 300):
    rng = random.Random(5)
    yield (0, 0, 0, 0, 0)
    for _ in range(count):
        scale = rng.choice((1, 3, 30, 3000))
        yield tuple(rng.randint(0, scale) if rng.random() < 0.7 else 0 for _ in range(5))


def test_the_fast_figures_equal_those_of_surveys_scoring():
    for t in random_tallies():
        counts = LevelCounts.from_mapping({level: t[level - 1] for level in range(1, 6)})
        assert metrics.tally(counts) == t
        assert metrics.to_counts(t) == counts
        assert metrics.tally({level: t[level - 1] for level in range(1, 6)}) == t
        for fast, reference in ((metrics.index, satisfaction_index),
                                (metrics.mean_level, mean_level),
                                (metrics.good_share, good_share),
                                (metrics.bad_share, bad_share)):
            expected = reference(counts)
            if expected is None:
                assert fast(t) is None
            else:
                assert fast(t) == pytest.approx(expected, rel=1e-12)
        if counts.total:
            assert metrics.adjusted_index(t, 80.0, 20) == pytest.approx(
                bayesian_index(counts, 80.0, 20), rel=1e-12)
            assert metrics.good_share_interval(t) == wilson_interval(counts.good, counts.total,
                                                                     metrics.Z95)


def test_index_interval_is_the_normal_interval_of_the_mean_points():
    # Points 100, 100, 75, 0: mean 68.75; sample sd = sqrt((31.25²·2 + 6.25² + 68.75²) / 3).
    t = metrics.tally({5: 2, 4: 1, 1: 1})
    sd = math.sqrt((31.25**2 * 2 + 6.25**2 + 68.75**2) / 3)
    low, high = metrics.index_interval(t)
    assert low == pytest.approx(68.75 - metrics.Z95 * sd / 2)
    assert high == min(100.0, 68.75 + metrics.Z95 * sd / 2) == 100.0  # clamped
    # Wider with fewer ratings of the same spread, narrower with more.
    few = metrics.index_interval((0, 0, 5, 0, 5))
    many = metrics.index_interval((0, 0, 500, 0, 500))
    assert few[1] - few[0] > 5 * (many[1] - many[0]) > 0
    half = metrics.Z95 * 25 * math.sqrt(1000 / 999) / math.sqrt(1000)
    assert many == pytest.approx((75 - half, 75 + half))


def test_index_interval_needs_two_ratings_and_stays_on_the_scale():
    assert metrics.index_interval(metrics.ZERO) is None
    assert metrics.index_interval((0, 0, 0, 0, 1)) is None
    assert metrics.index_interval((0, 0, 0, 0, 10)) == (100.0, 100.0)
    assert metrics.index_interval((1, 0, 0, 0, 1)) == (0.0, 100.0)


def test_index_stddev():
    assert metrics.index_stddev(metrics.ZERO) is None
    assert metrics.index_stddev((1, 0, 0, 0, 1)) == pytest.approx(50.0)
    assert metrics.index_stddev((0, 0, 7, 0, 0)) == 0.0


def test_good_share_interval_is_wilson():
    # 8 good of 10: the Wilson interval is about (0.490, 0.943); the naive one would be
    # (0.552, 1.048).
    low, high = metrics.good_share_interval((1, 0, 1, 2, 6))
    assert low == pytest.approx(0.4902, abs=1e-4)
    assert high == pytest.approx(0.9433, abs=1e-4)
    assert metrics.good_share_interval(metrics.ZERO) is None
    low, high = metrics.good_share_interval((0, 0, 0, 0, 3))
    assert high == 1.0 and low == pytest.approx(0.4385, abs=1e-4)


def test_three_perfect_ratings_do_not_outrank_three_thousand_very_good_ones():
    prior = 80.0
    few_perfect = metrics.adjusted_index((0, 0, 0, 0, 3), prior, 20)
    many_very_good = metrics.adjusted_index((0, 0, 0, 600, 2400), prior, 20)  # index 95
    assert few_perfect == pytest.approx((20 * 80 + 300) / 23)  # 82.6
    assert many_very_good == pytest.approx((20 * 80 + 2400 * 100 + 600 * 75) / 3020)
    assert many_very_good > few_perfect
    # The adjustment pulls towards the prior from both sides and vanishes with many ratings.
    assert metrics.adjusted_index((3, 0, 0, 0, 0), prior, 20) == pytest.approx(1600 / 23)
    assert metrics.adjusted_index(metrics.ZERO, prior, 20) == prior
    assert metrics.adjusted_index((0, 0, 0, 0, 1), None, 20) is None
    with pytest.raises(ValueError):
        metrics.adjusted_index((0, 0, 0, 0, 1), 120.0, 20)
    with pytest.raises(ValueError):
        metrics.adjusted_index((0, 0, 0, 0, 1), 80.0, 0)


def test_mean_of_indexes_weighs_each_window_the_same():
    assert metrics.mean_of_indexes([(0, 0, 0, 0, 3000), (1, 0, 0, 0, 0), metrics.ZERO]) == 50.0
    assert metrics.mean_of_indexes([metrics.ZERO]) is None


def test_rolling_pools_the_last_days_weighted_by_ratings():
    days = [(0, 0, 0, 0, 1), metrics.ZERO, (3, 0, 0, 0, 0), (0, 0, 0, 0, 1)]
    rolled = metrics.rolling(days, 2)
    assert [sum(r) for r in rolled] == [1, 1, 3, 4]
    assert rolled[3] == (3, 0, 0, 0, 1)
    seven = metrics.rolling([(0, 0, 0, 0, 1)] * 10, 7)
    assert [sum(r) for r in seven] == [1, 2, 3, 4, 5, 6, 7, 7, 7, 7]
    with pytest.raises(ValueError):
        metrics.rolling(days, 0)


def test_pooled_and_add():
    assert metrics.pooled([(0, 0, 0, 0, 1), (1, 0, 0, 0, 2)]) == (1, 0, 0, 0, 3)
    assert metrics.pooled([]) == metrics.ZERO
    assert metrics.add((1, 2, 3, 4, 5), (1, 1, 1, 1, 1)) == (2, 3, 4, 5, 6)
