"""QR code images of links, as PNG or SVG bytes."""

from __future__ import annotations

import io

import qrcode
import qrcode.constants
from qrcode.image.pil import PilImage
from qrcode.image.svg import SvgPathImage

ERROR_LEVELS = {
    "L": qrcode.constants.ERROR_CORRECT_L,
    "M": qrcode.constants.ERROR_CORRECT_M,
    "Q": qrcode.constants.ERROR_CORRECT_Q,
    "H": qrcode.constants.ERROR_CORRECT_H,
}
MIN_BOX, MAX_BOX, DEFAULT_BOX = 2, 40, 10


def _code(data: str, error: str, box_size: int) -> qrcode.QRCode:
    if error not in ERROR_LEVELS:
        raise ValueError(f"error correction must be one of {''.join(ERROR_LEVELS)}")
    if not MIN_BOX <= box_size <= MAX_BOX:
        raise ValueError(f"size must be between {MIN_BOX} and {MAX_BOX}")
    code = qrcode.QRCode(error_correction=ERROR_LEVELS[error], box_size=box_size, border=4)
    code.add_data(data)
    code.make(fit=True)
    return code


def qr_modules(data: str, *, error: str = "M") -> list[list[bool]]:
    """The dark (True) and light modules of ``data``'s QR code, without the quiet zone."""
    code = _code(data, error, DEFAULT_BOX)
    code.border = 0
    return [list(map(bool, row)) for row in code.get_matrix()]


def qr_png(data: str, *, error: str = "M", box_size: int = DEFAULT_BOX) -> bytes:
    image = _code(data, error, box_size).make_image(image_factory=PilImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()


def qr_svg(data: str, *, error: str = "M", box_size: int = DEFAULT_BOX) -> bytes:
    image = _code(data, error, box_size).make_image(image_factory=SvgPathImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()
