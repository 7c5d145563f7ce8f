"""Spreadsheet import of windows and staff: through the page and by direct calls."""

from __future__ import annotations

import csv
import io

import pytest
from flask_babel import refresh
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from feedback.accounts.models import Role
from feedback.audit.models import AuditLog
from feedback.extensions import db
from feedback.orgs.models import UnitKind
from feedback.windows import importing
from feedback.windows.importing import ImportFileError, RowError, import_spreadsheet, read_table
from feedback.windows.models import Staff, Window

IMPORT_URL = "/admin/import"
WINDOW_HEADER = ["name", "hall_code", "category", "location", "commitments"]
STAFF_HEADER_ZH = ["姓名", "工号", "窗口编码", "职务", "党员"]


def csv_bytes(rows, encoding: str = "utf-8-sig") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, kind: str, data: bytes, filename: str):
    return client.post(
        IMPORT_URL,
        data={"kind": kind, "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)))


@pytest.fixture(autouse=True)
def english(app, client):
    """English messages: the cookie for the pages, a request context for direct calls.

    Flask-Babel caches the locale on ``g``, which the ``app`` fixture's one app context shares
    across the whole test, hence ``refresh()`` wherever the language changes.
    """
    client.set_cookie("manyi_lang", "en", domain=app.config["SERVER_NAME"])
    with app.test_request_context("/?lang=en"):
        refresh()
        yield


@pytest.fixture
def tree(make_unit):
    """Two cities of one province, each with a county and a service hall."""
    province = make_unit("湖南省住房和城乡建设厅")
    city_a = make_unit("长沙市住房和城乡建设局", parent=province)
    county_a = make_unit("望城区住房和城乡建设局", parent=city_a)
    hall_a = make_unit("望城区政务服务大厅", parent=county_a, kind=UnitKind.HALL, code="WC-HALL")
    city_b = make_unit("株洲市住房和城乡建设局", parent=province)
    hall_b = make_unit("株洲市政务服务大厅", parent=city_b, kind=UnitKind.HALL, code="ZZ-HALL")
    return {"province": province, "city_a": city_a, "county_a": county_a, "hall_a": hall_a,
            "city_b": city_b, "hall_b": hall_b}


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN, username="admin")


# --- through the page ------------------------------------------------------------------------


def test_admin_imports_windows_from_csv(client, auth, admin, tree):
    data = csv_bytes([
        WINDOW_HEADER,
        ["1号窗口", "WC-HALL", "licensing", "一楼东侧", "当场办结\n一次告知"],
        ["公积金窗口", "WC-HALL", "住房公积金管理", "", ""],
    ])
    auth.login("admin")
    response = upload(client, "windows", data, "windows.csv")

    assert response.status_code == 200
    windows = {w.name: w for w in db.session.scalars(select(Window))}
    assert set(windows) == {"1号窗口", "公积金窗口"}
    first = windows["1号窗口"]
    assert first.org_unit_id == tree["hall_a"].id
    assert first.category.code == "licensing"
    assert first.location == "一楼东侧"
    assert first.commitments == "当场办结\n一次告知"
    assert windows["公积金窗口"].category.code == "housing_fund"
    assert audit_actions().count("window.create") == 2
    summary = db.session.scalar(select(AuditLog).where(AuditLog.action == "window.import"))
    assert summary.actor_id == admin.id
    assert summary.changes == {"file": "windows.csv", "created": 2}
    # The page lists the new codes, which staff files need.
    assert first.code in response.text
    assert "2 windows were created." in response.text


def test_staff_import_from_xlsx_with_chinese_headers(client, auth, admin, make_window, tree):
    window = make_window(tree["hall_a"], name="1号窗口")
    data = xlsx_bytes([
        STAFF_HEADER_ZH,
        ["张伟", 1001, window.code, "科员", "是"],  # a badge typed as a number
        ["李娜", "HN-0002", window.code, None, "否"],
        ["王芳", "ＨＮ－０００３", window.code, "", None],  # typed in full-width
    ])
    auth.login("admin")
    response = upload(client, "staff", data, "工作人员.xlsx")

    assert response.status_code == 200
    staff = {s.badge_no: s for s in db.session.scalars(select(Staff))}
    assert set(staff) == {"1001", "HN-0002", "HN-0003"}
    assert staff["1001"].name == "张伟"
    assert staff["1001"].title == "科员"
    assert staff["1001"].party_member is True
    assert staff["HN-0002"].party_member is False
    assert staff["HN-0003"].party_member is False
    assert all(s.window_id == window.id for s in staff.values())
    assert audit_actions().count("staff.create") == 3
    assert audit_actions()[-1] == "staff.import"


def test_gb18030_csv_with_chinese_headers(client, auth, admin, tree):
    data = csv_bytes([
        ["窗口名称", "服务大厅编码", "服务行业", "位置", "服务承诺"],
        ["不动产登记窗口", "WC-HALL", "房地产交易与权属登记", "二楼", "限时办结"],
    ], encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # the test must exercise the fallback
    auth.login("admin")
    upload(client, "windows", data, "windows.csv")

    window = db.session.scalar(select(Window))
    assert window is not None
    assert window.name == "不动产登记窗口"
    assert window.category.code == "real_estate"
    assert window.location == "二楼"


def test_one_bad_row_creates_nothing_and_names_row_and_column(client, auth, admin, tree):
    data = csv_bytes([
        ["Name", "Hall Code", "Category"],
        ["1号窗口", "WC-HALL", "licensing"],
        ["2号窗口", "NO-SUCH-HALL", "licensing"],
        ["3号窗口", "WC-HALL", "licensing"],
    ])
    auth.login("admin")
    response = upload(client, "windows", data, "windows.csv")

    assert response.status_code == 200
    assert count(Window) == 0
    assert "window.create" not in audit_actions()
    assert "Nothing was imported" in response.text
    assert "<td>3</td><td>Hall Code</td>" in response.text
    assert "There is no organisation unit with code NO-SUCH-HALL." in response.text


def test_duplicate_badge_within_file(client, auth, admin, make_window, tree):
    window = make_window(tree["hall_a"])
    data = csv_bytes([
        STAFF_HEADER_ZH,
        ["张伟", "HN001", window.code, "", ""],
        ["李娜", "HN002", window.code, "", ""],
        ["王芳", "HN001", window.code, "", ""],
    ])
    auth.login("admin")
    response = upload(client, "staff", data, "staff.csv")

    assert count(Staff) == 0
    assert "<td>4</td><td>工号</td>" in response.text
    assert "The badge number HN001 is already on row 2." in response.text


def test_supervisor_importing_outside_their_subtree_is_refused_per_row(
    client, auth, make_user, tree
):
    make_user(Role.SUPERVISOR, username="changsha", org_unit=tree["city_a"])
    data = csv_bytes([
        WINDOW_HEADER,
        ["望城1号窗口", "WC-HALL", "licensing", "", ""],
        ["株洲1号窗口", "ZZ-HALL", "licensing", "", ""],
    ])
    auth.login("changsha")
    response = upload(client, "windows", data, "windows.csv")

    assert response.status_code == 200
    assert count(Window) == 0
    assert "<td>3</td><td>hall_code</td><td>The unit ZZ-HALL is outside your area.</td>" in (
        response.text
    )
    assert "<td>2</td>" not in response.text  # the row inside the subtree is fine

    # The same supervisor may import the rows of their own subtree.
    upload(client, "windows", csv_bytes([WINDOW_HEADER, ["望城1号窗口", "WC-HALL", "licensing"]]),
           "windows.csv")
    assert [w.name for w in db.session.scalars(select(Window))] == ["望城1号窗口"]


@pytest.mark.parametrize("method", ["get", "post"])
def test_manager_gets_403(client, auth, make_user, make_window, tree, method):
    window = make_window(tree["hall_a"])
    make_user(Role.MANAGER, username="manager", windows=[window])
    auth.login("manager")
    data = csv_bytes([WINDOW_HEADER, ["新窗口", "WC-HALL", "licensing", "", ""]])
    if method == "get":
        response = client.get(IMPORT_URL)
    else:
        response = upload(client, "windows", data, "windows.csv")
    assert response.status_code == 403
    assert count(Window) == 1


def test_anonymous_is_sent_to_login(client, tree):
    response = client.get(IMPORT_URL)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("windows.pdf", b"%PDF-1.4 not a spreadsheet", "CSV or XLSX files only."),
        ("windows.xlsx", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "This is not a valid XLSX file."),
        ("windows.xlsx", b"PK\x03\x04 broken zip", "This is not a valid XLSX file."),
        ("windows.csv", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "not a CSV text file"),
        ("windows.csv", b"", "The file is empty."),
        ("windows.csv", b"\xef\xbb\xbf\r\n,,,\r\n", "The file is empty."),
    ],
)
def test_unreadable_files_are_refused_with_a_message(client, auth, admin, tree, filename, data,
                                                      message):
    auth.login("admin")
    response = upload(client, "windows", data, filename)
    assert response.status_code == 200
    assert message in response.text
    assert count(Window) == 0


