"""Evidence files are accepted for what they are, not for what they are called."""

from __future__ import annotations

import gc
import io
import os
import warnings

import pytest
from sqlalchemy import select

from feedback.extensions import db
from feedback.notices.models import EvidenceFile, Notice
from feedback.notices.services import acknowledge_notice, draft_notice, issue_notice
from feedback.notices.workflow import NoticeState

HTML = b"<!doctype html><html><script>alert(document.cookie)</script></html>"


@pytest.fixture
def acknowledged(province) -> Notice:
    notice = draft_notice(province.city_sup, target_window=province.window, problem="问题",
                          requirement="要求")
    issue_notice(province.city_sup, notice)
    acknowledge_notice(province.manager, notice)
    db.session.commit()
    return notice


def stored_files(app) -> list[str]:
    folder = os.path.join(app.config["UPLOAD_FOLDER"], "notices")
    return os.listdir(folder) if os.path.isdir(folder) else []


def report(client, notice, *uploads):
    return client.post(f"/admin/notices/{notice.id}/report", data={
        "measures": "已整改", "files": [(io.BytesIO(data), name) for name, data in uploads],
    }, content_type="multipart/form-data")


FAKES = [
    pytest.param("现场照片.jpg", HTML, id="html-named-jpg"),
    pytest.param("photo.png", b"MZ\x90\x00" + b"\x00" * 200, id="exe-named-png"),
    pytest.param("整改报告.pdf", b"PK\x03\x04" + b"\x00" * 200, id="zip-named-pdf"),
    pytest.param("broken.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, id="png-signature-only"),
    pytest.param("half.pdf", b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\n", id="pdf-cut-short"),
    pytest.param("image.svg", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
                 id="svg"),
    pytest.param("empty.jpg", b"", id="empty"),
]


@pytest.mark.parametrize(("name", "data"), FAKES)
def test_a_file_that_is_not_what_it_claims_is_refused(app, province, acknowledged, sign_in,
                                                      files, name, data):
    client = sign_in(province.manager)
    response = report(client, acknowledged, ("真的.png", files.png()), (name, data))
    assert response.status_code == 400
    assert name in response.text  # the message names the refused file
    notice = db.session.get(Notice, acknowledged.id)
    assert notice.state == NoticeState.ACKNOWLEDGED
    assert notice.reports == []
    assert db.session.scalars(select(EvidenceFile)).all() == []
    assert stored_files(app) == []  # the good file of the same report was not kept either


def test_type_comes_from_the_content_not_the_name(app, province, acknowledged, sign_in, files):
    client = sign_in(province.manager)
    assert report(client, acknowledged, ("scan.pdf", files.jpeg())).status_code == 302
    stored = db.session.scalars(select(EvidenceFile)).one()
    assert stored.content_type == "image/jpeg"
    assert stored.stored_name.endswith(".jpg") and len(stored.stored_name) == 36
    assert stored_files(app) == [stored.stored_name]


def test_a_file_over_the_size_limit_is_refused(app, province, acknowledged, sign_in, files):
    app.config["EVIDENCE_MAX_MB"] = 1
    big = files.png() + b"\x00" * (1024 * 1024)
    client = sign_in(province.manager)
    with warnings.catch_warnings():
        # The test client spools a body this large to a temporary file it never closes.
        warnings.simplefilter("ignore", ResourceWarning)
        response = report(client, acknowledged, ("大图.png", big))
        status, text = response.status_code, response.text
        del response
        gc.collect()
    assert status == 400
    assert "1 MB" in text
    assert db.session.scalars(select(EvidenceFile)).all() == []
    assert stored_files(app) == []


def test_too_many_files_are_refused(app, province, acknowledged, sign_in, files):
    app.config["EVIDENCE_MAX_FILES"] = 2
    client = sign_in(province.manager)
    response = report(client, acknowledged, *[(f"{n}.png", files.png()) for n in range(3)])
    assert response.status_code == 400
    assert db.session.get(Notice, acknowledged.id).state == NoticeState.ACKNOWLEDGED


def test_a_report_needs_measures(province, acknowledged, sign_in, files):
    client = sign_in(province.manager)
    response = client.post(f"/admin/notices/{acknowledged.id}/report", data={
        "measures": "  ", "files": [(io.BytesIO(files.png()), "a.png")]},
        content_type="multipart/form-data")
    assert response.status_code == 400
    assert db.session.get(Notice, acknowledged.id).state == NoticeState.ACKNOWLEDGED
