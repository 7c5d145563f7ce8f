"""The one place Manyi reads the time, so tests and sweeps can set "now"."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime

_frozen: datetime | None = None


def now() -> datetime:
    """The current time as an aware UTC datetime (or the frozen one)."""
    return _frozen if _frozen is not None else datetime.now(UTC)


@contextlib.contextmanager
def frozen_at(moment: datetime) -> Iterator[None]:
    """Make ``now()`` answer ``moment`` inside the block (tests, ``--now`` of sweeps)."""
    global _frozen
    if moment.tzinfo is None:
        raise ValueError("frozen_at needs an aware datetime")
    previous, _frozen = _frozen, moment.astimezone(UTC)
    try:
        yield
    finally:
        _frozen = previous
