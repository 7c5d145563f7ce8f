from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

TEXT_LIMIT = 4000


class WindowTextForm(FlaskForm):
    """What a window's manager may edit: the public text of the window."""

    location = StringField(_l("Location"), validators=[Optional(), Length(max=200)])
    commitments = TextAreaField(
        _l("Public commitments"), validators=[Optional(), Length(max=TEXT_LIMIT)]
    )
    disclose_matters = TextAreaField(_l("Matters handled"),
                                     validators=[Optional(), Length(max=TEXT_LIMIT)])
    disclose_basis = TextAreaField(_l("Legal basis"),
                                   validators=[Optional(), Length(max=TEXT_LIMIT)])
    disclose_rules = TextAreaField(_l("Rules"), validators=[Optional(), Length(max=TEXT_LIMIT)])
    disclose_procedure = TextAreaField(_l("Procedure"),
                                       validators=[Optional(), Length(max=TEXT_LIMIT)])
    disclose_results = TextAreaField(_l("Results"),
                                     validators=[Optional(), Length(max=TEXT_LIMIT)])
    submit = SubmitField(_l("Save"))


class WindowForm(WindowTextForm):
    """Everything about a window, for administrators and supervisors."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    org_unit = StringField(_l("Service hall code"), validators=[DataRequired(), Length(max=32)])
    category = SelectField(_l("Service trade"), coerce=int, validators=[DataRequired()])
    active = BooleanField(_l("Active"), default=True)


class StaffForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=60)])
    badge_no = StringField(_l("Badge number"), validators=[DataRequired(), Length(max=32)])
    title = StringField(_l("Title"), validators=[Optional(), Length(max=60)])
    party_member = BooleanField(_l("Party member"))
    active = BooleanField(_l("On duty"), default=True)
    photo = FileField(
        _l("Photo"),
        validators=[FileAllowed(["jpg", "jpeg", "png", "webp"], _l("Images only."))],
    )
    submit = SubmitField(_l("Save"))


class ImportForm(FlaskForm):
    kind = SelectField(
        _l("What the file holds"),
        choices=[SelectChoice("windows", _l("Windows")), SelectChoice("staff", _l("Staff"))],
        validators=[DataRequired()],
    )
    file = FileField(
        _l("CSV or XLSX file"),
        validators=[FileRequired(), FileAllowed(["csv", "xlsx"], _l("CSV or XLSX files only."))],
    )
    submit = SubmitField(_l("Import"))
