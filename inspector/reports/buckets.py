"""Per local day and per shift counts in portable SQL, without per-row Python work.

The period is cut at every local midnight and every shift start/end (computed in the
report's zone, so DST is followed), giving intervals that each lie in one day and one
shift. One GROUP BY query maps each row to its interval with a binary-search CASE (a few
comparisons per row, same plan as the other aggregates); Python adds up the intervals.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from sqlalchemy import ColumnElement, case, func, literal_column, select
from sqlalchemy.orm import Session

from inspector.reports.filters import ReportFilters
from inspector.reports.types import DayCount, GroupCount

MAX_BUCKETS = 8_000  # one bound parameter each (SQLite allows 32766); else the caller falls back


@dataclass(frozen=True)
class Bucket:
    lo: dt.datetime  # aware UTC, inclusive
    hi: dt.datetime  # aware UTC, exclusive
    day: dt.date
    shift: str


def make_buckets(
    f: ReportFilters, lo: dt.datetime, hi: dt.datetime, no_shift: str
) -> list[Bucket] | None:
    """Intervals covering [lo, hi) cut at local midnights and shift edges; None if too many."""
    zone = f.zone
    first = lo.astimezone(zone).date() - dt.timedelta(days=1)
    last = (hi - dt.timedelta(microseconds=1)).astimezone(zone).date() + dt.timedelta(days=1)
    cuts_per_day = 1 + 2 * len(f.shifts)
    if ((last - first).days + 1) * cuts_per_day > MAX_BUCKETS:
        return None
    walls = {dt.time(0)} | {s.start for s in f.shifts} | {s.end for s in f.shifts}
    cuts: set[dt.datetime] = set(_clock_changes(zone, lo, hi))
    for i in range((last - first).days + 1):
        day = first + dt.timedelta(days=i)
        for wall in walls:
            # Both readings of a wall time: on the day the clocks go back 02:30 happens
            # twice, on the day they go forward not at all (then the two readings lie on
            # either side of the gap). With the change itself a cut, no shift edge falls
            # inside an interval, and each interval's start names its shift.
            for fold in (0, 1):
                at = dt.datetime.combine(day, wall, tzinfo=zone).replace(fold=fold)
                at = at.astimezone(dt.UTC)
                if lo < at < hi:
                    cuts.add(at)
    out = []
    for a, b in pairwise([lo, *sorted(cuts), hi]):
        local = a.astimezone(zone)
        t = local.time().replace(tzinfo=None)
        name = next((s.name for s in f.shifts if s.contains(t)), no_shift)
        out.append(Bucket(a, b, local.date(), name))
    return out


def _clock_changes(zone: dt.tzinfo, lo: dt.datetime, hi: dt.datetime) -> list[dt.datetime]:
    """The instants in (lo, hi) where ``zone``'s UTC offset changes (to the second)."""
    out: list[dt.datetime] = []
    step = dt.timedelta(hours=1)  # zones change their offset at most once an hour
    t = lo
    while t < hi:
        nxt = min(t + step, hi)
        if t.astimezone(zone).utcoffset() != nxt.astimezone(zone).utcoffset():
            a, b = t, nxt  # offset(a) is the old one, offset(b) the new one
            while b - a > dt.timedelta(seconds=1):
                mid = a + (b - a) / 2
                same = mid.astimezone(zone).utcoffset() == a.astimezone(zone).utcoffset()
                a, b = (mid, b) if same else (a, mid)
            change = b.replace(microsecond=0)
            if lo < change < hi:
                out.append(change)
        t = nxt
    return out


def _tree(col: ColumnElement[dt.datetime], buckets: list[Bucket], i: int, j: int) -> Any:
    """Nested CASE mapping a timestamp to its bucket index by binary search (depth log2 n)."""
    if i == j:
        return literal_column(str(i))
    mid = (i + j) // 2
    return case((col < buckets[mid + 1].lo, _tree(col, buckets, i, mid)),
                else_=_tree(col, buckets, mid + 1, j))  # fmt: skip


def count_buckets(
    s: Session,
    where: ColumnElement[bool],
    buckets: list[Bucket],
    inspected_at: ColumnElement[dt.datetime],
    ng: ColumnElement[int],
) -> list[tuple[int, int]]:
    """(inspected, ng) per bucket, in order: one GROUP BY over a binary-search CASE."""
    if not buckets:
        return []
    inner = select(_tree(inspected_at, buckets, 0, len(buckets) - 1).label("k"),
                   ng.label("ng")).where(where).subquery()  # fmt: skip
    stmt = select(inner.c.k, func.count(), func.sum(inner.c.ng)).group_by(inner.c.k)
    counts = {int(k): (int(n), int(n_ng or 0)) for k, n, n_ng in s.execute(stmt)}
    return [counts.get(k, (0, 0)) for k in range(len(buckets))]


def aggregate(
    buckets: list[Bucket], counts: list[tuple[int, int]], days: list[dt.date], shifts: list[str]
) -> tuple[tuple[DayCount, ...], tuple[GroupCount, ...]]:
    """Sum the interval counts into the listed days and shifts (extra keys appended)."""
    dn: Counter[dt.date] = Counter()
    dng: Counter[dt.date] = Counter()
    sn: Counter[str] = Counter()
    sng: Counter[str] = Counter()
    for b, (n, n_ng) in zip(buckets, counts, strict=True):
        dn[b.day] += n
        dng[b.day] += n_ng
        sn[b.shift] += n
        sng[b.shift] += n_ng
    all_shifts = shifts + [k for k in sn if k not in shifts and sn[k]]
    return (
        tuple(DayCount(d, dn[d], dng[d]) for d in days),
        tuple(GroupCount(k, sn[k], sng[k]) for k in all_shifts),
    )
