"""The monthly report 专报: a PDF whose Chinese is real text in the bundled CJK font, whose
figures are the statistics' figures, for supervisors of the subtree and administrators only;
and the same report from the command line."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta, timezone

import pytest
from fontTools.ttLib import TTCollection
from pypdf import PdfReader
from sqlalchemy import select

from feedback import clock
from feedback.accounts.models import Role
from feedback.audit.models import AuditLog
from feedback.cards.fonts import cjk_font_path
from feedback.cases.figures import handling_figures
from feedback.cases.models import Case, Triage
from feedback.cases.workflow.services import answer_case, assign_case, verify_case
from feedback.extensions import db
from feedback.notices.services import draft_notice, issue_notice
from feedback.stats.queries import ranking, window_summary
from tests.reports.conftest import pdf_text, utc

SHANGHAI = timezone(timedelta(hours=8))
DECEMBER_5 = datetime(2026, 12, 5, 10, 0, tzinfo=SHANGHAI)
NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))
OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))


def pct(share: float | None) -> str:
    return "—" if share is None else f"{100 * share:.1f}%"


def flat(text: str) -> str:
    """Extracted text without the line breaks and spaces wrapping put in."""
    return re.sub(r"\s+", "", text)


@pytest.fixture
def month(province, rate, make_user):
    """Two months of ratings in 长沙 and 株洲, a bad review answered as a case, a notice."""
    p = province
    for day, level in enumerate([5, 5, 4, 4, 3, 5, 4, 2], start=1):
        rate(p.registry, level, at=utc(2026, 11, day, 2), speed=level)
    for day, level in enumerate([4, 4, 5, 3], start=2):
        rate(p.housing, level, at=utc(2026, 11, day, 3))
    for day, level in enumerate([5, 3, 4], start=3):
        rate(p.fund, level, at=utc(2026, 11, day, 4))
    for day, level in enumerate([3, 4, 2, 5], start=10):
        rate(p.registry, level, at=utc(2026, 10, day, 2))
    rate(p.registry, 1, at=utc(2026, 11, 20, 2), flagged=True)  # flagged: not counted
    admin = make_user(Role.ADMIN)
    manager = make_user(Role.MANAGER, windows=[p.registry])
    bad = rate(p.registry, 1, at=utc(2026, 11, 12, 2), comment="窗口无人，等了一个小时")
    case = db.session.scalar(select(Case).where(Case.evaluation_id == bad.id))
    assert case is not None, "a bad review opens a case"
    with clock.frozen_at(utc(2026, 11, 13, 2)):
        assign_case(admin, case, manager)
        verify_case(admin, case, founded=True, finding="属实，午休时段无人值守",
                    triage=Triage.FIX_NOW)
        answer_case(admin, case, "已安排午间轮岗，向您致歉")
        db.session.commit()
    with clock.frozen_at(utc(2026, 11, 14, 2)):
        notice = draft_notice(admin, target_window=p.registry, title="午间无人值守整改",
                              problem="午休时段窗口无人", requirement="落实午间轮岗")
        issue_notice(admin, notice)
        db.session.commit()
    return {"notice": notice, "case": case}


def get_pdf(client, url: str):
    with clock.frozen_at(DECEMBER_5):
        return client.get(url)


def test_the_report_is_chinese_text_in_the_bundled_font(client, sign_in, province, month):
    sign_in(Role.SUPERVISOR, org_unit=province.changsha)
    response = get_pdf(client, "/reports/units/HN-CS/monthly.pdf?month=2026-11")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "manyi-monthly-HN-CS-2026-11.pdf" in response.headers["Content-Disposition"]

    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) >= 3
    for page in reader.pages:
        assert page.mediabox.width == pytest.approx(595.3, abs=0.5)  # A4: 210 × 297 mm
        assert page.mediabox.height == pytest.approx(841.9, abs=0.5)
    pages = [page.extract_text() for page in reader.pages]
    cover = flat(pages[0])
    for text in ("长沙市住房和城乡建设局", "2026年11月群众满意度情况", "群众满意度月度专报",
                 "本月要点", "满意度指数", "好评率", "差评率"):
        assert text in cover, text
    everything = flat("".join(pages))
    for text in ("不动产登记窗口", "存量房交易窗口", "望城区政务服务中心", "窗口排名",
                 "下级单位逐月情况", "差评与投诉处理", "整改通知", "午间无人值守整改"):
        assert text in everything, text
    assert "公积金提取窗口" not in everything  # 株洲's window is not in 长沙's report
    for number, page in enumerate(pages, start=1):
        assert f"第{number}页/共{len(pages)}页" in flat(page)

    # every font is the package's Noto Sans CJK SC, embedded as Type 3 with a ToUnicode map
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts[font["/BaseFont"]] = (font["/Subtype"], "/ToUnicode" in font)
    assert fonts
    for name, (subtype, unicode_map) in fonts.items():
        assert name.endswith("NotoSansCJKsc-Regular"), name
        assert subtype == "/Type3" and unicode_map


def test_every_character_of_the_unit_name_is_in_the_font(province):
    """No tofu: the glyphs the cover needs exist in the font that is embedded."""
    path = cjk_font_path()
    collection = TTCollection(str(path), lazy=True)
    try:
        cmap = collection.fonts[path.face_index].getBestCmap()
        for name in (province.changsha.name, province.root.name, "群众满意度月度专报第页共",
                     "满意度指数好评率差评率较上月上升下降持平个百分点"):
            missing = [char for char in name if ord(char) not in cmap]
            assert missing == [], name
    finally:
        collection.close()


def test_the_figures_are_the_statistics_figures(client, sign_in, province, month):
    sign_in(Role.ADMIN)
    pages = pdf_text(get_pdf(client, "/reports/units/HN-CS/monthly.pdf?month=2026-11").data)
    text = flat("".join(pages))
    ids = [province.registry.id, province.housing.id]
    this = window_summary(ids, *NOVEMBER)
    last = window_summary(ids, *OCTOBER)
    assert this.n == 13 and last.n == 4 and this.flagged == 1
    # the cover's headline boxes and the summary
    cover = flat(pages[0])
    assert f"有效评价（条）{this.n:,}" in cover
    assert f"满意度指数（0–100）{this.index:.1f}较上月上升{this.index - last.index:.1f}" in cover
    assert f"好评率（非常满意、满意）{100 * this.good_share:.1f}%" in cover
    assert f"差评率（不满意、非常不满意）{100 * this.bad_share:.1f}%" in cover
    assert (f"共收到计入统计的群众评价{this.n:,}条，"
            f"满意度指数{this.index:.1f}（上月{last.index:.1f}）") in cover
    assert f"评价{this.flagged}条，未计入以上数字" in cover
    # the levels, this month and last
    assert f"非常不满意{this.counts[1]}{100 * this.counts[1] / this.n:.1f}%" \
           f"{last.counts[1]}{100 * last.counts[1] / last.n:.1f}%" in text
    # the windows, as ranked by the statistics
    for row in ranking(province.changsha, *NOVEMBER):
        assert (f"{row.rank}{row.name}{row.org_unit_name}{row.n}{row.index:.1f}"
                f"{row.adjusted_index:.1f}{100 * row.good_share:.1f}%(") in text, row.name
    # the cases of the month
    cases = handling_figures(ids, *NOVEMBER, now=DECEMBER_5)
    before = handling_figures(ids, *OCTOBER, now=DECEMBER_5)
    assert cases.cases == 3 and before.cases == 1  # every bad review opens a case
    assert cases.answered_on_time == 1 and before.answered == 0
    assert f"受理件数{cases.cases}{before.cases}" in text
    assert f"按时答复率{pct(cases.on_time_rate)}{pct(before.on_time_rate)}" in text
    assert f"首次答复用时中位数（小时）{cases.median_answer_hours:.1f}—" in text
    # the notice issued in November
    assert f"本月签发整改通知{1}件" in text
    assert month["notice"].number in text


def test_a_month_still_running_says_so(client, sign_in, province, month):
    sign_in(Role.ADMIN)
    with clock.frozen_at(datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)):
        response = client.get("/reports/units/HN/monthly.pdf?month=2026-11")
    assert response.status_code == 200
    cover = flat(pdf_text(response.data)[0])
    assert "2026年11月1日至2026年11月20日（本月尚未结束" in cover


def test_without_a_month_the_last_complete_one(client, sign_in, province, month):
    sign_in(Role.ADMIN)
    response = get_pdf(client, "/reports/units/HN-CS/monthly.pdf")
    assert response.status_code == 200
    assert "manyi-monthly-HN-CS-2026-11.pdf" in response.headers["Content-Disposition"]


def test_the_report_is_audited(client, sign_in, province, month):
    user = sign_in(Role.SUPERVISOR, org_unit=province.root)
    assert get_pdf(client, "/reports/units/HN-ZZ/monthly.pdf?month=2026-10").status_code == 200
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "report.monthly"))
    assert entry.actor_id == user.id
    assert (entry.object_type, entry.object_id) == ("OrgUnit", str(province.zhuzhou.id))
    assert entry.changes == {"month": "2026-10", "format": "pdf"}


def test_a_unit_without_ratings_still_gets_its_report(client, sign_in, province):
    sign_in(Role.ADMIN)
    response = get_pdf(client, "/reports/units/HN-ZZ-H/monthly.pdf?month=2026-11")
    assert response.status_code == 200
    text = flat("".join(pdf_text(response.data)))
    assert "株洲市公积金服务大厅" in text
    assert "本月没有窗口收到计入统计的评价" in text
    assert "本月未签发或办结整改通知" in text


def test_who_may_read_the_report(client, auth, sign_in, province):
    url = "/reports/units/HN-CS/monthly.pdf?month=2026-11"
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    sign_in(Role.MANAGER, windows=[province.registry])
    assert client.get(url).status_code == 403  # managers: not a subtree's report
    auth.logout()
    sign_in(Role.SUPERVISOR, org_unit=province.zhuzhou)
    assert client.get(url).status_code == 403  # another subtree
    assert client.get("/reports/units/HN/monthly.pdf").status_code == 403  # the unit above
    assert client.get("/reports/units/NOPE/monthly.pdf").status_code == 404
    auth.logout()
    sign_in(Role.OPERATOR, org_unit=province.root)
    assert client.get(url).status_code == 403
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "report.monthly")) is None


@pytest.mark.parametrize("month_arg", ["2026-13", "11-2026", "2099-01", "1999-12"])
def test_a_bad_month_is_400(client, sign_in, province, month_arg):
    sign_in(Role.ADMIN)
    assert get_pdf(client, f"/reports/units/HN/monthly.pdf?month={month_arg}").status_code \
        == 400


def test_the_page_form_leads_to_the_report(client, sign_in, province):
    sign_in(Role.SUPERVISOR, org_unit=province.changsha)
    with clock.frozen_at(DECEMBER_5):
        page = client.get("/reports/").text
        assert 'value="HN-CS"' in page and 'value="2026-11"' in page
        response = client.get("/reports/monthly?unit=HN-CS-WC&month=2026-10")
        assert response.status_code == 302
        assert response.headers["Location"].endswith(
            "/reports/units/HN-CS-WC/monthly.pdf?month=2026-10")
        assert client.get("/reports/monthly?unit=&month=2026-10").status_code == 400


# --- the command line ----------------------------------------------------------------------------


def test_manyi_report_monthly_writes_the_pdf(runner, province, month, tmp_path):
    target = tmp_path / "长沙-2026-11.pdf"
    with clock.frozen_at(DECEMBER_5):
        result = runner.invoke(args=["report", "monthly", "HN-CS", "2026-11", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert f"wrote {target}" in result.output and "13 ratings" in result.output
    text = flat("".join(pdf_text(target.read_bytes())))
    assert "长沙市住房和城乡建设局" in text and "2026年11月" in text
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "report.monthly"))
    assert entry.actor_name == "system" and entry.changes["month"] == "2026-11"


@pytest.mark.parametrize(("args", "message"), [
    (["NOPE", "2026-11"], "no org unit with the code NOPE"),
    (["HN", "2026/11"], "a month like 2026-11"),
    (["HN", "2027-01"], "has not begun"),
])
def test_manyi_report_monthly_refuses_what_it_cannot_print(runner, province, tmp_path, args,
                                                          message):
    with clock.frozen_at(DECEMBER_5):
        result = runner.invoke(args=["report", "monthly", *args, "-o",
                                     str(tmp_path / "x.pdf")])
    assert result.exit_code != 0
    assert message in result.output
    assert not (tmp_path / "x.pdf").exists()


def test_the_report_stays_chinese_for_an_english_reader(client, sign_in, province, month):
    from flask_babel import force_locale

    from feedback.notices.workflow import STATE_LABELS, NoticeState

    sign_in(Role.ADMIN)
    response = get_pdf(client, "/reports/units/HN-CS/monthly.pdf?month=2026-11&lang=en")
    text = flat("".join(pdf_text(response.data)))
    with force_locale("zh"):
        issued = str(STATE_LABELS[NoticeState.ISSUED])
    assert issued != "issued"
    assert f"{month['notice'].number}不动产登记窗口午间无人值守整改" in text
    assert issued in text and "issued" not in text
    assert "群众满意度月度专报" in text


def test_the_unit_dashboard_links_to_its_report_and_exports(client, sign_in, province, month):
    sign_in(Role.SUPERVISOR, org_unit=province.changsha)
    with clock.frozen_at(DECEMBER_5):
        page = client.get("/dashboard/units/HN-CS?period=month&month=2026-11").text
    for link in ("/reports/units/HN-CS/monthly.pdf?month=2026-11",
                 "/reports/windows.xlsx?unit=HN-CS&amp;month=2026-11",
                 "/reports/evaluations.xlsx?unit=HN-CS&amp;month=2026-11"):
        assert link in page, link
    assert get_pdf(client, "/reports/units/HN-CS/monthly.pdf?month=2026-11").status_code == 200
