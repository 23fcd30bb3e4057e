"""CSV, XLSX and PDF exports read back and compared with the database."""

from __future__ import annotations

import csv
import datetime as dt
import errno
import os
from pathlib import Path

import numpy as np
import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from PIL import Image
from pypdf import PdfReader
from reports_data import BERLIN, SPECS, Spec, make_db, t

from inspector.errors import Cancelled, UserError
from inspector.progress import CancelToken
from inspector.reports import ReportFilters
from inspector.reports.csv_export import export_csv
from inspector.reports.pdf_export import export_pdf
from inspector.reports.rows import COLUMNS
from inspector.reports.xlsx_export import export_xlsx
from inspector.store.db import Database

MARCH = ReportFilters.for_days(dt.date(2024, 3, 1), dt.date(2024, 3, 31), tz="Europe/Berlin")
EMPTY = ReportFilters.for_days(dt.date(2023, 1, 1), dt.date(2023, 1, 31), tz="Europe/Berlin")
IN_MARCH = [(i, sp) for i, sp in enumerate(SPECS, start=1) if sp.local.month == 3]


@pytest.fixture
def db(tmp_path: Path):  # noqa: ANN201
    database = make_db(tmp_path / "r.db")
    yield database
    database.dispose()


def read_csv(path: Path) -> list[dict[str, str]]:
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM, so Excel reads UTF-8
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames or ()) == COLUMNS
        return list(reader)


def test_csv_rows_match_the_database(db: Database, tmp_path: Path) -> None:
    out = tmp_path / "march.csv"
    assert export_csv(db, MARCH, out) == len(IN_MARCH) == 11
    rows = read_csv(out)
    assert [int(r["inspection_id"]) for r in rows] == [i for i, _ in IN_MARCH]
    for row, (i, sp) in zip(rows, IN_MARCH, strict=True):
        at = dt.datetime.fromisoformat(row["inspected_at"])
        assert at == sp.utc and at.utcoffset() == sp.local.replace(tzinfo=BERLIN).utcoffset()
        assert row["final_verdict"] == sp.final and row["verdict"] == sp.verdict
        assert (row["operator"], row["product"], row["station"]) == (
            sp.operator,
            sp.product,
            sp.station,
        )
        assert float(row["score"]) == sp.score
        assert row["overridden"] == ("yes" if sp.override else "no")
        assert row["unfamiliar"] == ("yes" if sp.unfamiliar else "no")
        assert row["override_reason"] == (sp.reason or "")
        assert row["image_sha256"] == f"{i:064x}" and row["model_version"] == str(sp.model)
    assert rows[0]["inspected_at"].endswith("+01:00")
    assert rows[-1]["inspected_at"] == "2024-03-31T23:30:00+02:00"  # after the DST change


def test_csv_filtered_and_empty(db: Database, tmp_path: Path) -> None:
    export_csv(db, MARCH.with_(verdict="ng"), tmp_path / "ng.csv")
    assert {r["final_verdict"] for r in read_csv(tmp_path / "ng.csv")} == {"ng"}
    assert len(read_csv(tmp_path / "ng.csv")) == sum(sp.final == "ng" for _, sp in IN_MARCH)
    assert export_csv(db, EMPTY, tmp_path / "empty.csv") == 0
    assert read_csv(tmp_path / "empty.csv") == []


def test_cancelled_export_leaves_existing_file_untouched(db: Database, tmp_path: Path) -> None:
    out = tmp_path / "keep.csv"
    out.write_text("old report")
    token = CancelToken()
    for export in (export_csv, export_xlsx, export_pdf):
        with pytest.raises(Cancelled):
            export(db, MARCH, out, progress=lambda p: token.cancel(), cancel=token)
    assert out.read_text() == "old report"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "keep.csv",
        "r.db",
        "r.db-shm",
        "r.db-wal",
    ]


