from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from feedback.forms import CodeList
from feedback.notices.workflow import KIND_LABELS, NoticeKind
from feedback.workdays.models import MAX_WORKING_DAYS, MIN_WORKING_DAYS

TEXT_LIMIT = 4000


class DraftForm(FlaskForm):
    """A notice's text and deadline: what a draft holds and may still change."""

    title = StringField(_l("Notice title"), validators=[Optional(), Length(max=200)],
                        description=_l("Left empty: “Rectification notice to …”."))
    problem = TextAreaField(_l("Problem found"),
                            validators=[DataRequired(), Length(max=TEXT_LIMIT)])
    requirement = TextAreaField(_l("What must be done"),
                                validators=[Optional(), Length(max=TEXT_LIMIT)])
    deadline_days = IntegerField(
        _l("Deadline in working days"),
        validators=[DataRequired(), NumberRange(MIN_WORKING_DAYS, MAX_WORKING_DAYS)],
        description=_l("Counted from the day it is sent; holidays and make-up working days "
                       "are counted as the calendar says."))
    submit = SubmitField(_l("Save draft"))


class NewNoticeForm(DraftForm):
    window = StringField(_l("Window code"), validators=[Optional(), Length(max=16)],
                         description=_l("A window, or leave empty and name an org unit."))
    unit = StringField(_l("Org unit code"), validators=[Optional(), Length(max=32)])
    kind = SelectField(_l("Kind"), choices=[SelectChoice(k.value, KIND_LABELS[k])
                                            for k in NoticeKind],
                       default=NoticeKind.RECTIFICATION.value)
    source = SelectField(_l("Found by"), choices=[
        SelectChoice("scratch", _l("supervision")),
        SelectChoice("inspection", _l("an inspection")),
    ], default="scratch")
    inspection = StringField(_l("Inspection finding"), validators=[Optional(), Length(max=200)],
                             description=_l("Reference and finding of the inspection."))
    evaluations = StringField(_l("Evaluations as evidence"),
                              validators=[Optional(), CodeList(12), Length(max=500)],
                              description=_l("Numbers of evaluations, separated by spaces."))
    chart = StringField(_l("Chart or page as evidence"), validators=[Optional(), Length(max=200)],
                        description=_l("Its path in Manyi, e.g. a window's dashboard."))
    deadline_days = IntegerField(
        _l("Deadline in working days"),
        validators=[Optional(), NumberRange(MIN_WORKING_DAYS, MAX_WORKING_DAYS)],
        description=_l("Left empty: the unit's rule (15 working days unless it sets its own)."))


class ActionForm(FlaskForm):
    """A move that needs nothing but the CSRF token (issue, acknowledge, follow up)."""

    submit = SubmitField(_l("Confirm"))


class ReportForm(FlaskForm):
    measures = TextAreaField(_l("Measures taken"),
                             validators=[DataRequired(), Length(max=TEXT_LIMIT)])
    # The description (types and size limit) is set by the view from the configuration.
    files = MultipleFileField(_l("Evidence files"))
    submit = SubmitField(_l("Send report"))


class ReturnForm(FlaskForm):
    comment = TextAreaField(_l("What is missing"),
                            validators=[DataRequired(), Length(max=TEXT_LIMIT)])
    submit = SubmitField(_l("Return for another report"))


class VerifyForm(FlaskForm):
    comment = TextAreaField(_l("Verification note"),
                            validators=[Optional(), Length(max=TEXT_LIMIT)])
    submit = SubmitField(_l("Verify and close"))


class CancelForm(FlaskForm):
    reason = StringField(_l("Why the draft is dropped"),
                         validators=[DataRequired(), Length(max=500)])
    submit = SubmitField(_l("Drop draft"))


class PublishForm(FlaskForm):
    public_text = TextAreaField(
        _l("Text of the public notice"), validators=[DataRequired(), Length(max=TEXT_LIMIT)],
        description=_l("Published on the public notices page with the window's or unit's name "
                       "and the dates. No names of people, no phone or ID numbers."))
    submit = SubmitField(_l("Publish"))
