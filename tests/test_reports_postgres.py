"""The same inspections on SQLite and on PostgreSQL give the same report, row for row.

Built twice from the same specs (plus names only Unicode case folding matches, a zero
threshold and bulk synthetic rows across the DST change), then every figure, the detail
rows and the CSV export are compared. The report tests in test_reports_queries.py also run
on both databases; this file compares the two directly.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator

import pytest
from reports_data import SPECS, Spec, make_db, t

from inspector.reports import ReportFilters, build_report, parse_shifts, query
from inspector.reports.csv_export import export_csv
from inspector.reports.rows import iter_rows
from inspector.reports.synthetic import seed_inspections
from inspector.store.db import Database
from inspector.store.models import Inspection

pytestmark = pytest.mark.postgres

UNICODE = (
    Spec(t(5, 10), "ng", 0.80, "Émile", "Ärmel", "Süd", "major", "Ölfleck"),
    Spec(t(5, 11), "ng", 0.70, "Émile", "Ärmel", "süd", "minor", "ölfleck"),
    Spec(t(6, 12), "ng", 0.90, severity="critical", defect_type="scratch"),  # threshold 0
    Spec(t(6, 13), "ok", 0.10, product="Ärmel", station="SÜD"),
)
ALL = SPECS + UNICODE
ZERO_THRESHOLD_ID = len(SPECS) + 3
BERLIN = "Europe/Berlin"
MARCH = ReportFilters.for_days(dt.date(2024, 3, 1), dt.date(2024, 3, 31), tz=BERLIN)
EARLY = ReportFilters.for_days(dt.date(2024, 3, 1), dt.date(2024, 3, 10), tz=BERLIN)  # specs

FILTERS = {
    "march": MARCH,
    "everything": ReportFilters(tz=BERLIN),
    "everything in UTC": ReportFilters(tz="UTC"),
    "DST day": ReportFilters.for_day(dt.date(2024, 3, 31), tz=BERLIN),
    "night shift": ReportFilters.for_shift(dt.date(2024, 3, 30), "night", tz=BERLIN),
    "open end, New York": ReportFilters(
        start=dt.datetime(2024, 3, 25, 10, 17), tz="America/New_York"
    ),
    "two shifts": MARCH.with_(shifts=parse_shifts("day=06:00-18:00,night=18:00-06:00")),
    "product, other case": EARLY.with_(product="ÄRMEL"),
    "operator, other case": EARLY.with_(operator="émile"),
    "station, other case": EARLY.with_(station="SÜD"),
    "defect type, other case": EARLY.with_(defect_type="ÖLFLECK"),
    "defect type, as stored": EARLY.with_(defect_type="Ölfleck"),
    "ASCII name, other case": MARCH.with_(product="BOLT", verdict="ng"),
    "severity": MARCH.with_(severity="major"),
    "overridden": MARCH.with_(overridden=True),
    "not overridden, uncertain": MARCH.with_(overridden=False, verdict="uncertain"),
    "model version": MARCH.with_(model_version=2),
    "no such product": MARCH.with_(product="nothing"),
    "all time, one product": ReportFilters(tz=BERLIN, product="NUT"),
}


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory, pg_server) -> Iterator[tuple[Database, ...]]:  # noqa: ANN001
    """(SQLite, PostgreSQL), holding the same rows."""
    url = pg_server.database()
    dbs = []
    for where in (tmp_path_factory.mktemp("sqlite") / "r.db", url):
        db = make_db(where, ALL)
        with db.session() as s:
            s.get(Inspection, ZERO_THRESHOLD_ID).threshold = 0.0  # score / 0: NULL
        seed_inspections(db, 2500, dt.datetime(2024, 3, 24, tzinfo=dt.UTC), 10, seed=11)
        dbs.append(db)
    yield tuple(dbs)
    for db in dbs:
        db.dispose()
    pg_server.drop(url)


def test_the_two_databases_hold_the_same_rows(both: tuple[Database, ...]) -> None:
    assert both[1].engine.dialect.name == "postgresql"
    rows = []
    for db in both:
        with db.session() as s:
            rows.append(list(iter_rows(s, ReportFilters(tz=BERLIN))))
    assert len(rows[0]) == len(ALL) + 2500
    assert rows[1] == rows[0]


@pytest.mark.parametrize("name", list(FILTERS))
def test_every_figure_is_the_same_on_both(both: tuple[Database, ...], name: str) -> None:
    f = FILTERS[name]
    sqlite, pg = (
        dataclasses.replace(build_report(db, f, top_n=20), generated_at=None) for db in both
    )
    assert pg.totals == sqlite.totals
    assert pg.per_day == sqlite.per_day
    assert pg.per_shift == sqlite.per_shift
    for group in ("by_operator", "by_station", "by_product", "by_severity", "pareto"):
        assert getattr(pg, group) == getattr(sqlite, group), group
    assert pg.worst == sqlite.worst
    assert pg.overrides == sqlite.overrides
    assert pg == sqlite


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("product, other case", 3),
        ("operator, other case", 2),
        ("station, other case", 3),
        ("defect type, other case", 2),
        ("defect type, as stored", 2),
    ],
)
def test_names_match_in_any_case_with_unicode_folding(
    both: tuple[Database, ...],
    name: str,
    expected: int,
) -> None:
    """SQL lower() folded only ASCII on SQLite, so "ÖLFLECK" (or even "Ölfleck" itself,
    lower-cased on the Python side only) found nothing there."""
    for db in both:
        assert build_report(db, FILTERS[name]).totals.inspected == expected, db.engine.url


def test_a_zero_threshold_ranks_last_among_the_worst(both: tuple[Database, ...]) -> None:
    for db in both:
        worst = build_report(db, ReportFilters.for_day(dt.date(2024, 3, 6), tz=BERLIN)).worst
        assert [w.inspection_id for w in worst] == [ZERO_THRESHOLD_ID], db.engine.url
        march = build_report(db, MARCH, top_n=1000).worst
        assert march[-1].inspection_id == ZERO_THRESHOLD_ID, db.engine.url


def test_interval_counts_equal_the_python_recount_on_both(both: tuple[Database, ...]) -> None:
    f = FILTERS["open end, New York"]
    for db in both:
        with db.session() as s:
            where = query.where_clause(f, s)
            assert query.day_and_shift(s, where, f) == query.day_and_shift_python(s, where, f)


def test_the_csv_export_is_byte_for_byte_the_same(both: tuple[Database, ...], tmp_path) -> None:  # noqa: ANN001
    outs = []
    for n, db in enumerate(both):
        out = tmp_path / f"{n}.csv"
        rows = export_csv(db, MARCH, out)
        assert rows > 1000
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
