"""Fill a database with a province's year of ratings: 1,000,000 evaluations, 1,000 windows.

    python -m bench.generate [--database-url URL] [--evaluations 1000000] [--windows 1000]
                             [--days 365] [--end 2026-11-30]

The database is emptied and migrated first (SQLite: the file is replaced; PostgreSQL: the
database's name must contain "bench", e.g. ``createdb -h 127.0.0.1 -U postgres
manyi_bench1m``). Default: ``sqlite:///instance/bench1m.sqlite3``.

The tree is shaped like Hunan's: 1 province department, 14 city bureaus, 100 county bureaus,
250 service halls and the windows, three staff members each. Evaluations come with bulk inserts
(``executemany`` on SQLite, ``COPY`` on PostgreSQL): windows of very different sizes and
quality, slow trends, office hours and quiet weekends, about 2 % flagged, half with dimension
ratings, 60 % naming a staff member. Then the rollups are rebuilt from them
(``feedback.stats.rollups.rebuild``, as ``manyi stats rebuild`` does) and the tables analysed.
Each step reports its time. ``bench/dashboards.py`` measures the dashboards on the result.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select, text

from bench.subtree import reset_database

SEED = 2011
CITIES, COUNTIES, HALLS = 14, 100, 250
STAFF_PER_WINDOW = 3
DIMENSIONS = ("speed", "competence", "attitude", "integrity")
CHANNELS = (("qr", 0.55), ("device", 0.25), ("token", 0.12), ("web", 0.05), ("hotline", 0.02),
            ("sms", 0.01))
FLAGGED_SHARE = 0.02
ZONE = ZoneInfo("Asia/Shanghai")
DEFAULT_URL = "sqlite:///" + os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "instance", "bench1m.sqlite3")
COLUMNS = ("window_id", "staff_id", "survey_version_id", "channel", "level", "answers", "comment",
           "wants_reply", "created_at", "verified", "flag_status", "flag_reason")


def build_tree(category_ids: list[int], windows: int, rng: random.Random):
    """Rows for org_units, windows and staff, ids worked out here."""
    units: list[dict] = []

    def add(kind: str, parent: dict | None, code: str, name: str) -> dict:
        unit_id = len(units) + 1
        row = {"id": unit_id, "code": code, "name": name, "kind": kind,
               "parent_id": parent["id"] if parent else None,
               "path": (parent["path"] if parent else "/") + f"{unit_id}/",
               "depth": 0 if parent is None else parent["depth"] + 1, "active": True}
        units.append(row)
        return row

    province = add("province", None, "HN", "湖南省住房和城乡建设厅")
    cities = [add("city", province, f"HN-{i:02d}", f"第{i}市住房和城乡建设局")
              for i in range(1, CITIES + 1)]
    counties = [add("county", cities[i % CITIES], f"HN-C{i:03d}", f"第{i}县住房和城乡建设局")
                for i in range(1, COUNTIES + 1)]
    halls = [add("hall", counties[i % COUNTIES], f"HN-H{i:03d}", f"第{i}政务服务大厅")
             for i in range(1, HALLS + 1)]
    window_rows, staff_rows = [], []
    for n in range(1, windows + 1):
        hall = halls[n - 1] if n <= HALLS else rng.choice(halls)
        window_rows.append({"id": n, "code": f"bw{n:06d}", "name": f"{n}号窗口",
                            "org_unit_id": hall["id"], "category_id": rng.choice(category_ids),
                            "qr_key_version": 1, "active": True})
        for s in range(STAFF_PER_WINDOW):
            sid = len(staff_rows) + 1
            staff_rows.append({"id": sid, "name": f"员工{sid}", "badge_no": f"B{sid:07d}",
                               "window_id": n, "party_member": s == 0, "active": True})
    return units, window_rows, staff_rows


def evaluation_chunks(count: int, windows: int, days: int, end: date, version_id: int,
                      rng: random.Random, chunk: int = 100_000):
    """``count`` evaluation tuples (in ``COLUMNS`` order), created_at as aware datetimes, in
    lists of ``chunk`` (memory stays small)."""
    first = end - timedelta(days=days - 1)
    # Window sizes differ a lot (a city hall's busiest desk against a county's quiet one).
    weights = [rng.lognormvariate(0, 0.9) for _ in range(windows)]
    quality = [min(4.85, max(2.6, rng.gauss(4.25, 0.35))) for _ in range(windows)]
    trend = [rng.gauss(0, 0.35) for _ in range(windows)]  # index change over the year
    day_weights = [0.25 if (first + timedelta(days=d)).weekday() >= 5 else 1.0
                   for d in range(days)]
    midnight = [datetime.combine(first + timedelta(days=d), datetime.min.time(), tzinfo=ZONE)
                .astimezone(UTC) for d in range(days)]
    for start in range(0, count, chunk):
        yield _chunk(min(chunk, count - start), windows, days, version_id, rng, weights, quality,
                     trend, day_weights, midnight)


def _chunk(count, windows, days, version_id, rng, weights, quality, trend, day_weights,
           midnight) -> list[tuple]:
    window_of = rng.choices(range(windows), weights=weights, k=count)
    day_of = rng.choices(range(days), weights=day_weights, k=count)
    channels = rng.choices([c for c, _ in CHANNELS], weights=[w for _, w in CHANNELS], k=count)
    rows = []
    gauss, random_ = rng.gauss, rng.random
    for i in range(count):
        w, d = window_of[i], day_of[i]
        mean = quality[w] + trend[w] * (d / days - 0.5)
        level = min(5, max(1, round(gauss(mean, 0.85))))
        answers: dict = {"overall": level}
        if random_() < 0.5:
            for key in DIMENSIONS:
                if random_() < 0.85:
                    answers[key] = min(5, max(1, level + round(gauss(0, 0.6))))
        staff = w * STAFF_PER_WINDOW + 1 + int(random_() * STAFF_PER_WINDOW) \
            if random_() < 0.6 else None
        if staff is not None:
            answers["staff"] = staff
        flagged = random_() < FLAGGED_SHARE
        channel = channels[i]
        seconds = 8.5 * 3600 + random_() * 9 * 3600  # 08:30–17:30 local
        rows.append((
            w + 1, staff, version_id, channel, level, json.dumps(answers), "", False,
            midnight[d] + timedelta(seconds=seconds), channel == "token" and not flagged,
            "flagged" if flagged else "counted", "repeat" if flagged else None,
        ))
    return rows


def bulk_insert(db, rows) -> None:
    """Evaluations in bulk: executemany on SQLite, COPY on PostgreSQL."""
    columns = ", ".join(COLUMNS)
    conn = db.session.connection()
    raw = conn.connection.driver_connection
    if db.engine.dialect.name == "postgresql":
        copy_sql = f"COPY evaluations ({columns}) FROM STDIN"
        with raw.cursor() as cursor, cursor.copy(copy_sql) as copy:
            for row in rows:
                copy.write_row(row)
        return
    as_text = [(*row[:8], row[8].strftime("%Y-%m-%d %H:%M:%S.%f"), *row[9:]) for row in rows]
    placeholders = ", ".join("?" for _ in COLUMNS)
    raw.executemany(f"INSERT INTO evaluations ({columns}) VALUES ({placeholders})", as_text)


def drop_indexes(db) -> list[str]:
    """Drop the evaluations' secondary indexes for the load; return the SQL to make them again.

    A bulk load into an indexed table updates every index row by row; building each index
    once afterwards is several times faster.
    """
    if db.engine.dialect.name == "postgresql":
        found = db.session.execute(text(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE tablename = 'evaluations' AND indexname LIKE 'ix\\_%'")).all()
    else:
        found = db.session.execute(text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
            "AND tbl_name = 'evaluations' AND sql IS NOT NULL")).all()
    for name, _sql in found:
        db.session.execute(text(f"DROP INDEX {name}"))
    return [sql for _name, sql in found]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--evaluations", type=int, default=1_000_000)
    parser.add_argument("--windows", type=int, default=1_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--end", type=date.fromisoformat, default=date(2026, 11, 30),
                        help="the last local day of data")
    args = parser.parse_args(argv)

    from flask_migrate import upgrade

    from feedback import create_app
    from feedback.config import normalise_database_url
    from feedback.extensions import db
    from feedback.orgs.models import OrgUnit, ServiceCategory
    from feedback.questionnaires.models import Survey, SurveyVersion
    from feedback.stats.rollups import rebuild
    from feedback.windows.models import Staff, Window

    url = normalise_database_url(args.database_url)
    if url.startswith("sqlite:///"):
        os.makedirs(os.path.dirname(url[len("sqlite:///"):]) or ".", exist_ok=True)
    reset_database(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    rng = random.Random(SEED)
    total_started = time.perf_counter()
    with app.app_context():
        started = time.perf_counter()
        upgrade()
        print(f"migrated {db.engine.dialect.name} in {time.perf_counter() - started:.1f} s",
              flush=True)
        if db.engine.dialect.name == "sqlite":
            db.session.execute(text("PRAGMA journal_mode=WAL"))
            db.session.execute(text("PRAGMA synchronous=OFF"))
        category_ids = list(db.session.scalars(select(ServiceCategory.id)))
        version_id = db.session.scalar(
            select(SurveyVersion.id).join(Survey).where(Survey.is_default.is_(True))
            .order_by(SurveyVersion.number.desc()).limit(1))
        if version_id is None:
            sys.exit("the migrations made no default questionnaire")
        units, windows, staff = build_tree(category_ids, args.windows, rng)
        db.session.execute(insert(OrgUnit), units)
        db.session.execute(insert(Window), windows)
        db.session.execute(insert(Staff), staff)
        if db.engine.dialect.name == "postgresql":
            for table in ("org_units", "windows", "staff"):
                db.session.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"))

        started = time.perf_counter()
        indexes = drop_indexes(db)
        making = inserting = 0.0
        chunks = evaluation_chunks(args.evaluations, args.windows, args.days, args.end,
                                   version_id, rng)
        while True:
            mark = time.perf_counter()
            rows = next(chunks, None)
            making += time.perf_counter() - mark
            if rows is None:
                break
            mark = time.perf_counter()
            bulk_insert(db, rows)
            inserting += time.perf_counter() - mark
        mark = time.perf_counter()
        for sql in indexes:
            db.session.execute(text(sql))
        indexing = time.perf_counter() - mark
        db.session.commit()
        print(f"{args.evaluations:,} evaluations in {time.perf_counter() - started:.1f} s "
              f"(generating {making:.1f} s, inserting {inserting:.1f} s, indexing "
              f"{indexing:.1f} s); {len(units)} units, "
              f"{len(windows):,} windows, {len(staff):,} staff", flush=True)

        started = time.perf_counter()
        counted = rebuild()
        db.session.commit()
        print(f"rebuilt the rollups from {counted:,} evaluations in "
              f"{time.perf_counter() - started:.1f} s", flush=True)
        started = time.perf_counter()
        with db.engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()
        print(f"analysed in {time.perf_counter() - started:.1f} s")
        for table in ("window_day_stats", "staff_day_stats", "dimension_day_stats"):
            n = db.session.scalar(text(f"SELECT count(*) FROM {table}"))
            print(f"  {table}: {n:,} rows")
        db.session.remove()
        db.engine.dispose()
    print(f"database ready in {time.perf_counter() - total_started:.1f} s: {args.database_url}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
