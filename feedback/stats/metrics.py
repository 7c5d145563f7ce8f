"""Pure statistics over level counts: the figures, intervals, rolling means and rankings.

The definitions are those of :mod:`surveys.scoring` (satisfaction index, good- and bad-review
shares, mean level, the Wilson interval, the Bayesian index); the Wilson interval is called
from there. The dashboards compute them for thousands of windows and days per page, so here
they work on plain tuples ``(n1, n2, n3, n4, n5)`` ("tallies") instead of validated
``LevelCounts`` — tests/stats/test_metrics.py holds every one equal to its ``surveys``
counterpart. No Flask, no database.

Notation as in :mod:`surveys.scoring`: ``n_l`` ratings on level ``l``, ``N`` their total,
``p(l) = 25·(l − 1)`` the index points of a level.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

from surveys import LevelCounts, wilson_interval

Z95 = 1.959963984540054  # the two-sided 95 % normal quantile

Tally = tuple[int, int, int, int, int]
"""Counts on levels 1, 2, 3, 4, 5 (worst first, so ``t[level - 1]``)."""
ZERO: Tally = (0, 0, 0, 0, 0)

__all__ = [
    "Z95",
    "ZERO",
    "Tally",
    "add",
    "adjusted_index",
    "bad_share",
    "good_share",
    "good_share_interval",
    "index",
    "index_interval",
    "index_stddev",
    "mean_level",
    "mean_of_indexes",
    "pooled",
    "rolling",
    "tally",
    "to_counts",
]


def tally(counts: Mapping[int, int] | Sequence[int]) -> Tally:
    """``(n1, …, n5)`` from a ``LevelCounts``, a ``{level: count}`` mapping or a tally."""
    if isinstance(counts, LevelCounts):
        return (counts.very_dissatisfied, counts.dissatisfied, counts.fairly_satisfied,
                counts.satisfied, counts.very_satisfied)
    if isinstance(counts, Mapping):
        return tuple(int(counts.get(level, 0)) for level in range(1, 6))  # type: ignore[return-value]
    if len(counts) != 5:
        raise ValueError(f"a tally has five counts, got {counts!r}")
    return tuple(counts)  # type: ignore[return-value]


_FIELDS = ("very_dissatisfied", "dissatisfied", "fairly_satisfied", "satisfied",
           "very_satisfied")


def to_counts(t: Tally) -> LevelCounts:
    """The tally as the ``LevelCounts`` of :mod:`surveys`, for counts already known to be
    whole numbers >= 0 (sums of rollups).

    Built without ``LevelCounts``' validation, which costs more than everything else a
    1,000-window ranking does in Python (measured: 20 µs against 1 µs each).
    """
    counts = object.__new__(LevelCounts)
    for name, value in zip(_FIELDS, t, strict=True):
        object.__setattr__(counts, name, value)
    return counts


def add(a: Tally, b: Tally) -> Tally:
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3], a[4] + b[4])


def pooled(tallies: Iterable[Tally]) -> Tally:
    """All the ratings of several days or windows together (their counts added)."""
    n1 = n2 = n3 = n4 = n5 = 0
    for t in tallies:
        n1 += t[0]
        n2 += t[1]
        n3 += t[2]
        n4 += t[3]
        n5 += t[4]
    return (n1, n2, n3, n4, n5)


def _points(t: Tally) -> float:
    """``Σ p(l)·n_l``."""
    return 25.0 * t[1] + 50.0 * t[2] + 75.0 * t[3] + 100.0 * t[4]


def index(t: Tally) -> float | None:
    """The satisfaction index 0..100, ``Σ p(l)·n_l / N``; ``None`` when ``N = 0``."""
    n = sum(t)
    return _points(t) / n if n else None


def mean_level(t: Tally) -> float | None:
    """The mean rating 1..5, ``Σ l·n_l / N``; ``None`` when ``N = 0``."""
    n = sum(t)
    return (t[0] + 2 * t[1] + 3 * t[2] + 4 * t[3] + 5 * t[4]) / n if n else None


def good_share(t: Tally) -> float | None:
    """Good-review share 好评率, ``(n_4 + n_5) / N``; ``None`` when ``N = 0``."""
    n = sum(t)
    return (t[3] + t[4]) / n if n else None


def bad_share(t: Tally) -> float | None:
    """Bad-review share 差评率, ``(n_1 + n_2) / N``; ``None`` when ``N = 0``."""
    n = sum(t)
    return (t[0] + t[1]) / n if n else None


def index_stddev(t: Tally) -> float | None:
    """The standard deviation of the ratings' index points (population form, ``÷ N``)."""
    n = sum(t)
    if n == 0:
        return None
    mean = _points(t) / n
    variance = sum(count * ((level * 25.0) - mean) ** 2 for level, count in enumerate(t)) / n
    return math.sqrt(variance)


