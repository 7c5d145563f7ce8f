"""What the browser tests share."""

from __future__ import annotations

from tests.conftest import PASSWORD


def sign_in(page, base: str, username: str, lands_on: str = "/dashboard") -> None:
    """Sign in through the form and wait for the start page (managers' and supervisors'
    dashboard)."""
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit], button[type=submit]:not(.link)")
    page.wait_for_url(f"{base}{lands_on}")
