"""Keeping the rollups equal to the evaluations, and rebuilding them from scratch.

Every change is an ``INSERT … ON CONFLICT DO UPDATE`` adding to the counts (SQLite and
PostgreSQL alike), one statement per rollup table, in the caller's transaction: a rating and
its rollups are committed together or not at all. Concurrent submissions for the same window
and day serialise on that one row's lock, never on a read-modify-write in Python.

- ``on_submit(row, definition)`` — a new evaluation (``submit_evaluation`` calls it);
- ``on_status_change(evaluation, was_counted)`` — an evaluation restored, or excluded by an
  upheld appeal: moves it between the counted columns and ``flagged``;
- ``rebuild(window_ids=None)`` — recomputes the rollups from the raw evaluations
  (``manyi stats rebuild``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import (
    Connection,
    Date,
    and_,
    bindparam,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    true,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from feedback import database
from feedback.clock import local_date
from feedback.evaluations.models import COUNTED_STATUSES, Channel, Evaluation, FlagStatus
from feedback.extensions import db
from feedback.questionnaires.models import SurveyVersion
from feedback.stats.models import (
    CHANNEL_COLUMNS,
    LEVEL_COLUMNS,
    DimensionDayStats,
    StaffDayStats,
    WindowDayStats,
)
from surveys import SurveyDefinition

if TYPE_CHECKING:
    from sqlalchemy import Table

__all__ = ["dimension_keys", "on_status_change", "on_submit", "rebuild"]

_COUNTED = frozenset(s.value for s in COUNTED_STATUSES)
_WINDOW_KEYS = ("window_id", "day")
_STAFF_KEYS = ("window_id", "day", "staff_id")
_DIMENSION_KEYS = ("window_id", "day", "dimension")


# --- upserts -----------------------------------------------------------------------------------


@cache
@cache
def _upsert(dialect: str, table: Table, keys: tuple[str, ...]):
    """``INSERT … ON CONFLICT (keys) DO UPDATE SET c = c + excluded.c`` for every count.

    Built once per table: the rating's hot path runs it for every submission."""
    make = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = make(table)
    counts = [c.name for c in table.c if c.name not in keys]
    return stmt.on_conflict_do_update(
        index_elements=list(keys),
        set_={name: table.c[name] + stmt.excluded[name] for name in counts},
    )


@cache
def _dimension_upsert(count: int):
    """The upsert of ``count`` dimensions of one window and day, with named parameters
    (``dimension_0``, ``n1_0`` …). Written out as SQL (the same on SQLite and PostgreSQL):
    SQLAlchemy compiles a multi-row ``insert().values()`` afresh on every execution, which
    cost more than the rest of the rating's rollups together."""
    table = DimensionDayStats.__tablename__
    columns = ", ".join(_DIMENSION_KEYS + LEVEL_COLUMNS)
    rows = ", ".join(
        "(" + ", ".join([":window_id", ":day", f":dimension_{i}",
                         *[f":{c}_{i}" for c in LEVEL_COLUMNS]]) + ")"
        for i in range(count)
    )
    updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in LEVEL_COLUMNS)
    return text(
        f"INSERT INTO {table} ({columns}) VALUES {rows} "  # noqa: S608  (our own names)
        f"ON CONFLICT ({', '.join(_DIMENSION_KEYS)}) DO UPDATE SET {updates}"
    ).bindparams(bindparam("day", type_=Date))


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _window_row(window_id: int, day: date) -> dict[str, Any]:
    row: dict[str, Any] = {"window_id": window_id, "day": day, "flagged": 0, "verified": 0}
    row.update(dict.fromkeys(LEVEL_COLUMNS, 0))
    row.update(dict.fromkeys(CHANNEL_COLUMNS.values(), 0))
    return row


def _level_row(level: int, sign: int, **keys: Any) -> dict[str, Any]:
    row: dict[str, Any] = dict(keys)
    row.update(dict.fromkeys(LEVEL_COLUMNS, 0))
    row[f"n{level}"] = sign
    return row


