from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from feedback.accounts.models import Role
from feedback.forms import CodeList

ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.SUPERVISOR: _l("Supervisor"),
    Role.MANAGER: _l("Window manager"),
    Role.OPERATOR: _l("Hotline operator"),
    Role.STAFF: _l("Window staff"),
}


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])
    submit = SubmitField(_l("Sign in"))


class PasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(min=8, max=256)]
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords differ."))],
    )
    submit = SubmitField(_l("Change password"))


class UserForm(FlaskForm):
    display_name = StringField(_l("Full name"), validators=[Optional(), Length(max=80)])
    email = EmailField(
        _l("E-mail address"),
        description=_l("Inbox messages are also sent here. Leave empty for none."),
        validators=[Optional(), Length(max=254)],
    )
    role = SelectField(
        _l("Role"), choices=[SelectChoice(r.value, label) for r, label in ROLE_LABELS.items()],
        validators=[DataRequired()],
    )
    org_unit = StringField(
        _l("Organisation unit code"),
        description=_l("For supervisors and operators: the root of what they see."),
        validators=[Optional(), Length(max=32)],
    )
    windows = StringField(
        _l("Window codes"),
        description=_l("For managers: the codes of their windows, separated by spaces."),
        validators=[Optional(), CodeList(16)],
    )
    staff = StringField(
        _l("Staff badge number"),
        description=_l("For window staff: their badge number."),
        validators=[Optional(), Length(max=32)],
    )
    active = BooleanField(_l("Active"), default=True)
    submit = SubmitField(_l("Save"))


class NewUserForm(UserForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(min=3, max=64)])
    password = PasswordField(
        _l("Initial password"), validators=[DataRequired(), Length(min=8, max=256)]
    )
