"""``make bench``: every benchmark, on SQLite, and on PostgreSQL when BENCH_DATABASE_URL is set.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/manyi_bench make bench

The PostgreSQL database is emptied (its name must contain "bench").
"""

from __future__ import annotations

import os
import subprocess
import sys

# (module, arguments): the ceiling run shows what the form costs apart from storing.
BENCHMARKS = (("bench.subtree",), ("bench.rating",), ("bench.rating", "--without-write"),
              ("bench.charts",))


def main() -> int:
    targets: list[list[str]] = [[]]
    if os.environ.get("BENCH_DATABASE_URL"):
        targets.append(["--database-url", os.environ["BENCH_DATABASE_URL"]])
    failed = 0
    for module, *args in BENCHMARKS:
        for extra in targets:
            print(f"== {module} {' '.join([*args, *extra])}", flush=True)
            failed |= subprocess.run([sys.executable, "-m", module, *args, *extra]).returncode
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