def index_interval(t: Tally, z: float = Z95) -> tuple[float, float] | None:
    """A confidence interval (95 % by default) for the satisfaction index.

    The normal interval of a mean, with the sample standard deviation ``s`` (``÷ (N − 1)``)::

        index ± z · s / √N,   clamped to 0..100

    ``None`` with fewer than two ratings (nothing to say about the spread). All ratings on one
    level give a zero-width interval: the ratings do not vary.
    """
    n = sum(t)
    if n < 2:
        return None
    mean = _points(t) / n
    sd = index_stddev(t)
    assert sd is not None
    half = z * sd * math.sqrt(n / (n - 1)) / math.sqrt(n)
    return (max(0.0, mean - half), min(100.0, mean + half))


def good_share_interval(t: Tally, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson interval of the good-review share (``surveys.wilson_interval``)."""
    n = sum(t)
    if n == 0:
        return None
    return wilson_interval(t[3] + t[4], n, z)


def adjusted_index(t: Tally, prior_mean: float | None, prior_weight: float) -> float | None:
    """The Bayesian-adjusted satisfaction index used to rank windows fairly
    (``surveys.bayesian_index``)::

        (m · prior + Σ p(l)·n_l) / (m + N)

    the window's ratings plus ``m`` imaginary ratings at the prior (the mean of the subtree).
    ``None`` when there is no prior (nobody in the subtree was rated).
    """
    if prior_mean is None:
        return None
    if not 0 <= prior_mean <= 100:
        raise ValueError(f"prior_mean is on the 0..100 index scale, got {prior_mean!r}")
    if not prior_weight > 0:
        raise ValueError(f"prior_weight must be positive, got {prior_weight!r}")
    return (prior_weight * prior_mean + _points(t)) / (prior_weight + sum(t))


def mean_of_indexes(tallies: Iterable[Tally]) -> float | None:
    """The mean of the indexes of the windows that have ratings, each window weighing the
    same: the prior of a subtree's ranking. ``None`` when none has ratings."""
    rated = [i for i in (index(t) for t in tallies) if i is not None]
    return sum(rated) / len(rated) if rated else None


def rolling(tallies: Sequence[Tally], size: int) -> list[Tally]:
    """The pooled tally of each element and the ``size − 1`` before it (fewer at the start).

    ``rolling(days, 7)[i]`` is the last seven days up to day ``i``: its index is the 7-day
    rolling mean, weighted by ratings (a quiet day weighs little), not a mean of daily means.
    """
    if size < 1:
        raise ValueError(f"a rolling window has at least one element, got {size}")
    out: list[Tally] = []
    running = ZERO
    for i, t in enumerate(tallies):
        running = add(running, t)
        if i >= size:
            old = tallies[i - size]
            running = (running[0] - old[0], running[1] - old[1], running[2] - old[2],
                       running[3] - old[3], running[4] - old[4])
        out.append(running)
    return out
