"""Printable desk cards (台牌) as PDF, drawn with matplotlib's ``Figure`` API (never pyplot).

A card shows what the plan asks to put on the desk: the hall and the window, the staff on duty
with photo, badge number and party-member mark (亮身份), the window's commitments (亮承诺), and
the QR code citizens scan to rate the service, with one line saying so.

Two sizes (``SIZES``):

* ``a4``: A4 portrait, for a stand or the wall behind the window;
* ``tent``: A4 landscape folded in two along the dashed middle line into a table tent with two
  faces of 297 × 105 mm. The upper half is printed upside down, so once folded both faces read
  upright: one towards the citizen, one towards the staff and the queue behind.

The card is for citizens and is always Chinese-first: its labels are literal Chinese, with an
English line under the instruction to scan, whatever language the person printing it uses.
Nothing here touches Flask or the database: ``DeskCard`` carries plain values.
"""

from __future__ import annotations

import io
import logging
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
from matplotlib import patheffects, rc_context
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.font_manager import get_font
from matplotlib.ft2font import LoadFlags
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Ellipse, FancyBboxPatch, PathPatch, Rectangle
from matplotlib.path import Path
from matplotlib.transforms import Affine2D, Transform
from PIL import Image, ImageOps

from feedback.cards.fonts import PDF_RC, cjk_font, cjk_font_path
from feedback.cards.qr import qr_modules

log = logging.getLogger(__name__)

MM_PER_INCH = 25.4
PT_PER_MM = 72 / MM_PER_INCH
A4 = (210.0, 297.0)
SIZES = ("a4", "tent")

BRAND = "#b3261e"  # the site's --brand red
INK = "#1d2430"
MUTED = "#5a6473"
LINE = "#d8dce3"
PAPER_TINT = "#f6f1f0"
PARTY_RED = "#c8102e"
PLACEHOLDER_BG = "#e6e9ee"
PLACEHOLDER_FG = "#b7bfcb"

QR_ERROR = "Q"  # a desk card gets scratched and stained: 25 % of the code may be lost
QR_QUIET = 4  # modules of white around the code, as the standard asks
PHOTO_PIXELS = (270, 360)  # 3:4; about 250 dpi at the A4 card's 27 × 36 mm
ELLIPSIS = "…"

# Labels printed on the card (Chinese-first on purpose, see the module docstring).
SCAN_ZH = "请扫码评价本窗口服务"
SCAN_EN = "Scan the QR code to rate this window's service"
SCALE_ZH = "非常满意 · 满意 · 基本满意 · 不满意 · 非常不满意"
STAFF_HEADING = "亮身份 · 在岗工作人员"
PROMISE_HEADING = "亮承诺 · 服务承诺"
NO_STAFF = "（暂无在岗工作人员信息）"
MORE_STAFF = "另有{count}名工作人员在岗，扫码可见全部"
NO_PROMISES = "（本窗口暂未公布服务承诺）"
BADGE = "工号"
PARTY = "党员"
CODE_LABEL = "窗口编号"


@dataclass(frozen=True)
class StaffEntry:
    """One person on duty as the card shows them."""

    name: str
    badge_no: str
    title: str = ""
    party_member: bool = False
    photo: str | None = None  # path of a stored photo; a neutral placeholder when None


@dataclass(frozen=True)
class DeskCard:
    """Everything one card prints; built from a window by ``feedback.cards.queries``."""

    hall: str
    window: str
    code: str
    link: str  # the absolute rating link the QR code carries
    commitments: str = ""
    staff: tuple[StaffEntry, ...] = ()
    qr_version: int = 1


def render_desk_cards(cards: Iterable[DeskCard], size: str = "a4", *, title: str = "") -> bytes:
    """A PDF with one page per card. Raises ``ValueError`` for an unknown ``size``."""
    if size not in SIZES:
        raise ValueError(f"size must be one of {', '.join(SIZES)}")
    buffer = io.BytesIO()
    metadata = {"Title": title or "台牌", "Creator": "Manyi", "Subject": "desk cards"}
    with rc_context(PDF_RC), PdfPages(buffer, metadata=metadata) as pdf:
        pages = 0
        for card in cards:
            pdf.savefig(_page(card, size))
            pages += 1
        if not pages:
            raise ValueError("no cards to print")
    return buffer.getvalue()


