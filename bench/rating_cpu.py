"""CPU per rating-form request, in process: what a change adds to the hot path.

    python -m bench.rating_cpu [--database-url URL] [--requests 2000]

``bench.rating`` measures throughput under gunicorn and ``wrk``, which swings with whatever
else the machine runs. This one submits the real form through Flask's test client and reads
this process's CPU time (``time.process_time``), which a busy machine barely moves, for good
reviews (no case) and bad reviews (a case opened in the same transaction) apart. On PostgreSQL
the server's CPU is not counted: compare like with like.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import tempfile
import time

from bench.rating import prepare_database


def measure(client, path: str, levels: list[int], rounds: int) -> list[float]:
    """Microseconds of CPU per request, one figure per round of ``len(levels)`` requests."""
    html = client.get(path).get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    figures = []
    counter = 0
    for _ in range(rounds):
        start = time.process_time()
        for level in levels:
            counter += 1
            response = client.post(path, data={"csrf_token": csrf, "overall": level,
                                               "nonce": f"cpu{os.getpid()}x{counter}x{level}"})
            if response.status_code != 200:
                raise SystemExit(f"answered {response.status_code}: "
                                 f"{response.get_data(as_text=True)[:300]}")
        figures.append((time.process_time() - start) / len(levels) * 1e6)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--requests", type=int, default=2000, help="per kind of review")
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="manyi-bench-cpu-")
    url = args.database_url or f"sqlite:///{workdir}/bench.sqlite3"
    env = {"DATABASE_URL": url, "MANYI_INSTANCE_PATH": workdir, "RATELIMIT_ENABLED": "false",
           "SECRET_KEY": "bench-secret-key-0123456789", "EVALUATION_BURST_COUNT": "1000000"}
    path, _code = prepare_database(url, env)

    from feedback import create_app

    app = create_app()
    rounds = 10
    per_round = max(1, args.requests // rounds)
    results = {}
    with app.test_client() as client:
        measure(client, path, [5, 1] * 50, 1)  # warm up: imports, caches, the first case
        for name, level in (("good review (5, no case)", 5), ("bad review (1, a case)", 1)):
            results[name] = measure(client, path, [level] * per_round, rounds)
    database = "postgresql" if url.startswith("postgresql") else "sqlite"
    print(f"database: {database}, {per_round * rounds} requests per kind, "
          f"CPU of this process per request (median of {rounds} rounds, min–max)")
    for name, figures in results.items():
        print(f"{name:26} {statistics.median(figures):7.0f} µs   "
              f"({min(figures):.0f}–{max(figures):.0f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