def test_missing_folder_is_a_user_error(db: Database, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="does not exist"):
        export_csv(db, MARCH, tmp_path / "nope" / "x.csv")


@pytest.mark.parametrize("err", [errno.ENOSPC, errno.EROFS])
def test_unwritable_target_is_a_user_error_and_keeps_the_old_file(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, err: int
) -> None:
    """A full disk or a read-only share while the report is moved into place: a clear
    message, no traceback, no temp file left, the previous report untouched."""
    out = tmp_path / "keep.csv"
    out.write_text("old report")

    def failing_replace(src: object, dst: object) -> None:
        raise OSError(err, os.strerror(err))

    monkeypatch.setattr("inspector.reports.output.os.replace", failing_replace)
    with pytest.raises(UserError, match="cannot write") as info:
        export_csv(db, MARCH, out)
    assert ("disk is full" in str(info.value)) == (err == errno.ENOSPC)
    assert out.read_text() == "old report"
    assert not list(tmp_path.glob("*.tmp"))


def test_export_through_a_symlink_writes_its_target(db: Database, tmp_path: Path) -> None:
    target = tmp_path / "real.csv"
    target.write_text("old")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    export_csv(db, MARCH, link)
    assert link.is_symlink() and read_csv(target)  # the link is kept, the file rewritten


@pytest.mark.parametrize("target_name", ["settings.ini", "../outside/real.csv"])
def test_a_link_to_another_kind_of_file_or_elsewhere_is_not_written_through(
        db: Database, tmp_path: Path, target_name: str) -> None:
    """A link planted in a shared export folder had the file it pointed at (a settings
    file) overwritten by the CSV."""
    (tmp_path / "outside").mkdir()
    share = tmp_path / "share"
    share.mkdir()
    target = share / target_name
    target.write_text("precious")
    link = share / "report.csv"
    link.symlink_to(target)
    with pytest.raises(UserError, match="is a link to"):
        export_csv(db, MARCH, link)
    assert target.read_text() == "precious"


def test_export_to_a_pipe_is_refused(db: Database, tmp_path: Path) -> None:
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    with pytest.raises(UserError, match="not a regular file"):
        export_csv(db, MARCH, pipe)
    assert pipe.is_fifo()


def test_temp_files_of_killed_exports_are_cleaned_up(db: Database, tmp_path: Path) -> None:
    old = tmp_path / ".r.csv.dead0001.tmp"  # left by an export killed an hour ago
    old.write_text("partial")
    os.utime(old, (0, 0))
    recent = tmp_path / ".r.csv.live0002.tmp"  # maybe another export still running
    recent.write_text("partial")
    export_csv(db, MARCH, tmp_path / "r.csv")
    assert not old.exists() and recent.exists() and (tmp_path / "r.csv").is_file()


def test_unrelated_os_error_is_not_blamed_on_the_target(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing_replace(src: object, dst: object) -> None:
        raise OSError(errno.EIO, "input/output error", "/somewhere/else.png")

    monkeypatch.setattr("inspector.reports.output.os.replace", failing_replace)
    with pytest.raises(OSError) as info:
        export_csv(db, MARCH, tmp_path / "x.csv")
    assert not isinstance(info.value, UserError)


WEIRD = (
    Spec(t(5, 9), "ng", 0.9, "=1+1", severity="major", defect_type='=HYPERLINK("http://x","y")',
         station="+cmd|' /C calc'!A0"),
    Spec(t(5, 10), "ng", 0.8, "@SUM(A1)", severity="minor", defect_type="dent", override="ok",
         reason="-2+3 " + "x" * 40_000),
    Spec(t(5, 11), "ok", 0.1, "Line\nBreak\x07bell", product="=foo("),
)


def test_shop_floor_text_never_becomes_a_formula_or_breaks_excel(tmp_path: Path) -> None:
    """Formula injection: names and reasons typed by people stay text in CSV and Excel;
    a control character no longer stops the Excel export; over-long text is marked."""
    db = make_db(tmp_path / "w.db", WEIRD)
    try:
        export_csv(db, MARCH, tmp_path / "w.csv")
        export_xlsx(db, MARCH, tmp_path / "w.xlsx")
    finally:
        db.dispose()
    rows = read_csv(tmp_path / "w.csv")
    assert rows[0]["operator"] == "'=1+1" and rows[0]["station"].startswith("'+cmd")
    assert rows[0]["defect_type"].startswith("'=HYPERLINK")
    assert rows[1]["operator"] == "'@SUM(A1)" and rows[1]["override_reason"].startswith("'-2+3")
    assert rows[2]["operator"] == "Line\nBreak\x07bell"  # CSV keeps it as it was
    wb = load_workbook(tmp_path / "w.xlsx")
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]  # no formula anywhere
    texts = {c.value for c in cells if isinstance(c.value, str)}
    assert {"=1+1", "@SUM(A1)", "=foo(", "Line\nBreak?bell"} <= texts
    reason = next(v for v in texts if v.startswith("-2+3"))
    assert len(reason) == 32_767 and reason.endswith("(truncated)")


