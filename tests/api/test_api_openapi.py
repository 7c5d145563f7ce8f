"""The OpenAPI document is valid and describes exactly the routes the API has."""

from __future__ import annotations

import re

from openapi_spec_validator import validate

from feedback.api.auth import API_TOKEN, DEVICE
from feedback.permissions import PUBLIC, access_rule_of

API_PREFIX = "/api/v1"
IGNORED_METHODS = {"HEAD", "OPTIONS"}


def served_operations(app) -> set[tuple[str, str]]:
    """``{(path in OpenAPI form, method)}`` for every /api/v1 route of ``app``."""
    operations = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(API_PREFIX + "/"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in rule.methods - IGNORED_METHODS:
            operations.add((path, method.lower()))
    return operations


def documented_operations(document) -> set[tuple[str, str]]:
    return {(path, method) for path, item in document["paths"].items() for method in item}


def test_the_document_is_served_and_valid(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    validate(document)
    assert document["openapi"].startswith("3.1")


def test_every_route_is_documented_and_every_documented_route_exists(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert served_operations(app) == documented_operations(document)


def test_documented_security_matches_the_access_rules(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if not rule.rule.startswith(API_PREFIX + "/"):
                continue
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
            access = access_rule_of(rule.endpoint)
            for method in rule.methods - IGNORED_METHODS:
                security = document["paths"][path][method.lower()]["security"]
                if access == DEVICE:
                    assert security == [{"deviceKey": []}], (path, method)
                    assert "401" in document["paths"][path][method.lower()]["responses"]
                elif access == API_TOKEN:
                    assert security == [{"apiToken": []}], (path, method)
                    assert "401" in document["paths"][path][method.lower()]["responses"]
                else:
                    assert access == PUBLIC and security == [], (path, method)


def test_every_referenced_schema_exists(client):
    document = client.get("/api/v1/openapi.json").get_json()
    text = str(document)
    for kind, name in re.findall(r"#/components/(\w+)/(\w+)", text):
        assert name in document["components"][kind], (kind, name)
