"""How long a dashboard chart takes: drawn fresh, and served again from the cache.

    python -m bench.charts [--database-url URL] [--windows 40] [--requests 500]

Builds a province with ``--windows`` windows, each with 90 days of rollups, in an empty,
freshly migrated database (a temporary SQLite file by default), serves the real app with one
gunicorn worker on loopback and, signed in as an administrator over one kept-alive HTTP
connection, measures:

* **fresh**: each window's dashboard page is opened (it computes its charts), then its trend
  and distribution images are requested once as SVG and once as PNG: every one of those
  requests draws and renders the chart (the process has never seen it);
* **rebuilt**: the same after the cache was emptied, so the image request also reads the
  figures from the database again (another worker, a restart);
* **cached**: one chart image requested ``--requests`` times: the whole request, from the
  client's first byte to its last, including sign-in session, access check and cache lookup.

Then, without HTTP, the drawing and rendering alone of each kind of chart. Targets (issue 5):
a cached chart under 5 ms and a fresh one under 200 ms, including the request. Beside the
wall time, the worker's own CPU time per request (``/proc/<pid>/schedstat``): on a busy
machine the wall time includes waiting for a core, the CPU time does not.

The database is emptied first: a PostgreSQL URL must name a database whose name contains
"bench".
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from datetime import date, timedelta
from html import unescape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
PASSWORD = "bench-password-2026"  # noqa: S105  (a throwaway account)
DAYS = 90
SEED = 2011
CACHED_TARGET_MS = 5.0
FRESH_TARGET_MS = 200.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare_database(url: str, env: dict[str, str], windows: int) -> list[str]:
    """Empty and migrate the database, add the windows and their rollups; their codes."""
    os.environ.update(env)
    from flask_migrate import upgrade
    from sqlalchemy import create_engine, insert, text

    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()

    from feedback import create_app
    from feedback.accounts.models import Role
    from feedback.accounts.services import create_user
    from feedback.extensions import db
    from feedback.orgs.models import ServiceCategory, UnitKind
    from feedback.orgs.services import create_unit
    from feedback.stats.models import WindowDayStats
    from feedback.windows.services import create_window

    rng = random.Random(SEED)
    app = create_app()
    with app.app_context():
        upgrade()
        province = create_unit(None, code="HN", name="湖南省住房和城乡建设厅",
                               kind=UnitKind.PROVINCE, parent=None)
        hall = create_unit(None, code="HN-H1", name="政务服务大厅", kind=UnitKind.HALL,
                           parent=province)
        category = db.session.query(ServiceCategory).filter_by(code="licensing").one()
        created = [create_window(None, name=f"不动产登记{i:03d}号窗口", org_unit=hall,
                                 category=category) for i in range(windows)]
        create_user(None, username="bench", password=PASSWORD, role=Role.ADMIN)
        db.session.flush()
        today = date.today()
        rows = []
        for window in created:
            quality = rng.uniform(0.75, 0.95)
            for offset in range(DAYS + 1):
                total = rng.randint(0, 40)
                good = int(total * quality)
                n5 = int(good * 0.7)
                bad = rng.randint(0, max(0, (total - good) // 2))
                rows.append({"window_id": window.id, "day": today - timedelta(days=offset),
                             "n5": n5, "n4": good - n5, "n3": total - good - bad, "n2": bad,
                             "n1": 0, "flagged": 0, "verified": 0, "ch_qr": total,
                             "ch_token": 0, "ch_device": 0, "ch_web": 0, "ch_hotline": 0,
                             "ch_sms": 0})
        db.session.execute(insert(WindowDayStats), rows)
        db.session.commit()
        codes = [w.code for w in created]
        db.engine.dispose()
    return codes


class Client:
    """One kept-alive HTTP connection with a session cookie, as a browser tab has."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None,
                ) -> tuple[int, dict[str, str], bytes, float]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        start = time.perf_counter()
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        elapsed = (time.perf_counter() - start) * 1000
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response.status, dict(response.headers), data, elapsed

    def sign_in(self) -> None:
        _status, _headers, page, _ms = self.request("GET", "/login")
        token = re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()
        body = urllib.parse.urlencode({"csrf_token": token, "username": "bench",
                                       "password": PASSWORD})
        status, _headers, _data, _ms = self.request("POST", "/login", body)
        if status != 302:
            raise SystemExit(f"sign-in failed with {status}")


