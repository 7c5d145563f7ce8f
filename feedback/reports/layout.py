"""A4 pages for the PDF reports, drawn with matplotlib's ``Figure`` API (never pyplot).

Text is set in the bundled Noto Sans CJK (``feedback.cards.fonts``) and embedded as Type 3
with a ToUnicode map, as on the desk cards: the PDF shows the same glyphs on any machine and
its Chinese can be searched and copied. Measuring and wrapping reuse the desk cards' helpers.

A :class:`Document` flows content down the page and starts a new one where the next piece
does not fit: headings (kept with what follows), paragraphs, boxes of figures, chart images
and tables whose header is repeated on every page they run over. Page numbers (第 1 页 / 共
N 页) are added at the end, when the number of pages is known.

Coordinates are millimetres from the top-left corner of the page, y downwards.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib import patheffects, rc_context
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.transforms import Affine2D
from PIL import Image

from feedback.cards.desk import fit_line, line_height, printable, wrap
from feedback.cards.fonts import PDF_RC, cjk_font

MM_PER_INCH = 25.4
A4 = (210.0, 297.0)
MARGIN_X = 18.0
MARGIN_TOP = 18.0
MARGIN_BOTTOM = 20.0  # the footer sits in it

BRAND = "#b3261e"  # the site's --brand red
INK = "#1d2430"
MUTED = "#5a6473"
LINE = "#d8dce3"
HEADER_BG = "#eef1f5"
ZEBRA = "#f7f8fa"
GOOD = "#1f7a3a"  # the site's --ok green
BAD = "#b3261e"

BODY_PT = 10.0
TABLE_PT = 8.5
HEADING_PT = 13.0
ROW_MM = 6.2


@dataclass(frozen=True)
class Column:
    """A table column: its title, width in mm and alignment (``left``, ``right``, ``center``)."""

    title: str
    width: float
    align: str = "left"


@dataclass(frozen=True)
class Headline:
    """A headline figure in a box: what it is, its value, and a line under it (a change)."""

    label: str
    value: str
    note: str = ""
    note_color: str = MUTED


class Page:
    """One A4 figure, with an invisible axes over all of it for images.

    Images go through an axes because only axes images reach the PDF at their own
    resolution (figure images are resampled to the figure's dpi).
    """

    def __init__(self) -> None:
        width, height = A4
        self.fig = Figure(figsize=(width / MM_PER_INCH, height / MM_PER_INCH), dpi=72)
        self.fig.suppressComposite = True
        self.images = self.fig.add_axes((0, 0, 1, 1))
        self.images.set_axis_off()
        self.images.set_xlim(0, width)
        self.images.set_ylim(0, height)
        self.transform = (Affine2D.from_values(1, 0, 0, -1, 0, height)
                          + Affine2D().scale(1 / MM_PER_INCH) + self.fig.dpi_scale_trans)

    def text(self, x: float, y: float, text: str, size: float = BODY_PT, *, color: str = INK,
             ha: str = "left", va: str = "top", bold: bool = False) -> None:
        if not text:
            return
        options = dict(transform=self.transform, fontproperties=cjk_font(size), color=color,
                       ha=ha, va=va, parse_math=False)
        if bold:
            # The font package has one weight: the glyphs' outline, stroked and drawn as a path
            # under the text, thickens it; the text itself stays text (searchable, copyable).
            self.fig.text(x, y, text, **options, path_effects=[
                patheffects.Stroke(linewidth=size / 22, foreground=color)])
        self.fig.text(x, y, text, **options)

    def rect(self, x: float, y: float, w: float, h: float, *, color: str = "none",
             edge: str | None = None, width: float = 0.5) -> None:
        self.fig.add_artist(Rectangle((x, y), w, h, facecolor=color, edgecolor=edge or "none",
                                      linewidth=width, transform=self.transform))

    def line(self, x0: float, y0: float, x1: float, y1: float, *, color: str = LINE,
             width: float = 0.6) -> None:
        self.fig.add_artist(Line2D([x0, x1], [y0, y1], color=color, linewidth=width,
                                   transform=self.transform))

    def image(self, x: float, y: float, w: float, h: float, pixels: np.ndarray) -> None:
        height = A4[1]
        self.images.imshow(pixels, extent=(x, x + w, height - y - h, height - y),
                           interpolation="none", aspect="auto")
        self.images.set_xlim(0, A4[0])
        self.images.set_ylim(0, height)


class Document:
    """Pages filled from the top; ``y`` is where the next piece goes."""

    def __init__(self, footer: str = "") -> None:
        self.footer = printable(footer)
        self.pages: list[Page] = []
        self.y = MARGIN_TOP
        self.new_page()

    # --- the frame ---------------------------------------------------------------------------

    @property
    def left(self) -> float:
        return MARGIN_X

    @property
    def width(self) -> float:
        return A4[0] - 2 * MARGIN_X

    @property
    def bottom(self) -> float:
        return A4[1] - MARGIN_BOTTOM

    @property
    def page(self) -> Page:
        return self.pages[-1]

    def new_page(self) -> Page:
        self.pages.append(Page())
        self.y = MARGIN_TOP
        return self.page

    def room(self) -> float:
        return self.bottom - self.y

    def ensure(self, height: float) -> None:
        """Start a new page unless ``height`` mm fit below ``y`` (a fresh page always fits)."""
        if self.y + height > self.bottom and self.y > MARGIN_TOP:
            self.new_page()

    def space(self, mm: float) -> None:
        self.y = min(self.y + mm, self.bottom)

    # --- content ---------------------------------------------------------------------------

    def heading(self, text: str, *, keep: float = 30.0) -> None:
        """A section heading, moved to the next page unless ``keep`` mm fit under it."""
        height = line_height(HEADING_PT, 1.3) + 3
        self.ensure(height + keep)
        if self.y > MARGIN_TOP:
            self.space(3)
        self.page.text(self.left, self.y, printable(text), HEADING_PT, bold=True)
        self.y += line_height(HEADING_PT, 1.3)
        self.page.line(self.left, self.y, self.left + self.width, self.y, color=BRAND, width=0.9)
        self.y += 3

    def paragraph(self, text: str, size: float = BODY_PT, *, color: str = INK,
                  leading: float = 1.6, indent: float = 0.0) -> None:
        """``text`` wrapped to the width, running over pages line by line."""
        step = line_height(size, leading)
        for line in wrap(printable(text), self.width - indent, size):
            self.ensure(step)
            self.page.text(self.left + indent, self.y, line, size, color=color)
            self.y += step
        self.y += step * 0.3

    def figures(self, items: Sequence[Headline], *, columns: int = 2, height: float = 27.0,
                gap: float = 4.0) -> None:
        """Boxes of headline figures, ``columns`` to a row."""
        box_w = (self.width - gap * (columns - 1)) / columns
        for start in range(0, len(items), columns):
            self.ensure(height)
            for offset, item in enumerate(items[start:start + columns]):
                x = self.left + offset * (box_w + gap)
                self.page.rect(x, self.y, box_w, height, color="white", edge=LINE, width=0.8)
                self.page.rect(x, self.y, 1.6, height, color=BRAND)
                self.page.text(x + 6, self.y + 4, printable(item.label), 9, color=MUTED)
                value, size = fit_line(printable(item.value), box_w - 12, 20, 12)
                self.page.text(x + 6, self.y + 10, value, size, bold=True)
                if item.note:
                    note, note_size = fit_line(printable(item.note), box_w - 12, 9, 7)
                    self.page.text(x + 6, self.y + height - 4, note, note_size,
                                   color=item.note_color, va="bottom")
            self.y += height + gap

    def image(self, png: bytes, *, width: float | None = None, caption: str = "") -> None:
        """A chart image (PNG bytes) at ``width`` mm (the full width by default)."""
        with Image.open(io.BytesIO(png)) as picture:
            pixels = np.asarray(picture.convert("RGB"))
        width = min(width or self.width, self.width)
        height = width * pixels.shape[0] / pixels.shape[1]
        if height > self.bottom - MARGIN_TOP:  # taller than a page: shrink it to fit
            height = self.bottom - MARGIN_TOP
            width = height * pixels.shape[1] / pixels.shape[0]
        caption_h = line_height(8.5, 1.5) if caption else 0.0
        self.ensure(height + caption_h)
        self.page.image(self.left + (self.width - width) / 2, self.y, width, height, pixels)
        self.y += height + 1
        if caption:
            for line in wrap(printable(caption), self.width, 8.5):
                self.ensure(line_height(8.5, 1.5))
                self.page.text(self.left, self.y, line, 8.5, color=MUTED)
                self.y += line_height(8.5, 1.5)
        self.y += 2

    def table(self, columns: Sequence[Column], rows: Sequence[Sequence[str]], *,
              size: float = TABLE_PT, strong: Sequence[int] = (), muted: Sequence[int] = (),
              min_rows: int = 3) -> None:
        """A table of text cells, each cut with an ellipsis to its column; the header comes
        again on each page the table runs over. Rows in ``strong`` (indexes) are bold (a
        total), those in ``muted`` grey (a gap such as "…")."""
        total = sum(c.width for c in columns)
        scale = self.width / total if total > self.width else 1.0
        widths = [c.width * scale for c in columns]
        pad = 1.6
        smallest = size - 1.5
        strong, muted = set(strong), set(muted)
        # keep the header with a few rows
        self.ensure(ROW_MM * (1 + min(min_rows, len(rows))))
        self._table_header(columns, widths, size, pad)
        for number, row in enumerate(rows):
            if self.y + ROW_MM > self.bottom:
                self.new_page()
                self._table_header(columns, widths, size, pad)
            page = self.page
            if number % 2 == 1:
                page.rect(self.left, self.y, sum(widths), ROW_MM, color=ZEBRA)
            x = self.left
            for column, width, value in zip(columns, widths, row, strict=True):
                text, text_size = fit_line(printable(str(value)), width - 2 * pad, size,
                                           smallest)
                page.text(_anchor(x, width, pad, column.align), self.y + ROW_MM / 2, text,
                          text_size, ha=column.align, va="center_baseline",
                          color=MUTED if number in muted else INK, bold=number in strong)
                x += width
            self.y += ROW_MM
        self.page.line(self.left, self.y, self.left + sum(widths), self.y, color=LINE)
        self.y += 3

    def _table_header(self, columns: Sequence[Column], widths: Sequence[float], size: float,
                      pad: float) -> None:
        page = self.page
        page.rect(self.left, self.y, sum(widths), ROW_MM + 0.6, color=HEADER_BG)
        x = self.left
        for column, width in zip(columns, widths, strict=True):
            text, text_size = fit_line(printable(column.title), width - 2 * pad, size,
                                       size - 1.5)
            page.text(_anchor(x, width, pad, column.align), self.y + (ROW_MM + 0.6) / 2, text,
                      text_size, ha=column.align, va="center_baseline", color=MUTED)
            x += width
        self.y += ROW_MM + 0.6

    # --- output ----------------------------------------------------------------------------

    def render(self, *, title: str = "", subject: str = "") -> bytes:
        """The PDF: every page with its footer and "第 i 页 / 共 N 页"."""
        count = len(self.pages)
        footer_y = A4[1] - MARGIN_BOTTOM / 2
        for number, page in enumerate(self.pages, start=1):
            page.line(MARGIN_X, footer_y - 4, A4[0] - MARGIN_X, footer_y - 4, color=LINE)
            if self.footer:
                text, size = fit_line(self.footer, self.width - 40, 8, 7)
                page.text(MARGIN_X, footer_y, text, size, color=MUTED, va="center_baseline")
            page.text(A4[0] - MARGIN_X, footer_y, f"第 {number} 页 / 共 {count} 页", 8,
                      color=MUTED, ha="right", va="center_baseline")
        buffer = io.BytesIO()
        metadata = {"Title": printable(title), "Subject": printable(subject),
                    "Creator": "Manyi", "Producer": "Manyi (matplotlib)"}
        with rc_context(PDF_RC), PdfPages(buffer, metadata=metadata) as pdf:
            for page in self.pages:
                pdf.savefig(page.fig)
        return buffer.getvalue()


def _anchor(x: float, width: float, pad: float, align: str) -> float:
    if align == "right":
        return x + width - pad
    if align == "center":
        return x + width / 2
    return x + pad

