"""CSV and XLSX downloads that are safe to open in a spreadsheet program.

Text that citizens wrote ends up in these files, and a spreadsheet program runs a cell that
starts with ``=``, ``+``, ``-`` or ``@`` as a formula (``=HYPERLINK("http://evil", "点此")``,
DDE commands): every string cell is passed through ``neutralise()``, which makes such text
literal with a leading apostrophe, as OWASP's CSV-injection guidance recommends. Numbers,
dates and booleans are written as what they are.

Chinese stays intact: CSV is UTF-8 with a byte-order mark (without it Excel reads GBK), and the
download name goes in ``filename*`` (RFC 5987) with an ASCII fallback for old clients.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from itertools import islice
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from flask import Response, current_app, has_app_context, has_request_context, stream_with_context
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

CSV_MIMETYPE = "text/csv"  # Flask adds "; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOM = "\ufeff"

# A cell starting with one of these is a formula (or becomes one) in Excel, LibreOffice or
# WPS: the ASCII ones, tab and line breaks (which some programs strip before parsing), and the
# full-width forms that Chinese input methods type and some programs read as their ASCII twins.
FORMULA_TRIGGERS = frozenset("=+-@\t\r\n＝＋－＠")
# Leading spaces (ordinary and ideographic) do not protect a formula in every program.
_LEADING_SPACE = " \u3000"

XLSX_MAX_ROWS = 1_048_576
XLSX_MAX_CELL = 32_767
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_WIDTH_SAMPLE = 200  # rows read ahead to size the columns
_CSV_CHUNK_ROWS = 500


def neutralise(value: Any) -> Any:
    """``value`` made safe for a spreadsheet cell: text that would start a formula gets a
    leading apostrophe (``'=1+1``); anything that is not text is returned unchanged."""
    if isinstance(value, str) and value:
        first = value.lstrip(_LEADING_SPACE)[:1] or value[0]
        if first in FORMULA_TRIGGERS:
            return "'" + str(value)
    return value


def _timezone() -> ZoneInfo:
    name = current_app.config["BABEL_DEFAULT_TIMEZONE"] if has_app_context() else "Asia/Shanghai"
    return ZoneInfo(name)


def _local(moment: datetime) -> datetime:
    """An aware time as the naive local time a spreadsheet shows (spreadsheets have no zones)."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(_timezone()).replace(tzinfo=None)


def _text(value: Any) -> str:
    return str(value) if not isinstance(value, str) else value


# --- file names ------------------------------------------------------------------------------


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII ``filename`` and the real one in ``filename*`` (RFC 6266)."""
    filename = _clean_filename(filename)
    stem, dot, ext = filename.rpartition(".")
    if not dot:
        stem, ext = filename, ""
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    ascii_stem = re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_stem).strip("._") or "export"
    ascii_ext = re.sub(r"[^A-Za-z0-9]+", "", ext)
    fallback = f"{ascii_stem}.{ascii_ext}" if ascii_ext else ascii_stem
    encoded = quote(filename, safe="!#$&+-.^_`|~")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"


def _clean_filename(filename: str) -> str:
    # No path parts, quotes or control characters: the name is ours to choose, not the path.
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"')
    return name.strip(" .") or "export"


def _download(response: Response, filename: str) -> Response:
    response.headers["Content-Disposition"] = content_disposition(filename)
    # Exports hold personal data: no shared or browser cache keeps a copy.
    response.headers["Cache-Control"] = "no-store"
    return response


# --- CSV -------------------------------------------------------------------------------------


def csv_cell(value: Any) -> str:
    """One CSV field: text neutralised, times local as ``YYYY-MM-DD HH:MM:SS``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return _local(value).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, int | float | Decimal):
        return str(value)
    return neutralise(_text(value))


def iter_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """The file as UTF-8 chunks: BOM, header, rows; RFC 4180 quoting and CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    buffer.write(BOM)
    writer.writerow([csv_cell(name) for name in header])
    iterator = iter(rows)
    while True:
        chunk = list(islice(iterator, _CSV_CHUNK_ROWS))
        writer.writerows([csv_cell(value) for value in row] for row in chunk)
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
        if len(chunk) < _CSV_CHUNK_ROWS:
            return


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    """A CSV download, streamed: ``rows`` may be a query that yields a million rows."""
    body: Iterator[bytes] = iter_csv(header, rows)
    if has_request_context():
        body = stream_with_context(body)
    return _download(Response(body, mimetype=CSV_MIMETYPE), filename)


