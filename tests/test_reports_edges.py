"""Report inputs at the edges: long file names, zone folders, dates at the calendar's
end, shifts that overlap, and a computer whose zone is a file without a name."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from inspector.cli.cmd_report import parse_when
from inspector.errors import UserError
from inspector.reports.filters import DEFAULT_SHIFTS, parse_shifts, resolve_tz, system_zone
from inspector.reports.output import atomic_output


def test_a_long_legal_file_name_is_written(tmp_path: Path) -> None:
    """The temporary name was 14 characters longer than the output's: a legal name of
    245 characters failed with an internal error."""
    out = tmp_path / ("x" * 245 + ".csv")
    with atomic_output(out) as tmp:
        tmp.write_text("a,b\n")
    assert out.read_text() == "a,b\n" and [p.name for p in tmp_path.iterdir()] == [out.name]


@pytest.mark.parametrize("name", ["Europe", "Etc", "Nowhere/City"])
def test_a_zone_folder_or_unknown_zone_is_a_message(name: str) -> None:
    with pytest.raises(UserError, match="unknown time zone"):
        resolve_tz(name)


@pytest.mark.parametrize("text", ["0001-01-01", "9999-12-31", "9999-12-31T23:00"])
def test_dates_at_the_calendars_edge_are_a_message(text: str) -> None:
    """A zone shift of year 1 or 9999 overflowed: an internal error."""
    with pytest.raises(UserError, match="out of range"):
        parse_when(text, "--to")
    assert parse_when("2026-11-28", "--to") == dt.date(2026, 11, 28)


@pytest.mark.parametrize(("spec", "words"), [
    ("day=06:00-18:00,day=18:00-06:00", "named twice"),
    ("early=06:00-14:00,late=13:00-22:00", "overlap at 13:00"),
    ("night=22:00-06:00,dawn=05:00-07:00", "overlap at 05:00"),
    ("=06:00-14:00", "bad shift"),  # no name: no report could say which shift it was
    # a time with a zone was stored, then every report failed comparing times
    ("early=06:00-14:00Z,late=14:00Z-22:00", "no time zone"),
    ("early=06:00+01:00-14:00", "bad shift"),
    ("early=25:00-14:00", "bad shift"),
])
def test_shifts_that_overlap_or_repeat_a_name_are_refused(spec: str, words: str) -> None:
    """One part counted in two shifts, or a name listed twice with the day's parts."""
    with pytest.raises(UserError, match=words):
        parse_shifts(spec)


def test_shifts_that_meet_or_leave_gaps_are_fine() -> None:
    assert parse_shifts("early=06:00-14:00,late=14:00-22:00,night=22:00-06:00") == \
        DEFAULT_SHIFTS
    assert [s.name for s in parse_shifts("day=07:00-15:30,swing=16:00-00:30")] == \
        ["day", "swing"]
    assert parse_shifts("early=6:00 - 14:00, late=14:00-22:00") == DEFAULT_SHIFTS[:2]
    assert parse_shifts("late=14:00-24:00")[0].end == dt.time(0, 0)
    # what older versions stored (time.fromisoformat's forms) still reads the same
    assert parse_shifts("early=06:00:00-1400,late=14:00-22") == DEFAULT_SHIFTS[:2]


def test_a_zone_given_as_a_file_keeps_daylight_saving(monkeypatch) -> None:  # noqa: ANN001
    """TZ as a path to a zone file (valid for the system clock) was not recognised, and
    the report fell back to another zone or to today's fixed offset."""
    berlin = Path("/usr/share/zoneinfo/Europe/Berlin")
    if not berlin.is_file():
        pytest.skip("no system zone files here")
    monkeypatch.setenv("TZ", str(berlin))
    zone = system_zone()
    summer = dt.datetime(2026, 7, 1, 12, tzinfo=zone).utcoffset()
    winter = dt.datetime(2026, 1, 1, 12, tzinfo=zone).utcoffset()
    assert (summer, winter) == (dt.timedelta(hours=2), dt.timedelta(hours=1))
    monkeypatch.setenv("TZ", "Europe/Berlin")
    assert system_zone() == ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize("spec", ["a=02:30-10:00,b=10:00-18:45,c=18:45-02:30",
                                  "early=06:00-14:00,late=14:00-22:00,night=22:00-06:00"])