def test_page_shows_columns_and_template_links(client, auth, admin):
    auth.login("admin")
    response = client.get(IMPORT_URL)
    assert response.status_code == 200
    for text in ("服务大厅编码", "hall_code", "工号", "badge_no", "住房公积金管理", "licensing",
                 "/admin/import/template.windows.xlsx", "/admin/import/template.staff.csv"):
        assert text in response.text


def test_errors_are_escaped(client, auth, admin, tree):
    data = csv_bytes([WINDOW_HEADER, ["<b>窗口</b>", "<script>x</script>", "licensing", "", ""]])
    auth.login("admin")
    response = upload(client, "windows", data, "windows.csv")
    assert "<script>x</script>" not in response.text
    assert "&lt;script&gt;x&lt;/script&gt;" in response.text
    assert count(Window) == 0


# --- template files --------------------------------------------------------------------------


def test_csv_template_has_the_header_and_imports_back(client, auth, admin):
    auth.login("admin")
    refresh()
    response = client.get("/admin/import/template.staff.csv?lang=zh")
    refresh()
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")
    assert response.data.decode("utf-8-sig").strip() == ",".join(STAFF_HEADER_ZH)
    # Header only: the importer recognises every column and asks for data rows.
    result = import_spreadsheet(admin, "staff", "t.csv", response.data)
    assert result.errors == [RowError(None, None, "The file has a header row but no data rows.")]


