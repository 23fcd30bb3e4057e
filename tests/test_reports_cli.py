"""`inspector report`: summary (text and JSON), exports, period options, permissions."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from reports_data import SPECS, insert_specs

from inspector.cli.main import main
from inspector.errors import PermissionDenied
from inspector.reports import ReportFilters
from inspector.reports.service import export_report, filter_choices, project_report

MARCH = ["--from", "2024-03-01", "--to", "2024-03-31", "--tz", "Europe/Berlin"]


@pytest.fixture
def proj(project):  # noqa: ANN001, ANN201
    insert_specs(project.db, SPECS)
    return project


def run(proj, capsys, *argv: str) -> tuple[int, str, str]:  # noqa: ANN001
    code = main(["report", "--project", str(proj.root), "--operator", "admin", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_summary_matches_known_counts(proj, capsys) -> None:  # noqa: ANN001
    code, out, _ = run(proj, capsys, *MARCH, "--json")
    assert code == 0
    data = json.loads(out)
    assert (data["inspected"], data["ng"], data["uncertain"], data["overridden"]) == (11, 6, 1, 2)
    assert data["period"]["from"] == "2024-03-01T00:00:00+01:00"
    assert data["period"]["to"] == "2024-04-01T00:00:00+02:00"
    assert len(data["per_day"]) == 31
    assert data["by_severity"] == {"minor": 2, "major": 1, "critical": 2, "(none)": 1}


def test_filters_and_text_summary(proj, capsys) -> None:  # noqa: ANN001
    code, out, _ = run(proj, capsys, *MARCH, "--by-operator", "bob", "--verdict", "ng", "--json")
    assert code == 0 and json.loads(out)["inspected"] == 3
    code, out, _ = run(proj, capsys, *MARCH, "--overridden", "--json")
    assert json.loads(out)["inspected"] == 2
    code, out, _ = run(proj, capsys, "--day", "2024-03-02", "--tz", "Europe/Berlin")
    assert code == 0 and "Inspections" in out and " 4" in out
    products = out.split("By product:\n", 1)[1].splitlines()[:2]  # as the PDF and Excel
    days = out.split("Per day:\n", 1)[1].splitlines()[:2]  # the trend, as in the exports
    assert [line.split()[:4] for line in days] == [["2024-03-02", "Sat", "4", "inspected"],
                                                  ["Per", "shift:"]]
    assert [line.split()[:2] for line in products] == [["Nut", "3"], ["Bolt", "1"]]
    versions = out.split("By model version:\n", 1)[1].splitlines()[:2]
    assert [line.split()[:2] for line in versions] == [["v1", "2"], ["v2", "2"]]
    code, out, _ = run(proj, capsys, "--day", "2024-03-01", "--shift", "night", "--tz",
                       "Europe/Berlin", "--json")  # fmt: skip
    assert json.loads(out)["inspected"] == 3


IN_MARCH = [sp for sp in SPECS if sp.local.month == 3]


@pytest.mark.parametrize(
    ("flags", "pred"),
    [
        (["--product", "Nut"], lambda sp: sp.product == "Nut"),
        (["--station", "S2"], lambda sp: sp.station == "S2"),
        (["--by-operator", "bob"], lambda sp: sp.operator == "bob"),
        (["--verdict", "uncertain"], lambda sp: sp.final == "uncertain"),
        (["--severity", "major"], lambda sp: sp.severity == "major" and sp.final == "ng"),
        (["--type", "dent"], lambda sp: sp.defect_type == "dent"),
        (["--model-version", "2"], lambda sp: sp.model == 2),
        (["--not-overridden"], lambda sp: sp.override is None),
    ],
)  # fmt: skip
def test_each_cli_filter_selects_its_inspections(proj, capsys, flags, pred) -> None:  # noqa: ANN001
    """Every filter flag reaches the query (a flag wired to the wrong field would count
    other parts): the summary and the CSV hold exactly the matching inspections."""
    want = sum(map(pred, IN_MARCH))
    assert 0 < want < len(IN_MARCH)
    code, out, _ = run(proj, capsys, *MARCH, *flags, "--json")
    assert code == 0 and json.loads(out)["inspected"] == want
    target = proj.root.parent / "filtered.csv"
    assert run(proj, capsys, *MARCH, *flags, "--out", str(target))[0] == 0
    with open(target, encoding="utf-8-sig") as fh:
        assert len(list(csv.DictReader(fh))) == want


def test_project_shifts_setting_is_used(proj, capsys) -> None:  # noqa: ANN001
    """The shifts of docs/reports.md can be set (a typo'd shift is refused) and are used."""
    code = main(["settings", "report_shifts", "day=06:00-18:00,nacht=18:00-06:00",
                 "--project", str(proj.root), "--operator", "admin"])
    assert code == 0
    capsys.readouterr()
    code = main(["settings", "report_shifts", "day=6-18", "--project", str(proj.root),
                 "--operator", "admin"])
    assert code == 1 and "name=HH:MM-HH:MM" in capsys.readouterr().err
    code, out, _ = run(proj, capsys, *MARCH, "--json")
    shifts = {g["name"] for g in json.loads(out)["per_shift"]}
    assert shifts >= {"day", "nacht"} and "early" not in shifts


def test_export_csv_and_empty_period(proj, capsys, tmp_path: Path) -> None:  # noqa: ANN001
    out_file = tmp_path / "march.csv"
    code, out, _ = run(proj, capsys, *MARCH, "--out", str(out_file))
    assert code == 0 and "11 inspections" in out
    with open(out_file, encoding="utf-8-sig") as fh:
        assert len(list(csv.DictReader(fh))) == 11
    code, out, _ = run(proj, capsys, "--week", "2023-01-04", "--format", "pdf", "--out",
                       str(tmp_path / "empty.pdf"))  # fmt: skip
    assert code == 0 and "No inspections in this period" in out
    assert (tmp_path / "empty.pdf").stat().st_size > 0
    code, out, _ = run(proj, capsys, "--week", "2023-01-04")
    assert code == 0 and "No inspections in this period" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["--from", "March"],
        ["--tz", "Nowhere/City"],
        ["--day", "2024-03-01", "--week", "2024-03-01"],
        ["--shift", "night"],
        ["--out", "report.docx"],
        ["--from", "2024-03-05", "--to", "2024-03-01"],
        ["--format", "pdf", "--out", "report.csv"],
        ["--product", "no-such-product"],
        ["--by-operator", "nobody"],  # a typo was a "0 parts" report for the customer
        ["--station", "S9"],
        ["--type", "no-such-defect"],
        ["--model-version", "9"],  # no such model: an empty report before
    ],
)
def test_bad_options_are_user_errors(proj, capsys, argv: list[str]) -> None:  # noqa: ANN001
    code, _, err = run(proj, capsys, *argv)
    assert code == 1 and err.startswith("error:")


@pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
def test_an_excel_export_to_a_missing_folder_is_a_message_without_a_traceback(
        proj, capsys, tmp_path: Path) -> None:  # noqa: ANN001
    """The workbook was started before the path was checked, and when it was freed it
    printed "Exception ignored … I/O operation on closed file" after the message."""
    code, _, err = run(proj, capsys, *MARCH, "--format", "xlsx", "--out",
                       str(tmp_path / "missing" / "r.xlsx"))
    assert code == 1 and err.startswith("error: folder does not exist")
    import gc

    gc.collect()  # a workbook started before the check fails as it is freed


def test_a_time_the_clocks_skip_is_refused_by_name(proj, capsys) -> None:  # noqa: ANN001
    """02:30 on the night Berlin moves to summer time does not exist: it was read as
    03:30, so a report titled 02:30-02:45 held a part of 03:43, and 02:30-03:00 was
    silently empty instead of refused."""
    code, _, err = run(proj, capsys, "--from", "2024-03-31T02:30", "--to", "2024-03-31T04:00",
                       "--tz", "Europe/Berlin")
    assert code == 1 and "2024-03-31 02:30 does not exist in Europe/Berlin" in err
    code, out, err = run(proj, capsys, "--from", "2024-03-31T01:00", "--to", "2024-03-31T03:00",
                         "--tz", "Europe/Berlin", "--json")
    assert code == 0, err
    assert json.loads(out)["inspected"] == 1  # 01:30 CET; 03:00 CEST is the jump itself


def test_a_shift_name_in_any_case(proj, capsys) -> None:  # noqa: ANN001
    code, out, err = run(proj, capsys, "--day", "2024-03-01", "--shift", "NIGHT", "--tz",
                         "Europe/Berlin", "--json")
    assert code == 0, err
    assert json.loads(out)["inspected"] == 3


