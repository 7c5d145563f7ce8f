"""Writing the audit log."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import has_request_context, request

from feedback.audit.models import AuditLog
from feedback.extensions import db

if TYPE_CHECKING:
    from feedback.accounts.models import User

SYSTEM = "system"


def record(
    actor: User | None,
    action: str,
    obj: Any = None,
    changes: dict[str, Any] | None = None,
    *,
    object_type: str | None = None,
    object_id: str | int | None = None,
) -> AuditLog:
    """Add an audit entry to the session (the caller's request commits it).

    ``actor`` None means the system itself (sweeps, the command line without a user).
    """
    if obj is not None:
        object_type = object_type or type(obj).__name__
        object_id = object_id if object_id is not None else getattr(obj, "id", None)
    entry = AuditLog(
        actor_id=getattr(actor, "id", None),
        actor_name=getattr(actor, "username", None) or SYSTEM,
        action=action,
        object_type=object_type or "-",
        object_id=None if object_id is None else str(object_id),
        changes=_jsonable(changes) if changes else None,
        ip=request.remote_addr if has_request_context() else None,
    )
    db.session.add(entry)
    return entry


def apply_changes(obj: Any, new_values: dict[str, Any]) -> dict[str, list[Any]]:
    """Set ``new_values`` on ``obj``; return ``{field: [old, new]}`` for those that changed."""
    changes: dict[str, list[Any]] = {}
    for field, new in new_values.items():
        old = getattr(obj, field)
        if old != new:
            changes[field] = [old, new]
            setattr(obj, field, new)
    return changes


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