# --- XLSX ------------------------------------------------------------------------------------


def _sheet_title(sheet: str, number: int = 1) -> str:
    title = _SHEET_FORBIDDEN.sub("_", sheet).strip("'") or "Sheet1"
    suffix = f" ({number})" if number > 1 else ""
    return title[: 31 - len(suffix)] + suffix


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _column_widths(header: Sequence[str], sample: list[Sequence[Any]]) -> list[float]:
    widths = []
    for index, name in enumerate(header):
        longest = _display_width(_text(name))
        for row in sample:
            if index < len(row) and row[index] is not None:
                value = row[index]
                shown = "2026-01-01 00:00:00" if isinstance(value, datetime) else _text(value)
                longest = max(longest, _display_width(shown.split("\n", 1)[0]))
        widths.append(min(max(longest + 2, 8), 60))
    return widths


def _xlsx_cell(ws, value: Any) -> WriteOnlyCell:
    if isinstance(value, datetime):
        cell = WriteOnlyCell(ws, value=_local(value))
        cell.number_format = "yyyy-mm-dd hh:mm:ss"
    elif isinstance(value, date):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = "yyyy-mm-dd"
    elif value is None or isinstance(value, bool | int | float | Decimal | time):
        cell = WriteOnlyCell(ws, value=value)
    else:
        text = ILLEGAL_CHARACTERS_RE.sub("", neutralise(_text(value)))[:XLSX_MAX_CELL]
        cell = WriteOnlyCell(ws, value=text)
        # Always text: openpyxl would otherwise store "#N/A" as an error and "=…" as a formula.
        cell.data_type = "s"
    return cell


def write_xlsx(target, header: Sequence[str], rows: Iterable[Sequence[Any]],
               sheet: str = "Sheet1") -> None:
    """Write a workbook to ``target`` (a path or binary file) in openpyxl's write-only mode:
    memory stays flat however many rows; past a sheet's row limit the rows go on in a new one."""
    workbook = Workbook(write_only=True)
    iterator = iter(rows)
    sample = list(islice(iterator, _WIDTH_SAMPLE))
    widths = _column_widths(header, sample)
    bold = Font(bold=True)
    wrap = Alignment(vertical="center")

    def new_sheet(number: int):
        ws = workbook.create_sheet(_sheet_title(sheet, number))
        for index, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(index)].width = width
        ws.freeze_panes = "A2"
        heading = []
        for name in header:
            cell = WriteOnlyCell(ws, value=ILLEGAL_CHARACTERS_RE.sub("", neutralise(_text(name))))
            cell.data_type = "s"
            cell.font = bold
            cell.alignment = wrap
            heading.append(cell)
        ws.append(heading)
        return ws

    number = 1
    ws = new_sheet(number)
    used = 1
    for row in _chain(sample, iterator):
        if used >= XLSX_MAX_ROWS:
            number += 1
            ws = new_sheet(number)
            used = 1
        ws.append([_xlsx_cell(ws, value) for value in row])
        used += 1
    workbook.save(target)


def _chain(first: list, rest: Iterator) -> Iterator:
    yield from first
    yield from rest


def xlsx_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]],
                  sheet: str = "Sheet1") -> Response:
    """An XLSX download: bold frozen header, text neutralised, dates as real dates."""
    spool = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115
    try:
        write_xlsx(spool, header, rows, sheet)
        size = spool.tell()
        spool.seek(0)
    except BaseException:
        spool.close()
        raise

    def body() -> Iterator[bytes]:
        with spool:
            while chunk := spool.read(64 * 1024):
                yield chunk

    response = Response(body(), mimetype=XLSX_MIMETYPE)
    response.content_length = size
    return _download(response, filename)
