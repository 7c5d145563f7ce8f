from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from feedback.orgs.models import UnitKind

KIND_LABELS = {
    UnitKind.PROVINCE: _l("Province department"),
    UnitKind.CITY: _l("City or prefecture bureau"),
    UnitKind.COUNTY: _l("County bureau"),
    UnitKind.HALL: _l("Service hall"),
}


class UnitForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    active = BooleanField(_l("Active"), default=True)
    submit = SubmitField(_l("Save"))


class NewUnitForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    kind = SelectField(
        _l("Kind"), choices=[SelectChoice(k.value, label) for k, label in KIND_LABELS.items()],
        validators=[DataRequired()],
    )
    parent = StringField(
        _l("Parent unit code"),
        description=_l("Leave empty only for the root of the tree."),
        validators=[Optional(), Length(max=32)],
    )
    submit = SubmitField(_l("Create"))
