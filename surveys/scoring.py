"""Statistics over five-level ratings: pure functions of how many ratings fell on each level.

Notation used in the formulas below: ``n_l`` is the number of ratings on level ``l`` (1..5),
``N = n_1 + ... + n_5`` their total, and ``p(l) = (l - 1) / 4 * 100`` the index points of a
level (5 → 100, 4 → 75, 3 → 50, 2 → 25, 1 → 0; see :mod:`surveys.scale`).

Every function taking counts accepts a :class:`LevelCounts` or a plain mapping
``{level: count}`` (levels omitted count zero).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from .scale import BAD_LEVELS, GOOD_LEVELS, Level, level_to_index, to_level


@dataclass(frozen=True, kw_only=True)
class LevelCounts(Mapping[Level, int]):
    """How many ratings fell on each of the five levels; an immutable ``Mapping[Level, int]``.

    Iterates over all five levels, best first, zeros included. Counts add up with ``+`` (and
    ``sum()``), e.g. to combine windows or days. Build one with keyword arguments, with
    :meth:`from_mapping` (``{5: 12, 4: 3}``) or with :meth:`from_levels` (one level per rating).
    """

    very_satisfied: int = 0
    satisfied: int = 0
    fairly_satisfied: int = 0
    dissatisfied: int = 0
    very_dissatisfied: int = 0

    def __post_init__(self) -> None:
        for level in Level:
            count = getattr(self, level.name.lower())
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                raise ValueError(f"a count is a whole number >= 0, got {count!r} for {level}")

    @classmethod
    def from_mapping(cls, counts: Mapping[int, int]) -> LevelCounts:
        """Counts from ``{level: count}``; ``ValueError``/``TypeError`` for a key not 1..5."""
        if isinstance(counts, LevelCounts):
            return counts
        values: dict[str, int] = {}
        for level, count in counts.items():
            name = to_level(level).name.lower()
            if name in values:
                raise ValueError(f"level {level!r} is given twice")
            values[name] = count
        return cls(**values)

    @classmethod
    def from_levels(cls, levels: Iterable[int | None]) -> LevelCounts:
        """Count individual ratings; ``None`` (a question not answered) is skipped."""
        tally = dict.fromkeys(Level, 0)
        for level in levels:
            if level is not None:
                tally[to_level(level)] += 1
        return cls.from_mapping(tally)

    def __getitem__(self, level: int) -> int:
        try:
            name = to_level(level).name.lower()
        except (TypeError, ValueError):
            raise KeyError(level) from None
        count: int = getattr(self, name)
        return count

    def __iter__(self) -> Iterator[Level]:
        return iter(Level)

    def __len__(self) -> int:
        return len(Level)

    def __add__(self, other: object) -> LevelCounts:
        if not isinstance(other, LevelCounts):
            return NotImplemented
        return LevelCounts.from_mapping({level: self[level] + other[level] for level in Level})

    def __radd__(self, other: object) -> LevelCounts:
        if other == 0:  # so that sum(list_of_counts) works
            return self
        return self.__add__(other)

    @property
    def total(self) -> int:
        """``N``, the number of ratings."""
        return sum(self.values())

    @property
    def good(self) -> int:
        """Number of good reviews (好评): ``n_4 + n_5``."""
        return sum(self[level] for level in GOOD_LEVELS)

    @property
    def bad(self) -> int:
        """Number of bad reviews (差评): ``n_1 + n_2``."""
        return sum(self[level] for level in BAD_LEVELS)

    def as_dict(self) -> dict[int, int]:
        """``{5: n_5, 4: n_4, 3: n_3, 2: n_2, 1: n_1}`` with plain ``int`` keys."""
        return {int(level): self[level] for level in Level}


Counts = LevelCounts | Mapping[int, int]
"""Anything the scoring functions accept as counts."""


def _counts(counts: Counts) -> LevelCounts:
    return LevelCounts.from_mapping(counts)


def mean_level(counts: Counts) -> float | None:
    """The mean rating on the 1..5 scale, ``Σ l·n_l / N``; ``None`` when ``N = 0``."""
    c = _counts(counts)
    if c.total == 0:
        return None
    return sum(int(level) * n for level, n in c.items()) / c.total


def satisfaction_index(counts: Counts) -> float | None:
    """The satisfaction index 0..100, ``Σ p(l)·n_l / N`` (= ``25 · (mean_level − 1)``).

    ``None`` when there are no ratings (``N = 0``): no rating is not a rating of zero.
    """
    c = _counts(counts)
    if c.total == 0:
        return None
    return sum(level_to_index(level) * n for level, n in c.items()) / c.total


def good_share(counts: Counts) -> float | None:
    """Share of good reviews (好评率), ``(n_4 + n_5) / N``; ``None`` when ``N = 0``.

    基本满意 (3) is neither good nor bad, so ``good_share + bad_share <= 1``.
    """
    c = _counts(counts)
    return c.good / c.total if c.total else None


def bad_share(counts: Counts) -> float | None:
    """Share of bad reviews (差评率), ``(n_1 + n_2) / N``; ``None`` when ``N = 0``."""
    c = _counts(counts)
    return c.bad / c.total if c.total else None


def dimension_means(
    per_dimension: Mapping[str, Counts] | Iterable[tuple[str, Counts]],
) -> dict[str, float | None]:
    """The :func:`mean_level` (1..5) of each dimension, keyed and ordered like the input.

    ``per_dimension`` maps a dimension key (e.g. ``"speed"``) to its counts, or is a list of
    ``(key, counts)`` pairs. A dimension nobody rated has mean ``None``.
    """
    items = per_dimension.items() if isinstance(per_dimension, Mapping) else per_dimension
    return {key: mean_level(counts) for key, counts in items}


def wilson_interval(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval for a proportion ``p̂ = successes / n`` (e.g. a good-review share).

    With ``z`` the normal quantile (1.96 for 95 %)::

        centre = (p̂ + z² / 2n) / (1 + z² / n)
        half   = z · √(p̂(1 − p̂) / n + z² / 4n²) / (1 + z² / n)
        interval = (centre − half, centre + half)

    Unlike ``p̂ ± z·√(p̂(1−p̂)/n)`` it stays inside 0..1 and is sensible for small ``n``
    (8 of 10 → about (0.490, 0.943)). With ``n = 0`` nothing is known: ``(0.0, 1.0)``.
    """
    for name, value in (("successes", successes), ("n", n)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} must be a whole number, got {value!r}")
    if not 0 <= successes <= n:
        raise ValueError(f"need 0 <= successes <= n, got {successes} of {n}")
    if not z > 0:
        raise ValueError(f"z must be positive, got {z!r}")
    if n == 0:
        return (0.0, 1.0)
    p = successes / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    return (max(0.0, centre - half), min(1.0, centre + half))


def bayesian_index(counts: Counts, prior_mean: float, prior_weight: float) -> float:
    """The satisfaction index shrunk toward ``prior_mean``, for ranking windows or staff.

    ``prior_mean`` (0..100, on the index scale) counts as ``prior_weight`` extra ratings::

        index = (prior_weight · prior_mean + Σ p(l)·n_l) / (prior_weight + N)

    With few ratings the result stays near the prior; with many it approaches
    :func:`satisfaction_index`. So 3 perfect ratings (index 100) do not outrank 3,000
    averaging 4.8 stars (index 95). A usual choice: ``prior_mean`` = the index of all ratings
    of the platform, ``prior_weight`` = a typical number of ratings per window (10..50).
    With no ratings the result is ``prior_mean``.
    """
    if not 0 <= prior_mean <= 100:
        raise ValueError(f"prior_mean is on the 0..100 index scale, got {prior_mean!r}")
    if not prior_weight > 0:
        raise ValueError(f"prior_weight must be positive, got {prior_weight!r}")
    c = _counts(counts)
    points = sum(level_to_index(level) * n for level, n in c.items())
    return (prior_weight * prior_mean + points) / (prior_weight + c.total)
