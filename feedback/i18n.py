"""Language choice (Simplified Chinese by default, English on request) and template helpers."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, current_app, has_request_context, request
from flask_babel import format_datetime, get_locale

from surveys import Level

LANG_COOKIE = "manyi_lang"


def select_locale() -> str:
    # Services translate their errors in CLI commands and tests too, outside any request.
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = request.args.get("lang") or request.cookies.get(LANG_COOKIE)
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _datetime(value: datetime | None, fmt: str = "yyyy-MM-dd HH:mm") -> str:
    return "" if value is None else format_datetime(value, fmt)


def _level_label(level: int) -> str:
    try:
        value = Level(int(level))
    except (TypeError, ValueError):
        return str(level)
    return value.label_zh if str(get_locale()) == "zh" else value.label_en


def register(app: Flask) -> None:
    from feedback.accounts.forms import ROLE_LABELS
    from feedback.evaluations.forms import CHANNEL_LABELS, FLAG_LABELS
    from feedback.orgs.forms import KIND_LABELS

    app.jinja_env.filters["datetime"] = _datetime
    app.jinja_env.globals["role_label"] = lambda role: ROLE_LABELS.get(role, role)
    app.jinja_env.globals["kind_label"] = lambda kind: KIND_LABELS.get(kind, kind)
    app.jinja_env.globals["channel_label"] = lambda c: CHANNEL_LABELS.get(c, c)
    app.jinja_env.globals["flag_label"] = lambda r: FLAG_LABELS.get(r, r)
    app.jinja_env.globals["level_label"] = _level_label
    app.jinja_env.globals["levels"] = list(Level)

    @app.context_processor
    def _language() -> dict[str, object]:
        locale = str(get_locale())
        return {
            "current_lang": locale,
            "html_lang": "zh-CN" if locale == "zh" else locale,
        }
