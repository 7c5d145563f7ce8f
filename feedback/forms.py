"""Form pieces shared by the domains."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from wtforms import ValidationError

from feedback.extensions import db

if TYPE_CHECKING:
    from flask_wtf import FlaskForm

    from feedback.errors import ServiceError


class CodeList:
    """Validator: a space- or comma-separated list of codes, each at most ``length`` long."""

    def __init__(self, length: int = 32) -> None:
        self.length = length

    def __call__(self, _form, field) -> None:
        for code in split_codes(field.data or ""):
            if len(code) > self.length:
                raise ValidationError(_l("A code is at most %(n)d characters long.", n=self.length))


def split_codes(text: str) -> list[str]:
    return [part for part in text.replace(",", " ").replace("，", " ").split() if part]


def refuse(form: FlaskForm, exc: ServiceError, default_field: str) -> None:
    """A service refused the write: undo the request's changes and show why on the form,
    beside the field the service named (or ``default_field`` when the form has no such one)."""
    db.session.rollback()
    field = getattr(form, exc.field or "", None) or getattr(form, default_field)
    field.errors = [*field.errors, exc.message]
