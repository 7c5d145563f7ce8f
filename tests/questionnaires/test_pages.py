"""Questionnaire pages: who may open them, the list, new questionnaires, assignments, state."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from feedback.accounts.models import Role
from feedback.audit.models import AuditLog
from feedback.extensions import db
from feedback.orgs.models import ServiceCategory
from feedback.questionnaires.models import Survey, SurveyAssignment, SurveyKind
from feedback.questionnaires.queries import get_current_version
from tests.conftest import PASSWORD
from tests.questionnaires.helpers import count_versions, default_survey_row, read_form


def assignments_of(survey) -> list[SurveyAssignment]:
    return list(db.session.scalars(
        select(SurveyAssignment).where(SurveyAssignment.survey_id == survey.id)
    ))


def audit(action: str) -> list[AuditLog]:
    return list(db.session.scalars(select(AuditLog).where(AuditLog.action == action)))


def category(code: str) -> ServiceCategory:
    return db.session.scalar(select(ServiceCategory).where(ServiceCategory.code == code))


# --- who may open them ----------------------------------------------------------------------

PAGES = [
    ("get", "/admin/surveys/"),
    ("get", "/admin/surveys/new"),
    ("post", "/admin/surveys/new"),
    ("get", "/admin/surveys/{id}"),
    ("post", "/admin/surveys/{id}"),
    ("get", "/admin/surveys/{id}/versions/1"),
    ("get", "/admin/surveys/{id}/assignments"),
    ("post", "/admin/surveys/{id}/assignments"),
    ("post", "/admin/surveys/{id}/assignments/{assignment}/remove"),
    ("post", "/admin/surveys/{id}/active"),
]


@pytest.fixture
def assigned(make_survey, category):
    survey = make_survey("专项调查", category=category)
    return survey, assignments_of(survey)[0]


def _url(path: str, assigned) -> str:
    survey, assignment = assigned
    return path.format(id=survey.id, assignment=assignment.id)


@pytest.mark.parametrize(("method", "path"), PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, assigned, method, path):
    response = getattr(client, method)(_url(path, assigned), data={"active": "0"})
    assert response.status_code == 302
    assert "/login" in response.location
    assert assignments_of(assigned[0]) and assigned[0].active


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.MANAGER, Role.OPERATOR, Role.STAFF])
@pytest.mark.parametrize(("method", "path"), PAGES)
def test_only_administrators_may_open_them(client, auth, make_user, make_unit, make_staff,
                                           make_window, assigned, role, method, path):
    scope = {
        Role.SUPERVISOR: lambda: {"org_unit": make_unit()},
        Role.OPERATOR: lambda: {"org_unit": make_unit()},
        Role.MANAGER: lambda: {"windows": [make_window()]},
        Role.STAFF: lambda: {"staff": make_staff()},
    }[role]()
    make_user(role, username="someone", **scope)
    assert auth.login("someone", PASSWORD).status_code == 302
    response = getattr(client, method)(_url(path, assigned), data={"active": "0"})
    assert response.status_code == 403
    assert assignments_of(assigned[0]) and assigned[0].active


def test_the_nav_link_is_for_administrators_only(client, auth, make_user, make_unit):
    make_user(Role.SUPERVISOR, username="sup", org_unit=make_unit())
    make_user(Role.ADMIN, username="root")
    auth.login("sup")
    assert 'href="/admin/surveys/"' not in client.get("/").text
    auth.logout()
    auth.login("root")
    assert 'href="/admin/surveys/"' in client.get("/").text


def test_forms_need_the_csrf_token(make_app, make_user):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        make_user(Role.ADMIN, username="root")
        survey_id = default_survey_row().id
    client = app.test_client()
    token = read_form(client.get("/login").text)["csrf_token"]
    response = client.post("/login", data={"username": "root", "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302

    data = read_form(client.get(f"/admin/surveys/{survey_id}").text)
    without = {k: v for k, v in data.items() if k != "csrf_token"}
    assert client.post(f"/admin/surveys/{survey_id}", data={**without, "action": "save"}
                       ).status_code == 400
    assert client.post(f"/admin/surveys/{survey_id}", data={**data, "action": "save"}
                       ).status_code == 302


# --- the list and new questionnaires ----------------------------------------------------------


def test_list_shows_kind_version_and_assignments(client, admin, make_survey, make_window):
    window = make_window(name="不动产登记窗口")
    make_survey("社会满意度调查2026", SurveyKind.PERIODIC, label="x", category=category("parks"),
                starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 31))
    make_survey("窗口专用问卷", window=window)
    make_survey("停用问卷", active=False)
    page = client.get("/admin/surveys/").text
    assert page.index("默认评价问卷") < page.index("社会满意度调查2026") < page.index("停用问卷")
    assert "Periodic survey" in page and "Standard" in page
    assert "Version 2" in page  # the relabelled one
    assert "Parks and scenic areas" in page and "2026-03-01 to 2026-03-31" in page
    assert f"<code>{window.code}</code>" in page
    assert "inactive" in page


def test_a_new_questionnaire_starts_as_a_copy_of_the_default_one(client, admin):
    default = default_survey_row()
    page = client.get("/admin/surveys/new")
    assert page.status_code == 200
    response = client.post("/admin/surveys/new", data={"name": " 社会满意度调查 ",
                                                        "kind": "periodic"})
    assert response.status_code == 302
    survey = db.session.scalar(select(Survey).where(Survey.name == "社会满意度调查"))
    assert response.location.endswith(f"/admin/surveys/{survey.id}")
    assert survey.kind == SurveyKind.PERIODIC and survey.active and not survey.is_default
    version = get_current_version(survey)
    assert version.number == 1 and version.published_by_id == admin.id
    assert version.fingerprint == get_current_version(default).fingerprint
    assert [e.object_id for e in audit("survey.create")] == [str(survey.id)]


@pytest.mark.parametrize("data", [{"name": "", "kind": "standard"},
                                  {"name": "x" * 121, "kind": "standard"},
                                  {"name": "问卷", "kind": "weekly"}])
def test_a_new_questionnaire_needs_a_name_and_a_kind(client, admin, data):
    response = client.post("/admin/surveys/new", data=data)
    assert response.status_code == 200
    assert 'role="alert"' in response.text
    assert db.session.scalar(select(func.count()).select_from(Survey)) == 1


# --- assignments -----------------------------------------------------------------------------


def post_assignment(client, survey, **fields):
    data = {"category": "", "window": "", "starts_on": "", "ends_on": "", **fields}
    return client.post(f"/admin/surveys/{survey.id}/assignments", data=data)


def test_assign_to_a_trade_and_to_a_window_and_remove(client, admin, make_survey, make_window):
    survey = make_survey("常设问卷")
    window = make_window()
    form = read_form(client.get(f"/admin/surveys/{survey.id}/assignments").text)
    assert set(form) >= {"category", "window", "starts_on", "ends_on"}

    licensing = category("licensing")
    response = post_assignment(client, survey, category=str(licensing.id))
    assert response.status_code == 302
    response = post_assignment(client, survey, window=f" {window.code} ",
                               starts_on="2026-05-01")
    assert response.status_code == 302
    page = client.get(response.location).text
    assert "Administrative licensing" in page
    assert window.code in page and "from 2026-05-01" in page

    by_target = {(a.category_id, a.window_id): a for a in assignments_of(survey)}
    assert set(by_target) == {(licensing.id, None), (None, window.id)}
    assert by_target[(None, window.id)].starts_on == date(2026, 5, 1)
    assert by_target[(None, window.id)].ends_on is None
    assert len(audit("survey.assign")) == 2

    removed_id = by_target[(licensing.id, None)].id
    response = client.post(f"/admin/surveys/{survey.id}/assignments/{removed_id}/remove")
    assert response.status_code == 302
    assert [a.window_id for a in assignments_of(survey)] == [window.id]
    assert audit("survey.unassign")[0].changes["assignment"] == removed_id


def test_an_assignment_is_removed_only_through_its_own_survey(client, admin, make_survey,
                                                              category):
    mine, other = make_survey("甲"), make_survey("乙", category=category)
    assignment = assignments_of(other)[0]
    response = client.post(f"/admin/surveys/{mine.id}/assignments/{assignment.id}/remove")
    assert response.status_code == 404
    assert assignments_of(other) == [assignment]


ASSIGNMENT_ERRORS = {
    "no target": (SurveyKind.STANDARD, {}, "one of the two"),
    "two targets": (SurveyKind.STANDARD, {"category": "licensing", "window": "WINDOW"},
                    "one of the two"),
    "unknown window": (SurveyKind.STANDARD, {"window": "nosuchwin"},
                       "There is no window with code nosuchwin."),
    "last day before first": (SurveyKind.STANDARD, {"category": "licensing",
                                                    "starts_on": "2026-03-02",
                                                    "ends_on": "2026-03-01"},
                              "The last day cannot be before the first day."),
    "not a date": (SurveyKind.STANDARD, {"category": "licensing", "starts_on": "2026-02-30"},
                   "Not a valid date value."),
    "periodic without dates": (SurveyKind.PERIODIC, {"category": "licensing"},
                               "A periodic survey needs a first day."),
    "periodic without a last day": (SurveyKind.PERIODIC, {"window": "WINDOW",
                                                          "starts_on": "2026-03-01"},
                                    "A periodic survey needs a last day."),
    "periodic backwards": (SurveyKind.PERIODIC, {"category": "licensing",
                                                 "starts_on": "2026-03-31",
                                                 "ends_on": "2026-03-01"},
                           "The last day cannot be before the first day."),
}


@pytest.mark.parametrize("case", ASSIGNMENT_ERRORS.values(), ids=ASSIGNMENT_ERRORS.keys())
def test_invalid_assignments_are_refused_and_store_nothing(client, admin, make_survey,
                                                           make_window, case):
    kind, fields, message = case
    survey = make_survey("问卷", kind)
    window = make_window()
    if fields.get("category"):
        fields = {**fields, "category": str(category(fields["category"]).id)}
    if fields.get("window") == "WINDOW":
        fields = {**fields, "window": window.code}
    response = post_assignment(client, survey, **fields)
    assert response.status_code == 200
    assert message in response.text
    assert 'role="alert"' in response.text
    assert assignments_of(survey) == []
    assert audit("survey.assign") == []


def test_a_periodic_assignment_with_both_days_is_stored(client, admin, make_survey):
    survey = make_survey("社会满意度调查", SurveyKind.PERIODIC)
    response = post_assignment(client, survey, category=str(category("housing_fund").id),
                               starts_on="2026-03-01", ends_on="2026-03-01")
    assert response.status_code == 302
    (assignment,) = assignments_of(survey)
    assert assignment.starts_on == assignment.ends_on == date(2026, 3, 1)


def test_the_same_assignment_twice_is_refused(client, admin, make_survey, category):
    survey = make_survey("问卷", category=category)
    response = post_assignment(client, survey, category=str(category.id))
    assert "This questionnaire is assigned there already." in response.text
    assert len(assignments_of(survey)) == 1


# --- deactivating --------------------------------------------------------------------------


def test_deactivate_and_reactivate(client, admin, make_survey, category):
    survey = make_survey("问卷", category=category)
    response = client.post(f"/admin/surveys/{survey.id}/active", data={"active": "0"})
    assert response.status_code == 302
    assert "Questionnaire deactivated." in client.get(response.location).text
    db.session.refresh(survey)
    assert not survey.active
    assert len(assignments_of(survey)) == 1  # kept for when it is reactivated
    client.post(f"/admin/surveys/{survey.id}/active", data={"active": "1"})
    db.session.refresh(survey)
    assert survey.active
    assert [e.action for e in db.session.scalars(
        select(AuditLog).where(AuditLog.action.in_(["survey.deactivate", "survey.activate"]))
        .order_by(AuditLog.id)
    )] == ["survey.deactivate", "survey.activate"]


def test_the_default_questionnaire_cannot_be_deactivated(client, admin):
    default = default_survey_row()
    page = client.get(f"/admin/surveys/{default.id}/assignments").text
    assert "Deactivate" not in page
    response = client.post(f"/admin/surveys/{default.id}/active", data={"active": "0"})
    assert response.status_code == 302
    assert "The default questionnaire cannot be deactivated." in client.get(
        response.location).text
    db.session.refresh(default)
    assert default.active
    assert audit("survey.deactivate") == []


def test_set_active_needs_a_state(client, admin, make_survey):
    survey = make_survey("问卷")
    assert client.post(f"/admin/surveys/{survey.id}/active").status_code == 400
    assert client.post(f"/admin/surveys/{survey.id}/active",
                       data={"active": "yes"}).status_code == 400


def test_editing_an_inactive_questionnaire_still_works(client, admin, make_survey):
    survey = make_survey("问卷", active=False)
    assert client.get(f"/admin/surveys/{survey.id}").status_code == 200
    assert count_versions(survey) == 1
