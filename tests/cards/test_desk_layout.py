"""The desk card's font and text fitting, without the app."""

from __future__ import annotations

import os

import pytest
from matplotlib.font_manager import FontProperties
from matplotlib.ft2font import FT2Font

from feedback.cards.desk import (
    ELLIPSIS,
    NO_LINE_START,
    DeskCard,
    StaffEntry,
    fit_block,
    fit_line,
    printable,
    render_desk_cards,
    text_width,
    wrap,
)
from feedback.cards.fonts import FAMILY, cjk_font, cjk_font_path

PROMISES = "一次性告知办事所需材料，材料齐全当场受理（不超过5个工作日），文明用语、热情服务。" * 3


def test_the_font_comes_from_the_python_package_not_the_system():
    path = cjk_font_path()
    assert f"{os.sep}noto_cjk_sans_otc{os.sep}" in path
    assert not path.startswith("/usr/share")
    assert FT2Font(path, face_index=path.face_index).family_name == FAMILY == "Noto Sans CJK SC"
    assert cjk_font_path() is path  # looked up once
    props = cjk_font(20)
    assert isinstance(props, FontProperties)
    assert props.get_size_in_points() == 20
    assert props.get_file() == path and props.get_file().face_index == path.face_index


def test_chinese_is_wider_than_latin_and_scales_with_size():
    assert text_width("窗口", 10) > text_width("ab", 10)
    assert text_width("窗口", 20) == pytest.approx(2 * text_width("窗口", 10))
    assert text_width("窗", 72) == pytest.approx(25.4, rel=0.01)  # a Chinese glyph is 1 em


def test_wrap_keeps_lines_in_width_and_punctuation_off_line_starts():
    lines = wrap(PROMISES, 40, 12)
    assert len(lines) > 3
    assert "".join(lines) == PROMISES
    assert all(text_width(line, 12) <= 40 + text_width("，", 12) for line in lines)
    assert not any(line[0] in NO_LINE_START for line in lines)


def test_wrap_keeps_latin_words_whole_and_cuts_what_cannot_fit():
    sentence = "Scan the QR code to rate this window's service"
    lines = wrap(sentence, 25, 12)
    assert len(lines) > 1
    assert " ".join(lines) == sentence  # broken between words only
    assert all(text_width(line, 12) <= 25 for line in lines)
    link = "https://manyi.example.gov.cn/w/ab3k9mzq?k=x7p2qa"
    lines = wrap(link, 30, 10)
    assert len(lines) > 1 and "".join(lines) == link


def test_wrap_keeps_the_line_breaks_of_the_text():
    assert wrap("一、热情\n\n二、高效", 100, 10) == ["一、热情", "", "二、高效"]


def test_fit_line_shrinks_then_cuts():
    assert fit_line("窗口", 100, 20, 10) == ("窗口", 20)
    text, size = fit_line("不动产登记综合受理窗口", 40, 20, 8)
    assert size < 20 and text == "不动产登记综合受理窗口"
    cut, size = fit_line("不动产登记综合受理窗口" * 5, 30, 20, 10)
    assert size == 10 and cut.endswith(ELLIPSIS) and text_width(cut, 10) <= 30


def test_fit_block_shrinks_then_leaves_out_what_does_not_fit():
    lines, size = fit_block(PROMISES, 180, 100, 16, 9)
    assert size == 16 and "".join(lines) == PROMISES
    lines, size = fit_block(PROMISES * 20, 180, 30, 16, 9)
    assert size == 9
    assert lines[-1].endswith(ELLIPSIS)
    assert len(lines) * 9 * 1.45 / (72 / 25.4) <= 30


def test_printable_drops_what_the_font_cannot_draw():
    assert printable("张伟😀\x07\t李娜\n王芳") == "张伟 李娜\n王芳"


def test_a_card_with_emoji_and_odd_text_renders_without_missing_glyphs():
    # Warnings are errors in this suite: a glyph missing from the font would fail here.
    card = DeskCard(hall="大厅🏛", window="窗口 $x^2$ <b>", code="c", link="https://x/w/c?k=k",
                    commitments="🙂 承诺", staff=(StaffEntry("张🙂伟", "HN1"),))
    for size in ("a4", "tent"):
        assert render_desk_cards([card], size).startswith(b"%PDF-")


def test_nothing_to_print_or_an_unknown_size_is_an_error():
    card = DeskCard(hall="大厅", window="窗口", code="c", link="https://x/w/c?k=k")
    with pytest.raises(ValueError, match="no cards"):
        render_desk_cards([], "a4")
    with pytest.raises(ValueError, match="size"):
        render_desk_cards([card], "a5")
