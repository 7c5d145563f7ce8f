"""The questionnaire editor: a server-rendered form that publishes immutable versions."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from feedback.audit.models import AuditLog
from feedback.evaluations.models import Evaluation
from feedback.extensions import db
from feedback.questionnaires.forms import TYPE_LABELS, EditorAction
from feedback.questionnaires.queries import get_current_version
from surveys import SurveyDefinition, default_survey, question_types
from tests.questionnaires.helpers import (
    count_versions,
    default_survey_row,
    form_url,
    keys_in,
    question_index,
    read_form,
)


def edit_url(survey) -> str:
    return f"/admin/surveys/{survey.id}"


def open_editor(client, survey) -> dict[str, str]:
    response = client.get(edit_url(survey))
    assert response.status_code == 200
    return read_form(response.text)


def press(client, survey, data: dict[str, str], action: str):
    """Submit the editor with the button ``action`` (save, add, up:1, down:1, delete:1)."""
    return client.post(edit_url(survey), data={**data, "action": action})


def nonce_of(html: str) -> str:
    return re.search(r'name="nonce" value="([^"]+)"', html).group(1)


def test_every_question_type_has_a_label():
    assert TYPE_LABELS.keys() == question_types().keys()


@pytest.mark.parametrize(("value", "expected"), [
    ("save", EditorAction("save")),
    ("add", EditorAction("add")),
    ("up:3", EditorAction("up", 3)),
    ("down:0", EditorAction("down", 0)),
    ("delete:12", EditorAction("delete", 12)),
    ("delete:-1", None),
    ("drop:1", None),
    ("", None),
    (None, None),
])
def test_editor_buttons_are_parsed(value, expected):
    assert EditorAction.parse(value) == expected


def test_editor_shows_every_question_of_the_current_version(client, admin):
    survey = default_survey_row()
    data = open_editor(client, survey)
    assert keys_in(data) == list(default_survey().keys)
    assert data["title_zh"] == "政务服务评价"
    reasons = question_index(data, "reasons")
    assert data[f"questions-{reasons}-type"] == "multiple_choice"
    assert data[f"questions-{reasons}-show_if"] == "overall:bad"
    assert data[f"questions-{reasons}-options"].splitlines()[0] == "attitude|态度差|Poor attitude"
    assert data[f"questions-{question_index(data, 'comment')}-max_length"] == "500"


def test_overall_question_cannot_be_deleted_or_retyped_from_the_page(client, admin):
    survey = default_survey_row()
    page = client.get(edit_url(survey)).text
    assert 'value="delete:0"' not in page
    assert 'value="delete:1"' in page
    assert '<select id="questions-0-type"' not in page  # a hidden field, not a choice
    assert 'name="questions-0-required"' not in page  # always required


def test_unchanged_save_publishes_nothing(client, admin):
    survey = default_survey_row()
    response = press(client, survey, open_editor(client, survey), "save")
    assert response.status_code == 302
    assert "No changes: version 1 stays current." in client.get(response.location).text
    assert count_versions(survey) == 1
    assert db.session.scalars(
        select(AuditLog).where(AuditLog.action == "survey.publish", AuditLog.actor_id == admin.id)
    ).all() == []


def test_editor_round_trip_reaches_the_citizen_form(client, admin, make_window):
    window = make_window()
    survey = default_survey_row()
    first = get_current_version(survey)

    # Add a dimension question; the draft grows but nothing is published yet.
    data = open_editor(client, survey)
    response = press(client, survey, {**data, "new_type": "dimension"}, "add")
    assert response.status_code == 200
    data = read_form(response.text)
    assert keys_in(data)[-1] == "q1"
    assert data["questions-8-type"] == "dimension"
    assert count_versions(survey) == 1
    data.update({"questions-8-key": "waiting", "questions-8-label_zh": "等候时间",
                 "questions-8-label_en": "Waiting time"})

    # Add a single-choice question; the edits of the first one survive the round trip.
    response = press(client, survey, {**data, "new_type": "single_choice"}, "add")
    data = read_form(response.text)
    assert data["questions-8-label_en"] == "Waiting time"
    assert data["questions-9-type"] == "single_choice"
    assert "questions-9-options" in data
    data.update({
        "questions-9-key": "visits",
        "questions-9-label_zh": "您为此事来了几次？",
        "questions-9-label_en": "How many times did you come for this?",
        "questions-9-required": "y",
        "questions-9-options": "once|一次|Once\r\ntwice| 两次 |Twice\r\n\r\n"
                               "more|三次及以上|Three or more",
    })

    response = press(client, survey, data, "save")
    assert response.status_code == 302
    assert "Version 2 published." in client.get(response.location).text

    second = get_current_version(survey)
    assert second.number == 2 and second.published_by_id == admin.id
    definition = second.to_definition()
    assert definition.keys[-2:] == ("waiting", "visits")
    visits = definition.question("visits")
    assert visits.required
    assert [tuple(o) for o in visits.options] == [
        ("once", "一次", "Once"),
        ("twice", "两次", "Twice"),
        ("more", "三次及以上", "Three or more"),
    ]
    assert definition.question("reasons") == default_survey().question("reasons")
    assert first.to_definition() == default_survey()  # the old version did not change

    # The citizen form shows the new questions, and their answers are stored.
    page = client.get(form_url(window))
    assert "等候时间" in page.text or "Waiting time" in page.text
    assert 'name="visits" value="twice"' in page.text
    response = client.post(form_url(window), data={
        "nonce": nonce_of(page.text), "overall": "4", "waiting": "2", "visits": "twice",
    })
    assert response.status_code == 200
    evaluation = db.session.scalars(select(Evaluation)).one()
    assert evaluation.survey_version_id == second.id
    assert evaluation.answers["waiting"] == 2
    assert evaluation.answers["visits"] == "twice"


def test_a_required_new_question_is_enforced_on_the_citizen_form(client, admin, make_window):
    window = make_window()
    survey = default_survey_row()
    data = read_form(press(client, survey, {**open_editor(client, survey), "new_type": "text"},
                           "add").text)
    data.update({"questions-8-label_zh": "您的建议", "questions-8-label_en": "Your advice",
                 "questions-8-required": "y", "questions-8-max_length": "20"})
    assert press(client, survey, data, "save").status_code == 302
    page = client.get(form_url(window))
    assert 'maxlength="20"' in page.text
    response = client.post(form_url(window), data={"nonce": nonce_of(page.text), "overall": "5"})
    assert response.status_code == 422
    assert db.session.scalars(select(Evaluation)).all() == []


def test_moving_and_deleting_change_only_the_draft(client, admin):
    survey = default_survey_row()
    data = open_editor(client, survey)

    data = read_form(press(client, survey, data, "up:2").text)
    assert keys_in(data)[:3] == ["overall", "competence", "speed"]
    data = read_form(press(client, survey, data, "down:0").text)
    assert keys_in(data)[:3] == ["competence", "overall", "speed"]
    data = read_form(press(client, survey, data, "delete:2").text)
    assert "speed" not in keys_in(data)
    assert count_versions(survey) == 1  # nothing published while editing

    # overall still comes before the reasons that depend on it: the draft can be saved
    response = press(client, survey, data, "save")
    assert response.status_code == 302
    assert get_current_version(survey).to_definition().keys == (
        "competence", "overall", "attitude", "integrity", "staff", "reasons", "comment",
    )


def test_moving_past_either_end_changes_nothing(client, admin):
    survey = default_survey_row()
    data = open_editor(client, survey)
    assert keys_in(read_form(press(client, survey, data, "up:0").text)) == keys_in(data)
    assert keys_in(read_form(press(client, survey, data, "down:7").text)) == keys_in(data)


def test_overall_question_cannot_be_deleted(client, admin):
    survey = default_survey_row()
    response = press(client, survey, open_editor(client, survey), "delete:0")
    assert response.status_code == 200
    assert "The overall satisfaction question cannot be deleted." in response.text
    assert keys_in(read_form(response.text))[0] == "overall"


def test_an_unknown_button_is_a_bad_request(client, admin):
    survey = default_survey_row()
    assert press(client, survey, open_editor(client, survey), "explode").status_code == 400
    response = press(client, survey, open_editor(client, survey), "delete:99")
    assert "There is no such question." in response.text


def _set(data, which, /, **fields):
    i = question_index(data, which)
    data.update({f"questions-{i}-{name}": value for name, value in fields.items()})
    return data


def _add_choice(client, survey, data, **fields):
    data = read_form(press(client, survey, {**data, "new_type": "single_choice"}, "add").text)
    return _set(data, keys_in(data)[-1], **{"label_zh": "选择", "label_en": "Choose", **fields})


INVALID_EDITS = {
    "duplicate key": (
        lambda c, s, d: _set(d, "competence", key="speed"),
        "Another question has this key.",
    ),
    "empty Chinese label": (
        lambda c, s, d: _set(d, "speed", label_zh="  "),
        "Please enter the question in Chinese.",
    ),
    "empty English label": (
        lambda c, s, d: _set(d, "comment", label_en=""),
        "Please enter the question in English.",
    ),
    "bad key": (
        lambda c, s, d: _set(d, "speed", key="Speed!"),
        "Use lower-case letters, digits and _, starting with a letter.",
    ),
    "choice with no options": (
        lambda c, s, d: _add_choice(c, s, d, options="\n \n"),
        "Please give at least one option, one per line: code|Chinese|English",
    ),
    "option line with two parts": (
        lambda c, s, d: _add_choice(c, s, d, options="a|甲|A\nb|乙"),
        "Line 2: write code|Chinese|English",
    ),
    "option line with an empty label": (
        lambda c, s, d: _add_choice(c, s, d, options="a||A"),
        "Line 1: write code|Chinese|English",
    ),
    "duplicate option codes": (
        lambda c, s, d: _add_choice(c, s, d, options="a|甲|A\na|乙|B"),
        "options has duplicate codes",
    ),
    "condition on a later question": (
        lambda c, s, d: _set(d, "speed", show_if="comment:answered"),
        "speed.show_if must name an earlier question",
    ),
    "malformed condition": (
        lambda c, s, d: _set(d, "speed", show_if="overall"),
        "Write the key of an earlier question, a colon and a condition",
    ),
    "second satisfaction question": (
        lambda c, s, d: _set(d, "speed", type="satisfaction"),
        "exactly one satisfaction question",
    ),
    "retyped overall question": (
        lambda c, s, d: _set(d, "overall", type="dimension"),
        "exactly one satisfaction question",
    ),
    "text too long to store": (
        lambda c, s, d: _set(d, "comment", max_length="0"),
        "Number must be between 1 and 10000.",
    ),
    "staff key on a text question": (
        lambda c, s, d: _set(_set(d, "staff", key="served_by"), "comment", key="staff"),
        "The staff question, and only it, has the key staff.",
    ),
    "staff question made required": (
        lambda c, s, d: _set(d, "staff", required="y"),
        "The staff question cannot be required",
    ),
    "empty title": (
        lambda c, s, d: {**d, "title_en": ""},
        "This field is required.",
    ),
}


@pytest.mark.parametrize("edit", INVALID_EDITS.values(), ids=INVALID_EDITS.keys())
def test_invalid_edits_are_refused_and_publish_nothing(client, admin, edit):
    change, message = edit
    survey = default_survey_row()
    data = change(client, survey, open_editor(client, survey))
    response = press(client, survey, data, "save")
    assert response.status_code == 200
    assert message in response.text
    assert 'role="alert"' in response.text
    assert count_versions(survey) == 1
    # what the administrator typed is still on the page, to be corrected
    assert read_form(response.text).items() >= {
        k: v for k, v in data.items() if k.startswith("questions-") and v.strip()
        and not k.endswith("-options")
    }.items()


def test_overall_question_stays_required_whatever_is_posted(client, admin):
    survey = default_survey_row()
    data = open_editor(client, survey)
    data["questions-0-label_en"] = "Overall, how was it?"
    data["questions-0-show_if"] = "speed:answered"  # not on the page; ignored
    assert press(client, survey, data, "save").status_code == 302
    overall = get_current_version(survey).to_definition().overall
    assert overall.required and overall.show_if is None
    assert overall.label_en == "Overall, how was it?"


def test_retyping_a_question_asks_for_what_the_new_type_needs(client, admin):
    survey = default_survey_row()
    data = _set(open_editor(client, survey), "speed", type="multiple_choice")
    response = press(client, survey, data, "save")
    assert "Please give at least one option" in response.text
    data = read_form(response.text)
    assert "questions-1-min_selections" in data  # the fields of the new type are shown now
    data.update({"questions-1-options": "slow|慢|Slow\nfast|快|Fast",
                 "questions-1-max_selections": "1"})
    assert press(client, survey, data, "save").status_code == 302
    speed = get_current_version(survey).to_definition().question("speed")
    assert speed.type_name == "multiple_choice"
    assert (speed.min_selections, speed.max_selections) == (1, 1)


def test_version_history_and_previews(client, admin, make_user):
    survey = default_survey_row()
    data = _set(open_editor(client, survey), "speed", label_zh="办理速度", label_en="Pace")
    assert press(client, survey, data, "save").status_code == 302

    page = client.get(edit_url(survey)).text
    assert f"/admin/surveys/{survey.id}/versions/1" in page
    assert f"/admin/surveys/{survey.id}/versions/2" in page
    assert "admin1" in page  # who published version 2

    old = client.get(f"/admin/surveys/{survey.id}/versions/1")
    new = client.get(f"/admin/surveys/{survey.id}/versions/2")
    assert old.status_code == new.status_code == 200
    assert "Speed" in old.text and "Pace" not in old.text
    assert "Pace" in new.text
    # drawn with the citizen form's macros, read-only
    assert 'type="radio" name="overall" value="5"' in new.text
    assert "<fieldset disabled" in new.text
    assert 'name="reasons"' in new.text
    assert client.get(f"/admin/surveys/{survey.id}/versions/3").status_code == 404
    assert client.get("/admin/surveys/9999/versions/1").status_code == 404
    assert client.get("/admin/surveys/9999").status_code == 404


def test_saving_is_audited(client, admin):
    survey = default_survey_row()
    data = _set(open_editor(client, survey), "speed", label_en="Pace")
    press(client, survey, data, "save")
    entry = db.session.scalars(
        select(AuditLog).where(AuditLog.action == "survey.publish", AuditLog.actor_id == admin.id)
    ).one()
    assert entry.object_id == str(survey.id)
    assert entry.changes == {"version": 2}


def test_a_survey_definition_survives_the_editor_unchanged(client, admin, make_survey):
    """Every field of every type makes the round trip page → form → definition."""
    survey = make_survey("往返")
    data = open_editor(client, survey)
    data = read_form(press(client, survey, {**data, "new_type": "multiple_choice"}, "add").text)
    data = _set(data, "q1", label_zh="多选", label_en="Many", help_zh="说明", help_en="Help",
                options="a|甲|A\nb|乙|B\nc|丙|C", min_selections="2", max_selections="3",
                show_if="overall:is:3")
    assert press(client, survey, data, "save").status_code == 302
    saved: SurveyDefinition = get_current_version(survey).to_definition()
    assert saved.question("q1").show_if == ("overall", "is:3")
    response = press(client, survey, open_editor(client, survey), "save")
    assert "No changes: version 2 stays current." in client.get(response.location).text
