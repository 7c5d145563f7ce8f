from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from feedback.workdays.models import MAX_WORKING_DAYS, MIN_WORKING_DAYS, DeadlineKind

KIND_LABELS = {
    DeadlineKind.CASE_ANSWER: _l("Answering a case"),
    DeadlineKind.NOTICE: _l("Carrying out a rectification notice"),
}

SOURCE_LABELS = {
    "admin": _l("entered by administrators"),
    "package": _l("official arrangement (chinese-calendar package)"),
    "weekends": _l("not known: weekends only"),
}


class CalendarForm(FlaskForm):
    lines = TextAreaField(
        _l("Holidays and make-up working days"),
        description=_l("One line each: a date or a range (2027-02-11..2027-02-17), a name, "
                       "and 休 for a day off or 班 for a working day."),
        validators=[DataRequired(), Length(max=20_000)],
        render_kw={"rows": 12, "spellcheck": "false"},
    )
    submit = SubmitField(_l("Enter these days"))


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token travels."""

    submit = SubmitField(_l("Remove"))


def _days_field(label) -> IntegerField:
    return IntegerField(
        label,
        description=_l("Working days, %(low)d to %(high)d; leave empty to inherit.",
                       low=MIN_WORKING_DAYS, high=MAX_WORKING_DAYS),
        validators=[Optional(), NumberRange(MIN_WORKING_DAYS, MAX_WORKING_DAYS)],
        render_kw={"inputmode": "numeric"},
    )


class PolicyForm(FlaskForm):
    # Named after DeadlineKind's values, so a service error lands beside its field.
    case_answer = _days_field(KIND_LABELS[DeadlineKind.CASE_ANSWER])
    notice = _days_field(KIND_LABELS[DeadlineKind.NOTICE])
    submit = SubmitField(_l("Save"))
