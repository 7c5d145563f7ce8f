"""Helpers of the API tests: headers, counts, and checks of the documented shapes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jsonschema
from sqlalchemy import func, select

from feedback.api.openapi import openapi_document
from feedback.extensions import db


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def count(model, **where) -> int:
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return db.session.scalar(query) or 0


def assert_matches(schema_name: str, body: Any) -> None:
    """``body`` fits the OpenAPI document's ``components.schemas[schema_name]``."""
    document = openapi_document()
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "components": document["components"],
        "$ref": f"#/components/schemas/{schema_name}",
    }
    jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(body)


def assert_error(response, status: int, fields: Mapping[str, str] | None = None) -> dict:
    """A JSON error of the one shape with ``status``; ``fields`` maps field → expected code."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    body = response.get_json()
    assert_matches("Error", body)
    error = body["error"]
    assert error["status"] == status
    assert error["message"]
    for field, code in (fields or {}).items():
        assert error["errors"][field]["code"] == code, error
    return error
