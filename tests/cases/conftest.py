"""Fixtures for the case tests: a hall with two windows, their managers and supervisors."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from feedback.accounts.models import Role, User
from feedback.orgs.models import OrgUnit, UnitKind
from feedback.windows.models import Window


@dataclass
class Hall:
    county: OrgUnit
    hall: OrgUnit
    window_a: Window
    window_b: Window
    other_hall: OrgUnit
    window_c: Window  # in another county
    manager_a: User
    manager_b: User
    supervisor: User  # of the county of hall
    province_supervisor: User
    operator: User  # of the province
    admin: User


@pytest.fixture
def world(make_unit, make_window, make_user) -> Hall:
    province = make_unit("湖南省住房和城乡建设厅", code="HN")
    city = make_unit("长沙市住房和城乡建设局", parent=province, code="CS")
    county = make_unit("望城区住房和城乡建设局", parent=city, code="CS-WC")
    hall = make_unit("望城区政务服务大厅", parent=county, kind=UnitKind.HALL, code="CS-WC-H")
    other_county = make_unit("开福区住房和城乡建设局", parent=city, code="CS-KF")
    other_hall = make_unit("开福区政务服务大厅", parent=other_county, kind=UnitKind.HALL,
                           code="CS-KF-H")
    window_a = make_window(hall=hall, name="不动产登记窗口")
    window_b = make_window(hall=hall, name="存量房交易窗口")
    window_c = make_window(hall=other_hall, name="公积金窗口")
    return Hall(
        county=county, hall=hall, window_a=window_a, window_b=window_b, other_hall=other_hall,
        window_c=window_c,
        manager_a=make_user(Role.MANAGER, username="mgr-a", windows=[window_a]),
        manager_b=make_user(Role.MANAGER, username="mgr-b", windows=[window_b]),
        supervisor=make_user(Role.SUPERVISOR, username="sup-wc", org_unit=county),
        province_supervisor=make_user(Role.SUPERVISOR, username="sup-hn", org_unit=province),
        operator=make_user(Role.OPERATOR, username="op-hn", org_unit=province),
        admin=make_user(Role.ADMIN, username="root"),
    )