def chart_paths(html: bytes) -> dict[str, str]:
    found = re.findall(rb'<img src="([^"]+/charts/(\w+)-[0-9a-f]{32}\.svg[^"]*)"', html)
    return {kind.decode(): unescape(url.decode()) for url, kind in found}


class WorkerCpu:
    """CPU time the gunicorn worker spent, from ``/proc/<pid>/schedstat`` (nanoseconds):
    unlike wall time, it does not grow when other processes share the machine's cores."""

    def __init__(self, master_pid: int) -> None:
        children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
        pids = children.read_text().split() if children.exists() else []
        self.path = Path(f"/proc/{pids[0]}/schedstat") if len(pids) == 1 else None

    def ms(self) -> float:
        if self.path is None:
            return float("nan")
        return int(self.path.read_text().split()[0]) / 1e6


def summary(label: str, values: list[float], target: float | None = None,
            cpu: list[float] | None = None) -> str:
    values = sorted(values)
    p90 = values[min(len(values) - 1, int(len(values) * 0.9))]
    verdict = ""
    if target is not None:
        verdict = "   ok" if statistics.median(values) < target else "   ABOVE TARGET"
    cpu_text = f"   server CPU {statistics.median(cpu):6.1f} ms" if cpu else ""
    return (f"{label:<36} median {statistics.median(values):7.1f} ms   p90 {p90:7.1f} ms   "
            f"min {values[0]:6.1f} ms{cpu_text}   n={len(values)}{verdict}")


def measure_http(port: int, codes: list[str], requests: int, worker: WorkerCpu) -> list[str]:
    client = Client(port)
    client.sign_in()
    cpu: dict[str, list[float]] = {}

    def timed(group: str, method: str, path: str):
        before = worker.ms()
        result = client.request(method, path)
        cpu.setdefault(group, []).append(worker.ms() - before)
        return result

    fresh: dict[str, list[float]] = {}
    rebuilt: list[float] = []
    pages: list[float] = []
    first_urls: dict[str, str] = {}
    half = len(codes) // 2
    for index, code in enumerate(codes):
        status, _h, html, ms = timed("page", "GET", f"/dashboard/windows/{code}")
        assert status == 200, status
        pages.append(ms)
        urls = chart_paths(html)
        first_urls = first_urls or urls
        for kind, url in urls.items():
            for fmt in ("svg", "png"):
                path = url if fmt == "svg" else url.replace(".svg?", ".png?")
                if index >= half and fmt == "svg":
                    continue  # the second half measures the rebuild below
                status, headers, _data, ms = timed(f"{kind} {fmt}", "GET", path)
                assert status == 200 and "immutable" in headers["Cache-Control"], status
                fresh.setdefault(f"{kind} {fmt}", []).append(ms)
    # Rebuilt: the second half's SVGs were never rendered. Each is asked for with a key this
    # window's scope does not know (the first window's): the server reads the figures from
    # the database again, finds their key and redirects to it, where the chart is drawn.
    other = chart_paths(client.request("GET", f"/dashboard/windows/{codes[0]}")[2])
    for code in codes[half:]:
        for kind in other:
            key_url = other[kind].replace(codes[0], code)
            before = worker.ms()
            status, headers, _d, ms_redirect = client.request("GET", key_url)
            assert status == 302, status
            status, _h, _d, ms = client.request("GET", headers["Location"])
            assert status == 200
            cpu.setdefault("rebuilt", []).append(worker.ms() - before)
            rebuilt.append(ms_redirect + ms)
    cached: list[float] = []
    url = first_urls["trend"]
    for _ in range(requests):
        status, _h, _d, ms = timed("cached", "GET", url)
        assert status == 200
        cached.append(ms)
    bare = []
    for _ in range(requests):
        bare.append(timed("bare", "GET", "/healthz/live")[3])
    lines = [summary("dashboard page (charts computed)", pages, cpu=cpu["page"])]
    for name, values in sorted(fresh.items()):
        lines.append(summary(f"fresh chart: {name}", values, FRESH_TARGET_MS, cpu[name]))
    lines.append(summary("rebuilt from the database (svg)", rebuilt, FRESH_TARGET_MS,
                         cpu["rebuilt"]))
    lines.append(summary("cached chart (trend svg)", cached, CACHED_TARGET_MS, cpu["cached"]))
    lines.append(summary("bare endpoint /healthz/live", bare, cpu=cpu["bare"]))
    return lines


