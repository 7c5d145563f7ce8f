"""The organisation tree: materialised paths, subtrees, moves and which kind sits where."""

from __future__ import annotations

import pytest
from flask_babel import gettext
from sqlalchemy import func, select

from feedback.audit.models import AuditLog
from feedback.errors import ServiceError
from feedback.extensions import db
from feedback.orgs.models import OrgUnit, UnitKind
from feedback.orgs.queries import count_subtree, list_subtree
from feedback.orgs.services import create_unit, move_unit
from feedback.windows.models import Window


def subtree_codes(root: OrgUnit) -> set[str]:
    """The codes the SQL subtree condition selects."""
    db.session.expire_all()
    return set(db.session.scalars(select(OrgUnit.code).where(OrgUnit.in_subtree(root))))


def contained_codes(root: OrgUnit) -> set[str]:
    """The codes the in-Python check ``root.contains`` accepts."""
    db.session.expire_all()
    return {u.code for u in db.session.scalars(select(OrgUnit)) if root.contains(u)}


def reload(unit: OrgUnit) -> OrgUnit:
    db.session.expire_all()
    return db.session.get(OrgUnit, unit.id)


# --- paths ---------------------------------------------------------------------------------------


def test_create_unit_builds_path_and_depth(make_unit):
    province = make_unit(code="HN")
    city = make_unit(parent=province, code="CS")
    county = make_unit(parent=city, code="CS-WC")
    hall = make_unit(parent=county, kind=UnitKind.HALL, code="CS-WC-H")

    assert province.path == f"/{province.id}/"
    assert city.path == f"/{province.id}/{city.id}/"
    assert county.path == f"/{province.id}/{city.id}/{county.id}/"
    assert hall.path == f"{county.path}{hall.id}/"
    assert [u.depth for u in (province, city, county, hall)] == [0, 1, 2, 3]
    assert hall.ancestor_ids == [province.id, city.id, county.id]
    assert reload(hall).path == hall.path  # what the database holds, not only the session


def test_create_unit_is_audited(make_unit):
    province = make_unit(code="HN")
    make_unit(parent=province, code="CS")
    db.session.expire_all()
    entries = db.session.scalars(
        select(AuditLog).where(AuditLog.action == "org_unit.create").order_by(AuditLog.id)
    ).all()
    assert [e.changes["code"] for e in entries] == ["HN", "CS"]
    assert entries[1].changes["parent"] == "HN"


def test_unit_codes_are_unique_and_well_formed(app, make_unit):
    make_unit(code="HN")
    for code in ("HN", "has space", "", "x" * 33, "斜/杠"):
        with pytest.raises(ServiceError):
            create_unit(None, code=code, name="省厅", kind=UnitKind.PROVINCE, parent=None)
    with pytest.raises(ServiceError):
        create_unit(None, code="OK", name="  ", kind=UnitKind.PROVINCE, parent=None)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(OrgUnit)) == 1


# --- subtrees ----------------------------------------------------------------------------------


def _prefix_pair(make_unit, parent: OrgUnit | None):
    """Two units under ``parent`` whose ids are a prefix of one another, e.g. 2 and 20.

    That is the classic bug of materialised paths: ``LIKE '/1/2%'`` also matches '/1/20/'.
    Fillers are created until an id starting with the first one's digits comes up.
    """
    kind = UnitKind.CITY
    short = make_unit(parent=parent, kind=kind)
    fillers = []
    while True:
        unit = make_unit(parent=parent, kind=kind)
        if str(unit.id).startswith(str(short.id)):
            return short, unit, fillers
        fillers.append(unit)


