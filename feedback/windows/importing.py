"""Spreadsheet import of windows and staff (service halls keep these in spreadsheets).

Three plain functions, callable without a request:

* ``read_table(filename, data)``: CSV (UTF-8 with or without BOM, else GB18030, which Excel
  in China writes) or XLSX (first sheet) bytes → the non-blank rows, numbered as the
  spreadsheet shows them; raises ``ImportFileError`` for a file it cannot read;
* ``validate_windows`` / ``validate_staff``: every row checked against the database and the
  importing user's scope, every error collected by row and column;
* ``import_spreadsheet``: both of the above, then, only when not one row is wrong, every
  creation through the window services (which audit it). It flushes; the caller commits, or
  rolls back when the result has errors.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from feedback.accounts.models import User
from feedback.audit.services import record
from feedback.errors import ServiceError
from feedback.extensions import db
from feedback.orgs.models import OrgUnit, ServiceCategory, UnitKind
from feedback.permissions import may
from feedback.windows.forms import TEXT_LIMIT
from feedback.windows.models import DISCLOSURES, Staff, Window
from feedback.windows.services import PUBLIC_TEXT_FIELDS, create_staff, create_window

MAX_ROWS = 5000
# Title rows above the header (a merged "XX大厅窗口一览表" line) are common; look this far.
HEADER_SEARCH_ROWS = 10
MAX_COLUMNS = 50
# An XLSX is a zip: refuse one that unpacks to far more than any real 5,000-row sheet.
MAX_XLSX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_ERRORS_SHOWN = 200
_QUERY_CHUNK = 500  # codes per IN (...), well inside SQLite's and PostgreSQL's limits
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls format
# Invisible characters that reorder text: harmless to us, but they disguise a name.
_BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_LINE_SEPARATORS = frozenset("\u2028\u2029")
_TRUE = frozenset({"是", "yes", "y", "true", "1"})
_FALSE = frozenset({"否", "no", "n", "false", "0"})


class ImportFileError(ServiceError):
    """The file as a whole cannot be read (wrong type, encoding, empty, too many rows)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "file")


@dataclass(frozen=True)
class Column:
    """One column of an import file: its English and Chinese header names and its rules."""

    key: str  # the English header name, also the keyword the service takes
    zh: str  # the Chinese header name
    label: Any  # lazy: what the column holds, for the help page
    required: bool = False
    max_length: int = 60
    multiline: bool = False
    # Codes and badge numbers typed with a Chinese input method come out full-width (１００１).
    code: bool = False
    aliases: tuple[str, ...] = ()

    def names(self) -> set[str]:
        return {normalise_header(name) for name in (self.key, self.zh, *self.aliases)}


WINDOW_COLUMNS: tuple[Column, ...] = (
    Column("name", "窗口名称", _l("Name of the window"), required=True, max_length=120,
           aliases=("window_name",)),
    Column("hall_code", "服务大厅编码", _l("Code of the service hall the window belongs to"),
           required=True, max_length=32, code=True,
           aliases=("service_hall_code", "hall", "大厅编码")),
    Column("category", "服务行业", _l("Service trade: its code or its Chinese name"),
           required=True, max_length=80, code=True, aliases=("service_trade", "trade", "行业")),
    Column("location", "位置", _l("Where the window is, e.g. ground floor, desk 3"),
           max_length=200, aliases=("地点",)),
    Column("commitments", "服务承诺", _l("Public commitments shown on the desk card"),
           max_length=TEXT_LIMIT, multiline=True, aliases=("public_commitments", "承诺")),
    *(
        Column(key, zh, _l("Disclosure: %(what)s", what=_l(en)), max_length=TEXT_LIMIT,
               multiline=True, aliases=(en,))
        for key, zh, en in DISCLOSURES
    ),
)

STAFF_COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", _l("Full name"), required=True, max_length=60),
    Column("badge_no", "工号", _l("Badge number, unique in the whole organisation"),
           required=True, max_length=32, code=True, aliases=("badge_number", "badge")),
    Column("window_code", "窗口编码", _l("Code of the window, as on its desk card"),
           required=True, max_length=16, code=True, aliases=("window",)),
    Column("title", "职务", _l("Job title"), max_length=60, aliases=("岗位",)),
    Column("party_member", "党员", _l("Party member: 是 or 否 (yes or no); empty means no"),
           max_length=10, code=True, aliases=("是否党员",)),
)


