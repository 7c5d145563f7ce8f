"""The OpenAPI 3.1 description of ``/api/v1``, written by hand.

A test validates it and checks that it documents exactly the routes of the blueprint, so a
new route without documentation (or documentation of a removed one) fails the suite.
"""

from __future__ import annotations

from copy import deepcopy
from typing import Any

from feedback.api.parsing import (
    CLIENT_REF_RE,
    DEFAULT_PER_PAGE,
    MAX_PER_PAGE,
    MAX_RATING_AGE,
    MAX_TRANSACTION_LENGTH,
    TOKEN_RE,
)
from feedback.cards.qr import DEFAULT_BOX, MAX_BOX, MIN_BOX


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return _json(_ref("Error"), description)


def _responses(*names: str) -> dict[str, Any]:
    return {str(STATUS[name]): {"$ref": f"#/components/responses/{name}"} for name in names}


STATUS = {
    "BadRequest": 400, "Unauthorized": 401, "Forbidden": 403, "NotFound": 404,
    "Conflict": 409, "Gone": 410, "PayloadTooLarge": 413, "Unprocessable": 422,
    "TooManyRequests": 429,
}
DEVICE_SECURITY = [{"deviceKey": []}]
HOURS = MAX_RATING_AGE.total_seconds() // 3600

_ANSWER_VALUE = {
    "oneOf": [
        {"type": "string"},
        {"type": "integer"},
        {"type": "array", "items": {"type": ["string", "integer"]}, "maxItems": 50},
        {"type": "null"},
    ]
}
_LEVEL = {"type": ["integer", "string"], "enum": [1, 2, 3, 4, 5, "1", "2", "3", "4", "5"]}

_SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "description": "Every error of the API has this shape.",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["status", "code", "message"],
                "properties": {
                    "status": {"type": "integer", "description": "The HTTP status."},
                    "code": {
                        "type": "string",
                        "description": "The status as a word: `bad_request`, `unauthorized`, "
                                       "`forbidden`, `not_found`, `conflict`, "
                                       "`unprocessable_entity`, `too_many_requests` …",
                    },
                    "message": {"type": "string",
                                "description": "For people, in the request's language."},
                    "errors": {
                        "type": "object",
                        "description": "One error per field, keyed by its path "
                                       "(`window`, `answers.overall`).",
                        "additionalProperties": _ref("FieldError"),
                    },
                },
            }
        },
    },
    "FieldError": {
        "type": "object",
        "required": ["code", "message"],
        "properties": {
            "code": {
                "type": "string",
                "description": "Stable: `required`, `invalid`, `invalid_type`, `too_long`, "
                               "`unknown_field`, `unknown`, `inactive`, `in_future`, `too_old`, "
                               "`used`, `expired`, `evaluated`, `other_window`, `mismatch`, "
                               "`reused`; answers: `not_a_level`, `unknown_option`, `too_few`, "
                               "`too_many`, `unknown_staff`.",
            },
            "message": {"type": "string"},
            "message_en": {"type": "string", "description": "Answers only."},
            "message_zh": {"type": "string", "description": "Answers only."},
        },
    },
    "Answers": {
        "type": "object",
        "description": "Answers to the window's current questionnaire, keyed by question. "
                       "Numbers and strings are both accepted; `null` means not answered. "
                       "Keys that are not questions of the questionnaire are ignored.",
        "required": ["overall"],
        "properties": {
            "overall": {**_LEVEL, "description": "1 very dissatisfied … 5 very satisfied."},
            "speed": _LEVEL,
            "competence": _LEVEL,
            "attitude": _LEVEL,
            "integrity": _LEVEL,
            "staff": {"type": ["integer", "string"],
                      "description": "Id of an active staff member of the window."},
            "reasons": {"type": "array", "items": {"type": "string"},
                        "description": "Codes of what went wrong; kept for levels 1–2 only."},
            "comment": {"type": "string", "maxLength": 500},
        },
        "additionalProperties": _ANSWER_VALUE,
    },
    "EvaluationRequest": {
        "type": "object",
        "required": ["window", "answers"],
        "additionalProperties": False,
        "properties": {
            "window": {"type": "string", "maxLength": 32, "description": "The window's code."},
            "answers": _ref("Answers"),
            "transaction_no": {
                "type": "string", "minLength": 1, "maxLength": MAX_TRANSACTION_LENGTH,
                "description": "The transaction 办件号. Binds the evaluation to it "
                               "(`verified`); a second evaluation of it is refused (409).",
            },
            "token": {
                "type": "string", "pattern": f"^{TOKEN_RE.pattern}$",
                "description": "A one-time token issued by `POST /api/v1/tokens`.",
            },
            "rated_at": {
                "type": "string", "format": "date-time",
                "description": "When the citizen rated, with its offset; at most 5 minutes "
                               f"ahead and {HOURS:.0f} hours behind the server's clock.",
            },
            "client_ref": {
                "type": "string", "pattern": f"^{CLIENT_REF_RE.pattern}$",
                "description": "The device's own id for this evaluation: a retry with the "
                               "same value stores nothing new and answers 200.",
            },
        },
    },
    "Evaluation": {
        "type": "object",
        "required": ["id", "level", "tracking_no", "access_code", "verified", "flagged"],
        "properties": {
            "id": {"type": "integer"},
            "level": {"type": "integer", "minimum": 1, "maximum": 5},
            "tracking_no": {"type": ["string", "null"],
                            "description": "For bad reviews: the number a citizen quotes."},
            "access_code": {"type": ["string", "null"],
                            "description": "With a tracking number: the six-digit code the "
                                           "citizen enters beside it at /track to follow the "
                                           "case. Show both to the citizen; a retry with the "
                                           "same client_ref answers the same code."},
            "verified": {"type": "boolean", "description": "Bound to a transaction."},
            "flagged": {"type": "boolean", "description": "Left out of statistics."},
        },
    },
    "TokenRequest": {
        "type": "object",
        "required": ["window", "transaction_no"],
        "additionalProperties": False,
        "properties": {
            "window": {"type": "string", "maxLength": 32},
            "transaction_no": {"type": "string", "minLength": 1,
                               "maxLength": MAX_TRANSACTION_LENGTH},
        },
    },
    "Token": {
        "type": "object",
        "required": ["token", "window", "transaction_no", "url", "qr_png", "expires_at"],
        "properties": {
            "token": {"type": "string"},
            "window": {"type": "string"},
            "transaction_no": {"type": "string"},
            "url": {"type": "string", "format": "uri",
                    "description": "The citizen's rating page for this transaction."},
            "qr_png": {"type": "string", "format": "uri",
                       "description": "A QR code of `url` (device key required)."},
            "expires_at": {"type": "string", "format": "date-time"},
        },
    },
    "Window": {
        "type": "object",
        "required": ["code", "name", "org_unit", "category"],
        "additionalProperties": False,
        "properties": {
            "code": {"type": "string"},
            "name": {"type": "string"},
            "org_unit": _ref("CodeName"),
            "category": _ref("CodeName"),
        },
    },
    "CodeName": {
        "type": "object",
        "required": ["code", "name"],
        "additionalProperties": False,
        "properties": {"code": {"type": "string"}, "name": {"type": "string"}},
    },
    "WindowPage": {
        "type": "object",
        "required": ["items", "page", "per_page", "total", "pages"],
        "properties": {
            "items": {"type": "array", "items": _ref("Window")},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
            "total": {"type": "integer", "minimum": 0},
            "pages": {"type": "integer", "minimum": 0},
        },
    },
}