def dimension_keys(definition: SurveyDefinition) -> tuple[str, ...]:
    """The keys of the questionnaire's dimension ratings (办事效率, 业务水平 …)."""
    return tuple(q.key for q in definition.questions if q.type_name == "dimension")


def _add(*, window_id: int, day: date, level: int, counted: bool, verified: bool,
         channel: str, staff_id: int | None, dimensions: Mapping[str, int],
         only_details: bool = False) -> None:
    """Count one new evaluation: one upsert per rollup table it touches (``only_details``:
    the staff and dimension tables only)."""
    dialect = _dialect()
    if not only_details:
        row = _window_row(window_id, day)
        if counted:
            row[f"n{level}"] = 1
            row["verified"] = 1 if verified else 0
            row[CHANNEL_COLUMNS[Channel(channel)]] = 1
        else:
            row["flagged"] = 1
        database.execute(_upsert(dialect, WindowDayStats.__table__, _WINDOW_KEYS), row)
    if not counted:
        return
    if staff_id is not None:
        database.execute(_upsert(dialect, StaffDayStats.__table__, _STAFF_KEYS),
                        _level_row(level, 1, window_id=window_id, day=day, staff_id=staff_id))
    if dimensions:
        # One statement for every dimension rated: a multi-row VALUES, built once per count.
        params: dict[str, Any] = {"window_id": window_id, "day": day}
        for i, (key, value) in enumerate(dimensions.items()):
            params[f"dimension_{i}"] = key
            for level in range(1, 6):
                params[f"n{level}_{i}"] = 1 if level == value else 0
        database.execute(_dimension_upsert(len(dimensions)), params)


def _move(*, window_id: int, day: date, level: int, verified: bool, channel: str,
          staff_id: int | None, dimensions: Mapping[str, int], sign: int) -> None:
    """Move one evaluation into (``sign`` 1) or out of (-1) the counted columns.

    Its rows exist already (it was counted in ``flagged`` or in its level), so this updates
    them in place; were they missing (rollups never built), the window is rebuilt instead.
    """
    session = db.session
    w = WindowDayStats.__table__
    changes = {f"n{level}": w.c[f"n{level}"] + sign, "flagged": w.c.flagged - sign,
               CHANNEL_COLUMNS[Channel(channel)]: w.c[CHANNEL_COLUMNS[Channel(channel)]] + sign}
    if verified:
        changes["verified"] = w.c.verified + sign
    done = session.execute(
        update(w).where(w.c.window_id == window_id, w.c.day == day).values(changes)
    ).rowcount
    if done != 1:
        db.session.flush()  # the new status, which the rebuild reads from the table
        rebuild([window_id])
        return
    if sign > 0:
        _add(window_id=window_id, day=day, level=level, counted=True, verified=verified,
             channel=channel, staff_id=staff_id, dimensions=dimensions, only_details=True)
        return
    if staff_id is not None:
        s = StaffDayStats.__table__
        session.execute(update(s).where(s.c.window_id == window_id, s.c.day == day,
                                         s.c.staff_id == staff_id)
                        .values({f"n{level}": s.c[f"n{level}"] - 1}))
    d = DimensionDayStats.__table__
    for key, value in dimensions.items():
        session.execute(update(d).where(d.c.window_id == window_id, d.c.day == day,
                                         d.c.dimension == key)
                        .values({f"n{value}": d.c[f"n{value}"] - 1}))


def _dimensions(answers: Mapping[str, Any], keys: Iterable[str]) -> dict[str, int]:
    out = {}
    for key in keys:
        value = answers.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5:
            out[key] = value
    return out