def _printable_card(card: DeskCard) -> DeskCard:
    staff = tuple(replace(s, name=printable(s.name), badge_no=printable(s.badge_no),
                          title=printable(s.title)) for s in card.staff)
    return replace(card, hall=printable(card.hall), window=printable(card.window),
                   commitments=printable(card.commitments), staff=staff)


def _page(card: DeskCard, size: str) -> Figure:
    card = _printable_card(card)
    # Each photo is read once per card, though the tent prints it twice.
    photos = {s.photo: _load_photo(s.photo) for s in card.staff if s.photo is not None}
    if size == "a4":
        page = _Page(*A4)
        _draw_a4(_Panel(page, 0, 0, page.width, page.height), card, photos)
    else:
        page = _Page(A4[1], A4[0])
        half = page.height / 2
        # The upper half faces the other way once folded: turn it, so it reads upright.
        _draw_tent_face(_Panel(page, 0, 0, page.width, half, turned=True), card, photos)
        _draw_tent_face(_Panel(page, 0, half, page.width, half), card, photos)
        fold = _Panel(page, 0, 0, page.width, page.height)
        fold.line(0, half, page.width, half, color="#9aa3af", dashes=(4, 3))
    return page.fig


# --- drawing in millimetres ---------------------------------------------------------------


class _Page:
    """A figure the size of the paper, with one invisible axes over all of it for photos.

    Photos go through an axes because only axes images reach the PDF at their own resolution
    (other images are resampled to the figure's dpi); one axes for the page costs far less
    than one per photo. Compositing is off so each photo stays its own image.
    """

    def __init__(self, width_mm: float, height_mm: float) -> None:
        self.width, self.height = width_mm, height_mm
        self.fig = Figure(figsize=(width_mm / MM_PER_INCH, height_mm / MM_PER_INCH), dpi=72)
        self.fig.suppressComposite = True
        self.photos = self.fig.add_axes((0, 0, 1, 1))
        self.photos.set_axis_off()
        self.photos.set_xlim(0, width_mm)
        self.photos.set_ylim(0, height_mm)
        self.mm_to_display = Affine2D().scale(1 / MM_PER_INCH) + self.fig.dpi_scale_trans


