"""SurveyDefinition.validate: required answers, per-question errors, show_if, every level."""

from __future__ import annotations

from typing import Any

import pytest

from surveys import (
    BAD_REASONS,
    AnswerError,
    Level,
    MultipleChoiceQuestion,
    SatisfactionQuestion,
    SingleChoiceQuestion,
    SurveyDefinition,
    TextQuestion,
    ValidationContext,
    default_survey,
)

CONTEXT = ValidationContext(staff_ids=[101, 102, 103])
DIMENSION_KEYS = ("speed", "competence", "attitude", "integrity")


def codes(errors: dict[str, AnswerError]) -> dict[str, str]:
    return {key: error.code for key, error in errors.items()}


def stored_default() -> SurveyDefinition:
    """The default questionnaire as the app will use it: rebuilt from stored JSON."""
    return SurveyDefinition.from_dict(default_survey().to_dict())


# -- every level, the bad ones included --------------------------------------------------


@pytest.mark.parametrize("value", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("make", [default_survey, stored_default])
def test_every_level_is_accepted_for_overall_and_every_dimension(make: Any, value: int) -> None:
    raw = {"overall": str(value)} | {key: str(value) for key in DIMENSION_KEYS}
    result = make().validate(raw, CONTEXT)
    assert result.ok, result.errors
    assert result.errors == {}
    for key in ("overall", *DIMENSION_KEYS):
        assert result.answers[key] == value
        assert result.answers[key] is Level(value)


def test_all_five_levels_are_distinct_answers() -> None:
    survey = default_survey()
    seen = [survey.validate({"overall": str(v)}).answers["overall"] for v in (1, 2, 3, 4, 5)]
    assert seen == [Level(1), Level(2), Level(3), Level(4), Level(5)]


# -- required and blank ------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw", [{}, {"overall": ""}, {"overall": "   "}, {"overall": []}, {"overall": [""]}]
)
def test_missing_overall_is_an_error(raw: dict[str, Any]) -> None:
    result = default_survey().validate(raw, CONTEXT)
    assert not result.ok
    assert codes(result.errors) == {"overall": "required"}
    assert result.errors["overall"].message_zh


def test_empty_optional_answers_are_simply_not_answered() -> None:
    raw = {"overall": "4", "speed": "", "staff": "", "comment": "  ", "competence": [""]}
    result = default_survey().validate(raw, CONTEXT)
    assert result.ok
    assert result.answers == {"overall": Level.SATISFIED}


def test_unknown_keys_are_ignored() -> None:
    result = default_survey().validate(
        {"overall": "5", "csrf_token": "abc", "hack": ["x"]}, CONTEXT
    )
    assert result.ok
    assert result.answers == {"overall": Level.VERY_SATISFIED}


# -- one error per question --------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "key", "code"),
    [
        ({"overall": "6"}, "overall", "not_a_level"),
        ({"overall": "0"}, "overall", "not_a_level"),
        ({"overall": "5", "speed": "9"}, "speed", "not_a_level"),
        ({"overall": "5", "integrity": "-1"}, "integrity", "not_a_level"),
        ({"overall": ["5", "1"]}, "overall", "invalid"),
        ({"overall": "1", "reasons": ["slow", "rude"]}, "reasons", "unknown_option"),
        ({"overall": "5", "comment": "差" * 501}, "comment", "too_long"),
        ({"overall": "5", "staff": "999"}, "staff", "unknown_staff"),
        ({"overall": "5", "staff": "101 102"}, "staff", "unknown_staff"),
    ],
)
def test_each_bad_answer_is_reported_on_its_question(
    raw: dict[str, Any], key: str, code: str
) -> None:
    result = default_survey().validate(raw, CONTEXT)
    assert not result.ok
    assert codes(result.errors) == {key: code}
    assert key not in result.answers


def test_several_errors_at_once_in_question_order() -> None:
    raw = {"comment": "x" * 600, "staff": "7", "speed": "0"}
    result = default_survey().validate(raw, CONTEXT)
    assert codes(result.errors) == {
        "overall": "required",
        "speed": "not_a_level",
        "staff": "unknown_staff",
        "comment": "too_long",
    }
    assert list(result.errors) == ["overall", "speed", "staff", "comment"]


def test_too_many_and_too_few_selections() -> None:
    survey = SurveyDefinition(
        title_zh="评价",
        title_en="Survey",
        questions=(
            SatisfactionQuestion(key="overall", label_zh="总体", label_en="Overall"),
            MultipleChoiceQuestion(
                key="topics",
                label_zh="事项",
                label_en="Topics",
                options=(("a", "甲", "A"), ("b", "乙", "B"), ("c", "丙", "C")),
                min_selections=2,
                max_selections=2,
            ),
        ),
    )
    assert codes(survey.validate({"topics": ["a", "b", "c"]}).errors) == {"topics": "too_many"}
    assert codes(survey.validate({"topics": ["a"]}).errors) == {"topics": "too_few"}
    result = survey.validate({"topics": ["c", "a"]})
    assert result.ok
    assert result.answers == {"topics": ("a", "c")}


def test_text_of_exactly_max_length_is_accepted() -> None:
    result = default_survey().validate({"overall": "3", "comment": "好" * 500})
    assert result.ok
    assert result.answers["comment"] == "好" * 500