def on_submit(row: Mapping[str, Any], definition: SurveyDefinition) -> None:
    """Count a new evaluation, given the row just inserted into ``evaluations``.

    Counted evaluations add to their level, channel, staff member and dimensions; flagged
    ones only to ``flagged``. Flushes nothing else and reads nothing.
    """
    status = FlagStatus(row["flag_status"]).value
    _add(
        window_id=row["window_id"], day=local_date(row["created_at"]), level=int(row["level"]),
        counted=status in _COUNTED, verified=bool(row["verified"]),
        channel=row["channel"], staff_id=row["staff_id"],
        dimensions=_dimensions(row["answers"], dimension_keys(definition)),
    )


def on_status_change(evaluation: Evaluation, was_counted: bool) -> None:
    """Follow ``evaluation`` whose flag status just changed (restored, excluded by an upheld
    appeal). ``was_counted``: whether it counted before the change. Nothing happens when it
    counts as much as before (e.g. flagged, then excluded).
    """
    now_counted = bool(evaluation.counted)
    if now_counted == was_counted:
        return
    from feedback.evaluations.services import definition_of

    version = evaluation.survey_version or db.session.get(SurveyVersion,
                                                          evaluation.survey_version_id)
    _move(
        window_id=evaluation.window_id, day=local_date(evaluation.created_at),
        level=evaluation.level, verified=evaluation.verified,
        channel=Channel(evaluation.channel).value, staff_id=evaluation.staff_id,
        dimensions=_dimensions(evaluation.answers or {}, dimension_keys(definition_of(version))),
        sign=1 if now_counted else -1,
    )


# --- rebuild -----------------------------------------------------------------------------------


