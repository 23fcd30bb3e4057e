"""Findings of a QA lead's review of the reports: the audit trail of exports, the PDF's
cover and notes, empty and filtered reports, quiet shifts, Excel times and text cells,
long periods, and the names the report echoes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import warnings
from pathlib import Path

import matplotlib
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from openpyxl import load_workbook
from pypdf import PdfReader
from reports_data import SPECS, Spec, insert_specs, make_db, t
from sqlalchemy import select
from test_report_chart_layout import make_report as chart_report
from test_report_pdf_layout import make_report as pdf_report
from test_reports_cli import MARCH as MARCH_ARGS
from test_reports_cli import run
from test_reports_exports import EMPTY, MARCH, WEIRD

from inspector.cli.main import build_parser, main
from inspector.errors import Cancelled
from inspector.progress import CancelToken
from inspector.reports.build import build_report
from inspector.reports.charts import PLAIN_TEXT, draw_shift, draw_trend
from inspector.reports.filters import NO_DATA, NO_MATCH
from inspector.reports.pdf_export import _cover, _tables, _trend_table, export_pdf, write_pdf
from inspector.reports.pdf_text import missing_glyphs
from inspector.reports.rows import COLUMNS
from inspector.reports.service import export_report
from inspector.reports.text import summary_dict, summary_text
from inspector.reports.types import GroupCount
from inspector.reports.xlsx_export import export_xlsx
from inspector.store.models import AuditEntry, Inspection

EXTRA = (Spec(t(5, 10), "ok", 0.1, product="Schweißnaht"),)


@pytest.fixture
def proj(project):  # noqa: ANN001, ANN201
    insert_specs(project.db, SPECS + EXTRA)
    return project


@pytest.fixture
def db(tmp_path: Path):  # noqa: ANN201
    database = make_db(tmp_path / "r.db")
    yield database
    database.dispose()


def audit_entries(proj, action: str) -> list[AuditEntry]:  # noqa: ANN001
    with proj.db.session() as s:
        rows = list(s.scalars(select(AuditEntry).where(AuditEntry.action == action)
                              .order_by(AuditEntry.id)))
        s.expunge_all()
    return rows


# 1 -------------------------------------------------------------------------------------


def test_an_export_is_audited_with_its_absolute_file_filters_and_zone(
        proj, capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    """The entry held the name as typed (relative), the period and counts: not where the
    file went, nor which parts (filters) or which clock (zone) it covered."""
    (tmp_path / "out").mkdir()
    monkeypatch.chdir(tmp_path / "out")
    code, _, err = run(proj, capsys, *MARCH_ARGS, "--product", "NUT", "--verdict", "ng",
                       "--out", "nut.csv")
    assert code == 0, err
    (entry,) = audit_entries(proj, "report.export")
    d = entry.details
    assert entry.operator_name == "admin" and entry.allowed
    assert d["file"] == str((tmp_path / "out" / "nut.csv").resolve())
    assert Path(d["file"]).is_absolute()
    assert d["format"] == "csv" and d["time_zone"] == "Europe/Berlin"
    assert d["filters"] == {"product": "Nut", "verdict": "ng"}
    assert (d["from"], d["to"]) == ("2024-03-01T00:00:00+01:00", "2024-04-01T00:00:00+02:00")
    assert d["rows"] == d["inspections"] == 1 and d["outcome"] == "written"


def test_a_failed_export_is_audited_with_its_reason(proj, capsys, tmp_path: Path) -> None:  # noqa: ANN001
    """An export refused by the disk or aimed at the project left no trace at all."""
    code, _, _ = run(proj, capsys, *MARCH_ARGS, "--by-operator", "bob", "--out",
                     str(tmp_path / "missing" / "r.xlsx"))
    assert code == 1
    code, _, _ = run(proj, capsys, *MARCH_ARGS, "--out", str(proj.root / "r.csv"))
    assert code == 1
    missing, inside = audit_entries(proj, "report.export_failed")
    assert missing.details["file"] == str((tmp_path / "missing" / "r.xlsx").resolve())
    assert missing.details["outcome"] == "failed" and missing.details["format"] == "xlsx"
    assert "folder does not exist" in missing.details["reason"]
    assert missing.details["filters"] == {"operator": "bob"}
    assert "inside the project folder" in inside.details["reason"]
    assert not audit_entries(proj, "report.export")


def test_a_cancelled_export_leaves_no_audit_entry(proj, tmp_path: Path) -> None:  # noqa: ANN001
    from inspector.services.session import sign_in

    token = CancelToken()
    with pytest.raises(Cancelled):
        export_report(proj, sign_in(proj, "admin"), MARCH, "csv", tmp_path / "c.csv",
                      progress=lambda p: token.cancel(), cancel=token)
    assert not audit_entries(proj, "report.export_failed")
    assert not audit_entries(proj, "report.export")


# 2 -------------------------------------------------------------------------------------


def cover_texts(rep) -> tuple[Figure, list[tuple[str, object]]]:  # noqa: ANN001
    with matplotlib.rc_context(PLAIN_TEXT):
        fig = _cover(rep)
    FigureCanvasAgg(fig)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    texts = [t for t in fig.findobj(Text) if t.get_text().strip()]
    return fig, [(t.get_text(), t.get_window_extent(renderer)) for t in texts]


def test_cover_names_stand_clear_of_their_numbers() -> None:
    """A product name cut to its column ended one space before its count:
    "…012345678911 inspected" with 11 parts, "Baugruppe 7 37 inspected"."""
    long = "Gehäusedeckel Baugruppe Linie 4 Variante " * 2 + "012345678911"
    rep = dataclasses.replace(pdf_report(3, 2, 3), by_product=(
        GroupCount(long, 11, 2), GroupCount("Baugruppe 7", 37, 0)))
    fig, boxes = cover_texts(rep)
    to_pt = 72 / fig.dpi
    for a, box_a in boxes:
        for b, box_b in boxes:
            same_line = box_a.y0 < box_b.y1 and box_b.y0 < box_a.y1
            if a != b and same_line and box_a.x1 <= box_b.x0 + 1:
                assert (box_b.x0 - box_a.x1) * to_pt >= 10, (a, b)
    texts = [text for text, _ in boxes]
    assert "11" in texts and "37" in texts  # a number of its own, never part of the name
    assert any(text.endswith("012345678911") and "…" in text for text in texts)


# 3 -------------------------------------------------------------------------------------


def test_a_filter_that_matches_nothing_is_not_an_empty_period(
        proj, capsys, tmp_path: Path, db) -> None:  # noqa: ANN001
    """alice has no uncertain parts in March, but March holds 11 inspections: the report
    said "No inspections in this period." (terminal, CSV message, Excel, PDF)."""
    flags = ["--by-operator", "alice", "--verdict", "uncertain"]
    code, out, _ = run(proj, capsys, *MARCH_ARGS, *flags)
    assert code == 0 and NO_MATCH in out and NO_DATA not in out
    code, out, _ = run(proj, capsys, *MARCH_ARGS, *flags, "--out", str(tmp_path / "n.csv"))
    assert code == 0 and NO_MATCH in out
    code, out, _ = run(proj, capsys, "--week", "2023-01-04")  # no filter: the period
    assert code == 0 and NO_DATA in out and NO_MATCH not in out
    nothing = MARCH.with_(operator="alice", verdict="uncertain")
    export_xlsx(db, nothing, tmp_path / "n.xlsx")
    wb = load_workbook(tmp_path / "n.xlsx")
    summary = [c for row in wb["Summary"].iter_rows(values_only=True) for c in row]
    assert NO_MATCH in summary and NO_DATA not in summary
    export_pdf(db, nothing, tmp_path / "n.pdf")
    (page,) = PdfReader(tmp_path / "n.pdf").pages
    assert NO_MATCH in " ".join((page.extract_text() or "").split())


# 4 -------------------------------------------------------------------------------------


def test_an_empty_workbook_keeps_its_header_row_and_table(db, tmp_path: Path) -> None:  # noqa: ANN001
    """A quiet day's Details sheet held only the message in A1: a Power Query or a macro
    reading the table "Inspections" broke, while the CSV kept its header."""
    out = tmp_path / "empty.xlsx"
    assert export_xlsx(db, EMPTY, out) == 0
    ws = load_workbook(out)["Details"]
    assert [c.value for c in ws[1]][0] == "inspection_id"
    assert ws.cell(1, 2).value == "inspected_at (Europe/Berlin)"
    table = ws.tables["Inspections"]
    assert table.ref.startswith("A1:") and table.ref.endswith("2")  # header + a blank row
    assert ws["A1"].comment is not None and NO_DATA in ws["A1"].comment.text
    assert all(c.value is None for c in ws[2])


# 5 -------------------------------------------------------------------------------------


def test_a_shift_without_parts_has_no_ng_rate(db, tmp_path: Path) -> None:  # noqa: ANN001
    """3 March has one part, at 22:00 (night): early and late showed "0.00 %" and "0.0%
    of 0", which reads as perfect quality; days without parts already had none."""
    day = MARCH.with_(start=dt.datetime(2024, 3, 3), end=dt.datetime(2024, 3, 4))
    rep = build_report(db, day)
    shifts = {g["name"]: g["ng_rate"] for g in summary_dict(rep)["per_shift"]}
    assert shifts == {"early": None, "late": None, "night": 1.0}
    early = next(line for line in summary_text(rep).splitlines() if "early" in line)
    assert early.split()[-1] == "–" and "%" not in early
    export_xlsx(db, day, tmp_path / "d.xlsx")
    rows = list(load_workbook(tmp_path / "d.xlsx")["Summary"].iter_rows(values_only=True))
    start = rows.index(next(r for r in rows if r[0] == "Per shift"))
    assert rows[start + 2][:4] == ("early", 0, 0, None)
    tables = [tab.get_celld() for fig in _tables(rep) for ax in fig.axes for tab in ax.tables]
    cells = next(c for c in tables if c[0, 0].get_text().get_text() == "Shift")
    text = {key: cell.get_text().get_text() for key, cell in cells.items()}
    early_row = next(r for (r, c), value in text.items() if c == 0 and value == "early")
    assert text[early_row, 3] == "–"
    ax = Figure().add_subplot()
    draw_shift(ax, rep)
    labels = [t.get_text() for t in ax.texts]
    assert " – (no parts)" in labels and not any("of 0" in label for label in labels)


