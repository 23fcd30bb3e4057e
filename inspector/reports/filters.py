"""What a report covers: the period (in local time) and the other filters.

QA leads think in local days, shifts and weeks, the database stores UTC. ``ReportFilters``
keeps the period as local wall-clock datetimes plus the zone, and ``utc_bounds()`` converts
them once for the query, so day boundaries follow the factory's clock across DST changes.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from inspector.errors import UserError
from inspector.reports.windows_zone import windows_zone_name
from inspector.store.models import SEVERITIES, VERDICTS_INSPECTION

log = logging.getLogger(__name__)
NO_DATA = "No inspections in this period."
NO_MATCH = "No inspections match these filters in this period."
# The filters besides the period, as ReportFilters names them (the audit log's keys).
FILTER_FIELDS = ("product", "station", "operator", "verdict", "severity", "defect_type",
                 "model_version", "overridden")


@dataclass(frozen=True)
class Shift:
    """A named shift ``start``..``end`` in local time; it wraps past midnight if end <= start."""

    name: str
    start: dt.time
    end: dt.time

    def contains(self, t: dt.time) -> bool:
        if self.start < self.end:
            return self.start <= t < self.end
        return t >= self.start or t < self.end


DEFAULT_SHIFTS: tuple[Shift, ...] = (
    Shift("early", dt.time(6), dt.time(14)),
    Shift("late", dt.time(14), dt.time(22)),
    Shift("night", dt.time(22), dt.time(6)),
)


def parse_shifts(spec: str) -> tuple[Shift, ...]:
    """Parse ``"early=06:00-14:00,late=14:00-22:00,night=22:00-06:00"`` (a project setting)."""
    shifts = []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        try:
            name, span = part.split("=")
            start, end = span.split("-")
            if not name.strip():  # "=06:00-14:00": a shift no report could name
                raise ValueError("no name")
            shifts.append(Shift(name.strip(), _clock(start), _clock(end)))
        except ValueError as exc:
            raise UserError(f"bad shift {part!r}: use name=HH:MM-HH:MM (the plant's "
                            "clock time, no time zone)") from exc
    if not shifts:
        raise UserError("no shifts given")
    _refuse_overlaps(shifts)
    return tuple(shifts)


_CLOCK = re.compile(r"\s*(\d{1,2}):(\d{2})\s*")


def _clock(text: str) -> dt.time:
    """A wall-clock time: HH:MM (6:00 and 24:00 too), or any form ISO time without a
    zone (06:00:00, 0600: older versions stored what ``time.fromisoformat`` took). A time
    with a zone ("14:00Z", "06:00+01:00") is refused: it was stored, and every report then
    failed comparing times with a zone to times without."""
    match = _CLOCK.fullmatch(text)
    if match is None:
        clock = dt.time.fromisoformat(text.strip())
        if clock.tzinfo is not None:
            raise ValueError(f"{text}: a time zone")
        return clock
    hour, minute = int(match[1]), int(match[2])
    if (hour, minute) == (24, 0):
        return dt.time(0, 0)
    return dt.time(hour, minute)  # ValueError past 23:59


def _refuse_overlaps(shifts: list[Shift]) -> None:
    """Each minute of the day in one shift at most, each name once: overlapping shifts
    counted one part in two shifts, and a name given twice listed it twice."""
    names = [s.name.casefold() for s in shifts]
    twice = sorted({s.name for s in shifts if names.count(s.name.casefold()) > 1})
    if twice:
        raise UserError(f"shift {twice[0]!r} is named twice")
    owner: dict[int, str] = {}
    for shift in shifts:
        for minute in _minutes(shift):
            if minute in owner:
                raise UserError(f"shifts {owner[minute]!r} and {shift.name!r} overlap at "
                                f"{minute // 60:02d}:{minute % 60:02d}")
            owner[minute] = shift.name


def _minutes(shift: Shift) -> range | list[int]:
    """The minutes of the day a shift covers (one that ends at or before its start runs
    past midnight)."""
    start = shift.start.hour * 60 + shift.start.minute
    end = shift.end.hour * 60 + shift.end.minute
    return range(start, end) if end > start else [*range(start, 1440), *range(0, end)]


def resolve_tz(tz: str | dt.tzinfo | None) -> dt.tzinfo:
    """A tzinfo from a zoneinfo name, a tzinfo, or None (this computer's local zone)."""
    if tz is None:
        return system_zone()
    if isinstance(tz, dt.tzinfo):
        return tz
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:  # OSError: "Europe" is a folder
        raise UserError(f"unknown time zone {tz!r} (use a name like Europe/Berlin)") from exc


def system_zone() -> dt.tzinfo:
    """This computer's zone: its IANA zone when it can be found (so DST is followed),
    else the current fixed offset from ``datetime.now().astimezone()``."""
    tz = os.environ.get("TZ", "").lstrip(":")
    if tz and Path(tz).is_absolute() and (zone := _zone_file(tz)) is not None:
        return zone  # TZ as the path of a zone file, as the system clock reads it
    candidates = [tz]
    try:
        link = os.path.realpath("/etc/localtime")
        if "zoneinfo/" in link:
            candidates.append(link.split("zoneinfo/", 1)[1])
    except OSError:
        pass  # no /etc/localtime (Windows): its registry names the zone
    candidates.append(_first_line("/etc/timezone"))  # Debian names it where it copies
    candidates.append(windows_zone_name())
    for key in filter(None, candidates):
        try:
            return ZoneInfo(key)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            continue
    zone = _zone_file("/etc/localtime")  # copied, not linked, and named nowhere
    if zone is not None:
        return zone
    local = dt.datetime.now().astimezone().tzinfo
    assert local is not None
    log.warning("this computer's time zone was not found; reports use today's offset %s, "
                "which does not follow daylight saving time", local)
    return local


def _zone_file(path: str) -> dt.tzinfo | None:
    try:
        with open(path, "rb") as fh:
            return ZoneInfo.from_file(fh)
    except (OSError, ValueError):
        return None


def _first_line(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.readline().strip() or None
    except (OSError, UnicodeDecodeError):
        return None


def tz_label(tz: dt.tzinfo) -> str:
    """A readable zone name for headers: the IANA key, else the offset ("UTC+01:00") of a
    fixed-offset zone, whose own name is the one of the moment it was read, in the
    system's language (Windows: "Mitteleuropäische Zeit" on a summer report), else the
    abbreviation."""
    key = getattr(tz, "key", None)
    if key:
        return key
    if isinstance(tz, dt.timezone):
        return str(dt.timezone(tz.utcoffset(None)))
    return dt.datetime.now(tz).tzname() or str(tz)


def wall_time_exists(wall: dt.datetime, zone: dt.tzinfo) -> bool:
    """False for a naive clock reading the clocks skip in ``zone`` (02:30 on the night
    Berlin moves to summer time)."""
    there = wall.replace(tzinfo=zone).astimezone(dt.UTC).astimezone(zone)
    return there.replace(tzinfo=None) == wall


def wall_instant(wall: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """The instant (UTC) of the naive clock reading ``wall`` in ``zone``. A reading the
    clocks skip is the moment they jump (the first instant whose reading is not earlier):
    Python would put 02:30 at 03:30 summer time, half an hour into the real day. A
    repeated reading (autumn) is its first occurrence."""
    first = wall.replace(tzinfo=zone).astimezone(dt.UTC)
    if wall_time_exists(wall, zone):
        return first
    lo = wall.replace(tzinfo=zone, fold=1).astimezone(dt.UTC)  # before the jump
    hi = first  # after it
    while hi - lo > dt.timedelta(microseconds=1):
        mid = lo + (hi - lo) / 2
        if mid.astimezone(zone).replace(tzinfo=None) >= wall:
            hi = mid
        else:
            lo = mid
    return hi


def local_instant(wall: dt.datetime | dt.date) -> dt.datetime:
    """This computer's clock reading (a day: its midnight) as an aware instant, read as
    reports read it. A plain ``.astimezone()`` put midnight an hour early where the
    clocks jump at midnight (Santiago, Cairo, Havana), so History and `audit` disagreed
    with the report of the same day."""
    if not isinstance(wall, dt.datetime):
        wall = dt.datetime.combine(wall, dt.time())
    return wall_instant(wall, system_zone())


def local_midnight(day: dt.date, tz: dt.tzinfo) -> dt.datetime:
    """The aware local datetime of ``day`` 00:00 in ``tz``."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=tz)


@dataclass(frozen=True)
class ReportFilters:
    """Period and filters of one report; ``None`` means "all".

    ``start``/``end`` are local wall-clock datetimes (naive, or aware in any zone) and the
    period is ``start <= inspected_at < end``. ``verdict`` filters the final verdict
    (the override if there is one, else the machine's).
    """

    start: dt.datetime | None = None
    end: dt.datetime | None = None
    tz: str | dt.tzinfo | None = None
    product: str | None = None
    station: str | None = None
    operator: str | None = None
    verdict: str | None = None
    severity: str | None = None
    defect_type: str | None = None
    model_version: int | None = None
    overridden: bool | None = None
    shifts: tuple[Shift, ...] = field(default=DEFAULT_SHIFTS)

    def __post_init__(self) -> None:
        if self.verdict is not None and self.verdict not in VERDICTS_INSPECTION:
            raise UserError(f"verdict must be one of {', '.join(VERDICTS_INSPECTION)}")
        if self.severity is not None and self.severity not in SEVERITIES:
            raise UserError(f"severity must be one of {', '.join(SEVERITIES)}")
        resolve_tz(self.tz)  # fail early on a bad zone name
        if self.start and self.end and self._instant(self.end) <= self._instant(self.start):
            raise UserError("the end of the period must be after its start")

    @property
    def zone(self) -> dt.tzinfo:
        return resolve_tz(self.tz)

    @property
    def shift_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.shifts)

    def _instant(self, value: dt.datetime) -> dt.datetime:
        """A bound as an instant (UTC): a naive or report-zone time is a wall-clock reading
        there. Bounds were compared as clock readings before, so an end of 03:00 after a
        start of 02:30 on the night clocks jump to summer time passed as "after"."""
        if value.tzinfo is not None and value.tzinfo is not self.zone:
            return value.astimezone(dt.UTC)
        return wall_instant(value.replace(tzinfo=None), self.zone)

    def utc_bounds(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        """The period as aware UTC datetimes, for the SQL query."""
        return tuple(  # type: ignore[return-value]
            None if v is None else self._instant(v) for v in (self.start, self.end)
        )

    def local_bounds(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        """The period as aware datetimes in the report's zone (for titles and day lists)."""
        zone = self.zone
        return tuple(  # type: ignore[return-value]
            None if v is None else self._instant(v).astimezone(zone) for v in (self.start, self.end)
        )

    def active(self) -> dict[str, object]:
        """The filters set besides the period (field name: value), e.g. for the audit log."""
        return {k: getattr(self, k) for k in FILTER_FIELDS if getattr(self, k) is not None}

    def no_data_text(self) -> str:
        """What an empty report says: a filter that matches nothing is not a quiet period
        (the period may hold hundreds of other inspections)."""
        return NO_MATCH if self.active() else NO_DATA

    def with_(self, **changes: object) -> ReportFilters:
        return replace(self, **changes)  # type: ignore[arg-type]

    def period_text(self) -> str:
        """The period for people: whole days as "2024-03-01 to 2024-03-31", else times."""
        start, end = self.local_bounds()
        midnight = dt.time(0)
        if start and end and start.time() == midnight and end.time() == midnight:
            last = (end - dt.timedelta(days=1)).date()
            return f"{start.date()}" if last == start.date() else f"{start.date()} to {last}"
        first = f"{start:%Y-%m-%d %H:%M}" if start else "the beginning"
        return f"{first} to {end:%Y-%m-%d %H:%M}" if end else f"{first} to now"

    def describe(self) -> list[tuple[str, str]]:
        """(label, value) pairs of the period and every active filter, for report headers."""
        out = [("Period", self.period_text()), ("Time zone", tz_label(self.zone))]
        names = {
            "product": "Product",
            "station": "Station",
            "operator": "Operator",
            "verdict": "Final verdict",
            "severity": "Severity",
            "defect_type": "Defect type",
            "model_version": "Model version",
        }
        for attr, label in names.items():
            value = getattr(self, attr)
            if value is not None:
                out.append((label, str(value)))
        if self.overridden is not None:
            out.append(("Overridden", "yes" if self.overridden else "no"))
        return out

    # -- period helpers ------------------------------------------------------------------

    @classmethod
    def for_days(
        cls, first: dt.date, last: dt.date, tz: str | dt.tzinfo | None = None, **kw: object
    ) -> ReportFilters:
        """Whole local days ``first``..``last`` inclusive."""
        if last < first:
            raise UserError("the last day is before the first day")
        zone = resolve_tz(tz)
        end = local_midnight(last + dt.timedelta(days=1), zone)
        return cls(start=local_midnight(first, zone), end=end, tz=tz, **kw)  # type: ignore[arg-type]

    @classmethod
    def for_day(
        cls, day: dt.date, tz: str | dt.tzinfo | None = None, **kw: object
    ) -> ReportFilters:
        return cls.for_days(day, day, tz, **kw)

    @classmethod
    def for_week(
        cls, day: dt.date, tz: str | dt.tzinfo | None = None, **kw: object
    ) -> ReportFilters:
        """The ISO week (Monday..Sunday) that contains ``day``."""
        monday = day - dt.timedelta(days=day.weekday())
        return cls.for_days(monday, monday + dt.timedelta(days=6), tz, **kw)

    @classmethod
    def for_shift(
        cls,
        day: dt.date,
        shift: str,
        tz: str | dt.tzinfo | None = None,
        shifts: tuple[Shift, ...] = DEFAULT_SHIFTS,
        **kw: object,
    ) -> ReportFilters:
        """One shift that starts on local ``day`` (a night shift ends the next morning)."""
        found = next((s for s in shifts if s.name.casefold() == shift.casefold()), None)
        if found is None:
            raise UserError(f"unknown shift {shift!r}: {', '.join(s.name for s in shifts)}")
        zone = resolve_tz(tz)
        start = dt.datetime.combine(day, found.start, tzinfo=zone)
        end_day = day if found.start < found.end else day + dt.timedelta(days=1)
        end = dt.datetime.combine(end_day, found.end, tzinfo=zone)
        return cls(start=start, end=end, tz=tz, shifts=shifts, **kw)  # type: ignore[arg-type]
