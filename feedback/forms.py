"""Form pieces shared by the domains."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import ValidationError


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