def summary_values(ws) -> dict[str, object]:  # noqa: ANN001
    return {r[0]: r[1] for r in ws.iter_rows(values_only=True) if r and r[0] is not None}


def test_xlsx_summary_and_details(db: Database, tmp_path: Path) -> None:
    out = tmp_path / "march.xlsx"
    assert export_xlsx(db, MARCH, out) == 11
    wb = load_workbook(out)
    assert wb.sheetnames == ["Summary", "Details"]
    figures = summary_values(wb["Summary"])
    assert figures["Inspections"] == 11 and figures["NG (final verdict)"] == 6
    assert figures["Uncertain"] == 1 and figures["QA overrides"] == 2
    assert figures["Unfamiliar images"] == 1
    assert figures["NG rate %"] == pytest.approx(6 / 11)
    rates = [r[1] for r in wb["Summary"].iter_rows() if r[0].value == "NG rate %"]
    assert rates and rates[0].number_format == "0.00%"  # shows 54.55 %, not 0.545454
    assert figures["Period"] == "2024-03-01 to 2024-03-31"
    assert figures["alice"] == 6 and figures["bob"] == 5  # by operator: inspected
    assert "By model version" in figures and figures["v2"] == 2  # two parts judged by v2
    ws = wb["Details"]
    assert ws.freeze_panes == "A2"
    table = ws.tables["Inspections"]
    assert table.ref == f"A1:{get_column_letter(len(COLUMNS))}12" and table.autoFilter is not None
    header = [c.value for c in ws[1]]
    assert header[1] == "inspected_at (Europe/Berlin)" and header[0] == "inspection_id"
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 11
    for row, (i, sp) in zip(rows, IN_MARCH, strict=True):
        assert row[0] == i and isinstance(row[1], dt.datetime)
        assert row[1] == sp.local  # real Excel date, naive local time
        assert row[COLUMNS.index("final_verdict")] == sp.final
    assert ws.column_dimensions["T"].width >= 30  # override_reason is wide


def test_xlsx_empty_period(db: Database, tmp_path: Path) -> None:
    out = tmp_path / "empty.xlsx"
    assert export_xlsx(db, EMPTY, out) == 0
    wb = load_workbook(out)
    texts = [c for row in wb["Summary"].iter_rows(values_only=True) for c in row]
    assert "No inspections in this period." in texts
    assert wb["Details"]["A1"].value == "inspection_id"  # the header stays (tests/..._review)


def pdf_texts(path: Path) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(path).pages]