def measure_drawing() -> list[str]:
    """Drawing and rendering alone, without HTTP or the database."""
    from feedback.charts.cache import render_chart
    from feedback.charts.distribution import Distribution
    from feedback.charts.ranking import Ranking, RankingRow
    from feedback.charts.trend import Trend, TrendPoint

    rng = random.Random(SEED)
    start = date(2026, 1, 1)
    trend = Trend(points=tuple(
        TrendPoint(start + timedelta(days=i), n=20, index=rng.uniform(70, 100),
                   rolling=88.0, low=84.0, high=92.0) for i in range(30)))
    distribution = Distribution((120, 40, 9, 3, 1), previous=(100, 50, 8, 6, 2))
    ranking = Ranking(tuple(
        RankingRow(f"{i + 1}. 望城区政务服务中心不动产登记{i}号窗口", 95 - i, 100 * (i + 1),
                   raw=96 - i, share=0.95 - i / 100, low=0.9 - i / 100, high=0.97 - i / 100)
        for i in range(20)))
    lines = []
    for name, chart in (("trend 30 days", trend), ("distribution", distribution),
                        ("ranking 20 windows", ranking)):
        for fmt in ("svg", "png"):
            render_chart(chart, fmt)  # warm: fonts and glyph caches
            times, cpu = [], []
            for _ in range(15):
                t0, c0 = time.perf_counter(), time.process_time()
                render_chart(chart, fmt)
                times.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.process_time() - c0) * 1000)
            lines.append(summary(f"draw + render {name} {fmt}", times, cpu=cpu))
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--windows", type=int, default=40)
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    if args.database_url and "bench" not in args.database_url.rsplit("/", 1)[-1]:
        print("refusing to empty a database whose name lacks 'bench'", file=sys.stderr)
        return 2

    work = Path(tempfile.mkdtemp(prefix="manyi-bench-charts-"))
    from feedback.config import normalise_database_url

    url = normalise_database_url(args.database_url or f"sqlite:///{work / 'bench.sqlite3'}")
    env = {
        "DATABASE_URL": url,
        "MANYI_INSTANCE_PATH": str(work / "instance"),
        "SECRET_KEY": "bench-secret-key-0123456789",
        "RATELIMIT_ENABLED": "false",
        # Memory only: "fresh" must mean drawn, not read from an earlier run's files.
        "CHART_CACHE_FILES": "false",
    }
    codes = prepare_database(url, env, args.windows)
    port = free_port()
    server = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "--workers", "1", "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", "wsgi:app"],
        cwd=ROOT, env={**os.environ, **env},
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        warm = Client(port)
        warm.sign_in()
        # The last window warms the worker up: imports, templates, the font's glyphs.
        for path in chart_paths(warm.request("GET", f"/dashboard/windows/{codes[-1]}")[2]).values():
            warm.request("GET", path)
            warm.request("GET", path.replace(".svg?", ".png?"))
        lines = measure_http(port, codes[:-1], args.requests, WorkerCpu(server.pid))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    print(f"database: {url.split(':', 1)[0]}, one gunicorn worker, {len(codes) - 1} windows "
          f"× {DAYS} days of rollups, one kept-alive connection; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for line in lines:
        print(line)
    for line in measure_drawing():
        print(line)
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
