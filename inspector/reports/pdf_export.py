"""PDF export with matplotlib's PDF backend (Agg-free, no GUI): a printable QA report.

Pages: cover (period, filters, headline figures), charts, tables (per day, Pareto,
operators, overrides with reasons) and the worst images with their heat maps. Every page
carries "Page i of n". Fonts are embedded as TrueType so the text stays searchable.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import matplotlib
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.table import Cell

from inspector.progress import CancelToken, ProgressCallback, check, report
from inspector.reports import charts
from inspector.reports.build import build_report
from inspector.reports.filters import ReportFilters
from inspector.reports.output import atomic_output
from inspector.reports.pdf_charts import charts_page
from inspector.reports.pdf_images import worst_image_pages
from inspector.reports.pdf_text import fit_width, glyph_note, text_width, wrap_width
from inspector.reports.types import DayCount, GroupCount, Report
from inspector.store.db import Database

A4 = (8.27, 11.69)
TABLE_ROWS = 38
# matplotlib warns once per character a font lacks (30 lines for a few Japanese names);
# the cover's note tells the reader, and stderr is no place for it.
MISSING_GLYPH = r"Glyph \d+ .*missing from"
ResolvePath = Callable[[str], Path | None]


def export_pdf(
    db: Database,
    filters: ReportFilters,
    out: Path,
    *,
    resolve_image: ResolvePath | None = None,
    resolve_heatmap: ResolvePath | None = None,
    top_n: int = 12,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    sensor_bits: int = 16,
) -> int:
    """Write the PDF report for ``filters`` to ``out``; returns the number of pages.

    ``resolve_image`` maps ``Image.store_path`` and ``resolve_heatmap`` maps
    ``Inspection.heatmap_path`` to files (None or a missing file gives a placeholder);
    ``sensor_bits``: the project's setting, for 16-bit pictures.
    """
    report(progress, 0.0, "computing figures")
    rep = build_report(db, filters, top_n=top_n)
    check(cancel)
    report(progress, 0.3, "drawing charts")
    return write_pdf(rep, out, resolve_image, resolve_heatmap, progress, cancel, sensor_bits)


def write_pdf(
    rep: Report,
    out: Path,
    resolve_image: ResolvePath | None = None,
    resolve_heatmap: ResolvePath | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    sensor_bits: int = 16,
) -> int:
    """Lay out and save an already computed report. (The warnings filter is the
    process's: an export running beside it in another thread is quiet about glyphs too.)"""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", MISSING_GLYPH, UserWarning)
        return _write_pdf(rep, out, resolve_image, resolve_heatmap, progress, cancel,
                          sensor_bits)


def _write_pdf(
    rep: Report,
    out: Path,
    resolve_image: ResolvePath | None,
    resolve_heatmap: ResolvePath | None,
    progress: ProgressCallback | None,
    cancel: CancelToken | None,
    sensor_bits: int,
) -> int:
    with matplotlib.rc_context(charts.PLAIN_TEXT):  # text objects take it when made
        pages = [_cover(rep)]
        if not rep.empty:
            pages.append(charts_page(rep, A4))
            pages += _tables(rep)
            check(cancel)
            report(progress, 0.5, "adding worst images")
            pages += worst_image_pages(rep, resolve_image, resolve_heatmap, A4, sensor_bits)
    n = len(pages)
    with (
        matplotlib.rc_context({"pdf.fonttype": 42, **charts.PLAIN_TEXT}),
        atomic_output(Path(out)) as tmp,
    ):
        with PdfPages(tmp, metadata={"Title": "Inspection quality report"}) as pdf:
            for i, fig in enumerate(pages, start=1):
                check(cancel)
                _footer(fig, rep, i, n)
                pdf.savefig(fig)
                report(progress, 0.5 + 0.5 * i / n, f"page {i} of {n}")
            check(cancel)
    return n


def _footer(fig: Figure, rep: Report, i: int, n: int) -> None:
    stamp = rep.generated_at.strftime("%Y-%m-%d %H:%M")
    fig.text(0.5, 0.02, f"Page {i} of {n}", ha="center", fontsize=9)
    fig.text(0.95, 0.02, f"generated {stamp} {rep.tz_name}", ha="right", fontsize=7)


COVER_GROUPS = 5  # stations / products named on the cover; the tables list all
LABEL_GAP = 14.0  # pt at least between a name cut to its column and what follows
NUMBER_COLUMNS = ((0.70, "inspected"), (0.80, "NG"), (0.92, "NG rate"))  # right edges


def _cover(rep: Report) -> Figure:
    fig = Figure(figsize=A4)
    fig.text(0.08, 0.93, "Inspection quality report", fontsize=20, weight="bold")
    period = f"Period: {rep.filters.period_text()} ({rep.tz_name})"
    fig.text(0.08, 0.895, fit_width(period, _points(0.84), 11), fontsize=11)
    y = _text_table(fig, 0.85, "Filters", rep.filters.describe())
    if rep.empty:
        fig.text(0.5, 0.5, rep.filters.no_data_text(), ha="center", fontsize=16, weight="bold")
        return fig
    y = _text_table(fig, y - 0.02, "Summary", rep.summary_lines())
    for title, groups in (("By station", rep.by_station), ("By product", rep.by_product)):
        y = _group_table(fig, y - 0.02, title, groups)
    for line in glyph_note(rep):  # not silently: boxes in names are explained
        # wrapped, never cut in the middle: the first codes are the ones to look up
        for part in wrap_width(line, _points(0.84), 9, 3):
            y -= 0.02
            fig.text(0.08, y, part, fontsize=9, style="italic")
    return fig


def _points(share: float) -> float:
    """A share of the page's width in points."""
    return share * A4[0] * 72


def _text_table(fig: Figure, y: float, title: str, lines: Sequence[tuple[str, str]]) -> float:
    """Label/value lines under a bold title; returns the y below the block."""
    fig.text(0.08, y, fit_width(title, _points(0.84), 13, "bold"), fontsize=13, weight="bold")
    y -= 0.03
    for label, value in lines:  # cut short of their columns: a long name must not run
        # into its value ("Baugruppe 7 37 inspected")
        fig.text(0.10, y, fit_width(str(label), _points(0.31) - LABEL_GAP, 10), fontsize=10)
        fig.text(0.42, y, fit_width(str(value), _points(0.50), 10), fontsize=10)
        y -= 0.022
    return y


def _rate(g: GroupCount | DayCount) -> str:
    """The NG rate in a table; none for a group without parts (0 % would read as perfect)."""
    return f"{g.ng_rate * 100:.2f} %" if g.inspected else "–"


def _group_table(fig: Figure, y: float, title: str, groups: Sequence[GroupCount]) -> float:
    """The largest groups as a little table: names cut short of a clear gap, the numbers
    right-aligned in columns of their own under a header, so "Teil 012345678911" and its
    11 parts never read as one number."""
    fig.text(0.08, y, fit_width(title, _points(0.5), 13, "bold"), fontsize=13, weight="bold")
    for right, head in NUMBER_COLUMNS:
        fig.text(right, y, head, ha="right", fontsize=8, color="#555555")
    y -= 0.03
    shown = groups[:COVER_GROUPS]
    widest = max([text_width(str(g.inspected), 10) for g in shown]
                 + [text_width(NUMBER_COLUMNS[0][1], 8)])
    room = _points(NUMBER_COLUMNS[0][0] - 0.10) - widest - LABEL_GAP
    for g in shown:
        fig.text(0.10, y, fit_width(g.key, room, 10), fontsize=10)
        for (right, _), cell in zip(NUMBER_COLUMNS, (str(g.inspected), str(g.ng), _rate(g)),
                                    strict=True):
            fig.text(right, y, cell, ha="right", fontsize=10)
        y -= 0.022
    if len(groups) > COVER_GROUPS:  # the tables further on list them all
        fig.text(0.10, y, f"… and {len(groups) - COVER_GROUPS} more (see the tables)",
                 fontsize=10, style="italic")
        y -= 0.022
    return y


OVERRIDE_HEADER = ("Inspection", "Machine", "Override", "By", "At", "Reason")


def _tables(rep: Report) -> list[Figure]:
    pct = "{:.2f} %".format
    sections: list[tuple[str, list[str], list[list[Any]]]] = [
        _trend_table(rep),
        ("Pareto of defect types", ["Defect type", "NG", "Cumulative"],
         [[p.defect_type, p.count, pct(p.cumulative_pct)] for p in rep.pareto]),
        ("By operator", ["Operator", "Inspected", "NG", "NG rate"],
         [[g.key, g.inspected, g.ng, _rate(g)] for g in rep.by_operator]),
        ("By station", ["Station", "Inspected", "NG", "NG rate"],
         [[g.key, g.inspected, g.ng, _rate(g)] for g in rep.by_station]),
        ("By product", ["Product", "Inspected", "NG", "NG rate"],
         [[g.key, g.inspected, g.ng, _rate(g)] for g in rep.by_product]),
        ("By model version", ["Model", "Inspected", "NG", "NG rate"],
         [[g.key, g.inspected, g.ng, _rate(g)] for g in rep.by_model]),
        ("Per shift", ["Shift", "Inspected", "NG", "NG rate"],
         [[g.key, g.inspected, g.ng, _rate(g)] for g in rep.per_shift]),
        (f"QA overrides ({rep.totals.overridden}, newest {len(rep.overrides)} listed)",
         list(OVERRIDE_HEADER),
         [[o.inspection_id, o.machine_verdict, o.override_verdict, o.by or "",
           f"{o.at:%Y-%m-%d %H:%M}" if o.at else "", _reason_start(o.reason)]
          for o in rep.overrides]),
    ]  # fmt: skip
    long_reasons = _reasons_in_full(rep)
    if long_reasons:
        sections.append(("Override reasons at length", list(FULL_REASON_HEADER), long_reasons))
    return _pack(sections)


DAILY_DAYS, WEEKLY_DAYS = 92, 731  # longer periods: a row per week, then per month


def _trend_table(rep: Report) -> tuple[str, list[str], list[list[Any]]]:
    """The NG trend as a table: a row per day for up to a quarter; a longer period gets a
    row per week (up to two years) or month, as a year of days was ten pages of mostly
    empty rows. The title says so; the CSV, Excel and JSON keep every day."""
    days = rep.per_day
    span = (days[-1].day - days[0].day).days + 1 if days else 0
    if span <= DAILY_DAYS:
        return ("NG per day", ["Day", "Inspected", "NG", "NG rate"],
                [[d.day.isoformat(), d.inspected, d.ng, _rate(d)] for d in days])
    weekly = span <= WEEKLY_DAYS
    groups: dict[dt.date, list[DayCount]] = {}
    for d in days:
        key = d.day - dt.timedelta(days=d.day.weekday()) if weekly else d.day.replace(day=1)
        groups.setdefault(key, []).append(d)
    rows: list[list[Any]] = []
    for key, members in groups.items():
        total = DayCount(key, sum(d.inspected for d in members), sum(d.ng for d in members))
        first, last = members[0].day, members[-1].day  # the period's days of that week
        label = f"{first:%Y-%m-%d} – {last:%m-%d}" if weekly else f"{key:%Y-%m}"
        rows.append([label, total.inspected, total.ng, _rate(total)])
    unit = "week" if weekly else "month"
    title = (f"NG per {unit} ({span} days: the CSV, Excel and JSON exports list every day)")
    return title, [unit.capitalize(), "Inspected", "NG", "NG rate"], rows


REASON_LINES = 4  # per reason at length; the CSV and Excel exports keep every word
FULL_REASON_HEADER = ("Inspection", f"Reason ({REASON_LINES} lines at most; the CSV and "
                                    "Excel exports hold every word)")


def _room(header: Sequence[str], column: int) -> float:
    """Points of text that fit in a table column (the cell's padding taken off)."""
    return _points(TABLE_WIDTH * _widths(list(header))[column]) * (1 - 2 * Cell.PAD)


def _reason_cell_room() -> float:
    return _room(OVERRIDE_HEADER, OVERRIDE_HEADER.index("Reason"))


def _reason_start(reason: str) -> str:
    """A reason's first words in its cell (ending in "…" where the rest follows below the
    table): a sentence read from the start, unlike names, which are cut in the middle."""
    return wrap_width(reason, _reason_cell_room(), TABLE_FONT, 1)[0]


def _reasons_in_full(rep: Report) -> list[list[Any]]:
    """Rows for the reasons cut in the overrides table: a reason says why a person
    overruled the machine, and the cut end is often the part that explains it."""
    width = _room(FULL_REASON_HEADER, 1)
    rows: list[list[Any]] = []
    for o in rep.overrides:
        if _reason_start(o.reason) == " ".join(o.reason.split()):
            continue  # shown whole in the table
        lines = wrap_width(o.reason, width, TABLE_FONT, REASON_LINES)
        rows += [[o.inspection_id, lines[0]]] + [["", line] for line in lines[1:]]
    return rows


def _pack(sections: list[tuple[str, list[str], list[list[Any]]]]) -> list[Figure]:
    """Stack the tables on pages, splitting long ones, so short tables share a page."""
    blocks = []
    for title, header, rows in sections:
        for n, chunk in enumerate(_chunks(rows, TABLE_ROWS)):
            blocks.append((title + (" (continued)" if n else ""), header, chunk))
    pages: list[Figure] = []
    used = TABLE_ROWS + 99  # forces a new page for the first block
    for title, header, rows in blocks:
        need = len(rows) + 3  # title + header + spacing
        if used + need > TABLE_ROWS + 3:
            pages.append(Figure(figsize=A4))
            used = 0
        _table_block(pages[-1], used, title, header, rows)
        used += need
    return pages


def _chunks(rows: list[list[Any]], size: int) -> list[list[list[Any]]]:
    """``rows`` a page's worth at a time. A row whose first cell is empty continues the
    one above (a reason's next line): at the top of a page it names that row again, so a
    reason split over two pages still says which inspection it belongs to."""
    chunks = []
    for start in range(0, len(rows), size):
        chunk = rows[start:start + size]
        if start and chunk[0][0] == "":
            owner = next((r[0] for r in reversed(rows[:start]) if r[0] != ""), "")
            chunk = [[f"{owner} (cont.)", *chunk[0][1:]], *chunk[1:]]
        chunks.append(chunk)
    return chunks


TABLE_WIDTH, TABLE_FONT = 0.88, 8  # share of the page's width; pt


def _widths(header: list[str]) -> list[float]:
    """Column widths as shares of the table: a name gets the room the numbers leave."""
    if "Reason" in header:  # "Inspection" and a whole "2024-03-02 07:00" fit at 8 pt
        return [0.12, 0.1, 0.1, 0.14, 0.18, 0.36]
    if header == list(FULL_REASON_HEADER):
        return [0.12, 0.88]
    if header[0] in ("Day", "Week", "Month"):
        return [1 / len(header)] * len(header)
    first = 0.46 if len(header) > 3 else 0.52
    return [first] + [(1 - first) / (len(header) - 1)] * (len(header) - 1)


def _table_block(
    fig: Figure, used: int, title: str, header: list[str], rows: list[list[Any]]
) -> None:
    """Draw one titled table ``used`` row-heights below the top of the page. Each text is
    cut to its column (a longer one would run under the next cell and lose its end
    unmarked); the charts cut names shorter, the tables give them as far as they fit."""
    row_h = 0.84 / (TABLE_ROWS + 3)
    top = 0.94 - used * row_h
    fig.text(0.06, top, fit_width(title, _points(TABLE_WIDTH), 12, "bold"), fontsize=12,
             weight="bold")  # fmt: skip
    height = row_h * (len(rows) + 1)
    ax = fig.add_axes((0.06, top - 0.01 - height, TABLE_WIDTH, height))
    ax.axis("off")
    widths = _widths(header)
    room = [_points(TABLE_WIDTH * w) * (1 - 2 * Cell.PAD) for w in widths]
    cells = [[fit_width(str(c), room[i], TABLE_FONT) for i, c in enumerate(r)] for r in rows]
    labels = [fit_width(h, room[i], TABLE_FONT, "bold") for i, h in enumerate(header)]
    table = ax.table(cellText=cells, colLabels=labels, colWidths=widths, bbox=(0, 0, 1, 1),
                     cellLoc="left")  # fmt: skip
    table.auto_set_font_size(False)
    table.set_fontsize(TABLE_FONT)
    for (row, _col), cell in table.get_celld().items():
        cell.set_edgecolor("#999999")
        if row == 0:
            cell.set_facecolor("#dddddd")
            cell.get_text().set_weight("bold")