def test_xlsx_template_in_english(client, auth, admin):
    auth.login("admin")
    response = client.get("/admin/import/template.windows.xlsx")
    assert response.status_code == 200
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert header[:5] == WINDOW_HEADER
    assert sheet.max_row == 1
    result = import_spreadsheet(admin, "windows", "t.xlsx", response.data)
    assert [e.message for e in result.errors] == ["The file has a header row but no data rows."]


def test_template_of_an_unknown_kind_is_404(client, auth, admin):
    auth.login("admin")
    assert client.get("/admin/import/template.users.csv").status_code == 404
    assert client.get("/admin/import/template.staff.xls").status_code == 404


def test_manager_cannot_download_templates(client, auth, make_user, make_window):
    make_user(Role.MANAGER, username="manager", windows=[make_window()])
    auth.login("manager")
    assert client.get("/admin/import/template.windows.csv").status_code == 403


# --- direct calls ----------------------------------------------------------------------------


def windows_csv(*rows, header=WINDOW_HEADER) -> bytes:
    return csv_bytes([header, *rows])


def test_result_reports_each_bad_cell(admin, tree):
    data = windows_csv(
        ["", "WC-HALL", "licensing", "", ""],  # row 2: no name
        ["窗" * 121, "WC-HALL", "licensing", "", ""],  # row 3: name too long
        ["4号窗口", "WC-HALL", "no-such-trade", "", ""],  # row 4: unknown trade
        ["5号窗口", tree["county_a"].code, "licensing", "", ""],  # row 5: not a hall
        ["6号窗口", "WC-HALL", "licensing", "一楼\x07", ""],  # row 6: control character
        ["7号窗口", "WC-HALL", "parks", "", "第一条\n第二条"],  # fine
        ["7号窗口", "WC-HALL", "parks", "", ""],  # row 8: same name twice in one hall
    )
    result = import_spreadsheet(admin, "windows", "w.csv", data)

    assert not result.ok
    assert result.created == []
    # Nothing was even flushed: the importer writes only when every row is good.
    assert count(Window) == 0
    assert "window.create" not in audit_actions()
    assert [(e.row, e.column) for e in result.errors] == [
        (2, "name"), (3, "name"), (4, "category"), (5, "hall_code"), (6, "location"),
        (8, "name"),
    ]
    messages = {e.row: e.message for e in result.errors}
    assert messages[2] == "This cell must not be empty."
    assert messages[3] == "This cell has 121 characters; at most 120 are allowed."
    assert "is not a service hall" in messages[5]
    assert "control characters" in messages[6]
    assert messages[8] == "Row 7 already adds a window named 7号窗口 to this hall."
    assert count(Window) == 0


def test_importing_the_same_windows_twice_is_refused(admin, tree):
    data = windows_csv(["1号窗口", "WC-HALL", "licensing", "", ""])
    assert import_spreadsheet(admin, "windows", "w.csv", data).created_count == 1
    db.session.commit()
    again = import_spreadsheet(admin, "windows", "w.csv", data)
    db.session.rollback()
    assert [e.message for e in again.errors] == [
        "望城区政务服务大厅 already has a window named 1号窗口."
    ]
    assert count(Window) == 1


def test_badge_taken_in_database_and_unknown_window(admin, make_staff, make_window, tree):
    window = make_window(tree["hall_a"])
    make_staff(window, badge_no="HN001")
    data = csv_bytes([
        ["name", "badge_no", "window_code", "party_member"],
        ["李娜", "HN001", window.code, "yes"],
        ["王芳", "HN002", "nosuchcd", "no"],
        ["赵磊", "HN003", window.code, "maybe"],
    ])
    result = import_spreadsheet(admin, "staff", "s.csv", data)
    db.session.rollback()
    assert result.errors == [
        RowError(2, "badge_no", "The badge number HN001 is taken."),
        RowError(3, "window_code", "There is no window with code nosuchcd."),
        RowError(4, "party_member", "Write 是 or 否 (yes or no), or leave the cell empty."),
    ]
    assert count(Staff) == 1


