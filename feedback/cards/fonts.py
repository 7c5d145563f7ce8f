"""The Chinese font for everything Manyi draws with matplotlib: desk cards now, charts later.

The font comes from a PyPI package, never from the operating system, so a fresh machine prints
the same glyphs: ``noto-cjk-sans-otc`` ships Noto Sans CJK Regular as an OpenType collection
(static CFF outlines; one face per region, we take the Simplified Chinese one).

Matplotlib must embed it as Type 3 (``pdf.fonttype`` 3, its default; pass ``PDF_RC`` to
``matplotlib.rc_context`` around ``savefig``): the glyphs are drawn from FreeType's outlines and
a ToUnicode map keeps the text searchable and extractable. Type 42 would put CFF outlines where
a PDF expects TrueType ones (readers warn "mismatch between font type and embedded font file")
and takes seconds to subset a 65,535-glyph font.
"""

from __future__ import annotations

import functools
from importlib.resources import as_file, files

from matplotlib.font_manager import FontPath, FontProperties
from matplotlib.ft2font import FT2Font

FONT_PACKAGE = "noto_cjk_sans_otc"
FONT_FILE = "NotoSansCJK-Regular.ttc"
FAMILY = "Noto Sans CJK SC"  # Simplified Chinese glyph forms (骨, 关 differ from the JP face)
PDF_RC = {"pdf.fonttype": 3}


class FontMissing(RuntimeError):
    """The font package is not installed or does not hold the expected face."""


@functools.cache
def cjk_font_path() -> FontPath:
    """The font file, as a ``str`` path that also carries the face index matplotlib needs.

    ``FontPath`` is a ``str`` subclass: ``str(cjk_font_path())`` is the file and
    ``.face_index`` selects the Simplified Chinese face of the collection.
    """
    try:
        resource = files(FONT_PACKAGE).joinpath(FONT_FILE)
    except ModuleNotFoundError:
        raise FontMissing(f"install the {FONT_PACKAGE.replace('_', '-')} package") from None
    # The wheel is unpacked on disk; as_file only copies for zipped installs (not ours).
    with as_file(resource) as path:
        filename = str(path)
    first = FT2Font(filename)
    for index in range(first.num_faces):
        face = first if index == 0 else FT2Font(filename, face_index=index)
        if face.family_name == FAMILY:
            return FontPath(filename, index)
    raise FontMissing(f"{filename} has no face named {FAMILY!r}")


def cjk_font(size: float = 12) -> FontProperties:
    """``FontProperties`` for Chinese text at ``size`` points."""
    return FontProperties(fname=cjk_font_path(), size=size)
