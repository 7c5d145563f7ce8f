"""/admin/calendar: administrators see which years are known and enter a year's holidays."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from feedback.accounts.models import Role
from feedback.audit.models import AuditLog
from feedback.errors import ServiceError
from feedback.extensions import db
from feedback.workdays.calendar import package_covers
from feedback.workdays.models import CalendarDay
from feedback.workdays.services import (
    CalendarInputError,
    enter_calendar_days,
    parse_calendar_lines,
)

YEAR_2027 = """\
# 2027年部分节假日安排（示例）
2027-01-01 元旦 休
2027-02-07 春节调休 班
2027-02-11..2027-02-17 春节 休
"""


def entries() -> dict[str, tuple[bool, str]]:
    db.session.expire_all()
    return {e.day.isoformat(): (e.is_working_day, e.name)
            for e in db.session.scalars(select(CalendarDay).order_by(CalendarDay.day))}


def audit(action: str) -> list[AuditLog]:
    return list(db.session.scalars(select(AuditLog).where(AuditLog.action == action)))


@pytest.fixture
def admin(client, auth, make_user):
    make_user(Role.ADMIN, username="root")
    auth.login("root")
    return client


# --- parsing -----------------------------------------------------------------------------------


def test_lines_ranges_and_comments_are_parsed(app):
    lines = parse_calendar_lines(YEAR_2027)
    assert [(line.line_no, line.day.isoformat(), line.is_working_day, line.name)
            for line in lines[:3]] == [
        (2, "2027-01-01", False, "元旦"),
        (3, "2027-02-07", True, "春节调休"),
        (4, "2027-02-11", False, "春节"),
    ]
    assert len(lines) == 2 + 7
    assert lines[-1].day.isoformat() == "2027-02-17"
    # The name may be left out; full-width spaces separate words too.
    only = parse_calendar_lines("2027-10-01\u3000休")[0]
    assert (only.name, only.is_working_day) == ("", False)


def test_every_faulty_line_is_named_by_its_number(app):
    text = "\n".join([
        "2027-01-01 元旦 休",  # 1: fine
        "2027-02-30 春节 休",  # 2: no such day
        "2027-02-07 春节调休 上班",  # 3: neither 休 nor 班
        "2027-02-17..2027-02-11 春节 休",  # 4: backwards
        "2027-01-01 元旦 休",  # 5: twice
        "2027-03-01",  # 6: no kind
        "2027-01-01..2027-03-01 太长 休",  # 7: longer than a month
    ])
    with pytest.raises(CalendarInputError) as caught:
        parse_calendar_lines(text)
    errors = caught.value.errors
    assert [re.match(r"第 (\d+) 行：", e).group(1) for e in errors] == [
        "2", "3", "4", "5", "6", "7"]
    assert "2027-02-30" in errors[0]
    assert "上班" in errors[1]
    assert "第 1 行" in errors[3]  # where the day was given first


def test_nothing_but_comments_is_refused(app):
    with pytest.raises(ServiceError):
        parse_calendar_lines("# nothing\n\n")


# --- entering through the page -------------------------------------------------------------------


def test_an_administrator_enters_a_year_at_once_and_it_is_audited(app, admin):
    year = 2027
    response = admin.post("/admin/calendar", data={"lines": YEAR_2027})
    assert response.status_code == 302
    assert entries()["2027-01-01"] == (False, "元旦")
    assert entries()["2027-02-07"] == (True, "春节调休")
    assert len(entries()) == 9
    (entry,) = audit("calendar.enter")
    assert entry.actor_name == "root"
    assert entry.object_id == str(year)
    assert entry.changes["entries"][:2] == ["2027-01-01 元旦 休", "2027-02-07 春节调休 班"]

    page = admin.get("/admin/calendar")
    row = re.search(r'<tr class="coverage-(\w+)">\s*<th scope="row"><a [^>]*>2027</a>',
                    page.text)
    assert row is not None
    expected = "package" if package_covers(year) else "admin"
    assert row.group(1) == expected
    assert "休息 8 天，上班 1 天" in page.text

    year_page = admin.get("/admin/calendar/2027")
    assert year_page.status_code == 200
    assert "春节调休" in year_page.text


def test_one_faulty_line_saves_nothing_and_shows_the_errors(app, admin):
    text = YEAR_2027 + "2027-04-05 清明 放假\n"
    page = admin.post("/admin/calendar", data={"lines": text})
    assert page.status_code == 200
    assert entries() == {}
    assert audit("calendar.enter") == []
    assert "第 5 行" in page.text
    assert "放假" in page.text
    # The text stays in the form, to be corrected.
    assert "2027-02-11..2027-02-17 春节 休" in page.text


def test_a_day_with_a_different_entry_must_be_removed_first(app, admin):
    enter_calendar_days(None, "2027-01-01 元旦 休")
    db.session.commit()
    page = admin.post("/admin/calendar", data={"lines": "2027-01-01 元旦 班\n2027-01-02 元旦 休"})
    assert page.status_code == 200
    assert "第 1 行" in page.text
    assert entries() == {"2027-01-01": (False, "元旦")}
    # Repeating an entry exactly is harmless: the new line is added, the old one kept.
    response = admin.post("/admin/calendar",
                          data={"lines": "2027-01-01 元旦 休\n2027-01-02 元旦 休"})
    assert response.status_code == 302
    assert entries() == {"2027-01-01": (False, "元旦"), "2027-01-02": (False, "元旦")}


def test_entries_are_removed_one_by_one_or_by_year_and_audited(app, admin):
    enter_calendar_days(None, YEAR_2027 + "2028-01-01 元旦 休")
    db.session.commit()
    response = admin.post("/admin/calendar/days/2027-02-07/remove")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/calendar/2027")
    assert "2027-02-07" not in entries()
    (removed,) = audit("calendar.remove")
    assert removed.actor_name == "root"
    assert removed.changes == {"day": "2027-02-07", "name": "春节调休", "is_working_day": True}

    assert admin.post("/admin/calendar/2027/clear").status_code == 302
    assert list(entries()) == ["2028-01-01"]
    (cleared,) = audit("calendar.clear")
    assert len(cleared.changes["entries"]) == 8

    assert admin.post("/admin/calendar/days/2027-02-07/remove").status_code == 404
    assert admin.post("/admin/calendar/days/not-a-day/remove").status_code == 404
    assert admin.get("/admin/calendar/99999").status_code == 404


def test_the_year_page_shows_the_package_arrangement_and_what_overrides_it(app, admin):
    enter_calendar_days(None, "2026-10-10 取消调休 休")
    db.session.commit()
    page = admin.get("/admin/calendar/2026")
    assert "国庆节" in page.text  # the package's National Day, with its Chinese name
    assert "2026-10-10" in page.text and "取消调休" in page.text
    assert "已被覆盖" in page.text


def test_an_unknown_year_says_it_is_counted_by_weekends(app, admin):
    page = admin.get("/admin/calendar/2099")
    assert page.status_code == 200
    assert "仅按周末计算" in page.text


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.MANAGER, Role.OPERATOR])
def test_only_administrators_may_touch_the_calendar(app, client, auth, make_user, make_window,
                                                    role):
    window = make_window()
    scope = {"windows": [window]} if role == Role.MANAGER else {"org_unit": window.org_unit}
    make_user(role, username="someone", **scope)
    enter_calendar_days(None, "2027-01-01 元旦 休")
    db.session.commit()
    auth.login("someone")
    assert client.get("/admin/calendar").status_code == 403
    assert client.post("/admin/calendar", data={"lines": "2027-01-02 元旦 休"}).status_code == 403
    assert client.post("/admin/calendar/days/2027-01-01/remove").status_code == 403
    assert client.post("/admin/calendar/2027/clear").status_code == 403
    assert entries() == {"2027-01-01": (False, "元旦")}


def test_the_command_line_enters_a_year_all_or_nothing(app, runner, tmp_path):
    path = tmp_path / "2027.txt"
    path.write_text(YEAR_2027, encoding="utf-8")
    result = runner.invoke(args=["calendar", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "entered 9 days, 0 already were" in result.output
    assert len(entries()) == 9
    assert audit("calendar.enter")[0].actor_name == "system"

    result = runner.invoke(args=["calendar", "import", "-"],
                           input="2027-12-31 跨年 休\n2027-13-01 错误 休\n")
    assert result.exit_code == 1
    assert "第 2 行" in result.output
    assert "2027-12-31" not in entries()

    status = runner.invoke(args=["calendar", "status"])
    expected = "package" if package_covers(2027) else "admin"
    assert f"2027\t{expected}\t8 off\t1 working" in status.output
