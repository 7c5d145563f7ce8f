"""Where cases come from besides the rating form — the hotline, the suggestion box — and how
they leave: CSV and XLSX exports, safe in a spreadsheet."""

from __future__ import annotations

import csv
import io
import re

from openpyxl import load_workbook
from sqlalchemy import select

from feedback.audit.models import AuditLog
from feedback.cases.models import Case, CaseKind, CaseSource, CaseState
from feedback.extensions import db
from tests.cases.support import case_by_number, shown

FORMULA = '=HYPERLINK("http://evil.example","点此领奖")'


# --- the hotline -----------------------------------------------------------------------------


def test_operator_finds_the_window_by_name_and_the_hotline_channel_is_recorded(world, sign_in):
    operator = sign_in(world.operator)
    found = operator.get("/admin/cases/hotline?q=不动产")
    assert found.status_code == 200
    assert world.window_a.code in found.text and world.window_b.code not in found.text
    assert world.window_a.code in operator.get(
        f"/admin/cases/hotline?q={world.window_a.code}").text

    response = operator.post("/admin/cases/hotline?q=不动产", data={
        "window_choice": world.window_a.code, "kind": "complaint",
        "content": "来电反映：窗口中午无人值守", "phone": "0731-88886666", "consent": "y"})
    assert response.status_code == 302, response.text
    case = db.session.scalars(select(Case)).one()
    assert (case.source, case.kind, case.window_id) == (CaseSource.HOTLINE, CaseKind.COMPLAINT,
                                                         world.window_a.id)
    assert case.created_by_id == world.operator.id
    assert case.phone_masked.startswith("073*") and case.phone_masked.endswith("*6666")
    assert case.announced_at is not None and case.due_at is not None
    page = operator.get(response.headers["Location"])
    assert case.tracking_no in page.text and "热线" in page.text
    assert "case.create" in db.session.scalars(select(AuditLog.action)).all()


def test_hotline_refuses_a_window_outside_the_scope_and_a_number_without_consent(
        world, sign_in, make_user):
    from feedback.accounts.models import Role

    county_operator = make_user(Role.OPERATOR, username="op-wc", org_unit=world.county)
    client = sign_in(county_operator)
    outside = client.post("/admin/cases/hotline", data={
        "window": world.window_c.code, "kind": "complaint", "content": "投诉"})
    assert outside.status_code == 422
    no_consent = client.post("/admin/cases/hotline", data={
        "window": world.window_a.code, "kind": "complaint", "content": "投诉",
        "phone": "13812345678"})
    assert no_consent.status_code == 422
    assert db.session.scalars(select(Case)).all() == []


def test_a_hall_case_without_a_window_goes_to_the_halls_supervisors(world, sign_in):
    from feedback.notifications.models import Notification

    response = sign_in(world.operator).post("/admin/cases/hotline", data={
        "hall": world.hall.code, "kind": "praise", "content": "表扬大厅导办员"})
    assert response.status_code == 302
    case = db.session.scalars(select(Case)).one()
    assert case.hall_id == world.hall.id and case.window_id is None
    told = db.session.scalars(select(Notification.user_id)).all()
    assert told == [world.supervisor.id]


# --- the suggestion box ----------------------------------------------------------------------


def nonce_of(html: str) -> str:
    return re.search(r'name="nonce"[^>]*value="([^"]+)"', html).group(1)


def test_suggestion_box_of_a_window_gives_a_number_and_a_code(app, world):
    citizen = app.test_client()
    page = citizen.get(f"/w/{world.window_b.code}/suggest")
    assert page.status_code == 200 and world.window_b.name in page.text
    data = {"nonce": nonce_of(page.text), "kind": "suggestion", "content": "建议增加叫号屏"}
    thanks = citizen.post(f"/w/{world.window_b.code}/suggest", data=data)
    assert thanks.status_code == 200
    tracking_no, code = shown(thanks.text, "tracking-no"), shown(thanks.text, "access-code")
    case = case_by_number(tracking_no)
    assert (case.source, case.kind, case.window_id) == (CaseSource.SUGGESTION_BOX,
                                                        CaseKind.SUGGESTION, world.window_b.id)
    # A double tap opens one case and shows the same code again.
    again = citizen.post(f"/w/{world.window_b.code}/suggest", data=data)
    assert shown(again.text, "access-code") == code
    assert len(db.session.scalars(select(Case)).all()) == 1
    assert citizen.post("/track", data={"tracking_no": tracking_no,
                                        "factor": code}).status_code == 302


def test_general_box_chooses_the_hall_then_optionally_a_window(app, world):
    citizen = app.test_client()
    halls = citizen.get("/suggest")
    assert world.hall.name in halls.text and world.other_hall.name in halls.text
    page = citizen.get(f"/suggest?hall={world.hall.code}")
    assert world.window_a.name in page.text and world.window_c.name not in page.text
    thanks = citizen.post(f"/suggest?hall={world.hall.code}", data={
        "nonce": nonce_of(page.text), "window": "", "kind": "complaint",
        "content": "大厅空调太冷", "phone": "13712345678", "consent": "y"})
    assert thanks.status_code == 200
    case = case_by_number(shown(thanks.text, "tracking-no"))
    assert case.hall_id == world.hall.id and case.window_id is None
    assert shown(thanks.text, "access-code") is None  # the phone's last four digits instead
    assert citizen.get("/suggest?hall=NO-SUCH").status_code == 404


