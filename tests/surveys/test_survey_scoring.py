"""Scoring formulas against hand-computed values."""

from __future__ import annotations

import math

import pytest

from surveys import (
    Level,
    LevelCounts,
    bad_share,
    bayesian_index,
    dimension_means,
    good_share,
    mean_level,
    satisfaction_index,
    wilson_interval,
)

# 10×5, 6×4, 2×3, 1×2, 1×1: N = 20
# mean level = (50 + 24 + 6 + 2 + 1) / 20 = 83 / 20 = 4.15
# index      = (10·100 + 6·75 + 2·50 + 1·25 + 1·0) / 20 = 1575 / 20 = 78.75
SAMPLE = LevelCounts(
    very_satisfied=10, satisfied=6, fairly_satisfied=2, dissatisfied=1, very_dissatisfied=1
)


# -- LevelCounts -------------------------------------------------------------------------


def test_level_counts_is_a_mapping_over_all_five_levels() -> None:
    assert SAMPLE[5] == 10
    assert SAMPLE[Level.SATISFIED] == 6
    assert SAMPLE[1] == 1
    assert list(SAMPLE) == [5, 4, 3, 2, 1]
    assert len(SAMPLE) == 5
    assert SAMPLE.as_dict() == {5: 10, 4: 6, 3: 2, 2: 1, 1: 1}
    assert (SAMPLE.total, SAMPLE.good, SAMPLE.bad) == (20, 16, 2)
    assert 6 not in SAMPLE
    with pytest.raises(KeyError):
        SAMPLE[0]


def test_level_counts_constructors_agree() -> None:
    from_mapping = LevelCounts.from_mapping({5: 10, 4: 6, 3: 2, 2: 1, 1: 1})
    from_levels = LevelCounts.from_levels([5] * 10 + [4] * 6 + [3, 3, 2, 1, None, None])
    assert from_mapping == SAMPLE
    assert from_levels == SAMPLE
    assert LevelCounts.from_mapping({4: 2}) == LevelCounts(satisfied=2)


def test_level_counts_add() -> None:
    a = LevelCounts(very_satisfied=1, dissatisfied=2)
    b = LevelCounts(very_satisfied=3, very_dissatisfied=4)
    assert a + b == LevelCounts(very_satisfied=4, dissatisfied=2, very_dissatisfied=4)
    assert sum([a, b, SAMPLE]) == LevelCounts.from_mapping({5: 14, 4: 6, 3: 2, 2: 3, 1: 5})
    assert hash(a + b) == hash(b + a)


@pytest.mark.parametrize(
    "make",
    [
        lambda: LevelCounts(satisfied=-1),
        lambda: LevelCounts(satisfied=1.5),
        lambda: LevelCounts(satisfied=True),
        lambda: LevelCounts.from_mapping({6: 1}),
        lambda: LevelCounts.from_mapping({0: 1}),
        lambda: LevelCounts.from_levels([5, 0]),
    ],
)
def test_level_counts_refuse_nonsense(make: object) -> None:
    with pytest.raises((ValueError, TypeError)):
        make()  # type: ignore[operator]


# -- index, mean, shares -----------------------------------------------------------------


def test_sample_values() -> None:
    assert mean_level(SAMPLE) == pytest.approx(4.15)
    assert satisfaction_index(SAMPLE) == pytest.approx(78.75)
    assert good_share(SAMPLE) == pytest.approx(0.8)
    assert bad_share(SAMPLE) == pytest.approx(0.1)


@pytest.mark.parametrize(
    ("value", "index"), [(5, 100.0), (4, 75.0), (3, 50.0), (2, 25.0), (1, 0.0)]
)
def test_index_of_a_single_level(value: int, index: float) -> None:
    assert satisfaction_index({value: 7}) == index
    assert mean_level({value: 7}) == value


def test_index_is_linear_in_mean_level() -> None:
    for counts in (SAMPLE, LevelCounts(satisfied=3, dissatisfied=1), {5: 1, 1: 1}):
        mean = mean_level(counts)
        assert mean is not None
        assert satisfaction_index(counts) == pytest.approx(25 * (mean - 1))


def test_half_good_half_bad() -> None:
    counts = {5: 1, 1: 1}
    assert satisfaction_index(counts) == 50.0
    assert good_share(counts) == 0.5
    assert bad_share(counts) == 0.5


def test_fairly_satisfied_is_neither_good_nor_bad() -> None:
    assert good_share({3: 4}) == 0.0
    assert bad_share({3: 4}) == 0.0


def test_no_ratings_give_none_not_zero() -> None:
    empty = LevelCounts()
    for function in (mean_level, satisfaction_index, good_share, bad_share):
        assert function(empty) is None
        assert function({}) is None


