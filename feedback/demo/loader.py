"""Load the demo province (``feedback.demo.data``) through the real services.

Everything is created by the services an administrator would use, with the system as the
actor, so the audit log shows how the data came to be. The loader flushes and never commits:
the caller commits once, or rolls back and nothing happened.

Loading is a sequence of steps (``STEPS``), each taking the ``DemoContext`` that the earlier
steps filled. Steps draw from one seeded generator in order: add new steps at the end, so the
data of the earlier ones stays the same.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from feedback import clock
from feedback.accounts.models import Role, User
from feedback.accounts.services import create_user
from feedback.demo import data
from feedback.extensions import db
from feedback.orgs.models import OrgUnit, ServiceCategory, UnitKind
from feedback.orgs.services import create_unit, seed_categories
from feedback.windows.models import Staff, Window
from feedback.windows.services import create_staff, create_window

_SINGULAR = {"org units": "org unit", "windows": "window", "users": "user"}


class DatabaseNotEmpty(Exception):
    """The database holds data already; the demo loads only into an empty one."""

    def __init__(self, counts: dict[str, int]) -> None:
        self.counts = counts
        held = ", ".join(f"{n} {_SINGULAR.get(what, what) if n == 1 else what}"
                         for what, n in counts.items())
        super().__init__(f"the database already holds data ({held})")


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    display_name: str
    scope: str
    password: str = data.DEMO_PASSWORD


@dataclass
class DemoSummary:
    """What was loaded: counts by kind of thing, in loading order, and the demo accounts."""

    counts: dict[str, int] = field(default_factory=dict)
    accounts: list[DemoAccount] = field(default_factory=list)


@dataclass
class DemoContext:
    """What the steps share: the generator, the time, and the rows made so far."""

    now: datetime
    rng: random.Random
    summary: DemoSummary
    categories: dict[str, ServiceCategory] = field(default_factory=dict)
    units: dict[str, OrgUnit] = field(default_factory=dict)  # by code
    windows: dict[str, Window] = field(default_factory=dict)  # by "<hall code>/<key>"
    window_city: dict[str, OrgUnit] = field(default_factory=dict)  # by window reference
    staff: dict[str, list[Staff]] = field(default_factory=dict)  # by window reference
    users: dict[str, User] = field(default_factory=dict)  # by username


Step = Callable[[DemoContext], None]


def count_existing_data() -> dict[str, int]:
    """The kinds of rows that make a database non-empty, with their counts (only those > 0)."""
    counts = {
        what: db.session.scalar(select(func.count()).select_from(model))
        for what, model in (("org units", OrgUnit), ("windows", Window), ("staff", Staff),
                            ("users", User))
    }
    return {what: n for what, n in counts.items() if n}


def load_demo(now: datetime | None = None) -> DemoSummary:
    """Add the demo province, its windows, staff and users to the session (flushed only).

    ``now`` (aware) is the time everything is created at; default the clock's now. Raises
    ``DatabaseNotEmpty``, having changed nothing, when any org unit, window, staff member or
    user exists. Every row is audited with the system as actor.
    """
    existing = count_existing_data()
    if existing:
        raise DatabaseNotEmpty(existing)
    now = now or clock.now()
    context = DemoContext(now=now, rng=random.Random(data.RANDOM_SEED), summary=DemoSummary())
    with clock.frozen_at(now):
        for step in STEPS:
            step(context)
    return context.summary


# --- steps ----------------------------------------------------------------------------------


def add_units(ctx: DemoContext) -> None:
    """The organisation tree, depth first in the order of ``data.PROVINCE``."""
    for spec, parent, _city in _walk(data.PROVINCE):
        ctx.units[spec.code] = create_unit(
            None, code=spec.code, name=spec.name, kind=spec.kind,
            parent=ctx.units[parent.code] if parent is not None else None,
        )
    ctx.summary.counts["org units"] = len(ctx.units)


def add_windows(ctx: DemoContext) -> None:
    """The windows of every hall, with location, commitments and the five disclosures."""
    seed_categories()  # normally there from the first migration
    ctx.categories = {c.code: c for c in db.session.scalars(select(ServiceCategory))}
    for hall, _parent, city in _walk(data.PROVINCE):
        if not hall.windows:
            continue
        if city is None:
            raise ValueError(f"demo data: hall {hall.code} is not below a city")
        for number, spec in enumerate(hall.windows, start=1):
            kind = data.WINDOW_KINDS[spec.kind]
            ref = f"{hall.code}/{spec.ref_key}"
            if ref in ctx.windows:
                raise ValueError(f"demo data: two windows are called {ref}")
            ctx.windows[ref] = create_window(
                None,
                name=spec.name or kind.name,
                org_unit=ctx.units[hall.code],
                category=ctx.categories[kind.category],
                location=spec.location or f"{hall.location}{number}号窗口",
                commitments=data.commitments(kind),
                disclose_matters=kind.matters,
                disclose_basis=kind.basis,
                disclose_rules=kind.rules,
                disclose_procedure=kind.procedure,
                disclose_results=kind.results,
            )
            ctx.window_city[ref] = ctx.units[city.code]
    ctx.summary.counts["windows"] = len(ctx.windows)
    ctx.summary.counts["service trades"] = len(
        {w.category_id for w in ctx.windows.values()}
    )


def add_staff(ctx: DemoContext) -> None:
    """``STAFF_TOTAL`` staff spread over the windows, badges numbered per city (HN-CS-0001)."""
    refs = list(ctx.windows)
    fewest, most = data.STAFF_PER_WINDOW
    sizes = dict.fromkeys(refs, fewest)
    for _ in range(data.STAFF_TOTAL - fewest * len(refs)):
        open_refs = [ref for ref in refs if sizes[ref] < most]
        if not open_refs:
            break
        sizes[ctx.rng.choice(open_refs)] += 1
    names = _unique_names(ctx.rng)
    badges: Counter[str] = Counter()
    for ref in refs:
        window, city = ctx.windows[ref], ctx.window_city[ref]
        hotline = window.category.code == "hotline"
        lead_title = data.HOTLINE_LEAD_TITLE if hotline else data.LEAD_TITLE
        titles = data.HOTLINE_TITLES if hotline else data.STAFF_TITLES
        members = []
        for position in range(sizes[ref]):
            lead = position == 0
            badges[city.code] += 1
            party_share = data.PARTY_SHARE_LEADS if lead else data.PARTY_SHARE_OTHERS
            members.append(create_staff(
                None,
                window=window,
                name=next(names),
                badge_no=f"{city.code}-{badges[city.code]:04d}",
                title=lead_title if lead else _weighted(ctx.rng, titles),
                party_member=ctx.rng.random() < party_share,
            ))
        ctx.staff[ref] = members
    everyone = [s for members in ctx.staff.values() for s in members]
    ctx.summary.counts["staff"] = len(everyone)
    ctx.summary.counts["party members"] = sum(s.party_member for s in everyone)


def add_users(ctx: DemoContext) -> None:
    """The demo accounts of ``data.DEMO_USERS``, all with ``DEMO_PASSWORD``."""
    for spec in data.DEMO_USERS:
        unit = ctx.units[spec.unit] if spec.unit else None
        windows = [ctx.windows[ref] for ref in spec.windows]
        staff = ctx.staff[spec.staff[0]][spec.staff[1]] if spec.staff else None
        user = create_user(
            None,
            username=spec.username,
            password=data.DEMO_PASSWORD,
            role=spec.role,
            display_name=spec.display_name or (staff.name if staff else ""),
            org_unit=unit,
            windows=windows,
            staff=staff,
        )
        ctx.users[spec.username] = user
        ctx.summary.accounts.append(
            DemoAccount(user.username, user.role, user.display_name, _scope(unit, windows, staff))
        )
    ctx.summary.counts["users"] = len(ctx.users)


def add_evaluations(ctx: DemoContext) -> None:
    """Six months of evaluations on every window (``feedback.stats.demo``), then the rollups."""
    from feedback.stats.demo import add_evaluations as add_stats_evaluations

    add_stats_evaluations(ctx)


def add_cases(ctx: DemoContext) -> None:
    """Cases in every state on the demo windows (``feedback.cases.demo``)."""
    from feedback.cases.demo import add_cases as add_demo_cases

    add_demo_cases(ctx)


def add_notices(ctx: DemoContext) -> None:
    """Rectification notices in every state on the demo windows (``feedback.notices.demo``)."""
    from feedback.notices.demo import add_notices as add_demo_notices

    add_demo_notices(ctx)


def add_alert_history(ctx: DemoContext) -> None:
    """The alerts the six months would have raised, day by day (``feedback.alerts.demo``)."""
    from feedback.alerts.demo import add_alert_history as add_demo_alerts

    add_demo_alerts(ctx)


STEPS: tuple[Step, ...] = (add_units, add_windows, add_staff, add_users, add_evaluations,
                           add_cases, add_notices, add_alert_history)


# --- helpers --------------------------------------------------------------------------------


def _walk(
    spec: data.UnitSpec, parent: data.UnitSpec | None = None, city: data.UnitSpec | None = None
) -> Iterator[tuple[data.UnitSpec, data.UnitSpec | None, data.UnitSpec | None]]:
    """Every unit below and including ``spec``, depth first: (unit, its parent, its city)."""
    if spec.kind == UnitKind.CITY:
        city = spec
    yield spec, parent, city
    for child in spec.children:
        yield from _walk(child, spec, city)


def _weighted(rng: random.Random, choices: tuple[tuple[str, int], ...]) -> str:
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights=weights)[0]


def _unique_names(rng: random.Random) -> Iterator[str]:
    """Plausible Chinese names (a surname and a given name), never the same one twice."""
    seen: set[str] = set()
    while True:
        name = _weighted(rng, data.SURNAMES) + rng.choice(data.GIVEN_NAMES)
        if name not in seen:
            seen.add(name)
            yield name


def _scope(unit: OrgUnit | None, windows: list[Window], staff: Staff | None) -> str:
    if unit is not None:
        return f"{unit.code} {unit.name} and below"
    if windows:
        halls = dict.fromkeys(w.org_unit.name for w in windows)
        return f"{len(windows)} windows of {'、'.join(halls)}: " + "、".join(
            w.name for w in windows
        )
    if staff is not None:
        return f"{staff.badge_no} {staff.name}, {staff.window.name}"
    return "everything"