_SHARE = {"type": ["number", "null"], "minimum": 0, "maximum": 1}
_STATS_PROPERTIES: dict[str, Any] = {
    "from": {"type": "string", "format": "date", "description": "First local day counted."},
    "to": {"type": "string", "format": "date", "description": "Last local day counted."},
    "count": {"type": "integer", "minimum": 0,
              "description": "Counted evaluations (flagged and excluded ones are not)."},
    "counts": {
        "type": "object",
        "description": "Counted evaluations per level: `5` 非常满意 … `1` 非常不满意.",
        "required": ["1", "2", "3", "4", "5"],
        "additionalProperties": False,
        "properties": {str(level): {"type": "integer", "minimum": 0} for level in range(1, 6)},
    },
    "index": {"type": ["number", "null"], "minimum": 0, "maximum": 100,
              "description": "Satisfaction index 满意度指数 0–100 (5 → 100 … 1 → 0); "
                             "null without evaluations."},
    "good_share": {**_SHARE, "description": "Good-review share 好评率 (levels 4–5)."},
    "bad_share": {**_SHARE, "description": "Bad-review share 差评率 (levels 1–2)."},
    "flagged": {"type": "integer", "minimum": 0,
                "description": "Evaluations kept but not counted: flagged as suspicious "
                               "(存疑) or excluded by an upheld appeal (申诉复核)."},
    "verified": {"type": "integer", "minimum": 0,
                 "description": "Counted evaluations bound to a transaction (一事一评)."},
    "dimensions": {"type": "object", "description": "Mean level 1–5 per rated dimension "
                                                    "(`speed`, `competence`, `attitude`, "
                                                    "`integrity` …).",
                   "additionalProperties": {"type": ["number", "null"]}},
}
_STATS_REQUIRED = ["from", "to", "count", "counts", "index", "good_share", "bad_share",
                   "flagged", "verified", "dimensions"]
_SCHEMAS["WindowStats"] = {
    "type": "object",
    "required": ["window", *_STATS_REQUIRED],
    "properties": {
        "window": {"type": "object", "required": ["code", "name", "org_unit"],
                   "properties": {"code": {"type": "string"}, "name": {"type": "string"},
                                  "org_unit": _ref("CodeName")}},
        **_STATS_PROPERTIES,
    },
}
_SCHEMAS["OrgUnitStats"] = {
    "type": "object",
    "required": ["org_unit", "windows", *_STATS_REQUIRED],
    "properties": {
        "org_unit": _ref("CodeName"),
        "windows": {"type": "integer", "minimum": 0,
                    "description": "Windows of the subtree the token's user may see."},
        **_STATS_PROPERTIES,
    },
}

_RESPONSES: dict[str, Any] = {
    "BadRequest": _error("The body is not a JSON object, or a parameter is not valid."),
    "Unauthorized": {
        **_error("No device key or API token, or one that is wrong or revoked."),
        "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}},
    },
    "Forbidden": _error("The device may not act for this window."),
    "NotFound": _error("Nothing here, or nothing the token's user may see."),
    "Conflict": _error("The transaction or token has been evaluated, or the token expired."),
    "Gone": _error("The token has been used or has expired."),
    "PayloadTooLarge": _error("The body is larger than 64 KiB."),
    "Unprocessable": _error("Fields or answers that do not fit; see `errors`."),
    "TooManyRequests": _error("Too many requests for this device key or address; slow down."),
}

_PAGE_PARAMETERS = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 1}},
    {"name": "per_page", "in": "query",
     "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE,
                "default": DEFAULT_PER_PAGE}},
    {"name": "org_unit", "in": "query", "description": "Only windows in this unit's subtree.",
     "schema": {"type": "string", "maxLength": 32}},
    {"name": "category", "in": "query", "description": "Only windows of this service trade.",
     "schema": {"type": "string", "maxLength": 32}},
]

API_TOKEN_SECURITY = [{"apiToken": []}]
_PERIOD_PARAMETERS = [
    {"name": "from", "in": "query", "schema": {"type": "string", "format": "date"},
     "description": "First local day (YYYY-MM-DD, Asia/Shanghai); default: 29 days before `to`."},
    {"name": "to", "in": "query", "schema": {"type": "string", "format": "date"},
     "description": "Last local day, included; default: today. At most 1,098 days in all."},
]

