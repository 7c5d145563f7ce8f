"""SurveyDefinition: invariants, immutability, to_dict/from_dict round trip and fingerprint."""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
from typing import Any

import pytest

from surveys import (
    DefinitionError,
    DimensionQuestion,
    MultipleChoiceQuestion,
    SatisfactionQuestion,
    SingleChoiceQuestion,
    StaffQuestion,
    SurveyDefinition,
    TextQuestion,
    default_survey,
)

OVERALL = SatisfactionQuestion(
    key="overall", label_zh="总体评价", label_en="Overall", required=True
)


def rich_survey() -> SurveyDefinition:
    """A questionnaire using every question type and every optional field."""
    return SurveyDefinition(
        title_zh="窗口评价",
        title_en="Window survey",
        questions=[
            OVERALL,
            DimensionQuestion(
                key="speed", label_zh="办事效率", label_en="Speed", help_zh="快", help_en="Fast"
            ),
            SingleChoiceQuestion(
                key="visit",
                label_zh="第几次来办",
                label_en="Which visit is this?",
                options=(
                    ("first", "第一次", "First"),
                    ("again", "第二次及以上", "Second or later"),
                ),
            ),
            MultipleChoiceQuestion(
                key="why_again",
                label_zh="再次来办的原因",
                label_en="Why again?",
                show_if=("visit", "is:again"),
                options=(
                    ("docs", "材料不全", "Missing papers"),
                    ("system", "系统故障", "System down"),
                ),
                max_selections=1,
            ),
            StaffQuestion(key="staff", label_zh="工作人员", label_en="Staff"),
            TextQuestion(
                key="comment", label_zh="意见", label_en="Comment", max_length=200, required=True
            ),
        ],
    )


@pytest.mark.parametrize("make", [rich_survey, default_survey])
def test_round_trip_through_json(make: Any) -> None:
    survey = make()
    data = survey.to_dict()
    stored = json.loads(json.dumps(data, ensure_ascii=False))
    rebuilt = SurveyDefinition.from_dict(stored)
    assert rebuilt == survey
    assert rebuilt.to_dict() == data == stored
    assert rebuilt.fingerprint() == survey.fingerprint()
    assert [type(q) for q in rebuilt.questions] == [type(q) for q in survey.questions]


def test_to_dict_top_level() -> None:
    data = rich_survey().to_dict()
    assert set(data) == {"schema", "title_zh", "title_en", "questions"}
    assert data["schema"] == 1
    assert [q["key"] for q in data["questions"]] == [
        "overall",
        "speed",
        "visit",
        "why_again",
        "staff",
        "comment",
    ]


def test_definition_is_immutable() -> None:
    survey = rich_survey()
    assert isinstance(survey.questions, tuple)
    with pytest.raises(dataclasses.FrozenInstanceError):
        survey.title_zh = "别的"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        survey.questions.append(OVERALL)  # type: ignore[attr-defined]
    # to_dict hands out fresh data: editing it does not touch the definition
    data = survey.to_dict()
    data["questions"][0]["label_zh"] = "改了"
    assert survey.overall.label_zh == "总体评价"


def test_lookup() -> None:
    survey = rich_survey()
    assert survey.keys == ("overall", "speed", "visit", "why_again", "staff", "comment")
    assert survey.overall is survey.questions[0]
    assert survey.question("staff").label_en == "Staff"
    with pytest.raises(KeyError):
        survey.question("nope")


# -- fingerprint -------------------------------------------------------------------------


def test_fingerprint_is_sha256_of_canonical_json() -> None:
    survey = rich_survey()
    canonical = json.dumps(
        survey.to_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )
    assert survey.canonical_json() == canonical
    assert survey.fingerprint() == hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    assert len(survey.fingerprint()) == 64


def test_fingerprint_is_equal_for_equal_content() -> None:
    assert rich_survey().fingerprint() == rich_survey().fingerprint()
    assert default_survey().fingerprint() == default_survey().fingerprint()
    # the order of keys in stored JSON does not matter
    data = rich_survey().to_dict()
    shuffled = {key: data[key] for key in reversed(list(data))}
    shuffled["questions"] = [{k: q[k] for k in reversed(list(q))} for q in data["questions"]]
    assert SurveyDefinition.from_dict(shuffled).fingerprint() == rich_survey().fingerprint()


def replace_question(survey: SurveyDefinition, index: int, **changes: Any) -> SurveyDefinition:
    questions = list(survey.questions)
    questions[index] = dataclasses.replace(questions[index], **changes)
    return dataclasses.replace(survey, questions=questions)