def normalise_header(name: str) -> str:
    """``' Hall code* '`` → ``'hall_code'``: case, spaces, dashes and required-marks ignored."""
    name = unicodedata.normalize("NFKC", name.replace("\ufeff", ""))
    name = name.strip().strip("*").strip().casefold()
    return "_".join(name.replace("-", " ").split())


@dataclass(frozen=True)
class RowError:
    """One problem: spreadsheet row (None for the file), column as headed in the file."""

    row: int | None
    column: str | None
    message: str


@dataclass(frozen=True)
class Created:
    """What the result page lists about one created window or staff member."""

    name: str
    code: str  # the window's code, or the staff member's badge number
    place: str  # the hall of a window, the window of a staff member


@dataclass
class ImportResult:
    kind: str
    rows: int = 0  # data rows read
    created: list[Created] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def created_count(self) -> int:
        return len(self.created)


@dataclass
class Table:
    """The non-blank rows of a sheet, each with its row number as the spreadsheet shows it."""

    rows: list[tuple[int, list[str]]]


# --- reading -------------------------------------------------------------------------------


def read_table(filename: str, data: bytes) -> Table:
    """Read CSV or XLSX bytes. Raises ``ImportFileError`` with a message for the user."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension == "xls" or data.startswith(_OLE_MAGIC):
        raise ImportFileError(
            _("Old Excel files (.xls) cannot be read. Please save the file as .xlsx or CSV.")
        )
    if extension not in {"csv", "xlsx"}:
        raise ImportFileError(_("Please upload a CSV or XLSX file."))
    if not data.strip():
        raise ImportFileError(_("The file is empty."))
    if data.startswith(_ZIP_MAGIC):
        rows = _xlsx_rows(data)  # an XLSX named .csv is still an XLSX
    elif extension == "xlsx":
        raise ImportFileError(_("This is not a valid XLSX file."))
    else:
        rows = _csv_rows(data)
    table = Table([])
    try:
        for number, cells in rows:
            if not any(cell.strip() for cell in cells):
                continue  # blank rows count in the numbering, but are neither header nor data
            table.rows.append((number, cells))
            if len(table.rows) > MAX_ROWS + HEADER_SEARCH_ROWS:
                raise _too_many_rows()
    finally:
        rows.close()
    if not table.rows:
        raise ImportFileError(_("The file is empty."))
    return table


def _too_many_rows() -> ImportFileError:
    return ImportFileError(
        _("The file has more than %(n)d rows. Please split it into smaller files.", n=MAX_ROWS)
    )


def _decode(data: bytes) -> str:
    # UTF-8 first: GB18030 would decode many UTF-8 files too, into the wrong characters.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break  # a binary file that happens to decode
        return text
    raise ImportFileError(
        _("This file is not a CSV text file in UTF-8 or GB18030. "
          "Please save it from Excel as CSV or as XLSX.")
    )


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(_decode(data), newline=""))
    # Excel shows one row per record, even one with line breaks inside a quoted cell.
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            yield number, cells[:MAX_COLUMNS]
    except csv.Error:
        raise ImportFileError(
            _("The CSV file cannot be read after row %(row)d.", row=number)
        ) from None


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise ImportFileError(_("This is not a valid XLSX file.")) from None
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise ImportFileError(_("This XLSX file is too large. Please split it."))
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    # openpyxl raises anything from KeyError to TypeError on a damaged or foreign zip.
    except Exception:
        raise ImportFileError(_("This is not a valid XLSX file.")) from None
    try:
        if not workbook.worksheets:
            raise ImportFileError(_("The file is empty."))
        sheet = workbook.worksheets[0]
        # The stored dimension may be wrong (some tools never update it): read what is there.
        sheet.reset_dimensions()
        try:
            rows = sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
            for number, values in enumerate(rows, start=1):
                cells = [_cell_text(value) for value in values]
                while cells and not cells[-1]:
                    cells.pop()  # rows come padded to MAX_COLUMNS
                yield number, cells
        except ImportFileError:
            raise
        except Exception:
            raise ImportFileError(_("This is not a valid XLSX file.")) from None
    finally:
        workbook.close()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a badge number typed as a number: 1001, not 1001.0
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


# --- validating ----------------------------------------------------------------------------


@dataclass
class _Sheet:
    """A table read against the columns of one kind: where each column is, what it is called."""

    headers: dict[str, str]  # column key → the header as the file writes it
    positions: dict[str, int]  # column key → index in a row
    rows: list[tuple[int, list[str]]]  # the data rows below the header
    ignored: list[str]

    @classmethod
    def open(cls, table: Table, columns: Sequence[Column], errors: list[RowError]) -> _Sheet:
        """Find the header row and the columns; header problems go to ``errors``."""
        known = {name: column for column in columns for name in column.names()}
        header_at = 0
        for index, (_number, cells) in enumerate(table.rows[:HEADER_SEARCH_ROWS]):
            if any(normalise_header(cell) in known for cell in cells):
                header_at = index
                break
        header_row, header = table.rows[header_at]
        headers: dict[str, str] = {}
        positions: dict[str, int] = {}
        ignored: list[str] = []
        for index, cell in enumerate(header):
            name = cell.replace("\ufeff", "").strip()
            if not name:
                continue
            column = known.get(normalise_header(name))
            if column is None:
                ignored.append(name)
            elif column.key in positions:
                errors.append(RowError(header_row, name, _(
                    "The columns %(first)s and %(second)s hold the same thing; keep one.",
                    first=headers[column.key], second=name)))
            else:
                headers[column.key] = name
                positions[column.key] = index
        for column in columns:
            if column.required and column.key not in positions:
                errors.append(RowError(header_row, None, _(
                    "The column %(zh)s (%(en)s) is missing from the header row.",
                    zh=column.zh, en=column.key)))
        rows = table.rows[header_at + 1:]
        if not errors and not rows:
            errors.append(RowError(None, None, _("The file has a header row but no data rows.")))
        if len(rows) > MAX_ROWS:
            errors.append(RowError(None, None, _too_many_rows().message))
        return cls(headers, positions, rows, ignored)

    def cells(
        self, number: int, row: list[str], columns: Sequence[Column], errors: list[RowError]
    ) -> tuple[dict[str, str], set[str]]:
        """The row's cleaned values by column key, and the keys of the cells found wrong."""
        values: dict[str, str] = {}
        bad: set[str] = set()
        for column in columns:
            index = self.positions.get(column.key)
            raw = row[index] if index is not None and index < len(row) else ""
            value = _clean(raw, column)
            problem = None
            if _has_control_characters(value, column.multiline):
                problem = _("This cell holds invisible control characters; please retype it.")
            elif column.required and not value:
                problem = _("This cell must not be empty.")
            elif len(value) > column.max_length:
                problem = _("This cell has %(length)d characters; at most %(max)d are allowed.",
                            length=len(value), max=column.max_length)
            if problem:
                self.error(errors, number, column.key, problem)
                bad.add(column.key)
            values[column.key] = value
        return values, bad

    def error(self, errors: list[RowError], number: int, key: str, message: str) -> None:
        errors.append(RowError(number, self.headers.get(key, key), message))


