"""Report figures against inspections with known counts: filters, time zones, DST, shifts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from reports_data import BERLIN, SPECS, Spec, make_db
from sqlalchemy import select

from inspector.errors import UserError
from inspector.reports import ReportFilters, build_report, parse_shifts
from inspector.reports.synthetic import seed_inspections
from inspector.store.db import Database, sqlite_url
from inspector.store.models import Base, Inspection

MARCH = ReportFilters.for_days(dt.date(2024, 3, 1), dt.date(2024, 3, 31), tz="Europe/Berlin")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def where(request, tmp_path):  # noqa: ANN001, ANN201
    """Where a test database goes: a SQLite file, then an empty PostgreSQL database (the
    figures must be the same on both)."""
    return tmp_path / "r.db" if request.param == "sqlite" else request.getfixturevalue("pg_url")


@pytest.fixture
def db(where):  # noqa: ANN001, ANN201
    database = make_db(where)
    yield database
    database.dispose()


def empty_db(where) -> Database:  # noqa: ANN001
    database = Database(sqlite_url(where) if isinstance(where, Path) else where)
    Base.metadata.create_all(database.engine)
    return database


def in_march(sp: Spec) -> bool:
    return sp.local.month == 3


def oracle(pred: Callable[[Spec], bool]) -> tuple[int, int, int, int, int]:
    rows = [sp for sp in SPECS if in_march(sp) and pred(sp)]
    finals = [sp.final for sp in rows]
    overridden = sum(sp.override is not None for sp in rows)
    return len(rows), finals.count("ng"), finals.count("uncertain"), finals.count("ok"), overridden


def test_totals_for_march(db: Database) -> None:
    rep = build_report(db, MARCH)
    t = rep.totals
    assert (t.inspected, t.ng, t.uncertain, t.ok, t.overridden) == (11, 6, 1, 4, 2)
    assert t.ng_rate == pytest.approx(6 / 11)
    assert (t.inspected, t.ng, t.uncertain, t.ok, t.overridden) == oracle(lambda sp: True)


@pytest.mark.parametrize(
    ("changes", "pred"),
    [
        ({"product": "Nut"}, lambda sp: sp.product == "Nut"),
        ({"station": "S2"}, lambda sp: sp.station == "S2"),
        ({"operator": "bob"}, lambda sp: sp.operator == "bob"),
        ({"verdict": "ng"}, lambda sp: sp.final == "ng"),
        ({"verdict": "ok"}, lambda sp: sp.final == "ok"),
        ({"severity": "critical"}, lambda sp: sp.severity == "critical" and sp.final == "ng"),
        # a machine "major" overridden to OK is not a major defect any more
        ({"severity": "major"}, lambda sp: sp.severity == "major" and sp.final == "ng"),
        ({"defect_type": "scratch"}, lambda sp: sp.defect_type == "scratch"),
        ({"model_version": 2}, lambda sp: sp.model == 2),
        ({"overridden": True}, lambda sp: sp.override is not None),
        ({"overridden": False}, lambda sp: sp.override is None),
        (
            {"operator": "alice", "verdict": "ng"},
            lambda sp: sp.operator == "alice" and sp.final == "ng",
        ),
        ({"product": "nobody"}, lambda sp: False),
    ],
)
def test_each_filter_matches_the_oracle(db: Database, changes: dict, pred: Callable) -> None:
    t = build_report(db, MARCH.with_(**changes)).totals
    assert (t.inspected, t.ng, t.uncertain, t.ok, t.overridden) == oracle(pred)


def test_per_day_uses_local_days_and_lists_empty_days(db: Database) -> None:
    rep = build_report(db, MARCH)
    assert len(rep.per_day) == 31
    days = {d.day.day: (d.inspected, d.ng) for d in rep.per_day if d.inspected}
    assert days == {1: (4, 3), 2: (4, 1), 3: (1, 1), 31: (2, 1)}
    assert sum(d.inspected for d in rep.per_day) == rep.totals.inspected


def test_utc_report_groups_around_midnight_differently(db: Database) -> None:
    utc = ReportFilters.for_days(dt.date(2024, 3, 1), dt.date(2024, 3, 31), tz="UTC")
    rep = build_report(db, utc)
    days = {d.day.day: d.inspected for d in rep.per_day if d.inspected}
    # 00:30 Berlin on 2 March is 23:30 UTC on 1 March; 00:30 Berlin on 1 April is in March UTC.
    assert days == {1: 5, 2: 3, 3: 1, 31: 3}
    assert rep.totals.inspected == 12


def test_day_boundaries_at_local_midnight(db: Database) -> None:
    day1 = build_report(db, ReportFilters.for_day(dt.date(2024, 3, 1), tz=BERLIN))
    day2 = build_report(db, ReportFilters.for_day(dt.date(2024, 3, 2), tz="Europe/Berlin"))
    assert day1.totals.inspected == 4  # includes 23:30, not 00:30 of the next day
    assert day2.totals.inspected == 4
    assert [d.day for d in day2.per_day] == [dt.date(2024, 3, 2)]


def test_dst_day_has_23_hours_and_keeps_its_boundaries(db: Database) -> None:
    f = ReportFilters.for_day(dt.date(2024, 3, 31), tz="Europe/Berlin")
    start, end = f.utc_bounds()
    assert start == dt.datetime(2024, 3, 30, 23, tzinfo=dt.UTC)
    assert end == dt.datetime(2024, 3, 31, 22, tzinfo=dt.UTC)
    rep = build_report(db, f)
    assert rep.totals.inspected == 2  # 01:30 CET and 23:30 CEST; 00:30 on 1 April is out
    autumn = ReportFilters.for_day(dt.date(2024, 10, 27), tz="Europe/Berlin").utc_bounds()
    assert autumn[1] - autumn[0] == dt.timedelta(hours=25)


def test_per_shift_and_night_shift_period(db: Database) -> None:
    rep = build_report(db, MARCH)
    shifts = {g.key: (g.inspected, g.ng) for g in rep.per_shift}
    assert shifts == {"early": (4, 2), "late": (1, 1), "night": (6, 3)}
    night = ReportFilters.for_shift(dt.date(2024, 3, 1), "night", tz="Europe/Berlin")
    assert build_report(db, night).totals.inspected == 3  # 23:30, 00:30, 05:59; not 06:00
    custom = parse_shifts("day=06:00-18:00,night=18:00-06:00")
    rep2 = build_report(db, MARCH.with_(shifts=custom))
    assert {g.key: g.inspected for g in rep2.per_shift} == {"day": 5, "night": 6}


def test_week_helper_covers_monday_to_sunday() -> None:
    f = ReportFilters.for_week(dt.date(2024, 3, 6), tz="Europe/Berlin")  # a Wednesday
    start, end = f.local_bounds()
    assert (start.date(), end.date()) == (dt.date(2024, 3, 4), dt.date(2024, 3, 11))
    assert f.period_text() == "2024-03-04 to 2024-03-10"


def test_operator_severity_pareto_worst_and_overrides(db: Database) -> None:
    rep = build_report(db, MARCH, top_n=3)
    assert {g.key: (g.inspected, g.ng) for g in rep.by_operator} == {
        "alice": (6, 3),
        "bob": (5, 3),
    }
    assert {c.key: c.count for c in rep.by_severity} == {
        "minor": 2, "major": 1, "critical": 2, "(none)": 1,
    }  # fmt: skip
    assert [(p.defect_type, p.count) for p in rep.pareto] == [
        ("dent", 2), ("scratch", 2), ("(unclassified)", 1), ("crack", 1),
    ]  # fmt: skip
    assert [round(p.cumulative_pct, 1) for p in rep.pareto] == [33.3, 66.7, 83.3, 100.0]
    assert [w.inspection_id for w in rep.worst] == [9, 3, 2]
    assert rep.worst[0].inspected_at.tzinfo is not None
    assert {(o.inspection_id, o.override_verdict, o.reason) for o in rep.overrides} == {
        (7, "ok", "cosmetic, within spec"),
        (8, "ng", "crack missed"),
    }
    assert all(o.by == "carol" for o in rep.overrides)
    # per model version, oldest first, counted like the rest (final verdicts)
    assert [(g.key, g.inspected, g.ng) for g in rep.by_model] == [
        ("v1", *oracle(lambda sp: sp.model == 1)[:2]),
        ("v2", *oracle(lambda sp: sp.model == 2)[:2]),
    ]


def test_empty_period_is_a_report_not_an_error(db: Database) -> None:
    rep = build_report(db, ReportFilters.for_days(dt.date(2023, 1, 1), dt.date(2023, 1, 7), "UTC"))
    assert rep.empty and rep.totals.ng_rate == 0.0
    assert len(rep.per_day) == 7 and all(d.inspected == 0 for d in rep.per_day)
    assert rep.pareto == () and rep.worst == () and rep.overrides == ()


def test_bad_filters_are_user_errors() -> None:
    with pytest.raises(UserError, match="time zone"):
        ReportFilters(tz="Mars/Olympus")
    with pytest.raises(UserError, match="verdict"):
        ReportFilters(verdict="broken")
    with pytest.raises(UserError, match="after its start"):
        ReportFilters(start=dt.datetime(2024, 2, 1), end=dt.datetime(2024, 1, 1))
    with pytest.raises(UserError, match="shift"):
        parse_shifts("early=6-14")
    with pytest.raises(UserError, match="unknown shift"):
        ReportFilters.for_shift(dt.date(2024, 1, 1), "brunch")


def test_generated_data_matches_a_python_recount(where) -> None:  # noqa: ANN001
    """Synthetic bulk data: the SQL aggregates equal a plain recount of all rows."""
    db = empty_db(where)
    seed_inspections(db, 3000, dt.datetime(2024, 3, 25, tzinfo=dt.UTC), 12, seed=3)
    f = ReportFilters.for_days(dt.date(2024, 3, 26), dt.date(2024, 4, 2), tz="Europe/Berlin")
    rep = build_report(db, f)
    start, end = f.utc_bounds()
    with db.session() as s:
        rows = [r for r in s.scalars(select(Inspection)) if start <= r.inspected_at < end]
    ng = [r for r in rows if r.final_verdict == "ng"]
    assert rep.totals.inspected == len(rows) > 1000
    assert rep.totals.ng == len(ng)
    assert rep.totals.overridden == sum(r.override_verdict is not None for r in rows)
    per_day: dict[dt.date, int] = {}
    for r in rows:
        day = r.inspected_at.astimezone(BERLIN).date()
        per_day[day] = per_day.get(day, 0) + 1
    assert {d.day: d.inspected for d in rep.per_day} == per_day
    assert sum(p.count for p in rep.pareto) == len(ng)
    assert rep.worst[0].score / rep.worst[0].threshold == max(r.score / r.threshold for r in ng)
    db.dispose()


@pytest.mark.parametrize(
    "f",
    [
        ReportFilters(tz="Europe/Berlin"),  # open period: from the data's first to last day
        ReportFilters.for_days(dt.date(2024, 3, 28), dt.date(2024, 4, 1), tz="Europe/Berlin"),
        ReportFilters.for_shift(dt.date(2024, 3, 30), "night", tz="Europe/Berlin"),
        ReportFilters(start=dt.datetime(2024, 3, 29, 10, 17), tz="America/New_York"),
    ],
)
def test_sql_buckets_equal_the_python_recount(where, f: ReportFilters) -> None:  # noqa: ANN001
    from inspector.reports import query

    db = empty_db(where)
    seed_inspections(db, 1500, dt.datetime(2024, 3, 27, tzinfo=dt.UTC), 7, seed=5)
    with db.session() as s:
        where = query.where_clause(f, s)
        assert query.day_and_shift(s, where, f) == query.day_and_shift_python(s, where, f)
    db.dispose()


def test_worst_images_are_ranked_past_their_own_threshold(where) -> None:  # noqa: ANN001
    """Products have thresholds on different scales: 25 against 20 is less far out than
    0.9 against 0.5, so a raw-score ranking would list the big-scale product only."""
    specs = (Spec(dt.datetime(2024, 3, 5, 9), "ng", 0.9),
             Spec(dt.datetime(2024, 3, 5, 10), "ng", 25.0))
    db = make_db(where, specs)
    with db.session() as s:
        s.get(Inspection, 2).threshold = 20.0
    rep = build_report(db, MARCH)
    db.dispose()
    assert [w.inspection_id for w in rep.worst] == [1, 2]