@pytest.mark.parametrize(
    "edit",
    [
        lambda s: replace_question(s, 1, label_zh="办理速度"),
        lambda s: replace_question(s, 1, label_en="Speed of service"),
        lambda s: replace_question(s, 1, help_en="Quick?"),
        lambda s: replace_question(s, 1, required=True),
        lambda s: replace_question(s, 5, max_length=201),
        lambda s: replace_question(s, 3, max_selections=2),
        lambda s: replace_question(s, 3, show_if=("visit", "answered")),
        lambda s: replace_question(
            s, 2, options=(("first", "第一次", "First"), ("again", "多次", "Again"))
        ),
        lambda s: dataclasses.replace(s, title_en="Window survey 2"),
        lambda s: dataclasses.replace(
            s, questions=(s.questions[0], s.questions[2], s.questions[1], *s.questions[3:])
        ),
    ],
)
def test_fingerprint_changes_with_any_visible_edit(edit: Any) -> None:
    original = rich_survey()
    edited = edit(original)
    assert edited != original
    assert edited.fingerprint() != original.fingerprint()


def test_replace_with_same_value_keeps_fingerprint() -> None:
    original = rich_survey()
    same = replace_question(original, 1, label_zh="办事效率")
    assert same == original
    assert same.fingerprint() == original.fingerprint()


# -- invariants --------------------------------------------------------------------------


def survey_of(*questions: Any) -> SurveyDefinition:
    return SurveyDefinition(title_zh="评价", title_en="Survey", questions=questions)


def test_overall_is_required_to_exist_once() -> None:
    comment = TextQuestion(key="comment", label_zh="意见", label_en="Comment")
    with pytest.raises(DefinitionError):
        survey_of(comment)
    with pytest.raises(DefinitionError):
        survey_of(SatisfactionQuestion(key="total", label_zh="总体", label_en="Total"))
    with pytest.raises(DefinitionError):
        survey_of(OVERALL, SatisfactionQuestion(key="again", label_zh="总体", label_en="Again"))
    with pytest.raises(DefinitionError):  # a dimension called overall is not the overall rating
        survey_of(DimensionQuestion(key="overall", label_zh="总体", label_en="Overall"))
    assert survey_of(OVERALL, comment).keys == ("overall", "comment")


def test_keys_are_unique() -> None:
    with pytest.raises(DefinitionError, match="duplicate"):
        survey_of(
            OVERALL,
            TextQuestion(key="comment", label_zh="意见", label_en="Comment"),
            DimensionQuestion(key="comment", label_zh="效率", label_en="Speed"),
        )


def test_show_if_must_point_back_to_a_question_that_supports_the_condition() -> None:
    later = TextQuestion(key="b", label_zh="乙", label_en="B", show_if=("a", "answered"))
    a = TextQuestion(key="a", label_zh="甲", label_en="A")
    with pytest.raises(DefinitionError):
        survey_of(OVERALL, later, a)  # refers forward
    with pytest.raises(DefinitionError):
        survey_of(OVERALL, later)  # refers to nothing
    assert survey_of(OVERALL, a, later).keys == ("overall", "a", "b")
    with pytest.raises(DefinitionError):  # "bad" only applies to ratings
        survey_of(
            OVERALL, a, TextQuestion(key="c", label_zh="丙", label_en="C", show_if=("a", "bad"))
        )
    with pytest.raises(DefinitionError):  # no level 6
        survey_of(
            OVERALL, TextQuestion(key="c", label_zh="丙", label_en="C", show_if=("overall", "is:6"))
        )
    with pytest.raises(DefinitionError):  # no such option
        survey_of(
            OVERALL,
            SingleChoiceQuestion(key="s", label_zh="选", label_en="S", options=(("x", "甲", "X"),)),
            TextQuestion(key="c", label_zh="丙", label_en="C", show_if=("s", "is:y")),
        )


@pytest.mark.parametrize("title", ["", "  ", None])
def test_titles_are_required(title: Any) -> None:
    with pytest.raises(DefinitionError):
        SurveyDefinition(title_zh=title, title_en="Survey", questions=(OVERALL,))


def test_questions_must_be_questions() -> None:
    with pytest.raises(DefinitionError):
        survey_of(OVERALL, {"type": "text"})


def mutate(data: dict[str, Any], path: list[Any], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(data)
    target: Any = data
    for step in path[:-1]:
        target = target[step]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (["schema"], 2),
        (["schema"], True),
        (["schema"], KeyError),
        (["extra"], 1),
        (["title_zh"], KeyError),
        (["questions"], "overall"),
        (["questions", 0, "type"], "dimension"),
        (["questions", 0, "required"], "true"),
        (["questions", 1, "type"], "rating"),
        (["questions", 1, "colour"], "red"),
        (["questions", 2, "options", 0, "code"], ""),
        (["questions", 3, "show_if"], ["comment", "answered"]),
        (["questions", 5, "max_length"], -1),
    ],
)
def test_from_dict_refuses_malformed_data(path: list[Any], value: Any) -> None:
    data = mutate(rich_survey().to_dict(), path, value)
    with pytest.raises(DefinitionError):
        SurveyDefinition.from_dict(data)


def test_from_dict_refuses_non_objects() -> None:
    with pytest.raises(DefinitionError):
        SurveyDefinition.from_dict([])  # type: ignore[arg-type]