@pytest.mark.parametrize("level", ["roots", "siblings"])
def test_subtree_of_a_unit_excludes_units_whose_id_shares_its_digits(make_unit, level):
    parent = None if level == "roots" else make_unit(code="HN")
    short, long, fillers = _prefix_pair(make_unit, parent)
    assert str(long.id).startswith(str(short.id)) and long.id != short.id
    short_child = make_unit(parent=short, code="SHORT-KID")
    short_grandchild = make_unit(parent=short_child, kind=UnitKind.HALL, code="SHORT-HALL")
    long_child = make_unit(parent=long, code="LONG-KID")
    long_grandchild = make_unit(parent=long_child, kind=UnitKind.HALL, code="LONG-HALL")

    expected_short = {short.code, short_child.code, short_grandchild.code}
    expected_long = {long.code, long_child.code, long_grandchild.code}
    for root, expected in ((short, expected_short), (long, expected_long)):
        assert subtree_codes(root) == expected
        assert contained_codes(root) == expected
        assert {u.code for u in list_subtree(root)} == expected
        assert count_subtree(root) == len(expected)
    assert subtree_codes(short_child) == {short_child.code, short_grandchild.code}
    if parent is not None:
        everything = {parent.code} | expected_short | expected_long | {f.code for f in fillers}
        assert subtree_codes(parent) == everything


def test_subtree_includes_the_root_and_lists_parents_first(make_unit):
    province = make_unit(code="HN")
    city = make_unit(parent=province, code="CS")
    county = make_unit(parent=city, code="CS-WC")
    make_unit(parent=province, code="ZZ")
    assert [u.code for u in list_subtree(city)] == ["CS", "CS-WC"]
    assert list_subtree(province)[0].code == "HN"
    assert county.contains(county) and not county.contains(city)


def test_windows_of_a_subtree(make_unit, make_window):
    province = make_unit(code="HN")
    city_a, city_b = make_unit(parent=province, code="CS"), make_unit(parent=province, code="ZZ")
    hall_a = make_unit(parent=city_a, kind=UnitKind.HALL, code="CS-H")
    hall_b = make_unit(parent=city_b, kind=UnitKind.HALL, code="ZZ-H")
    mine = {make_window(hall=hall_a).code, make_window(hall=hall_a).code}
    make_window(hall=hall_b)
    query = select(Window.code).join(Window.org_unit).where(OrgUnit.in_subtree(city_a))
    assert set(db.session.scalars(query)) == mine


# --- moving units -------------------------------------------------------------------------------


@pytest.fixture
def tree(make_unit, make_window):
    province = make_unit(code="HN")
    city_a = make_unit(parent=province, code="CS")
    county = make_unit(parent=city_a, code="CS-WC")
    hall = make_unit(parent=county, kind=UnitKind.HALL, code="CS-WC-H")
    city_b = make_unit(parent=province, code="ZZ")
    window = make_window(hall=hall)
    return {
        "province": province,
        "city_a": city_a,
        "county": county,
        "hall": hall,
        "city_b": city_b,
        "window": window,
    }


def test_move_rewrites_the_paths_and_depths_of_the_whole_subtree(app, tree):
    county, hall, city_b = tree["county"], tree["hall"], tree["city_b"]
    move_unit(None, county, city_b)
    db.session.commit()

    county, hall = reload(county), reload(hall)
    assert county.parent_id == city_b.id
    assert county.path == f"{city_b.path}{county.id}/"
    assert hall.path == f"{county.path}{hall.id}/"
    assert (county.depth, hall.depth) == (2, 3)
    assert subtree_codes(city_b) == {"ZZ", "CS-WC", "CS-WC-H"}
    assert subtree_codes(tree["city_a"]) == {"CS"}
    window = db.session.get(Window, tree["window"].id)
    assert window.org_unit_id == hall.id  # windows follow their hall
    (entry,) = db.session.scalars(select(AuditLog).where(AuditLog.action == "org_unit.move"))
    assert entry.changes == {"parent": ["CS", "ZZ"]}


def test_move_up_a_level_changes_depths(app, tree):
    hall = tree["hall"]
    move_unit(None, hall, tree["city_a"])  # a hall may sit right under a city
    db.session.commit()
    hall = reload(hall)
    assert hall.depth == 2
    assert hall.path == f"{tree['city_a'].path}{hall.id}/"
    assert subtree_codes(tree["county"]) == {"CS-WC"}


