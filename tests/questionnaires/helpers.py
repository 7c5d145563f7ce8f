"""Helpers for the questionnaire tests: forms read from the page as a browser sends them."""

from __future__ import annotations

import re
from dataclasses import replace
from html.parser import HTMLParser

from sqlalchemy import func, select

from feedback.evaluations.links import qr_key
from feedback.extensions import db
from feedback.questionnaires.models import Survey, SurveyVersion
from surveys import SurveyDefinition, default_survey


class FormReader(HTMLParser):
    """What a browser would submit from the form whose ``method`` is post and has no action.

    Collects text, hidden, date and number inputs, checked checkboxes and radios, the selected
    option of each select and the text of each textarea, as ``(name, value)`` pairs in page
    order. Submit buttons are left out: a test says which one it presses.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pairs: list[tuple[str, str]] = []
        self._in_form = False
        self._select: str | None = None
        self._select_value: str | None = None
        self._first_option: str | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._in_form = a.get("method") == "post" and "action" not in a
        if not self._in_form:
            return
        if tag == "input" and a.get("name") and "disabled" not in a:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.pairs.append((a["name"], a.get("value", "on")))
            elif kind not in ("submit", "button"):
                self.pairs.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self._select, self._select_value, self._first_option = a.get("name"), None, None
        elif tag == "option" and self._select:
            if self._first_option is None:
                self._first_option = a.get("value", "")
            if "selected" in a:
                self._select_value = a.get("value", "")
        elif tag == "textarea":
            self._textarea, self._text = a.get("name"), ""

    def handle_data(self, data):
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "select" and self._select:
            value = self._select_value if self._select_value is not None else self._first_option
            self.pairs.append((self._select, value or ""))
            self._select = None
        elif tag == "textarea" and self._textarea:
            # A browser reads CR LF as LF and drops the one newline right after <textarea>.
            text = self._text.replace("\r\n", "\n")
            self.pairs.append((self._textarea, text.removeprefix("\n")))
            self._textarea = None


def read_form(html: str) -> dict[str, str]:
    """The editor's fields as the browser would send them (one value per name)."""
    reader = FormReader()
    reader.feed(html)
    return dict(reader.pairs)


def question_index(data: dict[str, str], key: str) -> int:
    """The editor index of the question with ``key``."""
    for name, value in data.items():
        match = re.fullmatch(r"questions-(\d+)-key", name)
        if match and value == key:
            return int(match.group(1))
    raise KeyError(key)


def keys_in(data: dict[str, str]) -> list[str]:
    return [value for name, value in data.items() if re.fullmatch(r"questions-\d+-key", name)]


def count_versions(survey: Survey) -> int:
    return db.session.scalar(
        select(func.count()).select_from(SurveyVersion).where(SurveyVersion.survey_id == survey.id)
    )


def default_survey_row() -> Survey:
    return db.session.scalar(select(Survey).where(Survey.is_default.is_(True)))


def form_url(window) -> str:
    return f"/w/{window.code}?k={qr_key(window)}"


def relabelled(label_zh: str, definition: SurveyDefinition | None = None) -> SurveyDefinition:
    """``definition`` (the default one) with another Chinese overall question."""
    definition = definition or default_survey()
    questions = tuple(
        replace(q, label_zh=label_zh) if q.key == "overall" else q for q in definition.questions
    )
    return replace(definition, questions=questions)
