from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SubmitField


class MarkAllReadForm(FlaskForm):
    submit = SubmitField(_l("Mark all read"))
