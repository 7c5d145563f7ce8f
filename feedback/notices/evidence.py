"""Evidence files of reports: images (JPEG, PNG) and PDFs, checked by content, stored apart.

A file is accepted for what it *is*, read from its first bytes and, for images, decoded by
Pillow — never for what its name says: ``photo.jpg`` holding HTML is refused. Files live in
``UPLOAD_FOLDER/notices`` (never under ``static/``) under a random name; the name the user
gave is kept only to show and to offer on download. They are served by
``feedback.notices.views.download`` to those who may see the notice, nobody else.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import secrets
import unicodedata
import warnings
from dataclasses import dataclass
from typing import IO

from flask import current_app
from flask_babel import gettext as _
from PIL import Image, UnidentifiedImageError

from feedback.errors import ServiceError

EVIDENCE_DIR = "notices"
DEFAULT_MAX_MB = 10
DEFAULT_MAX_FILES = 10

# (first bytes, content type, extension of the stored file, Pillow's format name)
SIGNATURES: tuple[tuple[bytes, str, str, str | None], ...] = (
    (b"\xff\xd8\xff", "image/jpeg", "jpg", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png", "PNG"),
    (b"%PDF-", "application/pdf", "pdf", None),
)


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed every check, ready to be stored."""

    data: bytes
    content_type: str
    extension: str
    original_name: str
    sha256: str


def max_bytes() -> int:
    return int(current_app.config.get("EVIDENCE_MAX_MB", DEFAULT_MAX_MB)) * 1024 * 1024


def max_files() -> int:
    return int(current_app.config.get("EVIDENCE_MAX_FILES", DEFAULT_MAX_FILES))


def display_name(filename: str | None) -> str:
    """The user's file name, fit to show: no directories, no control characters, ≤ 200."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    return (name or "file")[-200:]


def check_upload(filename: str | None, stream: IO[bytes]) -> CheckedFile:
    """Read and check one upload; ``ServiceError`` (field ``files``) naming the file if it is
    empty, too large, or not a JPEG, PNG or PDF by its content."""
    name = display_name(filename)
    limit = max_bytes()
    data = stream.read(limit + 1)
    if not data:
        raise ServiceError(_("%(name)s is empty.", name=name), "files")
    if len(data) > limit:
        raise ServiceError(
            _("%(name)s is larger than %(mb)d MB.", name=name, mb=limit // (1024 * 1024)),
            "files")
    for magic, content_type, extension, pillow_format in SIGNATURES:
        if data.startswith(magic):
            if pillow_format is not None:
                _check_image(name, data, pillow_format)
            else:
                _check_pdf(name, data)
            return CheckedFile(data, content_type, extension, name,
                               hashlib.sha256(data).hexdigest())
    raise ServiceError(_("%(name)s is not a JPEG or PNG image or a PDF file.", name=name), "files")


def _check_image(name: str, data: bytes, pillow_format: str) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format != pillow_format:
                    raise ValueError(image.format)
                image.verify()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError,
            Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ServiceError(_("%(name)s is not a readable image.", name=name), "files") from None


def _check_pdf(name: str, data: bytes) -> None:
    # A PDF ends with its trailer; a file cut short in transfer is refused here, not later.
    if b"%%EOF" not in data[-2048:]:
        raise ServiceError(_("%(name)s is not a complete PDF file.", name=name), "files")


def folder() -> str:
    path = os.path.join(current_app.config["UPLOAD_FOLDER"], EVIDENCE_DIR)
    os.makedirs(path, exist_ok=True)
    return path


def store(checked: CheckedFile) -> str:
    """Write ``checked`` under a new random name; return that name."""
    directory = folder()
    while True:
        stored_name = f"{secrets.token_hex(16)}.{checked.extension}"
        try:
            fd = os.open(os.path.join(directory, stored_name),
                         os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
        except FileExistsError:
            continue
        with os.fdopen(fd, "wb") as fh:
            fh.write(checked.data)
        return stored_name


def discard(stored_names: list[str]) -> None:
    """Remove files written for a request that was then refused."""
    for stored_name in stored_names:
        with contextlib.suppress(FileNotFoundError):
            os.remove(path_of(stored_name))


def path_of(stored_name: str) -> str:
    # Stored names are ours (hex + extension): no user input ever reaches the path.
    return os.path.join(current_app.config["UPLOAD_FOLDER"], EVIDENCE_DIR, stored_name)
