"""Forms of the questionnaire pages.

The editor works without JavaScript: every button submits the whole draft. "Save" turns the
fields into a ``surveys.SurveyDefinition``; move, delete and add only re-render the draft, so
nothing is published until the administrator saves.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from feedback.questionnaires.models import SurveyKind
from surveys import (
    OVERALL_KEY,
    STAFF_KEY,
    ChoiceQuestion,
    DefinitionError,
    MultipleChoiceQuestion,
    Option,
    Question,
    SurveyDefinition,
    TextQuestion,
    question_types,
)

MAX_QUESTIONS = 50
DEFAULT_TEXT_LENGTH = 500

KIND_LABELS = {
    SurveyKind.STANDARD: _l("Standard"),
    SurveyKind.PERIODIC: _l("Periodic survey"),
}

TYPE_LABELS = {
    "satisfaction": _l("Overall satisfaction (five levels)"),
    "dimension": _l("Rating of one aspect (five levels)"),
    "single_choice": _l("Single choice"),
    "multiple_choice": _l("Multiple choice"),
    "text": _l("Free text"),
    "staff": _l("Staff member who served"),
}
CHOICE_TYPES = frozenset(
    name for name, cls in question_types().items() if issubclass(cls, ChoiceQuestion)
)


def type_label(type_name: str) -> Any:
    return TYPE_LABELS.get(type_name, type_name)


def _type_choices() -> list[SelectChoice]:
    return [SelectChoice(name, type_label(name)) for name in question_types()]


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class NewSurveyForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)],
                       filters=[_strip])
    kind = SelectField(
        _l("Kind"),
        choices=[SelectChoice(kind.value, label) for kind, label in KIND_LABELS.items()],
        description=_l("A periodic survey is shown instead of the standing questionnaire, "
                       "only between the dates of its assignments."),
        validators=[DataRequired()],
    )
    submit = SubmitField(_l("Create"))


class QuestionForm(Form):
    """One question of the editor. Checked only when the draft is saved."""

    type = SelectField(_l("Type"), choices=_type_choices)
    key = StringField(
        _l("Key"),
        description=_l("Stored with every answer. Keep it when you edit a published question, "
                       "so that its statistics continue."),
        validators=[
            DataRequired(message=_l("Please enter a key.")),
            Regexp(r"^[a-z][a-z0-9_]{0,63}\Z",
                   message=_l("Use lower-case letters, digits and _, starting with a letter.")),
        ],
        filters=[_strip],
    )
    label_zh = StringField(
        _l("Question in Chinese"),
        validators=[DataRequired(message=_l("Please enter the question in Chinese.")),
                    Length(max=500)],
        filters=[_strip],
    )
    label_en = StringField(
        _l("Question in English"),
        validators=[DataRequired(message=_l("Please enter the question in English.")),
                    Length(max=500)],
        filters=[_strip],
    )
    help_zh = StringField(_l("Help in Chinese"), validators=[Optional(), Length(max=500)],
                          filters=[_strip])
    help_en = StringField(_l("Help in English"), validators=[Optional(), Length(max=500)],
                          filters=[_strip])
    required = BooleanField(_l("Required"))
    options = TextAreaField(
        _l("Options"), description=_l("One per line: code|Chinese|English"),
        render_kw={"rows": 5},
    )
    max_length = IntegerField(_l("Maximum length"),
                              validators=[Optional(), NumberRange(min=1, max=10_000)])
    min_selections = IntegerField(_l("Choose at least"),
                                  validators=[Optional(), NumberRange(min=1, max=100)])
    max_selections = IntegerField(_l("Choose at most"),
                                  description=_l("Leave empty for no limit."),
                                  validators=[Optional(), NumberRange(min=1, max=100)])
    show_if = StringField(
        _l("Show only when"),
        description=_l("Optional: the key of an earlier question and a condition, "
                       "e.g. overall:bad, overall:good, overall:is:3 or q1:answered."),
        validators=[Optional(), Length(max=80)],
        filters=[_strip],
    )


@dataclass(frozen=True)
class EditorAction:
    """What an editor button asks for: ``save``, ``add``, or ``up``/``down``/``delete`` one."""

    verb: str
    index: int = -1

    @classmethod
    def parse(cls, value: str | None) -> EditorAction | None:
        """``"save"``, ``"add"``, ``"up:2"``, ``"down:0"``, ``"delete:3"``; None otherwise."""
        value = value or ""
        if value in ("save", "add"):
            return cls(value)
        match = re.fullmatch(r"(up|down|delete):(\d{1,3})", value)
        return cls(match.group(1), int(match.group(2))) if match else None


class _FieldError(Exception):
    def __init__(self, field: Any, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _add_error(field: Any, message: str) -> None:
    field.errors = [*field.errors, message]


class SurveyEditorForm(FlaskForm):
    title_zh = StringField(_l("Title in Chinese"), validators=[DataRequired(), Length(max=200)],
                           filters=[_strip])
    title_en = StringField(_l("Title in English"), validators=[DataRequired(), Length(max=200)],
                           filters=[_strip])
    questions = FieldList(FormField(QuestionForm), max_entries=MAX_QUESTIONS)
    new_type = SelectField(_l("Type of the new question"), choices=_type_choices,
                           default="dimension")

    @classmethod
    def from_definition(cls, definition: SurveyDefinition) -> SurveyEditorForm:
        """A form showing ``definition`` (not bound to the request)."""
        return cls(formdata=None, data={
            "title_zh": definition.title_zh,
            "title_en": definition.title_en,
            "questions": [_question_data(q) for q in definition.questions],
        })

    # -- move, delete, add: the draft changes, nothing is saved ---------------------------

    def apply(self, action: EditorAction) -> SurveyEditorForm:
        """A new form with the draft changed by ``action``; a refusal lands in its form_errors."""
        drafts = [dict(entry.data) for entry in self.questions]
        message = None
        i = action.index
        if action.verb == "add":
            if len(drafts) >= MAX_QUESTIONS:
                message = _("A questionnaire has at most %(n)d questions.", n=MAX_QUESTIONS)
            else:
                drafts.append(_new_question(self.new_type.data, {d["key"] for d in drafts}))
        elif not 0 <= i < len(drafts):
            message = _("There is no such question.")
        elif action.verb == "up" and i > 0:
            drafts[i - 1], drafts[i] = drafts[i], drafts[i - 1]
        elif action.verb == "down" and i < len(drafts) - 1:
            drafts[i], drafts[i + 1] = drafts[i + 1], drafts[i]
        elif action.verb == "delete":
            if drafts[i]["key"] == OVERALL_KEY:
                message = _("The overall satisfaction question cannot be deleted.")
            else:
                del drafts[i]
        form = type(self)(formdata=None, data={
            "title_zh": self.title_zh.data, "title_en": self.title_en.data,
            "questions": drafts, "new_type": self.new_type.data,
        })
        if message:
            form.form_errors.append(message)
        return form

    # -- save: the fields become a questionnaire -------------------------------------------

    def to_definition(self) -> SurveyDefinition | None:
        """Validate the fields and build the questionnaire they describe.

        Returns None when anything is wrong, with every reason added to its field: the field
        checks, then option lines and conditions, then the ``DefinitionError`` of a question
        (shown on that question) or of the whole questionnaire (shown above the form). The
        overall question stays required and always shown, whatever was posted.
        """
        ok = self.validate()
        keys = [entry.form.key.data for entry in self.questions]
        questions: list[Question] = []
        for entry in self.questions:
            sub = entry.form
            if sub.errors:
                continue  # the field errors say what is wrong
            if keys.count(sub.key.data) > 1:
                _add_error(sub.key, _("Another question has this key."))
                ok = False
                continue
            try:
                questions.append(_build_question(sub))
            except _FieldError as exc:
                _add_error(exc.field, exc.message)
                ok = False
            except DefinitionError as exc:
                sub.form_errors.append(str(exc))
                ok = False
        if ok:
            try:
                return SurveyDefinition(title_zh=self.title_zh.data, title_en=self.title_en.data,
                                        questions=questions)
            except DefinitionError as exc:
                self.form_errors.append(
                    _("The questionnaire is not valid: %(reason)s", reason=str(exc))
                )
        self.form_errors.append(_("Nothing was saved. Please correct the questions marked."))
        return None


def _question_data(question: Question) -> dict[str, Any]:
    data: dict[str, Any] = {
        "type": question.type_name, "key": question.key,
        "label_zh": question.label_zh, "label_en": question.label_en,
        "help_zh": question.help_zh, "help_en": question.help_en,
        "required": question.required,
        "show_if": ":".join(question.show_if) if question.show_if else "",
        "options": "", "max_length": None, "min_selections": None, "max_selections": None,
    }
    if isinstance(question, ChoiceQuestion):
        data["options"] = "\n".join("|".join(option) for option in question.options)
    if isinstance(question, MultipleChoiceQuestion):
        data["min_selections"] = question.min_selections
        data["max_selections"] = question.max_selections
    if isinstance(question, TextQuestion):
        data["max_length"] = question.max_length
    return data


def _new_question(type_name: str, taken: set[str]) -> dict[str, Any]:
    if type_name == "staff" and STAFF_KEY not in taken:
        key = STAFF_KEY  # the key the stored evaluation reads the rated staff member from
    else:
        key = next(f"q{n}" for n in itertools.count(1) if f"q{n}" not in taken)
    return {
        "type": type_name, "key": key, "label_zh": "", "label_en": "", "help_zh": "",
        "help_en": "", "required": False, "show_if": "", "options": "",
        "max_length": DEFAULT_TEXT_LENGTH if type_name == "text" else None,
        "min_selections": 1 if type_name == "multiple_choice" else None,
        "max_selections": None,
    }


def _build_question(form: QuestionForm) -> Question:
    cls = question_types()[form.type.data]
    overall = form.key.data == OVERALL_KEY
    fields: dict[str, Any] = {
        "key": form.key.data,
        "label_zh": form.label_zh.data,
        "label_en": form.label_en.data,
        "help_zh": form.help_zh.data or "",
        "help_en": form.help_en.data or "",
        "required": overall or bool(form.required.data),
        "show_if": None if overall else _show_if(form.show_if),
    }
    if issubclass(cls, ChoiceQuestion):
        fields["options"] = _options(form.options)
    if issubclass(cls, MultipleChoiceQuestion):
        fields["min_selections"] = form.min_selections.data or 1
        fields["max_selections"] = form.max_selections.data
    if issubclass(cls, TextQuestion):
        fields["max_length"] = form.max_length.data or DEFAULT_TEXT_LENGTH
    return cls(**fields)


def _show_if(field: StringField) -> tuple[str, str] | None:
    if not field.data:
        return None
    key, sep, condition = field.data.partition(":")
    if not sep or not key.strip() or not condition.strip():
        raise _FieldError(field, _("Write the key of an earlier question, a colon and a "
                                   "condition, e.g. overall:bad."))
    return (key.strip(), condition.strip())


def _options(field: TextAreaField) -> tuple[Option, ...]:
    lines = [(n, line) for n, line in enumerate((field.data or "").splitlines(), 1)
             if line.strip()]
    if not lines:
        raise _FieldError(field, _("Please give at least one option, one per line: "
                                   "code|Chinese|English"))
    options = []
    for n, line in lines:
        parts = [part.strip() for part in line.split("|")]
        if len(parts) != 3 or not all(parts):
            raise _FieldError(field, _("Line %(n)d: write code|Chinese|English", n=n))
        options.append(Option(*parts))
    return tuple(options)


class AssignmentForm(FlaskForm):
    category = SelectField(_l("Service trade"))
    window = StringField(_l("or window code"), validators=[Optional(), Length(max=16)],
                         filters=[_strip])
    starts_on = DateField(_l("First day"), validators=[Optional()])
    ends_on = DateField(_l("Last day"), validators=[Optional()],
                        description=_l("Both days are included."))
    submit = SubmitField(_l("Assign"))

    def set_categories(self, categories: list[Any], lang: str) -> None:
        self.category.choices = [SelectChoice("", "—")] + [
            SelectChoice(str(c.id), c.name if lang == "zh" else c.name_en) for c in categories
        ]

    @property
    def category_id(self) -> int | None:
        return int(self.category.data) if self.category.data else None

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        if ok and bool(self.category.data) == bool(self.window.data):
            _add_error(self.category, _("Choose a service trade or enter a window code: "
                                        "one of the two."))
            ok = False
        if ok and self.starts_on.data and self.ends_on.data \
                and self.ends_on.data < self.starts_on.data:
            _add_error(self.ends_on, _("The last day cannot be before the first day."))
            ok = False
        return ok


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""
