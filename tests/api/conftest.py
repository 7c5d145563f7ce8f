"""Fixtures for the API tests: devices with keys."""

from __future__ import annotations

import pytest

from feedback.extensions import db


@pytest.fixture
def make_device(app, make_window):
    """``make_device(windows=[...])`` → ``(device, key)``, through the real service."""
    from feedback.evaluations.devices import create_device

    counter = iter(range(1, 1_000_000))

    def _make(windows=None, name: str | None = None):
        device, key = create_device(None, name or f"评价器{next(counter)}",
                                    windows if windows is not None else [make_window()])
        db.session.commit()
        return device, key

    return _make