def test_dimension_means() -> None:
    per_dimension = {
        "speed": {5: 2, 3: 2},  # (10 + 6) / 4 = 4.0
        "attitude": {4: 1, 1: 2},  # (4 + 2) / 3 = 2.0
        "integrity": LevelCounts(),
    }
    expected = {"speed": 4.0, "attitude": 2.0, "integrity": None}
    assert dimension_means(per_dimension) == expected
    assert list(dimension_means(per_dimension)) == ["speed", "attitude", "integrity"]
    assert dimension_means(list(per_dimension.items())) == expected


# -- Wilson ------------------------------------------------------------------------------


def test_wilson_8_of_10() -> None:
    low, high = wilson_interval(8, 10)
    assert low == pytest.approx(0.4902, abs=5e-4)
    assert high == pytest.approx(0.9433, abs=5e-4)


def test_wilson_known_values() -> None:
    # 50 of 100: the textbook (0.4038, 0.5962)
    low, high = wilson_interval(50, 100)
    assert (low, high) == (pytest.approx(0.4038, abs=5e-4), pytest.approx(0.5962, abs=5e-4))
    # 0 of 10: lower bound 0, upper bound z² / (n + z²)
    low, high = wilson_interval(0, 10)
    assert low == pytest.approx(0.0, abs=1e-12)
    assert high == pytest.approx(1.96**2 / (10 + 1.96**2))
    # 10 of 10 mirrors 0 of 10
    low, high = wilson_interval(10, 10)
    assert low == pytest.approx(10 / (10 + 1.96**2))
    assert high == pytest.approx(1.0)


def test_wilson_narrows_with_more_data_and_wider_z() -> None:
    small = wilson_interval(8, 10)
    large = wilson_interval(800, 1000)
    assert large[1] - large[0] < small[1] - small[0]
    assert large[0] < 0.8 < large[1]
    wide = wilson_interval(8, 10, z=2.576)
    assert wide[0] < small[0] and wide[1] > small[1]


def test_wilson_edge_cases() -> None:
    assert wilson_interval(0, 0) == (0.0, 1.0)
    for successes, n in ((11, 10), (-1, 10)):
        with pytest.raises(ValueError):
            wilson_interval(successes, n)
    with pytest.raises(ValueError):
        wilson_interval(1, 2, z=0)
    with pytest.raises(TypeError):
        wilson_interval(1.0, 2)  # type: ignore[arg-type]


# -- Bayesian ----------------------------------------------------------------------------

THREE_PERFECT = LevelCounts(very_satisfied=3)
# 2400×5 + 600×4 = 3000 ratings, mean level (12000 + 2400) / 3000 = 4.8, index 95
MANY_VERY_GOOD = LevelCounts(very_satisfied=2400, satisfied=600)


def test_bayesian_hand_computed() -> None:
    # (20·70 + 3·100) / (20 + 3) = 1700 / 23
    assert bayesian_index(THREE_PERFECT, prior_mean=70, prior_weight=20) == pytest.approx(1700 / 23)
    # (20·70 + 285000) / 3020
    assert bayesian_index(MANY_VERY_GOOD, prior_mean=70, prior_weight=20) == pytest.approx(
        286400 / 3020
    )
    assert mean_level(MANY_VERY_GOOD) == pytest.approx(4.8)


@pytest.mark.parametrize(("prior_mean", "prior_weight"), [(70, 20), (50, 10), (80, 5), (60, 50)])
def test_three_perfect_ratings_rank_below_three_thousand_very_good_ones(
    prior_mean: float, prior_weight: float
) -> None:
    # the raw index gets this wrong, which is why the Bayesian one exists
    assert satisfaction_index(THREE_PERFECT) > satisfaction_index(MANY_VERY_GOOD)  # type: ignore[operator]
    few = bayesian_index(THREE_PERFECT, prior_mean, prior_weight)
    many = bayesian_index(MANY_VERY_GOOD, prior_mean, prior_weight)
    assert few < many


def test_bayesian_limits() -> None:
    assert bayesian_index(LevelCounts(), prior_mean=72.5, prior_weight=10) == 72.5
    huge = LevelCounts(satisfied=10**7)
    assert bayesian_index(huge, prior_mean=0, prior_weight=10) == pytest.approx(75.0, abs=1e-3)
    # more weight on the prior pulls harder toward it
    light = bayesian_index(THREE_PERFECT, prior_mean=60, prior_weight=5)
    heavy = bayesian_index(THREE_PERFECT, prior_mean=60, prior_weight=50)
    assert 60 < heavy < light < 100


def test_bayesian_refuses_bad_priors() -> None:
    for prior_mean, prior_weight in ((101, 10), (-1, 10), (70, 0), (70, -5), (math.nan, 10)):
        with pytest.raises(ValueError):
            bayesian_index(THREE_PERFECT, prior_mean, prior_weight)
