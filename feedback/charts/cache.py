"""Rendered charts kept by what they show, so a repeat view renders nothing.

A chart's key is a hash of its kind, its data, its labels, language and size (the whole
frozen dataclass) and ``STYLE_VERSION``: the same numbers drawn the same way give the same key,
and any new rating changes it. Chart URLs carry the key, so browsers may keep an image forever
(``Cache-Control: immutable``) and a page with new figures simply points at a new image.

Entries are filed under a *scope* (``"window:k7x2m9qa"``, ``"unit:HN-CS"``), the object whose
access the chart's URL checks: a key found under another scope is not served, so knowing or
guessing a key of a window one may not see gives nothing away.

The cache holds, in process:

* the charts themselves (the dataclasses, small), so an image requested right after its page
  is drawn without asking the database again;
* the rendered bytes, least recently used first out, within ``max_bytes``;

and optionally the bytes as files under a directory (``instance/charts``), shared by every
worker process and surviving restarts. Files older than ``FILE_DAYS`` are pruned now and then.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import re
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

from feedback.charts.distribution import Distribution, draw_distribution
from feedback.charts.ranking import Ranking, draw_ranking
from feedback.charts.render import FORMATS, render
from feedback.charts.style import STYLE_VERSION
from feedback.charts.trend import Trend, draw_trend

log = logging.getLogger(__name__)

Chart = Trend | Distribution | Ranking
DRAWERS: dict[type, Callable[[Any], Figure]] = {
    Trend: draw_trend,
    Distribution: draw_distribution,
    Ranking: draw_ranking,
}
KEY_LENGTH = 32  # hex digits of SHA-256: 128 bits
KEY_PATTERN = re.compile(f"[0-9a-f]{{{KEY_LENGTH}}}")
FILE_DAYS = 14
PRUNE_EVERY = 500  # file writes between two prunes
_SAFE_SCOPE = re.compile(r"[A-Za-z0-9_.:-]{1,80}")


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 6)  # the last bits of a float do not change a pixel
    return value


def chart_key(chart: Chart) -> str:
    """The hash of everything ``chart`` shows (and of the drawing code's version)."""
    payload = {"kind": chart.kind, "style": STYLE_VERSION, "chart": _plain(chart)}
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:KEY_LENGTH]


def draw(chart: Chart) -> Figure:
    """A new figure of ``chart``, whatever its kind."""
    try:
        drawer = DRAWERS[type(chart)]
    except KeyError:
        raise TypeError(f"not a chart: {chart!r}") from None
    return drawer(chart)


def render_chart(chart: Chart, fmt: str) -> bytes:
    """``chart`` drawn and rendered to ``fmt`` bytes, without any cache."""
    return render(draw(chart), fmt)


@dataclasses.dataclass
class CacheStats:
    memory_hits: int = 0
    file_hits: int = 0
    renders: int = 0