def _clean(value: str, column: Column) -> str:
    if column.code:
        value = unicodedata.normalize("NFKC", value)
    value = value.strip()
    if column.multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def _has_control_characters(value: str, multiline: bool) -> bool:
    allowed = "\n\t" if multiline else ""
    return any(
        (unicodedata.category(ch) == "Cc" and ch not in allowed)
        or ch in _BIDI_CONTROLS
        or ch in _LINE_SEPARATORS
        for ch in value
    )


@dataclass
class Checked:
    """What validation found: rows ready for the service, errors, unrecognised columns."""

    rows: int = 0
    valid: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)


def validate_windows(user: User, table: Table) -> Checked:
    """Check a windows table, every row, against the database and ``user``'s scope.

    ``valid`` holds (row number, keyword arguments for ``create_window``) for the good rows.
    """
    checked = Checked()
    errors = checked.errors
    sheet = _Sheet.open(table, WINDOW_COLUMNS, errors)
    checked.ignored_columns, checked.headers = sheet.ignored, sheet.headers
    if errors:
        return checked
    checked.rows = len(sheet.rows)
    rows = [(number, *sheet.cells(number, cells, WINDOW_COLUMNS, errors))
            for number, cells in sheet.rows]
    halls = _load_by_code(OrgUnit, {v["hall_code"] for _n, v, bad in rows
                                    if "hall_code" not in bad})
    categories = _category_lookup()
    existing_names = _window_names({unit.id for unit in halls.values()})
    seen_names: dict[tuple[int, str], int] = {}
    for number, values, bad in rows:
        before = len(errors)
        hall = None
        if "hall_code" not in bad:
            code = values["hall_code"]
            hall = halls.get(code)
            message = None
            if hall is None:
                message = _("There is no organisation unit with code %(code)s.", code=code)
            elif not may(user, "add_under", hall):
                message = _("The unit %(code)s is outside your area.", code=code)
            elif hall.kind != UnitKind.HALL:
                message = _("%(name)s is not a service hall; windows belong to a service hall.",
                            name=hall.name)
            if message:
                sheet.error(errors, number, "hall_code", message)
                hall = None
        category = None
        if "category" not in bad:
            category = categories.get(values["category"].casefold())
            if category is None:
                sheet.error(errors, number, "category", _(
                    "There is no service trade %(value)s. Use a code from the list on the "
                    "import page, such as licensing, or a Chinese name, such as 行政许可.",
                    value=values["category"]))
        if hall is not None and "name" not in bad:
            # A file uploaded twice must not double the hall's windows.
            key = (hall.id, values["name"])
            if key in existing_names:
                sheet.error(errors, number, "name", _(
                    "%(hall)s already has a window named %(name)s.",
                    hall=hall.name, name=values["name"]))
            elif key in seen_names:
                sheet.error(errors, number, "name", _(
                    "Row %(row)d already adds a window named %(name)s to this hall.",
                    row=seen_names[key], name=values["name"]))
            else:
                seen_names[key] = number
        if len(errors) == before and not bad:
            public_text = {key: values[key] for key in PUBLIC_TEXT_FIELDS}
            checked.valid.append((number, {"name": values["name"], "org_unit": hall,
                                           "category": category, **public_text}))
    _sort_by_row(errors)
    return checked


