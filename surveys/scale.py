"""The national five-level satisfaction scale (政务服务"好差评") and its fixed vocabulary.

The scale, best first::

    5  非常满意    very satisfied       good review (好评)
    4  满意        satisfied            good review (好评)
    3  基本满意    fairly satisfied     neither good nor bad
    2  不满意      dissatisfied         bad review (差评)
    1  非常不满意  very dissatisfied    bad review (差评)

Satisfaction index: a level is worth ``(level - 1) / 4 * 100`` points, a linear map of the
scale onto 0..100, so 5 → 100, 4 → 75, 3 → 50, 2 → 25 and 1 → 0. The index of many ratings is
the mean of their points (see :mod:`surveys.scoring`). "Fairly satisfied" sits exactly in the
middle of the index although it is worded positively; that is deliberate: the index measures
the position on the scale, and :func:`is_good` / :func:`is_bad` carry the review semantics.
"""

from __future__ import annotations

from enum import IntEnum
from typing import NamedTuple


class Level(IntEnum):
    """One answer on the five-level scale; the value is the number of stars (1..5).

    Members are declared best first, so ``list(Level)`` is the display order of the national
    evaluators (非常满意 first).
    """

    VERY_SATISFIED = 5
    SATISFIED = 4
    FAIRLY_SATISFIED = 3
    DISSATISFIED = 2
    VERY_DISSATISFIED = 1

    @property
    def label_zh(self) -> str:
        """The official Chinese wording, e.g. ``"非常满意"``."""
        return LABELS_ZH[self]

    @property
    def label_en(self) -> str:
        """The English wording, e.g. ``"Very satisfied"``."""
        return LABELS_EN[self]

    @property
    def index_points(self) -> float:
        """This level on the 0..100 satisfaction index (see :func:`level_to_index`)."""
        return level_to_index(self)


LABELS_ZH: dict[Level, str] = {
    Level.VERY_SATISFIED: "非常满意",
    Level.SATISFIED: "满意",
    Level.FAIRLY_SATISFIED: "基本满意",
    Level.DISSATISFIED: "不满意",
    Level.VERY_DISSATISFIED: "非常不满意",
}
"""Chinese label of each level."""

LABELS_EN: dict[Level, str] = {
    Level.VERY_SATISFIED: "Very satisfied",
    Level.SATISFIED: "Satisfied",
    Level.FAIRLY_SATISFIED: "Fairly satisfied",
    Level.DISSATISFIED: "Dissatisfied",
    Level.VERY_DISSATISFIED: "Very dissatisfied",
}
"""English label of each level."""

BAD_LEVELS: frozenset[Level] = frozenset({Level.DISSATISFIED, Level.VERY_DISSATISFIED})
"""The levels that make a rating a bad review (差评)."""

GOOD_LEVELS: frozenset[Level] = frozenset({Level.VERY_SATISFIED, Level.SATISFIED})
"""The levels that make a rating a good review (好评)."""


def to_level(value: int) -> Level:
    """``value`` as a :class:`Level`: ``TypeError`` unless an ``int``, ``ValueError`` unless 1..5.

    Booleans are refused although Python treats ``True`` as 1.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"a satisfaction level is a whole number 1..5, got {value!r}")
    try:
        return Level(value)
    except ValueError:
        raise ValueError(f"a satisfaction level is 1..5, got {value!r}") from None


def is_bad(level: int) -> bool:
    """Whether ``level`` is a bad review (差评): 不满意 (2) or 非常不满意 (1)."""
    return to_level(level) in BAD_LEVELS


def is_good(level: int) -> bool:
    """Whether ``level`` is a good review (好评): 满意 (4) or 非常满意 (5).

    基本满意 (3) is neither good nor bad.
    """
    return to_level(level) in GOOD_LEVELS


def level_to_index(level: int) -> float:
    """The satisfaction-index points of one level: ``(level - 1) / 4 * 100``.

    5 → 100.0, 4 → 75.0, 3 → 50.0, 2 → 25.0, 1 → 0.0.
    """
    return (to_level(level) - 1) * 25.0


class BadReason(NamedTuple):
    """One reason a citizen can give for a bad review: a stable code and its labels."""

    code: str
    zh: str
    en: str


BAD_REASONS: tuple[BadReason, ...] = (
    BadReason("attitude", "态度差", "Poor attitude"),
    BadReason("slow", "效率低", "Slow service"),
    BadReason("many_trips", "多次跑动", "Had to come back several times"),
    BadReason("buck_passing", "推诿扯皮", "Passed from one desk to another"),
    BadReason("corruption", "吃拿卡要", "Asked for favours or bribes"),
    BadReason("other", "其他", "Other"),
)
"""The bad-review reasons, in display order; codes are stable and stored in answers."""