def test_move_a_root_under_another_unit(app, make_unit):
    """A city started as its own tree (its own deployment) and later joins the province."""
    province = make_unit(code="HN")
    city = make_unit(kind=UnitKind.CITY, code="CS")
    county = make_unit(parent=city, code="CS-WC")
    move_unit(None, city, province)
    db.session.commit()
    city, county = reload(city), reload(county)
    assert (city.parent_id, city.depth, city.path) == (province.id, 1, f"/{province.id}/{city.id}/")
    assert (county.depth, county.path) == (2, f"{city.path}{county.id}/")


@pytest.mark.parametrize("target", ["city_a", "county", "hall"])
def test_moving_a_unit_under_itself_or_its_descendants_is_refused(app, tree, target):
    paths_before = dict(db.session.execute(select(OrgUnit.code, OrgUnit.path)).all())
    # The kinds would not fit either; the message shows the cycle is what is refused.
    with pytest.raises(ServiceError) as refused:
        move_unit(None, tree["city_a"], tree[target])
    assert refused.value.message == gettext("A unit cannot move under itself.")
    assert refused.value.field == "parent"
    db.session.rollback()
    db.session.expire_all()
    assert dict(db.session.execute(select(OrgUnit.code, OrgUnit.path)).all()) == paths_before


@pytest.mark.parametrize(
    ("unit", "new_parent"),
    [("county", "province"), ("city_a", "hall"), ("county", "hall"), ("hall", "hall")],
)
def test_move_refuses_kinds_that_cannot_sit_there(app, tree, make_unit, unit, new_parent):
    if new_parent == "hall" and unit == "hall":
        tree["unit"] = make_unit(parent=tree["city_b"], kind=UnitKind.HALL, code="ZZ-H")
        unit = "unit"
    before = reload(tree[unit]).path
    with pytest.raises(ServiceError):
        move_unit(None, tree[unit], tree[new_parent])
    db.session.rollback()
    assert reload(tree[unit]).path == before


# --- which kind may sit under which ----------------------------------------------------------

ALLOWED = {
    None: {UnitKind.PROVINCE, UnitKind.CITY},
    UnitKind.PROVINCE: {UnitKind.CITY, UnitKind.HALL},
    UnitKind.CITY: {UnitKind.COUNTY, UnitKind.HALL},
    UnitKind.COUNTY: {UnitKind.HALL},
    UnitKind.HALL: set(),
}


@pytest.mark.parametrize("parent_kind", list(ALLOWED), ids=lambda k: k.value if k else "root")
@pytest.mark.parametrize("kind", list(UnitKind), ids=lambda k: k.value)
def test_kind_rules(app, make_unit, parent_kind, kind):
    chain = {}
    for level in (UnitKind.PROVINCE, UnitKind.CITY, UnitKind.COUNTY, UnitKind.HALL):
        chain[level] = make_unit(parent=chain.get(_above(level)), kind=level)
    parent = chain[parent_kind] if parent_kind else None
    if kind in ALLOWED[parent_kind]:
        unit = create_unit(None, code="NEW", name="新单位", kind=kind, parent=parent)
        assert unit.depth == (parent.depth + 1 if parent else 0)
    else:
        with pytest.raises(ServiceError):
            create_unit(None, code="NEW", name="新单位", kind=kind, parent=parent)
        db.session.rollback()
        assert db.session.scalar(select(OrgUnit.id).where(OrgUnit.code == "NEW")) is None


def _above(kind: UnitKind) -> UnitKind | None:
    return {
        UnitKind.PROVINCE: None,
        UnitKind.CITY: UnitKind.PROVINCE,
        UnitKind.COUNTY: UnitKind.CITY,
        UnitKind.HALL: UnitKind.COUNTY,
    }[kind]


def test_windows_belong_to_halls_only(app, tree, category):
    from feedback.windows.services import create_window

    for kind in ("province", "city_a", "county"):
        with pytest.raises(ServiceError):
            create_window(None, name="窗口", org_unit=tree[kind], category=category)
    db.session.rollback()