def validate_staff(user: User, table: Table) -> Checked:
    """Check a staff table, every row, against the database and ``user``'s scope.

    ``valid`` holds (row number, keyword arguments for ``create_staff``) for the good rows.
    """
    checked = Checked()
    errors = checked.errors
    sheet = _Sheet.open(table, STAFF_COLUMNS, errors)
    checked.ignored_columns, checked.headers = sheet.ignored, sheet.headers
    if errors:
        return checked
    checked.rows = len(sheet.rows)
    rows = [(number, *sheet.cells(number, cells, STAFF_COLUMNS, errors))
            for number, cells in sheet.rows]
    windows = _load_by_code(Window, {v["window_code"] for _n, v, bad in rows
                                     if "window_code" not in bad})
    taken = _taken_badges({v["badge_no"] for _n, v, bad in rows if "badge_no" not in bad})
    seen_badges: dict[str, int] = {}
    for number, values, bad in rows:
        before = len(errors)
        window = None
        if "window_code" not in bad:
            code = values["window_code"]
            window = windows.get(code)
            if window is None:
                sheet.error(errors, number, "window_code",
                            _("There is no window with code %(code)s.", code=code))
            elif not may(user, "edit", window):
                sheet.error(errors, number, "window_code",
                            _("The window %(code)s is outside your area.", code=code))
        if "badge_no" not in bad:
            badge = values["badge_no"]
            if badge in taken:
                sheet.error(errors, number, "badge_no",
                            _("The badge number %(badge)s is taken.", badge=badge))
            elif badge in seen_badges:
                sheet.error(errors, number, "badge_no", _(
                    "The badge number %(badge)s is already on row %(row)d.",
                    badge=badge, row=seen_badges[badge]))
            else:
                seen_badges[badge] = number
        party_member = False
        if "party_member" not in bad and values["party_member"]:
            answer = values["party_member"].casefold()
            if answer not in _TRUE | _FALSE:
                sheet.error(errors, number, "party_member",
                            _("Write 是 or 否 (yes or no), or leave the cell empty."))
            party_member = answer in _TRUE
        if len(errors) == before and not bad:
            checked.valid.append((number, {"window": window, "name": values["name"],
                                           "badge_no": values["badge_no"],
                                           "title": values["title"],
                                           "party_member": party_member}))
    _sort_by_row(errors)
    return checked


def _sort_by_row(errors: list[RowError]) -> None:
    # Cells are checked in one pass and references in another: show them row by row.
    errors.sort(key=lambda error: (error.row is not None, error.row or 0))


def _load_by_code(model: type[OrgUnit] | type[Window], codes: Iterable[str]) -> dict[str, Any]:
    query = select(model)
    if model is Window:
        query = query.options(joinedload(Window.org_unit))
    found: dict[str, Any] = {}
    for chunk in _chunks(sorted(codes)):
        for obj in db.session.scalars(query.where(model.code.in_(chunk))).unique():
            found[obj.code] = obj
    return found


def _taken_badges(badges: Iterable[str]) -> set[str]:
    taken: set[str] = set()
    for chunk in _chunks(sorted(badges)):
        taken.update(db.session.scalars(select(Staff.badge_no).where(Staff.badge_no.in_(chunk))))
    return taken