def test_box_needs_consent_for_a_number_and_some_content(app, world):
    citizen = app.test_client()
    page = citizen.get(f"/w/{world.window_a.code}/suggest")
    nonce = nonce_of(page.text)
    for data in ({"kind": "complaint", "content": "", "nonce": nonce},
                 {"kind": "complaint", "content": "投诉", "phone": "13812345678",
                  "nonce": nonce},
                 {"kind": "bad_review", "content": "投诉", "nonce": nonce}):
        response = citizen.post(f"/w/{world.window_a.code}/suggest", data=data)
        assert response.status_code == 422
        assert 'role="alert"' in response.text
    assert db.session.scalars(select(Case)).all() == []


def test_public_forms_are_protected_by_csrf(make_app, world):
    guarded = make_app(WTF_CSRF_ENABLED=True)
    with guarded.app_context():
        client = guarded.test_client()
        refused = client.post(f"/w/{world.window_a.code}/suggest",
                              data={"kind": "complaint", "content": "投诉"})
        assert refused.status_code == 400
        assert client.post("/track", data={"tracking_no": "x", "factor": "y"}).status_code == 400
        page = client.get(f"/w/{world.window_a.code}/suggest")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
        accepted = client.post(f"/w/{world.window_a.code}/suggest", data={
            "csrf_token": token, "nonce": nonce_of(page.text), "kind": "complaint",
            "content": "投诉"})
        assert accepted.status_code == 200


def test_failed_lookups_are_rate_limited_and_good_ones_are_not_counted(make_app, world):
    from feedback.cases.models import CaseKind as Kind
    from feedback.cases.workflow.services import open_case

    opened = open_case(None, kind=Kind.COMPLAINT, source=CaseSource.SUGGESTION_BOX,
                       content="投诉", window=world.window_a)
    db.session.commit()
    limited = make_app(RATELIMIT_ENABLED=True, TRACK_RATE_LIMIT="3 per minute")
    with limited.app_context():
        client = limited.test_client()
        good = {"tracking_no": opened.case.tracking_no, "factor": opened.access_code}
        for _ in range(4):
            assert client.post("/track", data=good).status_code == 302
        wrong = {**good, "factor": "000000" if opened.access_code != "000000" else "111111"}
        statuses = [client.post("/track", data=wrong).status_code for _ in range(4)]
        assert statuses == [422, 422, 422, 429]
        assert client.post("/track", data=good).status_code == 429  # blocked now, good or not


# --- exports ---------------------------------------------------------------------------------


def export_fixture(world):
    from feedback.cases.workflow.services import open_case

    for window, content in ((world.window_a, FORMULA), (world.window_b, "别的窗口的投诉")):
        open_case(world.operator, kind=CaseKind.COMPLAINT, source=CaseSource.HOTLINE,
                  content=content, window=window, phone="13812345678", consent=True)
    db.session.commit()


def test_csv_export_neutralises_formulas_and_stays_in_scope(world, sign_in):
    export_fixture(world)
    response = sign_in(world.manager_a).get("/admin/cases/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][0] == "查询编号"
    assert len(rows) == 2  # window B's case is not manager A's
    content = rows[1][rows[0].index("内容")]
    assert content == "'" + FORMULA
    assert "13812345678" not in response.get_data(as_text=True)
    assert "138****5678" in rows[1]


def test_xlsx_export_stores_text_not_formulas(world, sign_in):
    export_fixture(world)
    response = sign_in(world.supervisor).get("/admin/cases/export.xlsx?kind=complaint")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert len(values) == 3
    contents = {row[values[0].index("内容")] for row in values[1:]}
    assert contents == {"'" + FORMULA, "别的窗口的投诉"}
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_list_filters_and_search(world, sign_in):
    export_fixture(world)
    client = sign_in(world.supervisor)
    assert "别的窗口的投诉" in client.get("/admin/cases?q=别的窗口").text
    assert "别的窗口的投诉" not in client.get("/admin/cases?q=HYPERLINK").text
    assert "HYPERLINK" in client.get("/admin/cases?q=HYPERLINK").text
    assert "没有找到" in client.get("/admin/cases?state=closed").text
    assert "HYPERLINK" not in client.get(f"/admin/cases?window={world.window_b.code}").text
    assert "没有找到" in client.get("/admin/cases?since=2099-01-01").text
    bad_date = client.get("/admin/cases?since=tomorrow")
    assert bad_date.status_code == 200 and "不是日期" in bad_date.text
    assert client.get("/admin/cases?q=%25").status_code == 200  # a % searches for "%"
    assert client.get(f"/admin/cases?window={world.window_c.code}").status_code == 403
    assert CaseState.NEW  # the states of the filter are the model's
