"""Fixtures for the notice tests: a province with two cities, their supervisors and managers,
evaluations through the real service, and real image and PDF files."""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass
from datetime import datetime

import pytest
from PIL import Image

from feedback import clock
from feedback.accounts.models import Role, User
from feedback.clock import local_date
from feedback.evaluations.models import Channel, Evaluation
from feedback.evaluations.services import Contact, Submission, submit_evaluation
from feedback.extensions import db
from feedback.orgs.models import OrgUnit, UnitKind
from feedback.questionnaires.queries import current_version_ref
from feedback.windows.models import Window


@dataclass
class Province:
    province: OrgUnit
    city_a: OrgUnit
    county_a: OrgUnit
    hall_a: OrgUnit
    city_b: OrgUnit
    hall_b: OrgUnit
    window: Window  # the target of the notices: 不动产登记窗口 in hall A
    neighbour: Window  # another window of hall A, another manager
    window_b: Window  # a window of city B
    province_sup: User
    city_sup: User
    county_sup: User
    manager: User
    neighbour_manager: User
    city_b_sup: User
    manager_b: User
    operator: User
    staff_user: User
    admin: User


@pytest.fixture
def province(make_unit, make_window, make_staff, make_user) -> Province:
    province = make_unit("湖南省住房和城乡建设厅", code="HN")
    city_a = make_unit("长沙市住房和城乡建设局", parent=province, code="CS")
    county_a = make_unit("望城区住房和城乡建设局", parent=city_a, code="CS-WC")
    hall_a = make_unit("望城区政务服务大厅", parent=county_a, kind=UnitKind.HALL, code="CS-WC-H")
    city_b = make_unit("株洲市住房和城乡建设局", parent=province, code="ZZ")
    hall_b = make_unit("株洲市政务服务大厅", parent=city_b, kind=UnitKind.HALL, code="ZZ-H")
    window = make_window(hall=hall_a, name="不动产登记窗口")
    neighbour = make_window(hall=hall_a, name="公积金窗口")
    window_b = make_window(hall=hall_b, name="物业管理窗口")
    staff = make_staff(window=window, name="张伟", badge_no="CS-0001")
    return Province(
        province, city_a, county_a, hall_a, city_b, hall_b, window, neighbour, window_b,
        province_sup=make_user(Role.SUPERVISOR, username="hn-sup", org_unit=province),
        city_sup=make_user(Role.SUPERVISOR, username="cs-sup", org_unit=city_a),
        county_sup=make_user(Role.SUPERVISOR, username="wc-sup", org_unit=county_a),
        manager=make_user(Role.MANAGER, username="wc-mgr", windows=[window]),
        neighbour_manager=make_user(Role.MANAGER, username="gjj-mgr", windows=[neighbour]),
        city_b_sup=make_user(Role.SUPERVISOR, username="zz-sup", org_unit=city_b),
        manager_b=make_user(Role.MANAGER, username="zz-mgr", windows=[window_b]),
        operator=make_user(Role.OPERATOR, username="hotline", org_unit=city_a),
        staff_user=make_user(Role.STAFF, username="zhangwei", staff=staff),
        admin=make_user(Role.ADMIN, username="root"),
    )


@pytest.fixture
def rate(app):
    """``rate(window, level, at=...)``: an evaluation stored by the real service (rollups
    follow as in production), from a new browser each time."""
    browsers = itertools.count(1)

    def _rate(window: Window, level: int, *, at: datetime | None = None) -> Evaluation:
        moment = at or clock.now()
        with clock.frozen_at(moment):
            version = current_version_ref(window.id, window.category_id, local_date(moment))
            stored = submit_evaluation(
                window, version, {"overall": str(level)}, Contact(),
                Submission(channel=Channel.QR, client_id=f"notice-browser-{next(browsers)}"),
            )
        db.session.commit()
        return db.session.get(Evaluation, stored.id)

    return _rate


def png_bytes(size: tuple[int, int] = (32, 24)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 120, 200)).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def pdf_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 80), (255, 255, 255)).save(buffer, "PDF")
    return buffer.getvalue()


@pytest.fixture
def files():
    """Real evidence files: ``files.png()``, ``files.jpeg()``, ``files.pdf()``."""

    class Files:
        png = staticmethod(png_bytes)
        jpeg = staticmethod(jpeg_bytes)
        pdf = staticmethod(pdf_bytes)

    return Files
