"""The five-level scale: values, labels, good/bad reviews, index points, bad-review reasons."""

from __future__ import annotations

import pytest

from surveys import BAD_REASONS, Level, is_bad, is_good, level_to_index, to_level


def test_levels_have_the_national_values_and_labels() -> None:
    table = [(level.value, level.label_zh, level.label_en) for level in Level]
    assert table == [
        (5, "非常满意", "Very satisfied"),
        (4, "满意", "Satisfied"),
        (3, "基本满意", "Fairly satisfied"),
        (2, "不满意", "Dissatisfied"),
        (1, "非常不满意", "Very dissatisfied"),
    ]


@pytest.mark.parametrize(
    ("value", "bad", "good"),
    [(1, True, False), (2, True, False), (3, False, False), (4, False, True), (5, False, True)],
)
def test_good_and_bad_reviews(value: int, bad: bool, good: bool) -> None:
    assert is_bad(value) is bad
    assert is_good(value) is good
    assert is_bad(Level(value)) is bad
    assert is_good(Level(value)) is good


@pytest.mark.parametrize(
    ("value", "points"), [(5, 100.0), (4, 75.0), (3, 50.0), (2, 25.0), (1, 0.0)]
)
def test_index_points_are_linear(value: int, points: float) -> None:
    assert level_to_index(value) == points
    assert Level(value).index_points == points
    assert level_to_index(value) == (value - 1) / 4 * 100


@pytest.mark.parametrize("value", [0, 6, -1, 10])
def test_out_of_scale_is_refused(value: int) -> None:
    with pytest.raises(ValueError):
        to_level(value)
    with pytest.raises(ValueError):
        is_bad(value)


@pytest.mark.parametrize("value", [True, "5", 4.0, None])
def test_non_integers_are_refused(value: object) -> None:
    with pytest.raises(TypeError):
        to_level(value)  # type: ignore[arg-type]


def test_bad_reasons() -> None:
    assert [tuple(reason) for reason in BAD_REASONS] == [
        ("attitude", "态度差", "Poor attitude"),
        ("slow", "效率低", "Slow service"),
        ("many_trips", "多次跑动", "Had to come back several times"),
        ("buck_passing", "推诿扯皮", "Passed from one desk to another"),
        ("corruption", "吃拿卡要", "Asked for favours or bribes"),
        ("other", "其他", "Other"),
    ]
    assert BAD_REASONS[0].code == "attitude"
    assert BAD_REASONS[0].zh == "态度差"
    assert isinstance(BAD_REASONS, tuple)
