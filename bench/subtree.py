"""How fast the organisation tree answers "what lies below this unit?" at provincial size.

    python -m bench.subtree [--database-url URL] [--runs 201]

Builds a tree of 10,000 units shaped like Hunan's (1 province department, 14 city bureaus,
122 county bureaus, the rest service halls) and about 20,000 windows with bulk inserts into
an empty, freshly migrated database (a temporary SQLite file by default), then times with
``timeit`` the subtree queries the application runs for a city:

* the number of windows in the subtree (dashboards, the supervisor's home page),
* the supervisor's visible-windows filter as ``feedback.permissions`` builds it,
* the units of the subtree, loaded as ORM objects (``feedback.orgs.queries.list_subtree``),
* the number of units in the subtree (``count_subtree``),

and prints the median, 90th percentile and minimum of many runs, followed by the query plans
(does the range on ``org_units.path`` use its index?).

The database is emptied first: a PostgreSQL URL must name a database whose name contains
"bench" (create it with ``psql -h 127.0.0.1 -U postgres -c 'CREATE DATABASE manyi_bench'``).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import timeit
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.engine import make_url

UNITS = 10_000
CITIES = 14
COUNTIES = 122
WINDOWS = 20_000
CITY_HALL_SHARE = 0.05  # halls that sit right under a city bureau, not under a county
SEED = 2011  # the year of the plan


@dataclass
class Tree:
    units: list[dict]
    windows: list[dict]
    cities: list[dict]
    counts: dict[str, int]


def build_tree(category_ids: list[int], rng: random.Random) -> Tree:
    """Rows for ``org_units`` and ``windows`` with ids, paths and depths worked out here."""
    units: list[dict] = []

    def add(kind: str, parent: dict | None) -> dict:
        unit_id = len(units) + 1
        path = (parent["path"] if parent else "/") + f"{unit_id}/"
        row = {
            "id": unit_id,
            "code": f"{kind[:2].upper()}{unit_id:05d}",
            "name": f"{kind} {unit_id}",
            "kind": kind,
            "parent_id": parent["id"] if parent else None,
            "path": path,
            "depth": 0 if parent is None else parent["depth"] + 1,
            "active": True,
        }
        units.append(row)
        return row

    province = add("province", None)
    cities = [add("city", province) for _ in range(CITIES)]
    counties = [add("county", cities[i % CITIES]) for i in range(COUNTIES)]
    halls = []
    for _ in range(UNITS - len(units)):
        under_city = rng.random() < CITY_HALL_SHARE
        halls.append(add("hall", rng.choice(cities if under_city else counties)))

    windows = []
    for n in range(WINDOWS):
        # Every hall has a window; the rest go to random halls (big halls have many).
        hall = halls[n] if n < len(halls) else rng.choice(halls)
        windows.append(
            {
                "id": n + 1,
                "code": f"b{n + 1:07d}",
                "name": f"窗口 {n + 1}",
                "org_unit_id": hall["id"],
                "category_id": rng.choice(category_ids),
            }
        )
    counts = {
        "province": 1,
        "cities": len(cities),
        "counties": len(counties),
        "halls": len(halls),
        "units": len(units),
        "windows": len(windows),
    }
    return Tree(units, windows, cities, counts)


def reset_database(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        if "bench" not in (parsed.database or ""):
            sys.exit(f"refusing to empty {parsed.database!r}: use a database named *bench*")
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    elif parsed.get_backend_name() == "sqlite" and parsed.database:
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(parsed.database + suffix):
                os.remove(parsed.database + suffix)


def load(rng: random.Random) -> Tree:
    from flask_migrate import upgrade

    from feedback.extensions import db
    from feedback.orgs.models import OrgUnit, ServiceCategory
    from feedback.windows.models import Window

    upgrade()
    category_ids = list(db.session.scalars(select(ServiceCategory.id)))
    if not category_ids:
        sys.exit("the migrations seeded no service categories")
    tree = build_tree(category_ids, rng)
    started = time.perf_counter()
    db.session.execute(insert(OrgUnit), tree.units)
    db.session.execute(insert(Window), tree.windows)
    if db.engine.dialect.name == "postgresql":
        for table in ("org_units", "windows"):
            db.session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
            )
    db.session.commit()
    with db.engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()
    print(
        f"inserted {tree.counts['units']:,} units and {tree.counts['windows']:,} windows "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return tree


def timed(fn: Callable[[], object], runs: int) -> dict[str, float]:
    """Milliseconds per call: median, 90th percentile and minimum of ``runs`` runs."""
    fn()  # warm the statement cache and the database's pages
    samples = sorted(t * 1000 for t in timeit.repeat(fn, number=1, repeat=runs))
    return {
        "median": statistics.median(samples),
        "p90": samples[int(0.9 * (len(samples) - 1))],
        "min": samples[0],
    }


def plan(statement) -> list[str]:
    from feedback.extensions import db

    dialect = db.engine.dialect
    sql = str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    with db.engine.connect() as conn:
        if dialect.name == "postgresql":
            rows = conn.execute(text(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {sql}"))
            return [row[0] for row in rows]
        rows = conn.execute(text(f"EXPLAIN QUERY PLAN {sql}"))
        return [row[-1] for row in rows]


def run(database_url: str, runs: int) -> None:
    from feedback import create_app
    from feedback.accounts.models import Role, User
    from feedback.config import normalise_database_url
    from feedback.extensions import db
    from feedback.orgs.models import OrgUnit
    from feedback.orgs.queries import count_subtree, list_subtree
    from feedback.permissions import visible_windows_filter
    from feedback.windows.models import Window

    url = normalise_database_url(database_url)
    reset_database(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        tree = load(random.Random(SEED))
        counts = tree.counts
        print(
            f"database: {db.engine.dialect.name} {db.engine.dialect.server_version_info or ''}"
            f" — {counts['units']:,} units ({counts['province']} province, "
            f"{counts['cities']} cities, {counts['counties']} counties, "
            f"{counts['halls']:,} halls), {counts['windows']:,} windows"
        )

        # The city with the most units: the slowest subtree a city supervisor asks for.
        city_row = max(
            tree.cities, key=lambda c: sum(u["path"].startswith(c["path"]) for u in tree.units)
        )
        city = db.session.get(OrgUnit, city_row["id"])
        supervisor = User(username="bench", role=Role.SUPERVISOR, org_unit=city)  # not saved

        windows_in_subtree = (
            select(func.count())
            .select_from(Window)
            .join(Window.org_unit)
            .where(OrgUnit.in_subtree(city))
        )
        visible_windows = (
            select(func.count()).select_from(Window).where(visible_windows_filter(supervisor))
        )
        units_in_subtree = select(OrgUnit).where(OrgUnit.in_subtree(city)).order_by(OrgUnit.path)

        # Checked against the rows built here: ids such as 11 and 110 share their digits.
        expected_units = {u["id"] for u in tree.units if u["path"].startswith(city.path)}
        n_units = count_subtree(city)
        n_windows = db.session.scalar(windows_in_subtree)
        assert n_units == len(expected_units)
        assert n_windows == sum(w["org_unit_id"] in expected_units for w in tree.windows)
        assert db.session.scalar(visible_windows) == n_windows
        assert {u.id for u in list_subtree(city)} == expected_units
        print(
            f"city {city.code} (path {city.path}): {n_units:,} units and {n_windows:,} "
            f"windows in its subtree\n"
        )

        def list_units():
            list_subtree(city)
            db.session.expunge_all()  # as in a request: a new session builds new objects

        queries = {
            "count windows in subtree (join)": lambda: db.session.scalar(windows_in_subtree),
            "count supervisor's visible windows": lambda: db.session.scalar(visible_windows),
            "list units in subtree (ORM objects)": list_units,
            "count units in subtree": lambda: count_subtree(city),
        }
        print(f"{'query':<40}{'median':>10}{'p90':>10}{'min':>10}   ms, {runs} runs")
        for name, fn in queries.items():
            t = timed(fn, runs)
            print(f"{name:<40}{t['median']:>10.3f}{t['p90']:>10.3f}{t['min']:>10.3f}")

        for name, statement in (
            ("count windows in subtree", windows_in_subtree),
            ("count supervisor's visible windows", visible_windows),
            ("list units in subtree", units_in_subtree),
        ):
            lines = plan(statement)
            uses = any("ix_org_units_path" in line for line in lines)
            print(f"\nEXPLAIN {name}: index on org_units.path {'USED' if uses else 'NOT used'}")
            for line in lines:
                print(f"  {line}")
        db.session.rollback()
        db.engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument("--runs", type=int, default=201, help="timed runs per query")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="manyi-bench-") as tmp:
        # The app keeps its secret and data keys in its instance folder: not the real one.
        os.environ.setdefault("MANYI_INSTANCE_PATH", os.path.join(tmp, "instance"))
        os.environ.setdefault("SECRET_KEY", "bench-secret-key-not-for-production")
        url = args.database_url or f"sqlite:///{os.path.join(tmp, 'subtree.sqlite3')}"
        run(url, args.runs)


if __name__ == "__main__":
    main()