class ChartCache:
    """Rendered chart bytes by ``(scope, key, format)``; thread-safe."""

    def __init__(self, max_bytes: int = 32 * 1024 * 1024,
                 directory: str | os.PathLike | None = None, max_charts: int = 4096) -> None:
        self.max_bytes = max_bytes
        self.max_charts = max_charts
        self.directory = Path(directory) if directory else None
        self.stats = CacheStats()
        self._bytes: OrderedDict[tuple[str, str, str], bytes] = OrderedDict()
        self._size = 0
        self._charts: OrderedDict[tuple[str, str], Chart] = OrderedDict()
        self._lock = threading.Lock()
        self._rendering: dict[tuple[str, str, str], threading.Lock] = {}
        self._writes = 0

    # --- charts ---------------------------------------------------------------------------

    def remember(self, scope: str, chart: Chart) -> str:
        """Keep ``chart`` under ``scope`` for its image request; return its key."""
        key = chart_key(chart)
        with self._lock:
            self._charts[(scope, key)] = chart
            self._charts.move_to_end((scope, key))
            while len(self._charts) > self.max_charts:
                self._charts.popitem(last=False)
        return key

    def chart(self, scope: str, key: str) -> Chart | None:
        with self._lock:
            return self._charts.get((scope, key))

    # --- bytes ----------------------------------------------------------------------------

    def get(self, scope: str, key: str, fmt: str) -> bytes | None:
        """The rendered bytes if this process or the file cache has them."""
        entry = (scope, key, fmt)
        with self._lock:
            body = self._bytes.get(entry)
            if body is not None:
                self._bytes.move_to_end(entry)
                self.stats.memory_hits += 1
                return body
        path = self._path(scope, key, fmt)
        if path is None:
            return None
        try:
            body = path.read_bytes()
        except OSError:
            return None
        with self._lock:
            self.stats.file_hits += 1
        self._keep(entry, body)
        return body

    def render(self, scope: str, chart: Chart, fmt: str, key: str | None = None) -> bytes:
        """``chart``'s bytes in ``fmt``: from the cache, else drawn now and kept."""
        if fmt not in FORMATS:
            raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
        key = key or chart_key(chart)
        body = self.get(scope, key, fmt)
        if body is not None:
            return body
        entry = (scope, key, fmt)
        # One rendering per chart: requests arriving meanwhile wait for it instead of
        # drawing the same chart again (a page's images are requested together).
        with self._lock:
            pending = self._rendering.setdefault(entry, threading.Lock())
        with pending:
            body = self.get(scope, key, fmt)
            if body is None:
                body = render_chart(chart, fmt)
                with self._lock:
                    self.stats.renders += 1
                self._keep(entry, body)
                self._write(scope, key, fmt, body)
        with self._lock:
            if self._rendering.get(entry) is pending and not pending.locked():
                del self._rendering[entry]
        return body

    def clear(self) -> None:
        """Forget everything held in this process (files stay)."""
        with self._lock:
            self._bytes.clear()
            self._charts.clear()
            self._size = 0

    def _keep(self, entry: tuple[str, str, str], body: bytes) -> None:
        if len(body) > self.max_bytes:
            return
        with self._lock:
            old = self._bytes.pop(entry, None)
            if old is not None:
                self._size -= len(old)
            self._bytes[entry] = body
            self._size += len(body)
            while self._size > self.max_bytes:
                _, dropped = self._bytes.popitem(last=False)
                self._size -= len(dropped)

    # --- files ----------------------------------------------------------------------------

    def _path(self, scope: str, key: str, fmt: str) -> Path | None:
        if self.directory is None or not KEY_PATTERN.fullmatch(key) or fmt not in FORMATS:
            return None
        folder = scope if _SAFE_SCOPE.fullmatch(scope) and scope not in {".", ".."} else (
            hashlib.sha256(scope.encode()).hexdigest()[:32])
        return self.directory / folder.replace(":", "_") / f"{key}.{fmt}"

    def _write(self, scope: str, key: str, fmt: str, body: bytes) -> None:
        path = self._path(scope, key, fmt)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Written aside and renamed: another worker never reads half a file.
            fd, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
            with os.fdopen(fd, "wb") as fh:
                fh.write(body)
            os.replace(temporary, path)
        except OSError as exc:
            log.warning("chart cache: cannot write %s: %s", path, exc)
            return
        with self._lock:
            self._writes += 1
            due = self._writes % PRUNE_EVERY == 0
        if due:
            self.prune()

    def prune(self, days: float = FILE_DAYS) -> int:
        """Delete cached files older than ``days``; return how many went."""
        if self.directory is None or not self.directory.is_dir():
            return 0
        limit = time.time() - days * 86400
        removed = 0
        for path in self.directory.glob("*/*"):
            try:
                if path.stat().st_mtime < limit:
                    path.unlink()
                    removed += 1
            except OSError:
                continue
        return removed


def prune_step(now) -> int:
    """The periodic step (``feedback.periodic``): delete the chart files under
    ``instance/charts`` that were not used for ``FILE_DAYS``; return how many went."""
    from flask import current_app

    if not current_app.config.get("CHART_CACHE_FILES", True):
        return 0
    return ChartCache(directory=os.path.join(current_app.instance_path, "charts")).prune()