def _local_day_expression(conn, window_ids: Sequence[int] | None):
    """SQL for the local date of ``evaluations.created_at`` (``BABEL_DEFAULT_TIMEZONE``)."""
    zone_name = current_app.config["BABEL_DEFAULT_TIMEZONE"]
    created = Evaluation.__table__.c.created_at
    if _dialect_of(conn) == "postgresql":
        return cast(func.timezone(zone_name, created), Date)
    zone = ZoneInfo(zone_name)
    query = select(func.min(created), func.max(created))
    if window_ids is not None:
        query = query.where(Evaluation.__table__.c.window_id.in_(window_ids))
    low, high = conn.execute(query).one()
    offsets = set()
    if low is not None:
        moment = _aware(low)
        last = _aware(high)
        while moment <= last + timedelta(days=1):
            offsets.add(moment.astimezone(zone).utcoffset())
            moment += timedelta(hours=12)
    if len(offsets) <= 1:
        minutes = int(next(iter(offsets)).total_seconds() // 60) if offsets else 0
        return func.date(created, f"{minutes:+d} minutes")
    # A zone with daylight saving: ask Python, row by row (slower, but exact).
    connection = conn if isinstance(conn, Connection) else conn.connection()
    raw = connection.connection.driver_connection
    raw.create_function("manyi_local_day", 1, _sqlite_local_day(zone_name), deterministic=True)
    return func.manyi_local_day(created)


def _aware(value: datetime | str) -> datetime:
    if isinstance(value, str):  # SQLite answers min()/max() as text
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _dialect_of(conn) -> str:
    return (conn if isinstance(conn, Connection) else conn.get_bind()).dialect.name


def _sqlite_local_day(zone_name: str):
    zone = ZoneInfo(zone_name)

    def local_day(value: str | None) -> str | None:
        if value is None:
            return None
        moment = datetime.fromisoformat(value).replace(tzinfo=UTC)
        return moment.astimezone(zone).date().isoformat()

    return local_day


def _sum_if(condition) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _dimension_versions(conn) -> dict[str, list[int]]:
    """For each dimension key, the questionnaire versions that ask it."""
    from feedback.evaluations.services import definition_of

    v = SurveyVersion.__table__.c
    out: dict[str, list[int]] = defaultdict(list)
    for version in conn.execute(select(v.id, v.fingerprint, v.definition)):
        for key in dimension_keys(definition_of(version)):
            out[key].append(version.id)
    return out


def rebuild(window_ids: Sequence[int] | None = None, *, connection: Connection | None = None
            ) -> int:
    """Recompute every rollup (or those of ``window_ids``) from the raw evaluations.

    Deletes the rollups concerned and inserts them again with one grouped
    ``INSERT … SELECT`` per table, in the caller's transaction (the session's, or
    ``connection``'s — the migration passes its own); flushes, does not commit.
    Returns the number of evaluations read.
    """
    conn = connection if connection is not None else db.session
    ids = None if window_ids is None else sorted({int(i) for i in window_ids})
    e = Evaluation.__table__.c
    for model in (WindowDayStats, StaffDayStats, DimensionDayStats):
        table = model.__table__
        stmt = delete(table)
        if ids is not None:
            stmt = stmt.where(table.c.window_id.in_(ids))
        conn.execute(stmt)
    if ids == []:
        return 0
    scope = [] if ids is None else [e.window_id.in_(ids)]
    day = _local_day_expression(conn, ids).label("day")
    counted = e.flag_status.in_(sorted(_COUNTED))

    window_cols = {
        "window_id": e.window_id,
        "day": day,
        **{f"n{lv}": _sum_if(counted & (e.level == lv)) for lv in range(1, 6)},
        "flagged": _sum_if(~counted),
        "verified": _sum_if(counted & e.verified.is_(True)),
        **{col: _sum_if(counted & (e.channel == channel.value))
           for channel, col in CHANNEL_COLUMNS.items()},
    }
    source = select(*window_cols.values()).where(*scope).group_by(e.window_id, day)
    conn.execute(insert(WindowDayStats.__table__).from_select(list(window_cols), source))

    staff_cols = {
        "window_id": e.window_id,
        "day": day,
        "staff_id": e.staff_id,
        **{f"n{lv}": _sum_if(e.level == lv) for lv in range(1, 6)},
    }
    source = (select(*staff_cols.values())
              .where(counted, e.staff_id.is_not(None), *scope)
              .group_by(e.window_id, day, e.staff_id))
    conn.execute(insert(StaffDayStats.__table__).from_select(list(staff_cols), source))

    dimensions = _dimension_versions(conn)
    if _dialect_of(conn) == "sqlite" and dimensions:
        # One pass: json_each parses each answer once, where json_extract would parse it
        # again for every dimension (measured: 25 s against 60 s for 1,000,000 on SQLite).
        answers = func.json_each(e.answers).table_valued("key", "value").alias("answer")
        is_dimension = or_(*[and_(answers.c.key == key, e.survey_version_id.in_(versions))
                             for key, versions in sorted(dimensions.items())])
        dim_cols = {
            "window_id": e.window_id,
            "day": day,
            "dimension": answers.c.key,
            **{f"n{lv}": _sum_if(answers.c.value == lv) for lv in range(1, 6)},
        }
        source = (select(*dim_cols.values())
                  .select_from(Evaluation.__table__.join(answers, true()))
                  .where(counted, is_dimension, answers.c.value.between(1, 5), *scope)
                  .group_by(e.window_id, day, answers.c.key))
        conn.execute(insert(DimensionDayStats.__table__).from_select(list(dim_cols), source))
        dimensions = {}
    for key, versions in sorted(dimensions.items()):
        value = e.answers[key].as_integer()
        dim_cols = {
            "window_id": e.window_id,
            "day": day,
            "dimension": literal(key),
            **{f"n{lv}": _sum_if(value == lv) for lv in range(1, 6)},
        }
        source = (select(*dim_cols.values())
                  .where(counted, e.survey_version_id.in_(versions), value.between(1, 5),
                         *scope)
                  .group_by(e.window_id, day))
        conn.execute(insert(DimensionDayStats.__table__).from_select(list(dim_cols), source))

    total = select(func.count()).select_from(Evaluation.__table__).where(*scope)
    return int(conn.execute(total).scalar() or 0)