_PATHS: dict[str, Any] = {
    "/api/v1/evaluations": {
        "post": {
            "operationId": "createEvaluation",
            "summary": "Store one evaluation from a rating device",
            "security": DEVICE_SECURITY,
            "requestBody": {"required": True, "content": {
                "application/json": {"schema": _ref("EvaluationRequest")}}},
            "responses": {
                "201": _json(_ref("Evaluation"), "Stored."),
                "200": _json(_ref("Evaluation"),
                             "Stored before, by a request with the same `client_ref`."),
                **_responses("BadRequest", "Unauthorized", "Forbidden", "Conflict",
                             "PayloadTooLarge", "Unprocessable", "TooManyRequests"),
            },
        }
    },
    "/api/v1/tokens": {
        "post": {
            "operationId": "createToken",
            "summary": "Issue a one-time evaluation token for a transaction (一事一评)",
            "security": DEVICE_SECURITY,
            "requestBody": {"required": True, "content": {
                "application/json": {"schema": _ref("TokenRequest")}}},
            "responses": {
                "201": _json(_ref("Token"), "Issued."),
                "200": _json(_ref("Token"), "The open token issued before for this transaction."),
                **_responses("BadRequest", "Unauthorized", "Forbidden", "Conflict",
                             "PayloadTooLarge", "Unprocessable", "TooManyRequests"),
            },
        }
    },
    "/api/v1/tokens/{token}/qr.png": {
        "get": {
            "operationId": "getTokenQr",
            "summary": "The token's rating link as a QR code, to print on the receipt",
            "security": DEVICE_SECURITY,
            "parameters": [
                {"name": "token", "in": "path", "required": True, "schema": {"type": "string"}},
                {"name": "size", "in": "query", "description": "Pixels per QR module.",
                 "schema": {"type": "integer", "minimum": MIN_BOX, "maximum": MAX_BOX,
                            "default": DEFAULT_BOX}},
            ],
            "responses": {
                "200": {"description": "The QR code.", "content": {
                    "image/png": {"schema": {"type": "string", "contentMediaType": "image/png"}}}},
                **_responses("BadRequest", "Unauthorized", "Forbidden", "NotFound", "Gone",
                             "TooManyRequests"),
            },
        }
    },
    "/api/v1/windows": {
        "get": {
            "operationId": "listWindows",
            "summary": "Active windows and their public fields",
            "security": [],
            "parameters": _PAGE_PARAMETERS,
            "responses": {
                "200": _json(_ref("WindowPage"),
                             "A page of windows in organisation-tree order."),
                **_responses("BadRequest", "TooManyRequests"),
            },
        }
    },
    "/api/v1/windows/{code}/stats": {
        "get": {
            "operationId": "getWindowStats",
            "summary": "A window's satisfaction figures for a period",
            "security": API_TOKEN_SECURITY,
            "parameters": [
                {"name": "code", "in": "path", "required": True, "schema": {"type": "string"},
                 "description": "The window's code."},
                *_PERIOD_PARAMETERS,
            ],
            "responses": {
                "200": _json(_ref("WindowStats"), "The figures."),
                **_responses("BadRequest", "Unauthorized", "NotFound", "TooManyRequests"),
            },
        }
    },
    "/api/v1/org-units/{code}/stats": {
        "get": {
            "operationId": "getOrgUnitStats",
            "summary": "An org unit's satisfaction figures (its whole subtree) for a period",
            "security": API_TOKEN_SECURITY,
            "parameters": [
                {"name": "code", "in": "path", "required": True, "schema": {"type": "string"},
                 "description": "The org unit's code (e.g. `HN-CS`)."},
                *_PERIOD_PARAMETERS,
            ],
            "responses": {
                "200": _json(_ref("OrgUnitStats"), "The figures."),
                **_responses("BadRequest", "Unauthorized", "NotFound", "TooManyRequests"),
            },
        }
    },
    "/api/v1/openapi.json": {
        "get": {
            "operationId": "getOpenApi",
            "summary": "This document",
            "security": [],
            "responses": {"200": {"description": "OpenAPI 3.1.",
                                  "content": {"application/json": {"schema": {
                                      "type": "object"}}}}},
        }
    },
}

# --- cases from other intake systems (feedback/api/cases.py) ---------------------------------