def test_pdf_has_numbers_charts_pages_and_thumbnails(db: Database, tmp_path: Path) -> None:
    images = tmp_path / "project" / "images"
    for i in (9, 3):  # the two worst NG images have files; the rest are missing
        p = images / f"{i:064x}"[:2] / f"{i:064x}.png"
        p.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(np.full((40, 60, 3), 90 + i, np.uint8)).save(p)
    out = tmp_path / "march.pdf"
    n = export_pdf(db, MARCH, out, resolve_image=lambda rel: images / rel,
                   resolve_heatmap=lambda rel: None)  # fmt: skip
    texts = pdf_texts(out)
    assert len(texts) == n >= 4
    for i, text in enumerate(texts, start=1):
        assert f"Page {i} of {n}" in text
    cover = texts[0]
    assert "2024-03-01 to 2024-03-31" in cover
    for label, value in (("Inspections", "11"), ("NG rate", "54.55 %"), ("QA overrides", "2")):
        assert label in cover and value in cover
    charts_page = texts[1]
    for title in ("NG rate per day", "Pareto of defect types", "NG rate by operator",
                  "NG by severity", "NG rate per shift"):  # fmt: skip
        assert title in charts_page
    everything = "\n".join(texts)
    assert "crack missed" in everything and "cosmetic, within spec" in everything
    worst = next(p for p in PdfReader(out).pages if "Worst images" in (p.extract_text() or ""))
    assert len(worst.images) >= 2  # the two existing thumbnails are embedded
    assert "not available" in (worst.extract_text() or "")  # placeholders for the rest


def test_pdf_override_table_shows_whole_dates(db: Database, tmp_path: Path) -> None:
    """The overrides' "At" column was cut to "2024-0…07:00" (the date unreadable)."""
    out = tmp_path / "march.pdf"
    export_pdf(db, MARCH, out)
    everything = "\n".join(pdf_texts(out))
    overridden = [sp for sp in SPECS if sp.override and sp.local.month == 3]
    assert overridden
    for sp in overridden:  # override_at is an hour after the inspection (reports_data)
        assert f"{sp.local + dt.timedelta(hours=1):%Y-%m-%d %H:%M}" in everything
    assert "Inspection" in everything and "Ins…" not in everything


def test_pdf_lists_every_station_and_product_and_leaves_empty_days_blank(tmp_path: Path) -> None:
    many = tuple(Spec(t(day, 9), "ng" if day % 2 else "ok", 0.7, station=f"Station {day}",
                      product="Bolt" if day < 4 else "Nut", severity="minor")
                 for day in (2, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21))
    db = make_db(tmp_path / "many.db", many)
    try:
        out = tmp_path / "many.pdf"
        export_pdf(db, MARCH, out, resolve_image=lambda rel: None,
                   resolve_heatmap=lambda rel: None)
        from inspector.reports.build import build_report

        rep = build_report(db, MARCH)
    finally:
        db.dispose()
    texts = pdf_texts(out)
    assert "… and 6 more" in texts[0]  # the cover names 5 and says so
    everything = "\n".join(texts)
    assert all(f"Station {day}" in everything for day in (2, 21))
    empty = [d for d in rep.per_day if d.inspected == 0]
    assert empty and "–" in everything  # a day without parts has no NG rate, not 0 %
    from inspector.reports.text import summary_dict

    days = {d["day"]: d["ng_rate"] for d in summary_dict(rep)["per_day"]}
    assert days[empty[0].day.isoformat()] is None and days["2024-03-03"] == 1.0


def test_pdf_empty_period(db: Database, tmp_path: Path) -> None:
    out = tmp_path / "empty.pdf"
    assert export_pdf(db, EMPTY, out) == 1
    (text,) = pdf_texts(out)
    assert "No inspections in this period." in text and "Page 1 of 1" in text


@pytest.mark.parametrize("doc", ["README.md", "docs/reports.md"])
def test_csv_columns_are_the_documented_ones(doc: str) -> None:
    """The CSV's column names are a promise to scripts: the README's table lists them all,
    in order, so a renamed or added column cannot slip out undocumented."""
    import re

    text = (Path(__file__).resolve().parents[1] / doc).read_text(encoding="utf-8")
    section = text.split("CSV columns", 1)[1]
    documented = re.findall(r"^\| `(\w+)` \|", section, re.MULTILINE)[: len(COLUMNS)]
    assert tuple(documented) == COLUMNS


