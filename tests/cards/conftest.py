"""Helpers for the QR code and desk card tests: signing in, decoding codes, reading PDFs."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image

from feedback.accounts.models import Role, User


@dataclass
class PdfPage:
    text: str
    image: Image.Image


def read_pdf(data: bytes, dpi: int = 150) -> list[PdfPage]:
    """Each page's text (as a PDF reader extracts it) and the page rasterised by pdfium."""
    assert data.startswith(b"%PDF-")
    document = pdfium.PdfDocument(data)
    pages = []
    try:
        for page in document:
            textpage = page.get_textpage()
            pages.append(PdfPage(textpage.get_text_range(), page.render(scale=dpi / 72).to_pil()))
            textpage.close()
            page.close()
    finally:
        document.close()
    return pages


def decode_qr(image: Image.Image | bytes) -> list[str]:
    """The texts of every QR code zxing-cpp finds in ``image`` (a PIL image or PNG bytes)."""
    if isinstance(image, bytes):
        image = Image.open(io.BytesIO(image))
    return [r.text for r in zxingcpp.read_barcodes(image.convert("L"))
            if r.format == zxingcpp.BarcodeFormat.QRCode]


@pytest.fixture(name="read_pdf")
def read_pdf_fixture() -> Callable[..., list[PdfPage]]:
    return read_pdf


@pytest.fixture(name="decode_qr")
def decode_qr_fixture() -> Callable[..., list[str]]:
    return decode_qr


@pytest.fixture
def sign_in(auth, make_user) -> Callable[..., User]:
    """``sign_in(role, **scope)``: make a user and sign the test client in as them."""

    def _sign_in(role: Role = Role.ADMIN, **scope) -> User:
        user = make_user(role, **scope)
        response = auth.login(user.username)
        assert response.status_code == 302, "sign-in failed"
        return user

    return _sign_in