# 6 -------------------------------------------------------------------------------------


def test_excel_times_are_whole_seconds_as_in_the_csv(tmp_path: Path) -> None:
    """05:59:59.5 showed as 06:00:00 in Excel (the next shift), 23:59:59.999999 read back
    as the next day; the CSV cuts to seconds."""
    specs = (Spec(dt.datetime(2024, 3, 5, 5, 59, 59, 500_000), "ok", 0.1),
             Spec(dt.datetime(2024, 3, 5, 23, 59, 59, 999_999), "ng", 0.9, override="ok",
                  reason="ok"))
    db = make_db(tmp_path / "s.db", specs)
    try:
        export_xlsx(db, MARCH, tmp_path / "s.xlsx")
    finally:
        db.dispose()
    ws = load_workbook(tmp_path / "s.xlsx")["Details"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    at = COLUMNS.index("inspected_at")
    assert [r[at] for r in rows] == [dt.datetime(2024, 3, 5, 5, 59, 59),
                                     dt.datetime(2024, 3, 5, 23, 59, 59)]
    override_at = rows[1][COLUMNS.index("override_at")]
    assert override_at.microsecond == 0 and override_at.second == 59


# 7, 8 ----------------------------------------------------------------------------------

CJK = " 傷 (キズ) 大阪 東京 名古屋 郎"


@pytest.mark.skipif(not missing_glyphs(["傷"]), reason="the PDF's font has CJK glyphs here")
def test_the_glyph_note_keeps_its_first_codes() -> None:
    """The note was cut in the middle: "(…592A U+90CE …", the first codes lost."""
    rep = pdf_report(3, 2, 3, extra=CJK)
    fig, boxes = cover_texts(rep)
    note = " ".join(text for text, _ in boxes if "U+" in text or "boxes" in text)
    codes = [f"U+{ord(ch):04X}" for ch in missing_glyphs([CJK])[:6]]
    assert all(code in note for code in codes), note
    assert "5 more" in note and "print as empty boxes" in note
    assert all(box.x1 <= fig.bbox.width + 0.5 for _, box in boxes)


@pytest.mark.skipif(not missing_glyphs(["傷"]), reason="the PDF's font has CJK glyphs here")
def test_a_pdf_with_japanese_names_prints_no_glyph_warnings(tmp_path: Path) -> None:
    """~30 "Glyph … missing from font" warnings went to stderr for every such PDF."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        write_pdf(pdf_report(3, 2, 3, extra=CJK), tmp_path / "j.pdf")
    assert not [w for w in caught if "missing from font" in str(w.message)]


def test_ctrl_c_during_a_report_says_what_became_of_it(
        proj, capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    """It printed the training's message about a model kept in `inspector model list`."""
    def interrupted(*args: object, **kw: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("inspector.reports.service.export_report", interrupted)
    code, _, err = run(proj, capsys, *MARCH_ARGS, "--out", str(tmp_path / "r.pdf"))
    assert code == 130 and "no report file was written" in err and "model" not in err
    assert not (tmp_path / "r.pdf").exists()


# 9 -------------------------------------------------------------------------------------


def trend_ticks(rep) -> list[str]:  # noqa: ANN001
    ax = Figure().add_subplot()
    draw_trend(ax, rep)
    return [label.get_text() for label in ax.get_xticklabels()]


def test_the_trend_names_the_year_over_a_year_boundary() -> None:
    """Over more than a year the ticks read "01-01, 03-30, …": which year?"""
    assert all(len(tick) == 5 for tick in trend_ticks(chart_report(days=7)))  # 11-21..27
    ticks = trend_ticks(chart_report(days=60))  # 2026-11-21 into 2027
    assert ticks[0] == "2026-11-21" and any(tick.startswith("2027-") for tick in ticks)


def test_a_long_period_gets_a_row_per_week_or_month_in_the_pdf() -> None:
    """A year had a row per day: a 34-page PDF of mostly empty rows."""
    title, header, rows = _trend_table(pdf_report(3, 2, 90))
    assert title == "NG per day" and header[0] == "Day" and len(rows) == 90
    rep = pdf_report(3, 2, 120)  # 2026-11-21 (a Saturday) to 2027-03-20
    title, header, rows = _trend_table(rep)
    assert title.startswith("NG per week (120 days") and header[0] == "Week"
    assert rows[0][0] == "2026-11-21 – 11-22" and rows[1][0] == "2026-11-23 – 11-29"
    assert len(rows) == 18 and sum(r[1] for r in rows) == sum(d.inspected for d in rep.per_day)
    title, header, rows = _trend_table(pdf_report(3, 2, 800))
    assert title.startswith("NG per month") and rows[0][0] == "2026-11" and len(rows) == 27


# 10 ------------------------------------------------------------------------------------


def test_an_unknown_model_version_is_an_error(proj, capsys) -> None:  # noqa: ANN001
    code, _, err = run(proj, capsys, *MARCH_ARGS, "--model-version", "9")
    assert code == 1 and "no model version 9" in err
    code, out, _ = run(proj, capsys, *MARCH_ARGS, "--model-version", "2", "--json")
    assert code == 0 and json.loads(out)["inspected"] == 2


def test_filters_echo_the_stored_name(proj, capsys) -> None:  # noqa: ANN001
    """"Product: SCHWEISSNAHT" was echoed as typed; the parts carry "Schweißnaht"."""
    code, out, _ = run(proj, capsys, "--day", "2024-03-05", "--tz", "Europe/Berlin",
                       "--product", "SCHWEISSNAHT", "--type", "SCRATCH")
    assert code == 0 and "Product: Schweißnaht" in out and "Defect type: scratch" in out
    code, out, _ = run(proj, capsys, *MARCH_ARGS, "--by-operator", "BOB", "--json")
    assert json.loads(out)["filters"] == {"Operator": "bob"}


def test_settings_print_names_readably(proj, capsys) -> None:  # noqa: ANN001
    argv = ["--project", str(proj.root), "--operator", "admin"]
    assert main(["settings", "report_shifts",
                 "Frühschicht=06:00-14:00,Spätschicht=14:00-22:00", *argv]) == 0
    assert "Frühschicht" in capsys.readouterr().out
    assert main(["settings", *argv]) == 0
    out = capsys.readouterr().out
    assert "Frühschicht" in out and "\\u00fc" not in out


def test_the_worst_images_show_each_stored_image_once(tmp_path: Path) -> None:
    """A part inspected 60 times filled all 12 places with the same picture."""
    specs = tuple(Spec(t(5, 8 + i), "ng", 0.6 + i / 100) for i in range(6))
    db = make_db(tmp_path / "w.db", specs)
    try:
        with db.session() as s:  # inspections 2..5 are the same image, judged again
            for i in (2, 3, 4, 5):
                s.get(Inspection, i).image_id = 2
        rep = build_report(db, MARCH, top_n=3)
    finally:
        db.dispose()
    assert [(w.inspection_id, w.image_id) for w in rep.worst] == [(6, 6), (5, 2), (1, 1)]


def test_formula_like_text_keeps_its_quote_prefix_in_excel(tmp_path: Path) -> None:
    """Stored as text, but without the quote prefix: editing the cell in Excel (F2,
    Enter) turned "=1+1" or "-2+3 …" into a formula."""
    db = make_db(tmp_path / "w.db", WEIRD)
    try:
        export_xlsx(db, MARCH, tmp_path / "w.xlsx")
    finally:
        db.dispose()
    wb = load_workbook(tmp_path / "w.xlsx")
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and c.value[:1] in "=+-@"]
    assert {c.value[:1] for c in cells} == set("=+-@")
    assert all(c.quotePrefix for c in cells), [c.coordinate for c in cells if not c.quotePrefix]
    plain = [c for c in wb["Details"][2] if c.value == "ng"]
    assert plain and not plain[0].quotePrefix


def test_summary_columns_hold_a_whole_date_and_time(db, tmp_path: Path) -> None:  # noqa: ANN001
    export_xlsx(db, MARCH, tmp_path / "m.xlsx")
    ws = load_workbook(tmp_path / "m.xlsx")["Summary"]
    assert ws["A2"].value == "Generated"
    assert ws.column_dimensions["B"].width >= 20 and ws.column_dimensions["E"].width >= 20


def test_type_and_severity_select_as_documented(proj, capsys) -> None:  # noqa: ANN001
    """--type keeps a part QA overrode to OK (the machine's type), --severity does not
    (final NG only): both on purpose, and the help and docs now say so."""
    code, out, _ = run(proj, capsys, *MARCH_ARGS, "--type", "scratch", "--json")
    scratches = [sp for sp in SPECS if sp.defect_type == "scratch" and sp.local.month == 3]
    assert json.loads(out)["inspected"] == len(scratches) == 3  # one overridden to ok
    code, out, _ = run(proj, capsys, *MARCH_ARGS, "--type", "scratch", "--verdict", "ng",
                       "--json")
    assert json.loads(out)["inspected"] == 2
    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command")
    help_text = " ".join(commands.choices["report"].format_help().split())
    assert "whatever the final verdict" in help_text and "overrode to ok" in help_text
    docs = (Path(__file__).resolve().parents[1] / "docs" / "reports.md").read_text("utf-8")
    assert "whatever the final verdict" in " ".join(docs.split())