@pytest.mark.parametrize("bits", [8, 16])
def test_a_grey_picture_looks_the_same_in_the_pdf_at_any_bit_depth(tmp_path: Path,
                                                                   bits: int) -> None:
    """Pillow's convert clips 16-bit grey at 255: a mid-grey 16-bit picture came out white
    on the worst-images page. The report reads it as imports do."""
    import cv2

    from inspector.reports.thumbnails import load_thumbnail

    ramp = np.linspace(0, 1, 400 * 300).reshape(300, 400)
    pixels = (ramp * (65535 if bits == 16 else 255)).astype(np.uint16 if bits == 16 else np.uint8)
    cv2.imwrite(str(tmp_path / "part.png"), pixels)
    thumb = load_thumbnail(lambda rel: tmp_path / rel, "part.png")
    assert thumb is not None and thumb.shape[2] == 3 and max(thumb.shape[:2]) == 320
    assert abs(float(thumb.mean()) - 127.5) < 3  # mid-grey on average, as it is
    assert thumb[0, 0, 0] < 10 and thumb[-1, -1, 0] > 245


def test_a_12_bit_picture_in_the_pdf_follows_the_sensor_bits_setting(tmp_path: Path) -> None:
    import cv2

    from inspector.reports.thumbnails import load_thumbnail

    ramp = np.linspace(0, 4095, 200 * 200).reshape(200, 200).astype(np.uint16)
    cv2.imwrite(str(tmp_path / "part.png"), ramp)
    as16 = load_thumbnail(lambda rel: tmp_path / rel, "part.png")
    as12 = load_thumbnail(lambda rel: tmp_path / rel, "part.png", 12)
    assert as16 is not None and as12 is not None
    assert as16.max() <= 16 and abs(float(as12.mean()) - 127.5) < 3


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "TIFF"])
def test_the_pdf_thumbnail_is_turned_as_the_part_was_judged(tmp_path: Path, fmt: str) -> None:
    """A portrait JPEG from a phone (EXIF orientation 6) showed on its side in the PDF,
    beside its upright heat map: the thumbnail is turned as imports decode it."""
    from PIL import Image

    from inspector.imaging.decode import decode_bytes
    from inspector.reports.thumbnails import load_thumbnail

    pixels = np.zeros((40, 80, 3), np.uint8)
    pixels[:10, :20] = 255  # a white corner tells the turn
    img = Image.fromarray(pixels)
    exif = img.getexif()
    exif[0x0112] = 6
    path = tmp_path / f"part.{fmt.lower()}"
    img.save(path, fmt, exif=exif)
    thumb = load_thumbnail(lambda rel: tmp_path / rel, path.name)
    judged = decode_bytes(path.read_bytes()).rgb
    assert thumb is not None and thumb.shape == judged.shape == (80, 40, 3)
    assert np.abs(thumb.astype(int) - judged.astype(int)).mean() < 8


def test_more_rows_than_an_excel_sheet_holds_is_a_message(db: Database, tmp_path: Path,
                                                          monkeypatch) -> None:  # noqa: ANN001
    """A workbook past 1,048,576 rows is one Excel cannot open: refused before any work,
    pointing at CSV (the limit is lowered here; the rule is the same)."""
    from inspector.reports import xlsx_export

    monkeypatch.setattr(xlsx_export, "MAX_DETAIL_ROWS", 10)
    out = tmp_path / "march.xlsx"
    with pytest.raises(UserError, match="11 inspections do not fit on an Excel sheet"):
        export_xlsx(db, MARCH, out)
    assert not out.exists() and not list(tmp_path.glob("*.xlsx*")) and not list(tmp_path.glob(".*"))
