"""Reads for the API: what anyone may know about windows."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import contains_eager

from feedback.orgs.models import OrgUnit, ServiceCategory
from feedback.windows.models import Window


def public_windows_query(unit: OrgUnit | None = None,
                         category: ServiceCategory | None = None) -> Select:
    """Active windows in tree order (then name, then id: stable across pages)."""
    query = (
        select(Window)
        .join(Window.org_unit)
        .join(Window.category)
        .options(contains_eager(Window.org_unit), contains_eager(Window.category))
        .where(Window.active.is_(True))
        .order_by(OrgUnit.path, Window.name, Window.id)
    )
    if unit is not None:
        query = query.where(OrgUnit.in_subtree(unit))
    if category is not None:
        query = query.where(Window.category_id == category.id)
    return query

