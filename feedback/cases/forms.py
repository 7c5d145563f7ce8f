"""Forms of the case pages (staff and public), and the labels of the case vocabulary."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TelField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from feedback.cases.models import (
    AppealGrounds,
    AppealState,
    CaseKind,
    CaseSource,
    CaseState,
    EventKind,
    Triage,
    Verdict,
    VerdictSource,
)

TEXT_LIMIT = 4000
CONTENT_LIMIT = 2000

KIND_LABELS = {
    CaseKind.BAD_REVIEW: _l("Bad review"),
    CaseKind.COMPLAINT: _l("Complaint"),
    CaseKind.SUGGESTION: _l("Suggestion"),
    CaseKind.PRAISE: _l("Praise"),
}
SOURCE_LABELS = {
    CaseSource.EVALUATION: _l("Citizen's rating"),
    CaseSource.SUGGESTION_BOX: _l("Suggestion box"),
    CaseSource.HOTLINE: _l("Hotline"),
    CaseSource.API: _l("Intake system (API)"),
}
STATE_LABELS = {
    CaseState.NEW: _l("New"),
    CaseState.ASSIGNED: _l("Being verified"),
    CaseState.VERIFIED: _l("Verified"),
    CaseState.ANSWERED: _l("Answered"),
    CaseState.FOLLOWED_UP: _l("Followed up"),
    CaseState.CLOSED: _l("Closed"),
}
TRIAGE_LABELS = {
    Triage.FIX_NOW: _l("Fix at once"),
    Triage.FIX_BY_DEADLINE: _l("Fix by a deadline (rectification notice)"),
    Triage.EXPLAIN: _l("Explain: no basis for the complaint"),
}
VERDICT_LABELS = {
    Verdict.SATISFIED: _l("Satisfied"),
    Verdict.FAIRLY_SATISFIED: _l("Fairly satisfied"),
    Verdict.DISSATISFIED: _l("Dissatisfied"),
}
VERDICT_SOURCE_LABELS = {
    VerdictSource.CALLBACK: _l("by callback"),
    VerdictSource.CITIZEN: _l("by the citizen online"),
}
EVENT_LABELS = {
    EventKind.ASSIGNED: _l("Assigned"),
    EventKind.VERIFIED: _l("Verified"),
    EventKind.ANSWERED: _l("Answered"),
    EventKind.FOLLOWED_UP: _l("Followed up"),
    EventKind.REOPENED: _l("Reopened"),
    EventKind.CLOSED: _l("Closed"),
    EventKind.OVERDUE: _l("Overdue, escalated"),
    EventKind.APPEALED: _l("Appeal filed"),
    EventKind.APPEAL_UPHELD: _l("Appeal upheld"),
    EventKind.APPEAL_REJECTED: _l("Appeal rejected"),
}
# What the citizen reads for each public event at /track.
PUBLIC_EVENT_LABELS = {
    EventKind.ASSIGNED: _l("Your feedback is being looked into"),
    EventKind.ANSWERED: _l("We replied"),
    EventKind.FOLLOWED_UP: _l("Your verdict on the handling was recorded"),
    EventKind.REOPENED: _l("Reopened: we are looking into it again"),
    EventKind.CLOSED: _l("Closed"),
}
GROUNDS_LABELS = {
    AppealGrounds.MALICIOUS: _l("Malicious bad review"),
    AppealGrounds.MISTAKEN: _l("Mistaken rating (wrong window, wrong level, not about us)"),
}
APPEAL_STATE_LABELS = {
    AppealState.PENDING: _l("Waiting for a decision"),
    AppealState.UPHELD: _l("Upheld"),
    AppealState.REJECTED: _l("Rejected"),
}
# The kinds a citizen, an operator or an intake system can open (bad reviews come from ratings).
OPENABLE_KINDS = (CaseKind.COMPLAINT, CaseKind.SUGGESTION, CaseKind.PRAISE)


def _choices(labels, members=None) -> list[SelectChoice]:
    return [SelectChoice(m.value, labels[m]) for m in (members or labels)]


# --- staff --------------------------------------------------------------------------------------


class AssignForm(FlaskForm):
    assignee = SelectField(_l("Assign to"), coerce=int, validators=[InputRequired()])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Assign"))


class TakeForm(FlaskForm):
    submit = SubmitField(_l("Take this case on"))


class VerifyForm(FlaskForm):
    founded = RadioField(
        _l("Is the complaint founded?"),
        choices=[SelectChoice("yes", _l("Founded")), SelectChoice("no", _l("Not founded"))],
        validators=[InputRequired()])
    finding = TextAreaField(_l("What the verification found"),
                            validators=[DataRequired(), Length(max=TEXT_LIMIT)])
    triage = RadioField(_l("What happens next"), choices=_choices(TRIAGE_LABELS),
                        validators=[InputRequired()])
    submit = SubmitField(_l("Record verification"))


class AnswerForm(FlaskForm):
    reply = TextAreaField(_l("Reply to the citizen"),
                          description=_l("The citizen reads this on the lookup page."),
                          validators=[DataRequired(), Length(max=TEXT_LIMIT)])
    submit = SubmitField(_l("Send reply"))


class CallbackForm(FlaskForm):
    verdict = RadioField(_l("The citizen's verdict on the handling"),
                         choices=_choices(VERDICT_LABELS), validators=[InputRequired()])
    note = TextAreaField(_l("What the citizen said"),
                         validators=[Optional(), Length(max=TEXT_LIMIT)])
    submit = SubmitField(_l("Record callback"))


class CloseForm(FlaskForm):
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Close the case"))


class RevealForm(FlaskForm):
    purpose = StringField(_l("Why you need the number"),
                          validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("Show phone number"))


class AppealForm(FlaskForm):
    grounds = RadioField(_l("Grounds"), choices=_choices(GROUNDS_LABELS),
                         validators=[InputRequired()])
    evidence = TextAreaField(_l("Evidence for the appeal"),
                             description=_l("What shows it: the transaction record, video, "
                                            "what the citizen said at the window."),
                             validators=[DataRequired(), Length(max=TEXT_LIMIT)])
    submit = SubmitField(_l("File appeal"))


class DecideForm(FlaskForm):
    decision = RadioField(
        _l("Decision"),
        choices=[SelectChoice("uphold", _l("Uphold: leave the evaluation out of the statistics")),
                 SelectChoice("reject", _l("Reject: the evaluation keeps counting"))],
        validators=[InputRequired()])
    note = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=TEXT_LIMIT)])
    submit = SubmitField(_l("Decide"))


class HotlineForm(FlaskForm):
    """What a hotline operator enters from a call (12319/12345)."""

    window = StringField(_l("Window code"), validators=[Optional(), Length(max=16)])
    hall = SelectField(_l("Or the service hall as a whole"), validators=[Optional()])
    kind = RadioField(_l("Kind"), choices=_choices(KIND_LABELS, OPENABLE_KINDS),
                      default=CaseKind.COMPLAINT.value, validators=[InputRequired()])
    content = TextAreaField(_l("What the caller said"),
                            validators=[DataRequired(), Length(max=CONTENT_LIMIT)])
    phone = TelField(_l("Caller's number"), validators=[Optional(), Length(max=32)])
    consent = BooleanField(_l("The caller agrees that the number is stored encrypted and used "
                              "only to answer this case."))
    submit = SubmitField(_l("Open case"))


# --- citizens -----------------------------------------------------------------------------------


class SuggestionForm(FlaskForm):
    """The suggestion box 意见箱, about a window (``/w/<code>/suggest``) or a hall."""

    nonce = HiddenField()
    window = SelectField(_l("Which window (optional)"), validators=[Optional()])
    kind = RadioField(_l("What would you like to tell us?"),
                      choices=_choices(KIND_LABELS, OPENABLE_KINDS),
                      default=CaseKind.COMPLAINT.value, validators=[InputRequired()])
    content = TextAreaField(_l("Your message"),
                            validators=[DataRequired(), Length(max=CONTENT_LIMIT)],
                            render_kw={"maxlength": CONTENT_LIMIT, "rows": 6})
    phone = TelField(_l("Phone number (optional)"),
                     description=_l("Leave it if you would like a call back."),
                     validators=[Optional(), Length(max=32)],
                     render_kw={"autocomplete": "tel", "inputmode": "tel", "maxlength": 20})
    consent = BooleanField(_l("I agree that my number is stored encrypted and used only to "
                              "answer this feedback."))
    submit = SubmitField(_l("Send"))


class TrackForm(FlaskForm):
    tracking_no = StringField(_l("Tracking number"),
                              validators=[DataRequired(), Length(max=32)],
                              render_kw={"autocomplete": "off", "autocapitalize": "characters",
                                         "spellcheck": "false"})
    factor = StringField(
        _l("Last four digits of your phone number, or the code you were shown"),
        validators=[DataRequired(), Length(max=16)],
        render_kw={"autocomplete": "off", "inputmode": "numeric"})
    submit = SubmitField(_l("Look up"))


class VerdictForm(FlaskForm):
    verdict = RadioField(_l("Are you satisfied with how your feedback was handled?"),
                         choices=_choices(VERDICT_LABELS), validators=[InputRequired()])
    note = TextAreaField(_l("Anything you would like to add (optional)"),
                         validators=[Optional(), Length(max=CONTENT_LIMIT)],
                         render_kw={"rows": 3, "maxlength": CONTENT_LIMIT})
    submit = SubmitField(_l("Send my verdict"))


LABELS = {
    "kind": KIND_LABELS,
    "source": SOURCE_LABELS,
    "state": STATE_LABELS,
    "triage": TRIAGE_LABELS,
    "verdict": VERDICT_LABELS,
    "verdict_source": VERDICT_SOURCE_LABELS,
    "event": EVENT_LABELS,
    "public_event": PUBLIC_EVENT_LABELS,
    "grounds": GROUNDS_LABELS,
    "appeal_state": APPEAL_STATE_LABELS,
}


def case_label(group: str, value) -> str:
    """The label of ``value`` in ``group`` (``case_label("state", case.state)``) for templates."""
    if value is None:
        return ""
    return str(LABELS[group].get(value, value))