def test_supervisor_may_not_add_staff_to_windows_outside_their_subtree(
    make_user, make_window, tree
):
    supervisor = make_user(Role.SUPERVISOR, org_unit=tree["city_a"])
    inside, outside = make_window(tree["hall_a"]), make_window(tree["hall_b"])
    data = csv_bytes([
        STAFF_HEADER_ZH,
        ["张伟", "HN001", inside.code, "", ""],
        ["李娜", "HN002", outside.code, "", ""],
    ])
    result = import_spreadsheet(supervisor, "staff", "s.csv", data)
    db.session.rollback()
    assert result.errors == [
        RowError(3, "窗口编码", f"The window {outside.code} is outside your area."),
    ]
    assert count(Staff) == 0


def test_missing_required_columns(admin, tree):
    data = csv_bytes([["窗口名称", "位置", "序号"], ["1号窗口", "一楼", "1"]])
    result = import_spreadsheet(admin, "windows", "w.csv", data)
    assert [e.message for e in result.errors] == [
        "The column 服务大厅编码 (hall_code) is missing from the header row.",
        "The column 服务行业 (category) is missing from the header row.",
    ]
    assert result.ignored_columns == ["序号"]


def test_a_column_given_twice_is_refused(admin, tree):
    data = csv_bytes([
        ["name", "窗口名称", "hall_code", "category"],
        ["a", "b", "WC-HALL", "parks"],
    ])
    result = import_spreadsheet(admin, "windows", "w.csv", data)
    assert [(e.row, e.column) for e in result.errors] == [(1, "窗口名称")]


def test_title_row_and_blank_rows_keep_spreadsheet_row_numbers(admin, tree):
    data = xlsx_bytes([
        ["望城区政务服务大厅窗口一览表"],
        [None],
        WINDOW_HEADER,
        ["1号窗口", "WC-HALL", "licensing"],
        [None, None, None],
        ["2号窗口", "WC-HALL", "nope"],
    ])
    result = import_spreadsheet(admin, "windows", "w.xlsx", data)
    db.session.rollback()
    assert [(e.row, e.column) for e in result.errors] == [(6, "category")]
    assert result.rows == 2


def test_csv_row_numbers_count_records_not_lines(admin, tree):
    # A quoted cell with a line break is one spreadsheet row.
    data = windows_csv(
        ["1号窗口", "WC-HALL", "licensing", "", "第一条\n第二条"],
        ["2号窗口", "WC-HALL", "nope", "", ""],
    )
    result = import_spreadsheet(admin, "windows", "w.csv", data)
    db.session.rollback()
    assert [(e.row, e.column) for e in result.errors] == [(3, "category")]


def test_too_many_rows(admin, tree, monkeypatch):
    monkeypatch.setattr(importing, "MAX_ROWS", 3)
    rows = [[f"{n}号窗口", "WC-HALL", "licensing", "", ""] for n in range(4)]
    result = import_spreadsheet(admin, "windows", "w.csv", windows_csv(*rows))
    assert [e.message for e in result.errors] == [
        "The file has more than 3 rows. Please split it into smaller files."
    ]
    monkeypatch.setattr(importing, "MAX_ROWS", 4)
    assert import_spreadsheet(admin, "windows", "w.csv", windows_csv(*rows)).created_count == 4
    db.session.rollback()


def test_header_only_and_empty_xlsx(admin):
    only_header = import_spreadsheet(admin, "staff", "s.xlsx", xlsx_bytes([STAFF_HEADER_ZH]))
    assert [e.message for e in only_header.errors] == [
        "The file has a header row but no data rows."
    ]
    empty = import_spreadsheet(admin, "staff", "s.xlsx", xlsx_bytes([]))
    assert [e.message for e in empty.errors] == ["The file is empty."]


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("w.txt", b"name\n1", "Please upload a CSV or XLSX file."),
        ("w.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 32, "Old Excel files (.xls) cannot be read."),
        ("w", b"name\n1", "Please upload a CSV or XLSX file."),
    ],
)
def test_read_table_refuses_other_files(app, filename, data, message):
    with pytest.raises(ImportFileError) as excinfo:
        read_table(filename, data)
    assert excinfo.value.message.startswith(message)


def test_xlsx_named_csv_is_read_as_xlsx(app):
    table = read_table("w.csv", xlsx_bytes([["name"], ["1号窗口"]]))
    assert table.rows == [(1, ["name"]), (2, ["1号窗口"])]
