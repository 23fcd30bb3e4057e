"""The report charts on screen: all five on one short, wide figure that fits any pane.

The GUI's Reports page shows a PNG drawn here with Agg in a worker (``render_screen_png``).
A pane 320 px high at 200 % scaling has little room: the fitting passes of ``chart_fit``
thin out or slant tick labels, make room for value texts, wrap titles, and show only as
many bars as fit in the lower row. The PDF lays the same charts out on an A4 page
(``pdf_charts``) with the same fitting.
"""

from __future__ import annotations

import io

import matplotlib
from matplotlib.figure import Figure

from inspector.reports.chart_fit import ROW_PX, Rows, fit_rows
from inspector.reports.charts import (
    PLAIN_TEXT,
    draw_operator,
    draw_pareto_rows,
    draw_severity,
    draw_shift,
    draw_trend,
)
from inspector.reports.types import Report

# Below this size (px) the constrained layout finds no room and gives up with a warning
# on every resize; such a pane gets plain margins instead, which is all it can show.
MIN_LAYOUT_PX = (480, 240)  # at 100 dpi


def draw_screen(fig: Figure, rep: Report) -> None:
    """All five charts on one (landscape) figure, e.g. the GUI's canvas; clears it first.

    The page gives the charts a wide, short canvas (320 px at 200 %): the constrained
    layout measures the labels when the figure is drawn and makes room for them (fixed
    margins let "NG rate" and "NG parts" print over each other on a narrow pane and cut
    the Pareto's slanted names at the bottom), the Pareto lies down like the two charts
    beside it, and the charts of the lower row show as many bars as fit (the title says
    so; the PDF's tables and the exports list them all).
    """
    fig.clear()
    # Sizes in pixels at 100 dpi: a 200 % screen asks for twice the pixels at 200 dpi, and
    # its text is twice as many pixels tall, so it fits the same number of dates and bars.
    width, height = fig.get_figwidth() * 100, fig.get_figheight() * 100
    if width >= MIN_LAYOUT_PX[0] and height >= MIN_LAYOUT_PX[1]:
        fig.set_layout_engine("constrained", w_pad=4 / 72, h_pad=4 / 72, wspace=0.02, hspace=0.04)
    else:
        fig.set_layout_engine(None)
    grid = fig.add_gridspec(2, 3)
    dates = max(2, int((width * 2 / 3 - 120) // 55))  # "11-27" and a gap
    draw_trend(fig.add_subplot(grid[0, :2]), rep, legend_columns=2, dates=dates)
    draw_severity(fig.add_subplot(grid[0, 2]), rep)
    guess = max(3, int((height / 2 - 90) // ROW_PX))  # half the height less title, numbers
    lower = [
        Rows(fig.add_subplot(grid[1, 0]), "pareto", len(rep.pareto),
             lambda ax, n: draw_pareto_rows(ax, rep, max_types=n), min(10, guess)),
        Rows(fig.add_subplot(grid[1, 1]), "operator", len(rep.by_operator),
             lambda ax, n: draw_operator(ax, rep, max_rows=n), min(12, guess)),
    ]  # fmt: skip
    draw_shift(fig.add_subplot(grid[1, 2]), rep)
    fit_rows(fig, lower)


def render_screen_png(rep: Report, width_px: int, height_px: int, dpi: int = 100) -> bytes:
    """``draw_screen`` rendered to a PNG of the given size, on a figure of its own (no
    pyplot), so a worker thread can draw a year of charts while the window stays live."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    with matplotlib.rc_context(PLAIN_TEXT):
        fig = Figure(figsize=(max(width_px, 200) / dpi, max(height_px, 150) / dpi), dpi=dpi)
        FigureCanvasAgg(fig)
        draw_screen(fig, rep)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()
