"""Reports on a Windows station follow its zone's DST: the registry's language-independent
zone key names an IANA zone (simulated here; this test machine runs Linux)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from inspector.reports import filters, windows_zone
from inspector.reports.filters import ReportFilters, system_zone, tz_label

# What Python gives on a German Windows without the registry lookup: a fixed offset
# named in the display language, read in winter.
GERMAN_WINTER = dt.timezone(dt.timedelta(hours=1), "Mitteleuropäische Zeit")


@pytest.fixture
def windows(monkeypatch):  # noqa: ANN001, ANN201
    """A Windows station: no TZ, no /etc/localtime; returns a setter for its zone key."""
    monkeypatch.delenv("TZ", raising=False)
    monkeypatch.setattr(filters.os.path, "realpath", lambda p: "C:\\Windows\\nothing")
    monkeypatch.setattr(filters, "_first_line", lambda path: None)  # no /etc/timezone
    monkeypatch.setattr(filters, "_zone_file", lambda path: None)  # nor /etc/localtime
    monkeypatch.setattr(windows_zone.sys, "platform", "win32")

    def set_key(key: str | None) -> None:
        monkeypatch.setattr(windows_zone, "_registry_zone_key", lambda: key)

    return set_key


def test_a_german_windows_station_reports_in_europe_berlin(windows) -> None:
    windows("W. Europe Standard Time")
    zone = system_zone()
    assert zone == ZoneInfo("Europe/Berlin") and tz_label(zone) == "Europe/Berlin"
    # a week across the end of DST: Monday is UTC+2, Sunday is UTC+1
    week = ReportFilters.for_days(dt.date(2026, 10, 19), dt.date(2026, 10, 25), tz=zone)
    start, end = week.utc_bounds()
    assert start == dt.datetime(2026, 10, 18, 22, 0, tzinfo=dt.UTC)
    assert end == dt.datetime(2026, 10, 25, 23, 0, tzinfo=dt.UTC)


def test_an_unknown_windows_zone_falls_back_to_the_offset(windows, monkeypatch) -> None:
    windows("Some Future Standard Time")
    zone = system_zone()
    assert zone.utcoffset(None) == dt.datetime.now().astimezone().utcoffset()


def test_a_fixed_offset_zone_is_labelled_by_its_offset_not_its_local_name() -> None:
    assert tz_label(GERMAN_WINTER) == "UTC+01:00"
    assert tz_label(dt.timezone(dt.timedelta(hours=5, minutes=30), "IST")) == "UTC+05:30"
    assert tz_label(ZoneInfo("Europe/Berlin")) == "Europe/Berlin"


def test_every_mapped_zone_exists() -> None:
    """A typo in the table would silently give the fixed offset again."""
    for key, iana in windows_zone.WINDOWS_TO_IANA.items():
        assert ZoneInfo(iana).key == iana, key


def test_not_windows_asks_no_registry(monkeypatch) -> None:
    monkeypatch.setattr(windows_zone.sys, "platform", "linux")
    monkeypatch.setattr(windows_zone, "_registry_zone_key", lambda: pytest.fail("asked"))
    assert windows_zone.windows_zone_name() is None
