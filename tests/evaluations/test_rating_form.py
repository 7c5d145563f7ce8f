"""The public rating form: a citizen at a window, a phone, ten seconds."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from feedback.evaluations.links import qr_key
from feedback.evaluations.models import Channel, Evaluation, FlagReason, FlagStatus
from feedback.extensions import db
from surveys import Level


def form_url(window) -> str:
    return f"/w/{window.code}?k={qr_key(window)}"


def nonce_of(html: str) -> str:
    return re.search(r'name="nonce" value="([^"]+)"', html).group(1)


def submit(client, window, **answers):
    page = client.get(form_url(window))
    assert page.status_code == 200
    data = {"nonce": nonce_of(page.text), **answers}
    return client.post(form_url(window), data=data)


def count(**where) -> int:
    query = select(func.count()).select_from(Evaluation)
    for key, value in where.items():
        query = query.where(getattr(Evaluation, key) == value)
    return db.session.scalar(query)


@pytest.mark.parametrize("level", list(Level))
def test_every_level_is_stored_and_counted(client, make_window, level):
    window = make_window()
    response = submit(client, window, overall=str(level.value))
    assert response.status_code == 200
    assert "感谢" in response.text
    stored = db.session.scalars(select(Evaluation)).one()
    assert stored.level == level.value
    assert stored.window_id == window.id
    assert stored.channel == Channel.QR
    assert stored.flag_status == FlagStatus.COUNTED
    # a bad review gets a tracking number the citizen can read
    assert (stored.tracking_no is not None) == (level.value <= 2)
    if stored.tracking_no:
        assert stored.tracking_no in response.text


def test_double_tap_stores_one_evaluation(client, make_window):
    window = make_window()
    page = client.get(form_url(window))
    data = {"nonce": nonce_of(page.text), "overall": "5"}
    first = client.post(form_url(window), data=data)
    second = client.post(form_url(window), data=data)
    assert first.status_code == second.status_code == 200
    assert count() == 1


def test_a_nonce_of_another_window_shows_nothing_of_its_evaluation(client, make_window):
    """The nonce alone finds the earlier evaluation of a resubmitted form: sent to another
    window's form, it must not show that evaluation's tracking number."""
    first, other = make_window(), make_window()
    page = client.get(form_url(first))
    nonce = nonce_of(page.text)
    bad = client.post(form_url(first), data={"nonce": nonce, "overall": "1"})
    tracking_no = db.session.scalars(select(Evaluation.tracking_no)).one()
    assert tracking_no in bad.text

    elsewhere = client.post(form_url(other), data={"nonce": nonce, "overall": "5"})
    assert elsewhere.status_code == 409
    assert tracking_no not in elsewhere.text
    assert "此表单属于其他窗口" in elsewhere.text
    assert count() == 1


@pytest.mark.parametrize("nonce", ["dev:1:r-1", "box:" + "a" * 32, "a" * 65, "a b", "短" * 32])
def test_a_nonce_the_form_did_not_make_is_refused(client, make_window, nonce):
    """Devices' and the suggestion box's nonces look otherwise: a form cannot borrow them."""
    window = make_window()
    response = client.post(form_url(window), data={"nonce": nonce, "overall": "1"})
    assert response.status_code == 400
    assert count() == 0


def test_missing_overall_is_refused_and_stores_nothing(client, make_window):
    window = make_window()
    response = submit(client, window, speed="4")
    assert response.status_code == 422
    assert 'role="alert"' in response.text
    assert count() == 0


def test_out_of_scale_level_is_refused(client, make_window):
    window = make_window()
    assert submit(client, window, overall="6").status_code == 422
    assert submit(client, window, overall="0").status_code == 422
    assert count() == 0


def test_reasons_are_kept_for_a_bad_review_only(client, make_window):
    window = make_window()
    submit(client, window, overall="1", reasons=["attitude", "slow"])
    bad = db.session.scalars(select(Evaluation)).one()
    assert bad.answers["reasons"] == ["attitude", "slow"]


def test_staff_member_chosen_by_the_citizen_is_stored(client, make_staff):
    staff = make_staff(name="李娜")
    page = client.get(form_url(staff.window))
    assert "李娜" in page.text and staff.badge_no in page.text
    client.post(form_url(staff.window),
                data={"nonce": nonce_of(page.text), "overall": "5", "staff": str(staff.id)})
    assert db.session.scalars(select(Evaluation)).one().staff_id == staff.id


def test_staff_of_another_window_is_refused(client, make_staff, make_window):
    other = make_staff()
    window = make_window()
    response = submit(client, window, overall="5", staff=str(other.id))
    assert response.status_code == 422
    assert count() == 0


def test_phone_is_encrypted_masked_and_needs_consent(client, make_window):
    window = make_window()
    refused = submit(client, window, overall="2", phone="13812345678", wants_reply="yes")
    assert refused.status_code == 422
    assert count() == 0
    ok = submit(client, window, overall="2", phone="13812345678", wants_reply="yes",
                consent="yes")
    assert ok.status_code == 200
    stored = db.session.scalars(select(Evaluation)).one()
    assert stored.phone_masked == "138****5678"
    assert "13812345678" not in stored.phone_cipher
    assert stored.wants_reply


def test_reply_without_phone_is_refused(client, make_window):
    window = make_window()
    assert submit(client, window, overall="3", wants_reply="yes").status_code == 422
    assert count() == 0


def test_unknown_window_and_wrong_key_are_not_found(client, make_window):
    window = make_window()
    assert client.get("/w/nosuchcode?k=abcdef").status_code == 404
    assert client.get(f"/w/{window.code}?k=zzzzzz").status_code == 404
    assert client.get(f"/w/{window.code}").status_code == 404


def test_revoked_code_shows_a_clear_page_and_accepts_nothing(client, make_window):
    window = make_window()
    old_url = form_url(window)
    page = client.get(old_url)
    window.qr_key_version += 1
    db.session.commit()
    revoked = client.get(old_url)
    assert revoked.status_code == 410
    assert "二维码已停用" in revoked.text or "withdrawn" in revoked.text
    client.post(old_url, data={"nonce": nonce_of(page.text), "overall": "5"})
    assert count() == 0
    assert client.get(form_url(window)).status_code == 200


def test_same_browser_rating_again_is_flagged_not_lost(client, make_window):
    window = make_window()
    submit(client, window, overall="5")
    submit(client, window, overall="5")
    assert count() == 2
    assert count(flag_status=FlagStatus.FLAGGED, flag_reason=FlagReason.REPEAT) == 1


def test_rating_from_a_signed_in_session_is_flagged(client, auth, make_window, make_user):
    window = make_window()
    make_user(username="insider")
    auth.login("insider")
    submit(client, window, overall="5")
    assert count(flag_reason=FlagReason.STAFF_SESSION) == 1


def test_a_citizen_can_rate_in_english(client, make_window):
    window = make_window()
    chinese = client.get(form_url(window))
    switch = re.search(r'class="lang-switch" href="([^"]+)"', chinese.text).group(1)
    english = client.get(switch.replace("&amp;", "&"))
    assert "Submit rating" in english.text and "提交评价" not in english.text
    # The form posts to its own address, so the answer comes back in English too.
    thanks = client.post(switch.replace("&amp;", "&"),
                         data={"nonce": nonce_of(english.text), "overall": "4"})
    assert "Thank you for your rating!" in thanks.text
    assert count() == 1
