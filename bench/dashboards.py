"""How fast the dashboards' numbers come on a year of a province: 1,000,000 evaluations.

    python -m bench.generate [--database-url URL]      # once: fills the database
    python -m bench.dashboards [--database-url URL] [--runs 300]

or ``make bench-dashboards`` (both steps, SQLite; and PostgreSQL when ``BENCH1M_DATABASE_URL``
is set, e.g. ``postgresql://postgres@127.0.0.1:5432/manyi_bench1m``).

Measures, through ``feedback.stats.queries`` as the pages call it, with a new session per call
(as a request has):

* a window dashboard's data — ``window_summary`` + ``window_series`` (daily, 7-day rolling mean
  and interval) + ``staff_table`` over 90 days, each run on another window (target < 20 ms);
* the province-wide ranking of all windows — ``ranking(province)`` over 90 days and over the
  year (target < 200 ms);
* a supervisor's other tables: ``unit_months`` (12 months) and ``movers`` (30 days against the
  30 before) for the province.

Prints the median, 95th percentile and maximum in milliseconds, and whether the target is met.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from bench.generate import DEFAULT_URL

TARGETS_MS = {"window dashboard (90 days)": 20.0, "province ranking (90 days)": 200.0,
              "province ranking (365 days)": 200.0}


def _server_cpu(pid: int | None) -> float:
    """Seconds of CPU the PostgreSQL backend ``pid`` has used (0 when not on this machine)."""
    if pid is None:
        return 0.0
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(fn: Callable[[int], object], runs: int, backend: int | None) -> dict[str, float]:
    """Milliseconds per call of ``fn(i)`` (``i`` = run number): median, p95 and max of the
    wall time, and the mean CPU time spent on it — by this process, plus the PostgreSQL
    backend's when it runs here. On a busy machine the CPU time shows the cost without the
    wait for a core."""
    from feedback.extensions import db

    for i in range(3):  # warm the statement cache and the database's pages
        fn(i)
        db.session.remove()
    samples, cpu = [], []
    for i in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        started_server = _server_cpu(backend)
        fn(i)
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu
                    + _server_cpu(backend) - started_server) * 1000)
        db.session.remove()  # a new session per call, as per request
    samples.sort()
    return {"median": statistics.median(samples),
            "p95": samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))],
            "max": samples[-1], "cpu": statistics.mean(cpu)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args(argv)

    from feedback import create_app
    from feedback.config import normalise_database_url
    from feedback.evaluations.models import Evaluation
    from feedback.extensions import db
    from feedback.orgs.models import OrgUnit
    from feedback.stats import queries
    from feedback.stats.models import WindowDayStats
    from feedback.windows.models import Window

    app = create_app({"SQLALCHEMY_DATABASE_URI": normalise_database_url(args.database_url)})
    with app.app_context():
        try:
            evaluations = db.session.scalar(select(func.count()).select_from(Evaluation))
        except DBAPIError:  # no tables: say what to do below
            db.session.rollback()
            evaluations = 0
        if not evaluations:
            sys.exit(f"no evaluations in {args.database_url}: run python -m bench.generate first")
        end = db.session.scalar(select(func.max(WindowDayStats.day)))
        window_ids = list(db.session.scalars(select(Window.id).order_by(Window.id)))
        province = db.session.scalar(select(OrgUnit).where(OrgUnit.parent_id.is_(None)))
        rollup_rows = db.session.scalar(select(func.count()).select_from(WindowDayStats))
        version = db.session.execute(text(
            "SELECT sqlite_version()" if db.engine.dialect.name == "sqlite"
            else "SHOW server_version")).scalar()
        print(f"database: {db.engine.dialect.name} {version} — {evaluations:,} evaluations, "
              f"{len(window_ids):,} windows, {rollup_rows:,} window-day rollups, "
              f"last day {end}; {args.runs} runs each, ms; load average "
              f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n")
        backend = (db.session.execute(text("SELECT pg_backend_pid()")).scalar()
                   if db.engine.dialect.name == "postgresql" else None)
        db.session.remove()
        # One connection serves every call (they run one after another): its backend's CPU.
        db.engine.pool.dispose()
        with db.engine.connect() as conn:
            if backend is not None:
                backend = conn.execute(text("SELECT pg_backend_pid()")).scalar()

        day90 = end - timedelta(days=89)

        def dashboard(i: int) -> None:
            ids = [window_ids[(i * 37) % len(window_ids)]]
            queries.window_summary(ids, day90, end)
            queries.window_series(ids, day90, end)
            queries.staff_table(ids, day90, end)

        def fresh_province() -> OrgUnit:
            return db.session.get(OrgUnit, province.id)

        def ranking(days: int) -> Callable[[int], object]:
            return lambda _i: queries.ranking(fresh_province(), end - timedelta(days=days - 1),
                                              end)

        month = end - timedelta(days=29)
        cases: dict[str, Callable[[int], object]] = {
            "window dashboard (90 days)": dashboard,
            "  window_summary": lambda i: queries.window_summary(
                [window_ids[(i * 37) % len(window_ids)]], day90, end),
            "  window_series (daily)": lambda i: queries.window_series(
                [window_ids[(i * 37) % len(window_ids)]], day90, end),
            "  staff_table": lambda i: queries.staff_table(
                [window_ids[(i * 37) % len(window_ids)]], day90, end),
            "province ranking (90 days)": ranking(90),
            "province ranking (365 days)": ranking(365),
            "province unit_months (12)": lambda _i: queries.unit_months(fresh_province(), 12, end),
            "province movers (30 vs 30 days)": lambda _i: queries.movers(
                fresh_province(), (month, end), (month - timedelta(days=30),
                                                  month - timedelta(days=1))),
        }
        failed = False
        print(f"{'':<34}{'median':>9}{'p95':>9}{'max':>9}{'cpu':>9}  target (wall p95)")
        print(f"{'':<34}{'wall':>9}{'wall':>9}{'wall':>9}{'mean':>9}")
        for name, fn in cases.items():
            runs = args.runs if "ranking" not in name and "province" not in name \
                else max(20, args.runs // 5)
            t = measure(fn, runs, backend)
            target = TARGETS_MS.get(name)
            verdict = ""
            if target is not None:
                ok = t["p95"] < target
                failed |= not ok
                verdict = f"< {target:.0f} ms (p95): {'met' if ok else 'MISSED'}"
            print(f"{name:<34}{t['median']:>9.2f}{t['p95']:>9.2f}{t['max']:>9.2f}"
                  f"{t['cpu']:>9.2f}  {verdict}", flush=True)
        sample = queries.ranking(fresh_province(), day90, end)
        top = sample[0]
        print(f"\nranking sanity: {len(sample)} windows; first {top.code} n={top.n} "
              f"index={top.index:.1f} adjusted={top.adjusted_index:.1f}")
        db.session.remove()
        db.engine.dispose()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
