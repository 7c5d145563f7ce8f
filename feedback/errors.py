"""Error pages for people, JSON errors of one shape for the API."""

from __future__ import annotations

from typing import Any

from flask import Flask, abort, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from feedback.extensions import db


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, message: str | None = None, **extra: Any):
    """``{"error": {"status", "code", "message", ...}}`` — the API's one error shape."""
    body = {
        "error": {
            "status": status,
            "code": HTTP_STATUS_CODES.get(status, "Unknown").lower().replace(" ", "_"),
            "message": message or HTTP_STATUS_CODES.get(status, "Error"),
            **extra,
        }
    }
    return jsonify(body), status


_TITLES = {
    400: lambda: _("The request could not be understood."),
    401: lambda: _("Please sign in first."),
    403: lambda: _("You are not allowed to see this page."),
    404: lambda: _("This page does not exist."),
    405: lambda: _("This action is not allowed here."),
    413: lambda: _("The file is too large."),
    429: lambda: _("Too many attempts. Please wait a moment and try again."),
    500: lambda: _("Something went wrong on our side. Please try again later."),
}


_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def refuse_nul_characters() -> None:
    """``before_request``: a NUL in the path, query or form is a bad request (400).

    No Manyi value contains one, and PostgreSQL refuses NUL in text: without this, a ``%00``
    in any code, token or search field reached the database and answered 500.
    """
    # The API reads its own bodies (JSON, whatever the content type), and checks them itself.
    if "\x00" in request.path or _has_nul(request.args) or (
        request.mimetype in _FORM_TYPES and not wants_json() and _has_nul(request.form)
    ):
        abort(400)


def _has_nul(values: MultiDict[str, str]) -> bool:
    return any("\x00" in key or any("\x00" in value for value in items)
               for key, items in values.lists())


def register(app: Flask) -> None:
    app.before_request(refuse_nul_characters)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        status = exc.code or 500
        if status >= 500:
            # A failed flush leaves the session unusable, and the error page reads the
            # signed-in user through it: start clean so the page itself can render.
            db.session.rollback()
        if wants_json():
            return error_response(status, exc.description)
        message = _TITLES.get(status, lambda: exc.name)()
        return render_template("errors/error.html", status=status, message=message), status

    @app.errorhandler(CSRFError)
    def _csrf_error(exc: CSRFError):
        if wants_json():
            return error_response(400, exc.description)
        message = _("The form has expired or was sent from elsewhere. Please reload and try again.")
        return render_template("errors/error.html", status=400, message=message), 400


class ServiceError(Exception):
    """A write refused for a reason the user can fix; ``message`` says which (translated)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