def test_names_in_filters_ignore_case(proj, capsys) -> None:  # noqa: ANN001
    def count(*argv: str) -> int:
        code, out, err = run(proj, capsys, *MARCH, *argv, "--json")
        assert code == 0, err
        return json.loads(out)["inspected"]

    assert count("--product", "BOLT") == count("--product", "Bolt") > 0
    assert count("--by-operator", "BOB") == count("--by-operator", "bob") > 0
    assert count("--station", "s2") == count("--station", "S2") > 0
    assert count("--type", "SCRATCH") == count("--type", "scratch") > 0


def test_nobody_signed_in_is_refused_and_audited(proj, tmp_path: Path) -> None:  # noqa: ANN001
    with pytest.raises(PermissionDenied):  # before the product is looked at
        project_report(proj, None, ReportFilters(product="no-such-product"))
    with pytest.raises(PermissionDenied):
        project_report(proj, None, ReportFilters())
    with pytest.raises(PermissionDenied):
        export_report(proj, None, ReportFilters(), "csv", tmp_path / "x.csv")
    assert not (tmp_path / "x.csv").exists()
    from sqlalchemy import select

    from inspector.store.models import AuditEntry

    with proj.db.session() as s:
        denied = list(s.scalars(select(AuditEntry.action).where(AuditEntry.allowed.is_(False))))
    assert denied.count("denied:view_reports") == 3


def test_filter_choices(proj) -> None:  # noqa: ANN001
    choices = filter_choices(proj)
    assert {"Bolt", "Nut"} <= set(choices.products)
    assert choices.stations == ("S1", "S2") and choices.model_versions == (1, 2)
    assert {"alice", "bob", "admin"} <= set(choices.operators)
    assert {"scratch", "dent", "crack"} <= set(choices.defect_types)


def test_an_export_never_lands_on_the_project_and_is_audited(proj, capsys, tmp_path) -> None:  # noqa: ANN001
    """One mistyped --out must not wipe the QA record (also through a link)."""
    from sqlalchemy import select

    from inspector.store.models import AuditEntry

    db = proj.root / "inspector.db"
    before = db.read_bytes()[:100]
    link = tmp_path / "innocent.csv"
    link.symlink_to(db)
    for target in (db, proj.root / "models" / "x.csv", link):
        code, _, err = run(proj, capsys, *MARCH, "--format", "csv", "--out", str(target))
        assert code == 1 and "inside the project folder" in err, target
    assert db.read_bytes()[:100] == before
    code, _, _ = run(proj, capsys, *MARCH, "--out", str(tmp_path / "ok.csv"))
    assert code == 0
    with proj.db.session() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "report.export")).one()
    assert entry.details["file"].endswith("ok.csv") and entry.details["rows"] == 11


def test_dollar_signs_in_shop_floor_text_do_not_break_the_pdf(proj, capsys, tmp_path) -> None:  # noqa: ANN001
    """matplotlib reads $...$ as TeX; a station or a reason with two $ must stay text."""
    from sqlalchemy import select

    from inspector.store.models import Inspection

    with proj.db.session() as s:
        rows = list(s.scalars(select(Inspection)))
        for row in rows:
            row.station = r"Line $\x$"
            row.defect_type = r"$\alarm$ dent" if row.defect_type else None
    code, _, err = run(proj, capsys, *MARCH, "--out", str(tmp_path / "r.pdf"))
    assert code == 0, err
    assert (tmp_path / "r.pdf").stat().st_size > 10_000


def test_text_trend_lists_the_last_month_of_a_long_period() -> None:
    """A quarter's report at a terminal: the newest 31 days with inspections, and a title
    that says more are in the exports, rather than 90 lines or a silent cut."""
    import datetime as dt
    from types import SimpleNamespace

    from inspector.reports.text import _days
    from inspector.reports.types import DayCount

    start = dt.date(2026, 9, 1)
    per_day = tuple(DayCount(start + dt.timedelta(days=i), 0 if i % 7 == 6 else 100, i % 5)
                    for i in range(91))
    lines = _days(SimpleNamespace(per_day=per_day))
    assert lines[0] == ("Per day (last 31 of 78 days with inspections; the exports and "
                        "--json list all):")
    assert len(lines) == 32 and lines[-1].split()[:2] == ["2026-11-29", "Sun"]  # 30th off
    assert " 0 inspected" not in "".join(lines)  # days off: no empty rows