class _Panel:
    """A rectangle of the page, addressed in mm from its top-left corner, y downwards.

    A ``turned`` panel is rotated by 180° on the page: the same drawing code prints it upside
    down (points are reflected through the panel's centre and text is rotated with them).
    """

    def __init__(self, page: _Page, left: float, top: float, width: float, height: float, *,
                 turned: bool = False) -> None:
        self.page, self.fig = page, page.fig
        self.width, self.height, self.turned = width, height, turned
        if turned:
            to_page = Affine2D.from_values(-1, 0, 0, 1, left + width, page.height - top - height)
        else:
            to_page = Affine2D.from_values(1, 0, 0, -1, left, page.height - top)
        self.transform: Transform = to_page + page.mm_to_display
        self._to_page = to_page

    def text(self, x: float, y: float, text: str, size: float, *, color: str = INK,
             ha: str = "left", va: str = "top", bold: bool = False) -> None:
        options = dict(
            transform=self.transform, fontproperties=cjk_font(size), color=color, ha=ha, va=va,
            rotation=180 if self.turned else 0, rotation_mode="anchor", parse_math=False,
        )
        if bold:
            # The font package has one weight: an outline of the glyphs, drawn as a path
            # under the text, thickens it. The text itself stays text (searchable, copyable).
            self.fig.text(x, y, text, **options, path_effects=[
                patheffects.Stroke(linewidth=size / 20, foreground=color)])
        self.fig.text(x, y, text, **options)

    def rect(self, x: float, y: float, w: float, h: float, *, color: str,
             radius: float = 0.0, edge: str | None = None) -> None:
        if radius:
            patch = FancyBboxPatch((x, y), w, h, boxstyle=f"round,pad=0,rounding_size={radius}",
                                   facecolor=color, edgecolor=edge or "none", linewidth=0.5,
                                   transform=self.transform)
        else:
            patch = Rectangle((x, y), w, h, facecolor=color, edgecolor=edge or "none",
                              linewidth=0.5, transform=self.transform)
        self.fig.add_artist(patch)

    def line(self, x0: float, y0: float, x1: float, y1: float, *, color: str = LINE,
             width: float = 0.6, dashes: tuple[float, float] | None = None) -> None:
        line = Line2D([x0, x1], [y0, y1], color=color, linewidth=width, transform=self.transform)
        if dashes:
            line.set_dashes(dashes)
        self.fig.add_artist(line)

    def image(self, x: float, y: float, w: float, h: float, pixels: np.ndarray) -> None:
        (x0, y0), (x1, y1) = self._to_page.transform([(x, y), (x + w, y + h)])
        self.page.photos.imshow(pixels[::-1, ::-1] if self.turned else pixels,
                                extent=(min(x0, x1), max(x0, x1), min(y0, y1), max(y0, y1)),
                                interpolation="none", aspect="auto")

    def qr(self, x: float, y: float, size: float, modules: Sequence[Sequence[bool]]) -> None:
        """The code with its quiet zone in a white ``size`` × ``size`` square, as vectors."""
        count = len(modules) + 2 * QR_QUIET
        step = size / count
        self.rect(x, y, size, size, color="white")
        vertices: list[tuple[float, float]] = []
        codes: list[int] = []
        for row, line in enumerate(modules):
            top = y + (row + QR_QUIET) * step
            for start, length in _dark_runs(line):
                left = x + (start + QR_QUIET) * step
                right = left + length * step
                vertices += [(left, top), (right, top), (right, top + step), (left, top + step),
                             (left, top)]
                codes += [Path.MOVETO, Path.LINETO, Path.LINETO, Path.LINETO, Path.CLOSEPOLY]
        self.fig.add_artist(PathPatch(Path(vertices, codes), facecolor="black",
                                      edgecolor="none", transform=self.transform))

    def photo(self, x: float, y: float, w: float, h: float, pixels: np.ndarray | None) -> None:
        if pixels is not None:
            self.image(x, y, w, h, pixels)
            self.rect(x, y, w, h, color="none", edge=LINE)
            return
        # A neutral silhouette: head and shoulders, clipped to the frame.
        frame = Rectangle((x, y), w, h, facecolor=PLACEHOLDER_BG, edgecolor=LINE,
                          linewidth=0.5, transform=self.transform)
        self.fig.add_artist(frame)
        head = Circle((x + w / 2, y + h * 0.38), w * 0.2, facecolor=PLACEHOLDER_FG,
                      edgecolor="none", transform=self.transform)
        body = Ellipse((x + w / 2, y + h * 1.02), w * 0.9, h * 0.72, facecolor=PLACEHOLDER_FG,
                       edgecolor="none", transform=self.transform)
        for part in (head, body):
            part.set_clip_path(frame)
            self.fig.add_artist(part)

    def paragraph(self, x: float, y: float, lines: Sequence[str], size: float, *,
                  color: str = INK, leading: float = 1.45, bold: bool = False) -> float:
        """Draw ``lines`` from ``y`` down; return the y below the last one."""
        step = line_height(size, leading)
        for index, line in enumerate(lines):
            if line:
                self.text(x, y + index * step, line, size, color=color, bold=bold)
        return y + len(lines) * step


def _dark_runs(line: Sequence[bool]) -> Iterable[tuple[int, int]]:
    start = None
    for index, dark in enumerate([*line, False]):
        if dark and start is None:
            start = index
        elif not dark and start is not None:
            yield start, index - start
            start = None


# --- text measuring and fitting -----------------------------------------------------------


@lru_cache(maxsize=8192)
def _advance(char: str) -> float:
    """The advance width of ``char`` in ems (Chinese text has no kerning to speak of, so a
    line's width is the sum of its characters': no layout run per measurement)."""
    font = get_font(cjk_font_path())
    glyph = font.load_char(ord(char), flags=LoadFlags.NO_SCALE | LoadFlags.NO_HINTING)
    return glyph.horiAdvance / font.units_per_EM


def text_width(text: str, size: float) -> float:
    """Width in mm of ``text`` set at ``size`` points in the card font."""
    return sum(_advance(char) for char in text) * size / PT_PER_MM


@lru_cache(maxsize=1)
def _covered() -> frozenset[int]:
    return frozenset(get_font(cjk_font_path()).get_charmap())


