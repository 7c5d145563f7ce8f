"""The inbox page: one's own messages, newest first, unread marked, opened and marked read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, select

from feedback import clock
from feedback.accounts.models import Role
from feedback.errors import ServiceError
from feedback.extensions import db
from feedback.notifications.models import Notification
from feedback.notifications.queries import unread_count
from feedback.notifications.services import mark_read, notify

T0 = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def send(user, subject, link=None, at=T0, body=""):
    with clock.frozen_at(at):
        notify([user], "test.kind", None, link, subject, body)
    db.session.commit()
    return db.session.scalars(
        select(Notification).where(Notification.user_id == user.id)
        .order_by(Notification.id.desc())
    ).first()


@pytest.fixture
def wang(make_user):
    return make_user(Role.ADMIN, username="wang")


def test_inbox_shows_my_messages_newest_first_unread_marked_and_not_others(
    client, auth, wang, make_user
):
    other = make_user(Role.ADMIN, username="lisi")
    send(wang, "较早的消息", at=T0)
    read = send(wang, "已读的消息", at=T0 + timedelta(hours=1))
    send(wang, "最新的消息", at=T0 + timedelta(hours=2), body="<script>alert(1)</script>")
    send(other, "别人的消息")
    mark_read(wang, read)
    db.session.commit()

    auth.login("wang")
    page = client.get("/inbox").text
    assert page.index("最新的消息") < page.index("已读的消息") < page.index("较早的消息")
    assert "别人的消息" not in page
    assert page.count('class="inbox-item unread"') == 2
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    only_unread = client.get("/inbox?unread=1").text
    assert "最新的消息" in only_unread and "已读的消息" not in only_unread


def test_opening_a_message_marks_it_read_and_follows_its_link(client, auth, wang):
    message = send(wang, "案件待处理", link="/admin/evaluations?level=1")
    assert unread_count(wang) == 1
    auth.login("wang")
    response = client.get(f"/inbox/{message.id}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/evaluations?level=1"
    assert unread_count(wang) == 0
    assert db.session.get(Notification, message.id).read_at is not None


def test_a_message_without_a_link_opens_the_inbox(client, auth, wang):
    message = send(wang, "仅供知悉")
    auth.login("wang")
    assert client.get(f"/inbox/{message.id}").headers["Location"] == "/inbox"


def test_someone_elses_message_is_not_found_and_stays_unread(client, auth, wang, make_user):
    other = make_user(Role.ADMIN, username="lisi")
    theirs = send(other, "别人的消息")
    auth.login("wang")
    assert client.get(f"/inbox/{theirs.id}").status_code == 404
    assert unread_count(other) == 1
    with pytest.raises(ServiceError):
        mark_read(wang, theirs)


@pytest.mark.parametrize(
    "link", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x",
             "/ok\r\nSet-Cookie: x=1"],
)
def test_notify_accepts_only_local_paths_as_links(wang, link):
    with pytest.raises(ValueError):
        notify([wang], "test.kind", None, link, "x")


def test_a_stored_link_to_another_site_is_never_followed(client, auth, wang):
    # Written around notify(), as a bug elsewhere might: the CHECK lets "//" through.
    sneaky = Notification(user_id=wang.id, kind="x", subject="x", link="//evil.example/")
    db.session.add(sneaky)
    db.session.commit()
    auth.login("wang")
    assert client.get(f"/inbox/{sneaky.id}").headers["Location"] == "/inbox"


def test_mark_all_read_marks_only_mine(client, auth, wang, make_user):
    other = make_user(Role.ADMIN, username="lisi")
    for n in range(3):
        send(wang, f"消息{n}")
    send(other, "别人的消息")
    auth.login("wang")
    response = client.post("/inbox/read-all", follow_redirects=True)
    assert "3" in response.text
    assert unread_count(wang) == 0
    assert unread_count(other) == 1


def test_the_inbox_is_paginated(app, client, auth, wang):
    app.config["PAGE_SIZE"] = 10
    for n in range(25):
        send(wang, f"第{n:02d}条", at=T0 + timedelta(minutes=n))
    auth.login("wang")
    first = client.get("/inbox").text
    assert "第24条" in first and "第15条" in first and "第14条" not in first
    last = client.get("/inbox?page=3").text
    assert "第04条" in last and "第00条" in last and "第05条" not in last
    assert client.get("/inbox?page=4").status_code == 404


def test_signing_in_is_required(client):
    response = client.get("/inbox")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_every_role_has_an_inbox(client, auth, make_user, make_window, make_hall):
    window = make_window()
    users = [
        make_user(Role.SUPERVISOR, org_unit=window.org_unit),
        make_user(Role.MANAGER, windows=[window]),
        make_user(Role.OPERATOR, org_unit=window.org_unit),
    ]
    for user in users:
        send(user, f"给{user.username}的消息")
        auth.login(user.username)
        page = client.get("/inbox")
        assert page.status_code == 200 and f"给{user.username}的消息" in page.text
        auth.logout()


class StatementLog:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, *args) -> None:
        self.statements.append(statement)

    def about_notifications(self) -> list[str]:
        return [s for s in self.statements if "notifications" in s]


@pytest.fixture
def statements(app):
    log = StatementLog()
    event.listen(db.engine, "before_cursor_execute", log)
    yield log
    event.remove(db.engine, "before_cursor_execute", log)


def test_the_header_shows_the_unread_count_with_one_query_per_page(
    client, auth, wang, statements
):
    send(wang, "一")
    send(wang, "二")
    auth.login("wang")
    statements.statements.clear()
    page = client.get("/inbox").text  # the header and the page both show the count
    assert '<span class="count">2<span class="sr-only">' in page
    unread_counts = [s for s in statements.about_notifications() if "read_at IS NULL" in s]
    assert len(unread_counts) == 1
    statements.statements.clear()
    home = client.get("/").text
    assert '<span class="count">2' in home
    assert len(statements.about_notifications()) == 1


def test_anonymous_pages_ask_nothing_about_the_inbox(client, statements):
    page = client.get("/")
    assert page.status_code == 200
    assert "/inbox" not in page.text
    assert statements.about_notifications() == []


def test_lazy_texts_follow_the_readers_language(client, auth, wang):
    send(wang, _l("%(n)d unread", n=5))
    stored = db.session.scalars(select(Notification)).one()
    assert stored.subject == "5 条未读"  # stored in the site's language
    auth.login("wang")
    assert "5 条未读" in client.get("/inbox").text
    assert "5 unread" in client.get("/inbox?lang=en").text



def test_lazy_parameters_follow_the_readers_language_too(client, auth, wang):
    send(wang, _l("Open it in Manyi: %(url)s", url=_l("Inbox")))
    assert db.session.scalars(select(Notification)).one().subject == "在满意平台中查看：消息"
    auth.login("wang")
    assert "Open it in Manyi: Inbox" in client.get("/inbox?lang=en").text


def test_a_stored_text_that_no_longer_fits_the_catalogue_is_shown_as_written(client, auth, wang):
    message = send(wang, "原文")
    message.texts = {"subject": {"msgid": "%(n)d unread", "params": {"m": 1}}}  # renamed
    db.session.commit()
    auth.login("wang")
    assert "原文" in client.get("/inbox?lang=en").text
