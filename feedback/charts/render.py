"""A chart's ``Figure`` as PNG or SVG bytes: Agg for pixels, matplotlib's SVG writer for vectors.

Never pyplot: a figure built with ``matplotlib.figure.Figure`` belongs to nobody but its
caller and is freed with it, so a web process neither keeps figures alive nor shares state
between requests.
"""

from __future__ import annotations

import io

from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from feedback.charts.style import DPI, PNG_SCALE

MIMETYPES = {"png": "image/png", "svg": "image/svg+xml"}
FORMATS = tuple(MIMETYPES)
# FreeType's autohinter (matplotlib's default for Agg) costs about as much as the rest of a
# chart: every glyph of the CJK font is re-hinted at every draw. At twice the CSS resolution
# unhinted glyphs look as sharp, and a chart full of labels renders in half the time. (Like
# ``desk.py``'s PDF settings, it is set only around the draw; a draw in another thread at that
# moment would merely be unhinted too.)
PNG_RC = {"text.hinting": "no_hinting"}


def render(fig: Figure, fmt: str) -> bytes:
    """``fig`` as ``png`` (at ``PNG_SCALE`` times its CSS size) or ``svg`` bytes.

    Raises ``ValueError`` for another format. SVG text is drawn as glyph outlines of the
    bundled font, so it shows the same characters where the viewer has no Chinese font.
    """
    if fmt not in MIMETYPES:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    buffer = io.BytesIO()
    if fmt == "svg":
        FigureCanvasSVG(fig)
        fig.savefig(buffer, format="svg", dpi=DPI, metadata={"Date": None, "Creator": "Manyi"})
        return buffer.getvalue()
    _png(fig, buffer)
    return buffer.getvalue()


def _png(fig: Figure, buffer: io.BytesIO) -> None:
    # Charts sit on white: RGB instead of Agg's RGBA halves the time zlib and the PNG filters
    # take and makes smaller files. zlib level 1 saves another third of the encoding (20 ms on
    # a 20-window ranking) for files 2 % larger than level 6.
    canvas = FigureCanvasAgg(fig)
    dpi = fig.dpi
    fig.set_dpi(DPI * PNG_SCALE)
    try:
        with rc_context(PNG_RC):
            canvas.draw()
        width, height = canvas.get_width_height(physical=True)
        image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA",
                                 0, 1).convert("RGB")
    finally:
        fig.set_dpi(dpi)
    info = PngInfo()
    info.add_text("Software", "Manyi")
    image.save(buffer, format="png", pnginfo=info, dpi=(DPI * PNG_SCALE,) * 2,
               compress_level=1)
