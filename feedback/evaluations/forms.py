"""The rating form is rendered from the questionnaire, not from a WTForms class: its questions
change with the version. Flask-WTF still guards it with a CSRF token (``csrf_token()`` in the
template, checked by ``CSRFProtect`` on every POST)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length


class TokenForm(FlaskForm):
    transaction_no = StringField(_l("Transaction number"),
                                 validators=[DataRequired(), Length(max=64)])
    submit = SubmitField(_l("Issue evaluation code"))


class RestoreForm(FlaskForm):
    note = TextAreaField(_l("Why it should count"), validators=[DataRequired(), Length(max=500)])
    submit = SubmitField(_l("Restore"))


class RevealForm(FlaskForm):
    purpose = StringField(_l("Why you need the number"),
                          validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("Show phone number"))


def _labels():
    from feedback.evaluations.models import Channel, FlagReason

    channels = {
        Channel.QR: _l("Window QR code"),
        Channel.TOKEN: _l("Transaction code"),
        Channel.DEVICE: _l("Rating device"),
        Channel.WEB: _l("Web"),
        Channel.HOTLINE: _l("Hotline"),
        Channel.SMS: _l("SMS"),
    }
    flags = {
        FlagReason.REPEAT: _l("same browser rated this window again too soon"),
        FlagReason.BURST: _l("burst of ratings from one address"),
        FlagReason.STAFF_SESSION: _l("submitted from a signed-in staff session"),
        FlagReason.APPEAL: _l("excluded by an upheld appeal"),
    }
    return channels, flags


CHANNEL_LABELS, FLAG_LABELS = _labels()
