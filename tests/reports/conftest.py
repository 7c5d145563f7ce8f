"""A small province with evaluations stored through the real service, and who may see what.

    province 湖南省住房和城乡建设厅
    ├── city 长沙市住房和城乡建设局 ── hall 望城区政务服务中心 ── 不动产登记窗口, 存量房交易窗口
    └── city 株洲市住房和城乡建设局 ── hall 株洲市公积金服务大厅 ── 公积金提取窗口
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

from feedback import clock
from feedback.accounts.models import Role, User
from feedback.clock import local_date
from feedback.evaluations.models import Channel, Evaluation
from feedback.evaluations.services import Contact, Submission, submit_evaluation
from feedback.extensions import db
from feedback.orgs.models import OrgUnit, UnitKind
from feedback.questionnaires.queries import current_version_ref
from feedback.windows.models import Staff, Window


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@dataclass
class Province:
    root: OrgUnit
    changsha: OrgUnit
    zhuzhou: OrgUnit
    hall: OrgUnit  # under 长沙
    fund_hall: OrgUnit  # under 株洲
    registry: Window  # 不动产登记窗口, 长沙
    housing: Window  # 存量房交易窗口, 长沙
    fund: Window  # 公积金提取窗口, 株洲
    clerk: Staff  # at the registry


@pytest.fixture
def province(make_unit, make_window, make_staff) -> Province:
    root = make_unit("湖南省住房和城乡建设厅", code="HN")
    changsha = make_unit("长沙市住房和城乡建设局", parent=root, code="HN-CS")
    zhuzhou = make_unit("株洲市住房和城乡建设局", parent=root, code="HN-ZZ")
    county = make_unit("望城区住房和城乡建设局", parent=changsha, code="HN-CS-WC")
    hall = make_unit("望城区政务服务中心", parent=county, kind=UnitKind.HALL, code="HN-CS-WC-H")
    fund_hall = make_unit("株洲市公积金服务大厅", parent=zhuzhou, kind=UnitKind.HALL,
                          code="HN-ZZ-H")
    registry = make_window(hall=hall, name="不动产登记窗口")
    housing = make_window(hall=hall, name="存量房交易窗口")
    fund = make_window(hall=fund_hall, name="公积金提取窗口")
    clerk = make_staff(window=registry, name="刘卫国", badge_no="HN-CS-0019")
    return Province(root, changsha, zhuzhou, hall, fund_hall, registry, housing, fund, clerk)


@pytest.fixture
def rate(app):
    """``rate(window, level, at=…, staff=…, flagged=…, comment=…, reasons=…, phone=…,
    **dimensions)`` → the stored Evaluation, through ``submit_evaluation`` (rollups follow).
    ``flagged=True`` submits from a signed-in staff session, which is flagged."""
    browsers = itertools.count(1)

    def _rate(window: Window, level: int, *, at: datetime, staff: Staff | None = None,
              flagged: bool = False, comment: str = "", reasons: tuple[str, ...] = (),
              phone: str = "", channel: Channel = Channel.QR, **dimensions: int) -> Evaluation:
        answers: dict = {"overall": str(level), **{k: str(v) for k, v in dimensions.items()}}
        if staff is not None:
            answers["staff"] = str(staff.id)
        if comment:
            answers["comment"] = comment
        if reasons:
            answers["reasons"] = list(reasons)
        contact = Contact(phone=phone, consent=bool(phone)) if phone else Contact()
        with clock.frozen_at(at):
            version = current_version_ref(window.id, window.category_id, local_date(at))
            stored = submit_evaluation(
                window, version, answers, contact,
                Submission(channel=channel, client_id=f"browser-{next(browsers)}",
                           staff_session=flagged),
            )
        db.session.commit()
        return db.session.get(Evaluation, stored.id)

    return _rate


@pytest.fixture
def sign_in(auth, make_user) -> Callable[..., User]:
    """``sign_in(role, **scope)``: make a user and sign the test client in as them."""

    def _sign_in(role: Role = Role.ADMIN, **scope) -> User:
        user = make_user(role, **scope)
        response = auth.login(user.username)
        assert response.status_code == 302, "sign-in failed"
        return user

    return _sign_in


def pdf_text(data: bytes) -> list[str]:
    """Each page's text as pypdf extracts it."""
    assert data.startswith(b"%PDF-")
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]