_SCHEMAS["CaseRequest"] = {
    "type": "object",
    "required": ["kind", "content"],
    "additionalProperties": False,
    "description": "A complaint, suggestion or praise about one window, or about a service "
                   "hall as a whole: give `window` or `hall`, not both.",
    "properties": {
        "window": {"type": "string", "maxLength": 32, "description": "The window's code."},
        "hall": {"type": "string", "maxLength": 32, "description": "The hall's org unit code."},
        "kind": {"type": "string", "enum": ["complaint", "suggestion", "praise"]},
        "content": {"type": "string", "minLength": 1, "maxLength": 2000,
                    "description": "What the citizen said; line breaks are kept."},
        "phone": {"type": "string", "maxLength": 32,
                  "description": "The citizen's number for the callback (回访), stored "
                                 "encrypted; its last four digits are the lookup's second "
                                 "factor. Needs `consent`."},
        "consent": {"type": "boolean", "default": False,
                    "description": "The citizen agreed that the number is kept to answer."},
        "client_ref": {"type": "string", "pattern": f"^{CLIENT_REF_RE.pattern}$",
                       "description": "The caller's own id for this case: a retry with the "
                                      "same value opens nothing new and answers 200."},
    },
}
_SCHEMAS["Case"] = {
    "type": "object",
    "required": ["tracking_no", "access_code", "kind", "state", "window", "hall",
                 "received_at", "due_at"],
    "properties": {
        "tracking_no": {"type": "string", "description": "The number the citizen quotes "
                                                         "(查询编号), e.g. `20270506-7KQ4MZ`."},
        "access_code": {"type": ["string", "null"],
                        "description": "Without a phone number: the six-digit code the "
                                       "citizen needs with the tracking number at `/track`. "
                                       "Tell the citizen; it is not stored in clear."},
        "kind": {"type": "string", "enum": ["complaint", "suggestion", "praise"]},
        "state": {"type": "string", "description": "`new` when opened."},
        "window": {"type": ["string", "null"]},
        "hall": {"type": "string", "description": "The hall's org unit code."},
        "received_at": {"type": "string", "format": "date-time"},
        "due_at": {"type": ["string", "null"], "format": "date-time",
                   "description": "The answer deadline, in working days."},
    },
}
_PATHS["/api/v1/cases"] = {
    "post": {
        "operationId": "createCase",
        "summary": "Open a case (complaint, suggestion, praise) from another intake system",
        "description": "For the 12345 platform and other intake systems, with the API token of "
                       "an operator, supervisor or administrator: windows and halls outside "
                       "that user's scope are unknown (422). The window's managers are told.",
        "security": API_TOKEN_SECURITY,
        "requestBody": {"required": True, "content": {
            "application/json": {"schema": _ref("CaseRequest")}}},
        "responses": {
            "201": _json(_ref("Case"), "Opened."),
            "200": _json(_ref("Case"), "Opened before, by a request with the same `client_ref` "
                                       "(`access_code` is given again)."),
            **_responses("BadRequest", "Unauthorized", "Forbidden", "Conflict",
                         "PayloadTooLarge", "Unprocessable", "TooManyRequests"),
        },
    }
}

_DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Manyi (满意) API",
        "version": "1",
        "description": "Rating devices (评价器) and the hall's queuing system store evaluations "
                       "and issue one-time evaluation tokens with a device key scoped to their "
                       "windows (`manyi device create`); other systems read satisfaction "
                       "figures with a user's token (`manyi token create`). Errors always have "
                       "the `Error` shape; messages are in Chinese, or in English with "
                       "`?lang=en`.",
    },
    "servers": [{"url": "/"}],
    "paths": _PATHS,
    "components": {
        "schemas": _SCHEMAS,
        "responses": _RESPONSES,
        "securitySchemes": {
            "deviceKey": {
                "type": "http",
                "scheme": "bearer",
                "bearerFormat": "mny_<prefix>_<secret>",
                "description": "A device key, shown once by `manyi device create`.",
            },
            "apiToken": {
                "type": "http",
                "scheme": "bearer",
                "bearerFormat": "mst_<prefix>_<secret>",
                "description": "A user's statistics token, shown once by "
                               "`manyi token create USERNAME`; it sees what that user sees "
                               "(anything else is 404).",
            },
        },
    },
}


def openapi_document() -> dict[str, Any]:
    """A fresh copy of the document (callers may not change the shared one)."""
    return deepcopy(_DOCUMENT)
