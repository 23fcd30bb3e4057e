"""PDF export with matplotlib's PDF backend (Agg-free, no GUI): a printable QA report.

Pages: cover (period, filters, headline figures), charts, tables (per day, Pareto,
operators, overrides with reasons) and the worst images with their heat maps. Every page
carries "Page i of n". Fonts are embedded as TrueType so the text stays searchable.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import matplotlib
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from inspector.progress import CancelToken, ProgressCallback, check, report
from inspector.reports import charts
from inspector.reports.build import build_report
from inspector.reports.filters import ReportFilters
from inspector.reports.output import atomic_output
from inspector.reports.pdf_images import worst_image_pages
from inspector.reports.types import Report
from inspector.store.db import Database

A4 = (8.27, 11.69)
NO_DATA = "No inspections in this period."
TABLE_ROWS = 38
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
) -> int:
    """Write the PDF report for ``filters`` to ``out``; returns the number of pages.

    ``resolve_image`` maps ``Image.store_path`` and ``resolve_heatmap`` maps
    ``Inspection.heatmap_path`` to files (None or a missing file gives a placeholder).
    """
    report(progress, 0.0, "computing figures")
    rep = build_report(db, filters, top_n=top_n)
    check(cancel)
    report(progress, 0.3, "drawing charts")
    return write_pdf(rep, out, resolve_image, resolve_heatmap, progress, cancel)


def write_pdf(
    rep: Report,
    out: Path,
    resolve_image: ResolvePath | None = None,
    resolve_heatmap: ResolvePath | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> int:
    """Lay out and save an already computed report."""
    with matplotlib.rc_context(charts.PLAIN_TEXT):  # text objects take it when made
        pages = [_cover(rep)]
        if not rep.empty:
            pages.append(_charts_page(rep))
            pages += _tables(rep)
            check(cancel)
            report(progress, 0.5, "adding worst images")
            pages += worst_image_pages(rep, resolve_image, resolve_heatmap, A4)
    n = len(pages)
    with (matplotlib.rc_context({"pdf.fonttype": 42, **charts.PLAIN_TEXT}),
          atomic_output(Path(out)) as tmp):
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


def _cover(rep: Report) -> Figure:
    fig = Figure(figsize=A4)
    fig.text(0.08, 0.93, "Inspection quality report", fontsize=20, weight="bold")
    fig.text(0.08, 0.895, f"Period: {rep.filters.period_text()} ({rep.tz_name})", fontsize=11)
    y = _text_table(fig, 0.85, "Filters", rep.filters.describe())
    if rep.empty:
        fig.text(0.5, 0.5, NO_DATA, ha="center", fontsize=18, weight="bold")
        return fig
    y = _text_table(fig, y - 0.02, "Summary", rep.summary_lines())
    for title, groups in (("By station", rep.by_station), ("By product", rep.by_product)):
        lines = [(g.key, f"{g.inspected} inspected, {g.ng} NG ({g.ng_rate * 100:.2f} %)")
                 for g in groups[:COVER_GROUPS]]  # fmt: skip
        if len(groups) > COVER_GROUPS:  # the tables further on list them all
            lines.append((f"… and {len(groups) - COVER_GROUPS} more", "see the tables"))
        y = _text_table(fig, y - 0.02, title, lines)
    return fig


def _text_table(fig: Figure, y: float, title: str, lines: Sequence[tuple[str, str]]) -> float:
    """Label/value lines under a bold title; returns the y below the block."""
    fig.text(0.08, y, title, fontsize=13, weight="bold")
    y -= 0.03
    for label, value in lines:  # clipped: a long name must not run into its value
        fig.text(0.10, y, _clip(str(label), 44), fontsize=10)
        fig.text(0.42, y, _clip(str(value), 64), fontsize=10)
        y -= 0.022
    return y


def _charts_page(rep: Report) -> Figure:
    fig = Figure(figsize=A4)
    grid = fig.add_gridspec(3, 2, left=0.1, right=0.9, top=0.95, bottom=0.08,
                            hspace=0.55, wspace=0.45)  # fmt: skip
    charts.draw_trend(fig.add_subplot(grid[0, :]), rep)
    charts.draw_pareto(fig.add_subplot(grid[1, 0]), rep)
    charts.draw_severity(fig.add_subplot(grid[1, 1]), rep)
    charts.draw_operator(fig.add_subplot(grid[2, 0]), rep)
    charts.draw_shift(fig.add_subplot(grid[2, 1]), rep)
    return fig


def _tables(rep: Report) -> list[Figure]:
    pct = "{:.2f} %".format
    sections: list[tuple[str, list[str], list[list[Any]]]] = [
        ("NG per day", ["Day", "Inspected", "NG", "NG rate"],
         [[d.day.isoformat(), d.inspected, d.ng, pct(d.ng_rate * 100) if d.inspected else "–"]
          for d in rep.per_day]),
        ("Pareto of defect types", ["Defect type", "NG", "Cumulative"],
         [[p.defect_type, p.count, pct(p.cumulative_pct)] for p in rep.pareto]),
        ("By operator", ["Operator", "Inspected", "NG", "NG rate"],
         [[_clip(g.key, 40), g.inspected, g.ng, pct(g.ng_rate * 100)] for g in rep.by_operator]),
        ("By station", ["Station", "Inspected", "NG", "NG rate"],
         [[_clip(g.key, 40), g.inspected, g.ng, pct(g.ng_rate * 100)] for g in rep.by_station]),
        ("By product", ["Product", "Inspected", "NG", "NG rate"],
         [[_clip(g.key, 40), g.inspected, g.ng, pct(g.ng_rate * 100)] for g in rep.by_product]),
        ("Per shift", ["Shift", "Inspected", "NG", "NG rate"],
         [[g.key, g.inspected, g.ng, pct(g.ng_rate * 100)] for g in rep.per_shift]),
        (f"QA overrides ({rep.totals.overridden}, newest {len(rep.overrides)} listed)",
         ["Inspection", "Machine", "Override", "By", "At", "Reason"],
         [[o.inspection_id, o.machine_verdict, o.override_verdict, o.by or "",
           f"{o.at:%Y-%m-%d %H:%M}" if o.at else "", _clip(o.reason, 48)]
          for o in rep.overrides]),
    ]  # fmt: skip
    return _pack(sections)


def _pack(sections: list[tuple[str, list[str], list[list[Any]]]]) -> list[Figure]:
    """Stack the tables on pages, splitting long ones, so short tables share a page."""
    blocks = []
    for title, header, rows in sections:
        for start in range(0, len(rows), TABLE_ROWS):
            suffix = " (continued)" if start else ""
            blocks.append((title + suffix, header, rows[start : start + TABLE_ROWS]))
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


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _table_block(
    fig: Figure, used: int, title: str, header: list[str], rows: list[list[Any]]
) -> None:
    """Draw one titled table ``used`` row-heights below the top of the page."""
    row_h = 0.84 / (TABLE_ROWS + 3)
    top = 0.94 - used * row_h
    fig.text(0.06, top, title, fontsize=12, weight="bold")
    height = row_h * (len(rows) + 1)
    ax = fig.add_axes((0.06, top - 0.01 - height, 0.88, height))
    ax.axis("off")
    table = ax.table(cellText=[[str(c) for c in r] for r in rows], colLabels=header,
                     bbox=(0, 0, 1, 1), cellLoc="left")  # fmt: skip
    table.auto_set_font_size(False)
    table.set_fontsize(8)
    for (row, _col), cell in table.get_celld().items():
        cell.set_edgecolor("#999999")
        if row == 0:
            cell.set_facecolor("#dddddd")
            cell.get_text().set_weight("bold")
    if "Reason" in header:
        widths = [0.1, 0.09, 0.09, 0.13, 0.15, 0.44]
        for (_row, col), cell in table.get_celld().items():
            cell.set_width(widths[col])