def test_staff_without_context_is_refused_and_with_context_is_the_id() -> None:
    survey = default_survey()
    assert codes(survey.validate({"overall": "5", "staff": "101"}).errors) == {
        "staff": "unknown_staff"
    }
    result = survey.validate({"overall": "5", "staff": "101"}, CONTEXT)
    assert result.ok
    assert result.answers["staff"] == 101


# -- show_if -----------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["3", "4", "5"])
def test_reasons_are_dropped_when_the_review_is_not_bad(value: str) -> None:
    result = default_survey().validate({"overall": value, "reasons": ["slow", "attitude"]}, CONTEXT)
    assert result.ok
    assert "reasons" not in result.answers
    assert result.answers == {"overall": Level(int(value))}


def test_invalid_reasons_are_not_an_error_when_hidden() -> None:
    result = default_survey().validate({"overall": "5", "reasons": ["nonsense"] * 10}, CONTEXT)
    assert result.ok
    assert "reasons" not in result.answers


@pytest.mark.parametrize("value", ["1", "2"])
def test_reasons_are_kept_for_a_bad_review(value: str) -> None:
    all_codes = [reason.code for reason in BAD_REASONS]
    result = default_survey().validate(
        {"overall": value, "reasons": list(reversed(all_codes))}, CONTEXT
    )
    assert result.ok
    assert result.answers["reasons"] == tuple(all_codes)


def test_reasons_are_optional_for_a_bad_review() -> None:
    result = default_survey().validate({"overall": "1"}, CONTEXT)
    assert result.ok
    assert result.answers == {"overall": Level.VERY_DISSATISFIED}


def test_reasons_are_dropped_when_overall_is_invalid_or_missing() -> None:
    result = default_survey().validate({"overall": "7", "reasons": ["slow"]}, CONTEXT)
    assert codes(result.errors) == {"overall": "not_a_level"}
    assert result.answers == {}
    result = default_survey().validate({"reasons": ["slow"]}, CONTEXT)
    assert codes(result.errors) == {"overall": "required"}


def conditional_survey() -> SurveyDefinition:
    return SurveyDefinition(
        title_zh="评价",
        title_en="Survey",
        questions=(
            SatisfactionQuestion(key="overall", label_zh="总体", label_en="Overall", required=True),
            MultipleChoiceQuestion(
                key="reasons",
                label_zh="原因",
                label_en="Reasons",
                options=BAD_REASONS,
                required=True,
                show_if=("overall", "bad"),
            ),
            TextQuestion(
                key="other",
                label_zh="其他原因",
                label_en="Other",
                required=True,
                show_if=("reasons", "is:other"),
            ),
            SingleChoiceQuestion(
                key="praise",
                label_zh="最满意",
                label_en="Best",
                options=(("fast", "快", "Fast"), ("kind", "热情", "Kind")),
                show_if=("overall", "good"),
            ),
            TextQuestion(
                key="why3", label_zh="为何三分", label_en="Why 3?", show_if=("overall", "is:3")
            ),
        ),
    )


def test_required_question_is_only_required_when_shown() -> None:
    survey = conditional_survey()
    assert survey.validate({"overall": "5"}).ok
    assert codes(survey.validate({"overall": "2"}).errors) == {"reasons": "required"}
    assert codes(survey.validate({"overall": "2", "reasons": "slow"}).errors) == {}
    # a chain: "other" is shown only when "reasons" (itself conditional) includes "other"
    assert codes(survey.validate({"overall": "2", "reasons": ["other"]}).errors) == {
        "other": "required"
    }
    result = survey.validate({"overall": "2", "reasons": ["other", "slow"], "other": "排队太久"})
    assert result.ok
    assert result.answers == {"overall": 2, "reasons": ("slow", "other"), "other": "排队太久"}
    result = survey.validate({"overall": "5", "reasons": ["other"], "other": "排队太久"})
    assert result.answers == {"overall": 5}


def test_good_and_exact_level_conditions() -> None:
    survey = conditional_survey()
    raw = {"praise": "kind", "why3": "一般"}
    assert survey.validate(raw | {"overall": "4"}).answers == {"overall": 4, "praise": "kind"}
    assert survey.validate(raw | {"overall": "3"}).answers == {"overall": 3, "why3": "一般"}
    assert survey.validate(raw | {"overall": "1", "reasons": "slow"}).answers == {
        "overall": 1,
        "reasons": ("slow",),
    }


# -- form shapes -------------------------------------------------------------------------


class FakeMultiDict(dict[str, list[str]]):
    """Like werkzeug's MultiDict: ``get`` answers the first value, ``getlist`` all of them."""

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        values = super().get(key)
        return values[0] if values else default

    def getlist(self, key: str) -> list[str]:
        return list(super().get(key, []))


def test_a_multidict_loses_no_checkbox() -> None:
    form = FakeMultiDict(overall=["1"], reasons=["slow", "corruption"], comment=["太慢"])
    result = default_survey().validate(form, CONTEXT)
    assert result.ok
    assert result.answers == {"overall": 1, "reasons": ("slow", "corruption"), "comment": "太慢"}


def test_lists_everywhere_like_form_to_dict_flat_false() -> None:
    raw = {
        "overall": ["2"],
        "speed": ["1"],
        "staff": ["103"],
        "reasons": ["many_trips"],
        "comment": ["a"],
    }
    result = default_survey().validate(raw, CONTEXT)
    assert result.ok
    assert result.answers == {
        "overall": Level.DISSATISFIED,
        "speed": Level.VERY_DISSATISFIED,
        "staff": 103,
        "reasons": ("many_trips",),
        "comment": "a",
    }