def _window_names(hall_ids: Iterable[int]) -> set[tuple[int, str]]:
    names: set[tuple[int, str]] = set()
    for chunk in _chunks(sorted(hall_ids)):
        query = select(Window.org_unit_id, Window.name).where(Window.org_unit_id.in_(chunk))
        names.update((unit_id, name) for unit_id, name in db.session.execute(query))
    return names


def _category_lookup() -> dict[str, ServiceCategory]:
    lookup: dict[str, ServiceCategory] = {}
    for category in db.session.scalars(select(ServiceCategory)):
        for name in (category.code, category.name, category.name_en):
            lookup[name.casefold()] = category
    return lookup


def _chunks(items: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(items), _QUERY_CHUNK):
        yield items[start:start + _QUERY_CHUNK]


# --- importing -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportKind:
    key: str
    label: Any  # lazy
    columns_title: Any  # lazy
    columns: tuple[Column, ...]
    validate: Callable[[User, Table], Checked]
    create: Callable[..., Created]
    audit_action: str


def _create_window(user: User, **values: Any) -> Created:
    window = create_window(user, **values)
    return Created(window.name, window.code, window.org_unit.name)


def _create_staff(user: User, **values: Any) -> Created:
    staff = create_staff(user, **values)
    return Created(staff.name, staff.badge_no, f"{staff.window.name} ({staff.window.code})")


IMPORT_KINDS: dict[str, ImportKind] = {
    "windows": ImportKind("windows", _l("Windows"), _l("Columns of a windows file"),
                          WINDOW_COLUMNS, validate_windows, _create_window, "window.import"),
    "staff": ImportKind("staff", _l("Staff"), _l("Columns of a staff file"),
                        STAFF_COLUMNS, validate_staff, _create_staff, "staff.import"),
}

# The import file's column for each field a service may name in a ServiceError.
_SERVICE_FIELDS = {"org_unit": "hall_code", "code": "name", "window": "window_code"}


def import_spreadsheet(user: User, kind: str, filename: str, data: bytes) -> ImportResult:
    """Import windows or staff (``kind``) from CSV or XLSX bytes, all or nothing.

    Every row is validated before anything is written; with any error nothing is created and
    the result lists every error. Otherwise each row goes through ``create_window`` /
    ``create_staff`` (audited one by one) and the import itself is audited as
    ``window.import`` / ``staff.import``. Flushes only: the caller commits when ``result.ok``
    and must roll back otherwise. Raises ``KeyError`` for an unknown ``kind``.
    """
    spec = IMPORT_KINDS[kind]
    result = ImportResult(kind)
    try:
        table = read_table(filename, data)
    except ImportFileError as exc:
        result.errors.append(RowError(None, None, exc.message))
        return result
    checked = spec.validate(user, table)
    result.errors, result.ignored_columns = checked.errors, checked.ignored_columns
    result.rows = checked.rows
    if result.errors:
        return result
    for number, values in checked.valid:
        try:
            result.created.append(spec.create(user, **values))
        except ServiceError as exc:
            # Validation read the database moments ago; someone changed it since.
            column = _SERVICE_FIELDS.get(exc.field or "", exc.field or "")
            result.errors.append(RowError(number, checked.headers.get(column), exc.message))
        except IntegrityError:
            result.errors.append(RowError(number, None, _(
                "Someone else changed the same data while this file was imported. "
                "Nothing was imported; please upload the file again.")))
        if result.errors:
            result.created.clear()
            return result
    record(user, spec.audit_action, None, {"file": filename, "created": result.created_count},
           object_type="import")
    return result


# --- template files ------------------------------------------------------------------------


def template_header(kind: str, chinese: bool) -> list[str]:
    return [column.zh if chinese else column.key for column in IMPORT_KINDS[kind].columns]


def template_csv(kind: str, chinese: bool) -> bytes:
    """A header-only CSV, UTF-8 with BOM so that Excel opens the Chinese names correctly."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(template_header(kind, chinese))
    return buffer.getvalue().encode("utf-8-sig")


def template_xlsx(kind: str, chinese: bool) -> bytes:
    """A header-only XLSX whose code columns are formatted as text (keeps leading zeros)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(IMPORT_KINDS[kind].label)
    sheet.append(template_header(kind, chinese))
    for index, column in enumerate(IMPORT_KINDS[kind].columns, start=1):
        sheet.cell(row=1, column=index).font = Font(bold=True)
        dimension = sheet.column_dimensions[get_column_letter(index)]
        dimension.width = 40 if column.multiline else 18
        if column.key in {"hall_code", "badge_no", "window_code"}:
            dimension.number_format = "@"
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