def printable(text: str) -> str:
    """``text`` without what the font cannot draw (emoji, control characters), which would
    otherwise print as empty boxes."""
    covered = _covered()
    text = text.replace("\t", " ")
    return "".join(c for c in text if c == "\n" or (ord(c) in covered and c.isprintable()))


def line_height(size: float, leading: float = 1.45) -> float:
    return size * leading / PT_PER_MM


# Kinsoku, lightly: these never start a line (they stay with the character before) and the
# openers never end one.
NO_LINE_START = set("，。、；：？！）》」』】〉”’…,.;:?!)]}%")
NO_LINE_END = set("（《「『【〈“‘([{")
# A Latin word, number or link (kept whole where it fits), a run of spaces, or one character.
TOKEN = re.compile(r"[A-Za-z0-9@#&_./:%+=?~'’\-]+\s*|\s+|.", re.S)


def wrap(text: str, width: float, size: float) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` mm: between any two Chinese
    characters, between Latin words, and at the newlines already in the text."""
    lines: list[str] = []
    for paragraph in text.splitlines():
        lines.extend(_wrap_paragraph(paragraph.strip(), width, size) or [""])
    return lines


def _wrap_paragraph(text: str, width: float, size: float) -> list[str]:
    tokens: list[str] = []
    for token in TOKEN.findall(text):
        if tokens and (token in NO_LINE_START or tokens[-1][-1:] in NO_LINE_END):
            tokens[-1] += token
        else:
            tokens.append(token)
    lines: list[str] = []
    current, current_width = "", 0.0
    for token in tokens:
        token_width = text_width(token, size)
        if current_width + token_width <= width or not current:
            current, current_width = current + token, current_width + token_width
        else:
            lines.append(current.rstrip())
            current = token.lstrip()
            current_width = text_width(current, size)
        while current_width > width and len(current) > 1:
            # one word wider than the line (a long link): cut it where it must be cut
            cut = max(1, _fitting_prefix(current, width, size))
            lines.append(current[:cut])
            current = current[cut:]
            current_width = text_width(current, size)
    if current.strip():
        lines.append(current.rstrip())
    return lines


def _fitting_prefix(text: str, width: float, size: float) -> int:
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if text_width(text[:middle], size) <= width:
            low = middle
        else:
            high = middle - 1
    return low


def fit_line(text: str, width: float, size: float, smallest: float) -> tuple[str, float]:
    """``text`` at the largest size down to ``smallest`` that fits ``width``; cut with an
    ellipsis if even the smallest does not."""
    while size > smallest and text_width(text, size) > width:
        size = max(smallest, size - 1)
    if text_width(text, size) > width:
        text = text[: _fitting_prefix(text, width - text_width(ELLIPSIS, size), size)] + ELLIPSIS
    return text, size


def fit_block(text: str, width: float, height: float, size: float, smallest: float,
              leading: float = 1.45) -> tuple[list[str], float]:
    """Lines of ``text`` and the largest size down to ``smallest`` at which they fit the box;
    at the smallest size, the lines that do not fit are left out and the last one ends in
    an ellipsis."""
    while True:
        lines = wrap(text, width, size)
        if len(lines) * line_height(size, leading) <= height or size <= smallest:
            break
        size = max(smallest, size - 0.5)
    room = max(1, math.floor(height / line_height(size, leading)))
    if len(lines) > room:
        lines = lines[:room]
        lines[-1] = fit_line(lines[-1] + ELLIPSIS, width, size, size)[0]
    return lines, size


# --- the card -----------------------------------------------------------------------------


Photos = dict[str, np.ndarray | None]


def _load_photo(path: str) -> np.ndarray | None:
    """The photo cropped to 3:4 and scaled down; None when it cannot be read."""
    try:
        with Image.open(path) as image:
            image = ImageOps.exif_transpose(image).convert("RGB")
            image = ImageOps.fit(image, PHOTO_PIXELS, Image.Resampling.LANCZOS,
                                 centering=(0.5, 0.35))
            return np.asarray(image)
    except (OSError, ValueError, Image.DecompressionBombError):
        log.warning("desk card: cannot read staff photo %s; printing a placeholder", path)
        return None


@dataclass(frozen=True)
class _StaffGrid:
    columns: int
    rows: int
    cell_w: float
    cell_h: float
    photo_w: float
    name_size: float
    detail_size: float


def _staff_cells(card: DeskCard, grid: _StaffGrid) -> tuple[list[StaffEntry], int]:
    """The staff that fit the grid, and how many more are on duty (shown as a note)."""
    room = grid.columns * grid.rows
    if len(card.staff) <= room:
        return list(card.staff), 0
    return list(card.staff[: room - 1]), len(card.staff) - (room - 1)


def _draw_staff(panel: _Panel, card: DeskCard, photos: Photos, x: float, y: float,
                grid: _StaffGrid) -> float:
    """Draw the staff grid from ``(x, y)``; return the y below it."""
    shown, more = _staff_cells(card, grid)
    if not shown:
        panel.text(x, y, NO_STAFF, grid.detail_size + 1, color=MUTED)
        return y + line_height(grid.detail_size + 1)
    photo_h = grid.photo_w * 4 / 3
    text_x = grid.photo_w + 2.5
    text_w = grid.cell_w - text_x - 2
    for index, entry in enumerate(shown):
        cx = x + (index % grid.columns) * grid.cell_w
        cy = y + (index // grid.columns) * grid.cell_h
        panel.photo(cx, cy, grid.photo_w, photo_h, photos.get(entry.photo or ""))
        name, size = fit_line(entry.name, text_w, grid.name_size, grid.detail_size)
        panel.text(cx + text_x, cy + 0.5, name, size, bold=True)
        line_y = cy + 0.5 + line_height(grid.name_size, 1.5)
        badge, small = fit_line(f"{BADGE} {entry.badge_no}", text_w, grid.detail_size,
                                grid.detail_size - 2)
        panel.text(cx + text_x, line_y, badge, small)
        line_y += line_height(grid.detail_size)
        if entry.title:
            title, small = fit_line(entry.title, text_w, grid.detail_size, grid.detail_size - 2)
            panel.text(cx + text_x, line_y, title, small, color=MUTED)
            line_y += line_height(grid.detail_size)
        if entry.party_member:
            tag_h = line_height(grid.detail_size, 1.35)
            tag_w = text_width(PARTY, grid.detail_size) + 2.4
            panel.rect(cx + text_x, line_y + 0.6, tag_w, tag_h, color=PARTY_RED, radius=0.8)
            panel.text(cx + text_x + tag_w / 2, line_y + 0.6 + tag_h / 2, PARTY,
                       grid.detail_size, color="white", ha="center", va="center_baseline")
    if more:
        index = len(shown)
        cx = x + (index % grid.columns) * grid.cell_w
        cy = y + (index // grid.columns) * grid.cell_h
        note = wrap(MORE_STAFF.format(count=more), grid.cell_w - 4, grid.detail_size)
        panel.paragraph(cx, cy + 2, note, grid.detail_size, color=MUTED)
    rows = math.ceil((len(shown) + (1 if more else 0)) / grid.columns)
    return y + rows * grid.cell_h


def _title(panel: _Panel, x: float, y: float, text: str, width: float, height: float,
           size: float, smallest: float, *, color: str) -> None:
    """The window's name: one line, shrunk down to ``smallest``; else wrapped to ``height``."""
    if text_width(text, smallest) <= width:
        line, line_size = fit_line(text, width, size, smallest)
        panel.text(x, y, line, line_size, color=color, bold=True)
        return
    lines, line_size = fit_block(text, width, height, smallest, smallest * 0.6, leading=1.15)
    panel.paragraph(x, y, lines, line_size, color=color, leading=1.15, bold=True)


def _heading(panel: _Panel, x: float, y: float, text: str, size: float) -> float:
    bar_h = line_height(size, 1.1)
    panel.rect(x, y, 1.6, bar_h, color=BRAND)
    panel.text(x + 3.5, y + bar_h / 2, text, size, bold=True, va="center_baseline")
    return y + bar_h + 2.5


def _footer(card: DeskCard) -> str:
    return f"{CODE_LABEL} {card.code} · 二维码第{card.qr_version}版 · 满意 Manyi"


def _draw_a4(panel: _Panel, card: DeskCard, photos: Photos) -> None:
    width, height, margin = panel.width, panel.height, 14.0
    inner = width - 2 * margin

    # Header band: hall, then the window in large type.
    panel.rect(0, 0, width, 40, color=BRAND)
    hall, size = fit_line(card.hall, inner, 13, 9)
    panel.text(margin, 9, hall, size, color="white")
    _title(panel, margin, 17, card.window, inner, 21, 34, 24, color="white")

    # 亮身份: up to six people in two rows of three.
    y = _heading(panel, margin, 48, STAFF_HEADING, 14)
    grid = _StaffGrid(columns=3, rows=2, cell_w=inner / 3, cell_h=42, photo_w=27,
                      name_size=16, detail_size=10.5)
    y = _draw_staff(panel, card, photos, margin, y + 1, grid) + 4

    # The scanning block at the foot of the page.
    block_top = height - margin - 88
    # 亮承诺: whatever room is left between the staff and the scanning block.
    y = _heading(panel, margin, y, PROMISE_HEADING, 14)
    body = card.commitments.strip() or NO_PROMISES
    lines, size = fit_block(body, inner, block_top - 6 - y, 16, 9)
    panel.paragraph(margin, y, lines, size,
                    color=INK if card.commitments.strip() else MUTED)

    panel.rect(margin - 2, block_top, inner + 4, 84, color=PAPER_TINT, radius=3)
    qr_size = 76
    panel.qr(margin + 2, block_top + 4, qr_size, qr_modules(card.link, error=QR_ERROR))
    text_x = margin + 2 + qr_size + 6
    text_w = margin + inner - 4 - text_x
    lines, size = fit_block(SCAN_ZH, text_w, 24, 26, 16, leading=1.3)
    y = panel.paragraph(text_x, block_top + 8, lines, size, color=BRAND, leading=1.3, bold=True)
    for line in wrap(SCAN_EN, text_w, 11):
        panel.text(text_x, y + 1, line, 11, color=INK)
        y += line_height(11)
    y += 3
    y = panel.paragraph(text_x, y, wrap(SCALE_ZH, text_w, 9.5), 9.5, color=MUTED)
    link_lines = wrap(card.link, text_w, 7)
    link_top = block_top + 80 - len(link_lines) * line_height(7, 1.3)
    panel.paragraph(text_x, link_top, link_lines, 7, color=MUTED, leading=1.3)
    panel.text(width / 2, height - margin + 5, _footer(card), 7.5, color=MUTED, ha="center")


def _draw_tent_face(panel: _Panel, card: DeskCard, photos: Photos) -> None:
    width, height, margin = panel.width, panel.height, 8.0
    qr_col = 74.0
    left_w = width - 2 * margin - qr_col - 6

    hall, size = fit_line(card.hall, left_w, 10, 7.5)
    panel.text(margin, margin - 1, hall, size, color=MUTED)
    _title(panel, margin, margin + 4.5, card.window, left_w, 11, 24, 16, color=BRAND)
    panel.rect(margin, margin + 16, left_w, 0.6, color=BRAND)

    grid = _StaffGrid(columns=4, rows=1, cell_w=left_w / 4, cell_h=27, photo_w=17.5,
                      name_size=12, detail_size=8.5)
    y = _draw_staff(panel, card, photos, margin, margin + 19.5, grid) + 1

    y = _heading(panel, margin, y, PROMISE_HEADING, 10)
    body = card.commitments.strip() or NO_PROMISES
    lines, size = fit_block(body, left_w, height - margin - y, 11, 7, leading=1.35)
    panel.paragraph(margin, y, lines, size, leading=1.35,
                    color=INK if card.commitments.strip() else MUTED)

    qr_x = width - margin - qr_col
    qr_size = 62
    panel.qr(qr_x + (qr_col - qr_size) / 2, margin - 3, qr_size,
             qr_modules(card.link, error=QR_ERROR))
    centre = qr_x + qr_col / 2
    scan, size = fit_line(SCAN_ZH, qr_col, 14, 10)
    panel.text(centre, margin + 60, scan, size, color=BRAND, ha="center", bold=True)
    english, size = fit_line(SCAN_EN, qr_col, 7.5, 6)
    panel.text(centre, margin + 67, english, size, ha="center")
    scale, size = fit_line(SCALE_ZH, qr_col, 7, 5.5)
    panel.text(centre, margin + 72, scale, size, color=MUTED, ha="center")
    panel.text(centre, height - margin - 3, _footer(card), 6, color=MUTED, ha="center")
