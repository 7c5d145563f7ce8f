"""Helpers of the case tests: rating through the real QR form, reading pages."""

from __future__ import annotations

import re

from sqlalchemy import select

from feedback.cases.models import Case
from feedback.evaluations.links import qr_key
from feedback.extensions import db


def form_url(window) -> str:
    return f"/w/{window.code}?k={qr_key(window)}"


def rate(client, window, **answers):
    """Submit the real rating form of ``window``; returns the thank-you page's response."""
    page = client.get(form_url(window))
    assert page.status_code == 200
    nonce = re.search(r'name="nonce" value="([^"]+)"', page.text).group(1)
    response = client.post(form_url(window), data={"nonce": nonce, **answers})
    assert response.status_code == 200, response.text
    return response


def shown(html: str, testid: str) -> str | None:
    match = re.search(rf'data-testid="{testid}"[^>]*>\s*([^<]+?)\s*<', html)
    return match.group(1) if match else None


def case_by_number(tracking_no: str) -> Case:
    db.session.expire_all()
    return db.session.scalars(select(Case).where(Case.tracking_no == tracking_no)).one()


def tracking_numbers(html: str) -> set[str]:
    return set(re.findall(r'data-case="([^"]+)"', html))
