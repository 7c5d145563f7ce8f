"""Build ``static/fonts/manyi-cjk.woff2``: the Simplified Chinese face of the bundled Noto Sans
CJK, cut down to the characters Manyi's pages use.

Phones and Windows PCs have Chinese fonts, but a service-hall kiosk on a bare Linux may not,
and the interface must not show empty boxes. The CSS asks for the system's fonts first, so
this file is only downloaded where none is installed. Subset: every character of the
templates, the catalogues, the demo data and questionnaires, plus the 3,755 common characters
of GB 2312 level 1 (names, comments), so it stays about a megabyte.

Run by ``make`` at install time (the output is not committed): ``python -m tools.build_webfont``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools.subset import Options, Subsetter
from fontTools.ttLib import TTCollection

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "static" / "fonts" / "manyi-cjk.woff2"
SOURCES = ("templates", "feedback", "surveys")
SUFFIXES = {".html", ".po", ".py"}
FAMILY = "Noto Sans CJK SC"


def gb2312_level1() -> str:
    chars = []
    for high in range(0xB0, 0xD8):
        for low in range(0xA1, 0xFF):
            try:
                chars.append(bytes([high, low]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return "".join(chars)


def characters() -> set[str]:
    text = [gb2312_level1(), "".join(chr(c) for c in range(0x20, 0x7F)),
            "，。、；：？！“”‘’（）《》【】…—·￥％＋－／０１２３４５６７８９"]
    for folder in SOURCES:
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in SUFFIXES and path.is_file():
                text.append(path.read_text(encoding="utf-8", errors="ignore"))
    return {ch for ch in "".join(text) if ch.isprintable()}


def main() -> int:
    from feedback.cards.fonts import cjk_font_path

    source = cjk_font_path()
    collection = TTCollection(str(source))
    font = next(f for f in collection.fonts if f["name"].getDebugName(1) == FAMILY)
    options = Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.hinting = False
    options.desubroutinize = True  # CID-keyed CFF: flat charstrings render reliably in browsers
    subsetter = Subsetter(options)
    subsetter.populate(text="".join(sorted(characters())))
    subsetter.subset(font)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    font.flavor = "woff2"
    font.save(str(OUT))
    print(f"{OUT.relative_to(ROOT)}: {OUT.stat().st_size // 1024} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
