"""Reading API requests into checked values, with an error per field.

Everything a device or a client sends is checked here before any service sees it: JSON that
is not an object, fields of the wrong type, control characters (PostgreSQL refuses NUL),
lengths, times. A refused request raises ``InvalidRequest`` carrying every field's error at
once, keyed by the field's path (``window``, ``answers.overall``); the view turns it into the
API's one error shape.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import request
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from feedback.errors import error_response
from surveys import AnswerError

MAX_BODY_BYTES = 64 * 1024  # an evaluation is a few hundred bytes
MAX_CODE_LENGTH = 32
MAX_TRANSACTION_LENGTH = 64  # EvaluationToken.transaction_no
MAX_ANSWER_ITEMS = 50
DEFAULT_PER_PAGE, MAX_PER_PAGE = 50, 200
# A device's clock may run a little fast; a device that was offline sends its ratings late.
CLOCK_SKEW = timedelta(minutes=5)
MAX_RATING_AGE = timedelta(hours=72)

_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
CLIENT_REF_RE = re.compile(r"[A-Za-z0-9._:-]{1,40}")  # "dev:<id>:<ref>" fits Evaluation.nonce
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")


class InvalidRequest(Exception):
    """The request cannot be acted on; ``errors`` maps field paths to ``{code, message}``."""

    def __init__(self, status: int, message: str,
                 errors: dict[str, dict[str, str]] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors or {}

    def response(self):
        if self.errors:
            return error_response(self.status, self.message, errors=self.errors)
        return error_response(self.status, self.message)


def field_error(code: str, message: str) -> dict[str, str]:
    return {"code": code, "message": message}


def answer_error(error: AnswerError) -> dict[str, str]:
    """A questionnaire's error in both languages, and ``message`` in the request's language."""
    return {**error.to_dict(), "message": error.message(str(get_locale()))}


def invalid(errors: dict[str, dict[str, str]]) -> InvalidRequest:
    return InvalidRequest(422, _("Please correct the fields listed in errors."), errors)


def read_json_object() -> dict[str, Any]:
    """The body as a JSON object; 400 for anything else, 413 above ``MAX_BODY_BYTES``.

    The content type is not insisted on: small devices often send none.
    """
    request.max_content_length = MAX_BODY_BYTES
    raw = request.get_data(cache=True)
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
        raise InvalidRequest(400, _("The body is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise InvalidRequest(400, _("The body must be a JSON object."))
    return data


class _Fields:
    """Reads the fields of one JSON object, collecting an error per bad field."""

    def __init__(self, data: dict[str, Any], allowed: tuple[str, ...]) -> None:
        self.data = data
        self.errors: dict[str, dict[str, str]] = {}
        for name in data:
            if name not in allowed:
                self.errors[name] = field_error("unknown_field", _("This field is not known."))

    def text(self, name: str, *, required: bool = False, max_length: int = MAX_CODE_LENGTH,
             pattern: re.Pattern[str] | None = None) -> str | None:
        value = self.data.get(name)
        if value is None:
            if required:
                self.errors[name] = field_error("required", _("This field is required."))
            return None
        if not isinstance(value, str):
            self.errors[name] = field_error("invalid_type", _("This field must be a string."))
            return None
        value = value.strip()
        if not value:
            if required:
                self.errors[name] = field_error("required", _("This field is required."))
            return None
        if len(value) > max_length:
            self.errors[name] = field_error(
                "too_long", _("At most %(n)d characters.", n=max_length))
            return None
        if _CONTROL_CHARS.search(value) or (pattern is not None and not pattern.fullmatch(value)):
            self.errors[name] = field_error("invalid", _("This value is not valid."))
            return None
        return value

    def raise_if_errors(self) -> None:
        if self.errors:
            raise invalid(self.errors)


# --- POST /evaluations ------------------------------------------------------------------------


@dataclass(frozen=True)
class EvaluationRequest:
    window: str
    answers: dict[str, str | list[str]]
    transaction_no: str | None = None
    token: str | None = None
    rated_at: datetime | None = None
    client_ref: str | None = None


EVALUATION_FIELDS = ("window", "answers", "transaction_no", "token", "rated_at", "client_ref")


def parse_evaluation(data: dict[str, Any], now: datetime) -> EvaluationRequest:
    """Check an evaluation body; raise ``InvalidRequest`` (422) listing every bad field."""
    fields = _Fields(data, EVALUATION_FIELDS)
    window = fields.text("window", required=True)
    answers = _answers(data.get("answers"), fields.errors)
    transaction_no = fields.text("transaction_no", max_length=MAX_TRANSACTION_LENGTH)
    token = fields.text("token", max_length=64, pattern=TOKEN_RE)
    client_ref = fields.text("client_ref", max_length=40, pattern=CLIENT_REF_RE)
    rated_at = _rated_at(fields.text("rated_at", max_length=40), now, fields.errors)
    fields.raise_if_errors()
    assert window is not None and answers is not None
    return EvaluationRequest(window=window, answers=answers, transaction_no=transaction_no,
                             token=token, rated_at=rated_at, client_ref=client_ref)


def _answers(value: Any, errors: dict[str, dict[str, str]]) -> dict[str, str | list[str]] | None:
    """JSON answers as the questionnaire reads a form: strings and lists of strings.

    Numbers become their decimal text (``5`` → ``"5"``); ``null`` means "not answered".
    Keys that are not questions are left for the questionnaire to ignore.
    """
    if value is None:
        errors["answers"] = field_error("required", _("This field is required."))
        return None
    if not isinstance(value, dict):
        errors["answers"] = field_error("invalid_type", _("This field must be an object."))
        return None
    answers: dict[str, str | list[str]] = {}
    for key, raw in value.items():
        if raw is None:
            continue
        try:
            if isinstance(raw, list):
                if len(raw) > MAX_ANSWER_ITEMS:
                    raise ValueError
                answers[key] = [_scalar(item) for item in raw]
            else:
                answers[key] = _scalar(raw)
        except ValueError:
            errors[f"answers.{key}"] = field_error(
                "invalid_type",
                _("An answer is a whole number, a string, or a list of them."))
    return answers


def _scalar(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise ValueError(value)


def _rated_at(value: str | None, now: datetime,
              errors: dict[str, dict[str, str]]) -> datetime | None:
    """An ISO 8601 time with its offset, no later than now (within skew) and not too old."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
        # Year 1 at +14:00 is before year 1 in UTC: astimezone overflows.
        moment = moment.astimezone(UTC) if moment.tzinfo is not None else None
    except (ValueError, OverflowError):
        moment = None
    if moment is None:
        errors["rated_at"] = field_error(
            "invalid", _("Give an ISO 8601 time with its offset, e.g. 2026-05-04T09:30:00+08:00."))
        return None
    if moment > now + CLOCK_SKEW:
        errors["rated_at"] = field_error("in_future", _("This time lies in the future."))
        return None
    if moment < now - MAX_RATING_AGE:
        errors["rated_at"] = field_error(
            "too_old", _("Ratings older than %(hours)d hours are not accepted.",
                         hours=MAX_RATING_AGE // timedelta(hours=1)))
        return None
    return min(moment, now)


# --- POST /tokens -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TokenRequest:
    window: str
    transaction_no: str


def parse_token_request(data: dict[str, Any]) -> TokenRequest:
    fields = _Fields(data, ("window", "transaction_no"))
    window = fields.text("window", required=True)
    transaction_no = fields.text("transaction_no", required=True,
                                 max_length=MAX_TRANSACTION_LENGTH)
    fields.raise_if_errors()
    assert window is not None and transaction_no is not None
    return TokenRequest(window=window, transaction_no=transaction_no)


# --- GET /windows -----------------------------------------------------------------------------


@dataclass(frozen=True)
class WindowQuery:
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    org_unit: str | None = None
    category: str | None = None


def parse_window_query(args: MultiDict[str, str]) -> WindowQuery:
    """``?page``, ``?per_page`` (1–200), ``?org_unit=CODE``, ``?category=code``; 400 if bad."""
    errors: dict[str, dict[str, str]] = {}
    page = _positive_int(args, "page", 1, None, errors)
    per_page = _positive_int(args, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE, errors)
    codes = {}
    for name in ("org_unit", "category"):
        value = args.get(name, "").strip()
        if len(value) > MAX_CODE_LENGTH or _CONTROL_CHARS.search(value):
            errors[name] = field_error("invalid", _("This value is not valid."))
        codes[name] = value or None
    if errors:
        raise InvalidRequest(400, _("Please correct the parameters listed in errors."), errors)
    return WindowQuery(page=page, per_page=per_page, **codes)


def _positive_int(args: MultiDict[str, str], name: str, default: int, maximum: int | None,
                  errors: dict[str, dict[str, str]]) -> int:
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9 or int(raw) < 1 \
            or (maximum is not None and int(raw) > maximum):
        limit = f"1–{maximum}" if maximum else "≥ 1"
        errors[name] = field_error("invalid", _("A whole number (%(limit)s).", limit=limit))
        return default
    return int(raw)