@pytest.mark.parametrize("days", [(dt.date(2024, 3, 30), dt.date(2024, 4, 1)),
                                  (dt.date(2024, 10, 26), dt.date(2024, 10, 28))])
def test_shift_intervals_follow_the_clock_on_the_days_it_changes(spec, days) -> None:  # noqa: ANN001
    """A shift edge inside the skipped or repeated hour (02:30 in Berlin) was placed
    once, at the wrong instant: the fast per-shift counts disagreed with the rows' own
    wall-clock times."""
    from inspector.reports.buckets import make_buckets
    from inspector.reports.filters import ReportFilters

    f = ReportFilters.for_days(*days, tz="Europe/Berlin", shifts=parse_shifts(spec))
    lo, hi = f.utc_bounds()
    buckets = make_buckets(f, lo, hi, "(none)")
    at, checked = lo, 0
    while at < hi:
        bucket = next(b for b in buckets if b.lo <= at < b.hi)
        local = at.astimezone(f.zone)
        expected = next(s.name for s in f.shifts if s.contains(local.time()))
        assert (bucket.shift, bucket.day) == (expected, local.date()), local
        at += dt.timedelta(minutes=5)
        checked += 1
    assert checked == int((hi - lo).total_seconds() // 300)


def test_bounds_the_clocks_skip_are_the_moment_of_the_jump() -> None:
    """Compared as clock readings, 02:30-03:00 on the night of summer time passed as a
    period, and 02:30 was read as 03:30 summer time (half an hour into the real day)."""
    from inspector.reports.filters import ReportFilters

    utc = dt.UTC
    f = ReportFilters(start=dt.datetime(2024, 3, 31, 2, 30), end=dt.datetime(2024, 3, 31, 3, 30),
                      tz="Europe/Berlin")
    assert f.utc_bounds() == (dt.datetime(2024, 3, 31, 1, 0, tzinfo=utc),
                              dt.datetime(2024, 3, 31, 1, 30, tzinfo=utc))
    with pytest.raises(UserError, match="end of the period"):
        ReportFilters(start=dt.datetime(2024, 3, 31, 2, 30), end=dt.datetime(2024, 3, 31, 3, 0),
                      tz="Europe/Berlin")
    autumn = ReportFilters(start=dt.datetime(2024, 10, 27, 2, 30), tz="Europe/Berlin")
    assert autumn.utc_bounds()[0] == dt.datetime(2024, 10, 27, 0, 30, tzinfo=utc)  # the first
    santiago = ReportFilters.for_day(dt.date(2024, 9, 8), "America/Santiago")  # no 00:00
    assert santiago.utc_bounds()[0] == dt.datetime(2024, 9, 8, 4, 0, tzinfo=utc)


def test_chart_names_the_cut_makes_equal_stay_apart() -> None:
    from inspector.reports.charts import _short

    names = [f"Operator number {i} Dr. med. Ärztin" for i in range(1, 19)]
    shown = _short(names)
    assert len(set(shown)) == 18 and all(len(s) <= 16 for s in shown)
    assert "1" in shown[0] and "18" in shown[17]
    assert _short(["Line 1", "Line  1"]) == ["Line 1 (1)", "Line 1 (2)"]
    assert _short(["scratch", "Line 3 station 12"]) == ["scratch", "Line 3 …ion 12"]


def test_a_day_whose_midnight_the_clocks_skip_starts_when_reports_start_it(
        monkeypatch) -> None:  # noqa: ANN001
    """Santiago moves to summer time at midnight: History and `audit` put the day's start
    an hour early (a part at 23:30 the evening before fell into it), the report did not."""
    import time

    from inspector.cli.cmd_audit import _bound
    from inspector.reports.filters import local_instant

    monkeypatch.setenv("TZ", "America/Santiago")
    time.tzset()
    try:
        start = dt.datetime(2024, 9, 8, 4, 0, tzinfo=dt.UTC)  # 00:00 -04 is 01:00 -03
        assert local_instant(dt.date(2024, 9, 8)) == start
        assert _bound("2024-09-08", "--from", end=False) == start
        assert _bound("2024-09-07", "--to", end=True) == start
        evening = dt.datetime(2024, 9, 8, 3, 30, tzinfo=dt.UTC)  # 23:30 on the 7th
        assert evening < start
    finally:
        monkeypatch.undo()  # TZ as it was (the run's own, if it had one), read again
        time.tzset()
