"""The PDF's charts page: the five report charts on one A4 page, for any data.

One operator, or 30 defect types with long German or Polish names, or 120 days: the
constrained layout makes room for every label inside the page, and the fitting passes
shared with the screen (``chart_fit``) slant or thin out crowded tick labels and show as
many bars lying down as fit; a chart that leaves some out says "top n of m" in its title
(the tables on the next pages list them all, with their whole names).
"""

from __future__ import annotations

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from inspector.reports.chart_fit import Rows, fit_rows
from inspector.reports.charts import (
    draw_operator,
    draw_pareto_rows,
    draw_severity,
    draw_shift,
    draw_trend,
)
from inspector.reports.types import Report

# The page's charts stay clear of its edges and of the footer ("Page i of n") below them:
# (left, bottom, width, height) as shares of the page.
CHART_AREA = (0.03, 0.045, 0.94, 0.935)
NAME_CHARS = 24  # a name beside a bar; longer ones end in "…"
MAX_ROWS = 30  # bars lying down before fitting; fitting shows as many as fit
DATES = 12  # days named under the trend's bars


def charts_page(rep: Report, size: tuple[float, float]) -> Figure:
    """A page (``size`` in inches) with the trend on top, the Pareto and the severities,
    then NG rates by operator and per shift."""
    fig = Figure(figsize=size)
    FigureCanvasAgg(fig)  # measures the text for the fitting; the PDF backend draws it
    fig.set_layout_engine("constrained", rect=CHART_AREA, w_pad=4 / 72, h_pad=6 / 72,
                          wspace=0.04, hspace=0.06)  # fmt: skip
    # the trend in a grid of its own: the names left of the bars below do not narrow it
    outer = fig.add_gridspec(2, 1, height_ratios=(1.0, 2.6))
    grid = outer[1].subgridspec(2, 2, width_ratios=(1.25, 1.0))
    draw_trend(fig.add_subplot(outer[0]), rep, legend_columns=2, dates=DATES)
    rows = [
        Rows(fig.add_subplot(grid[0, 0]), "pareto", len(rep.pareto),
             lambda ax, n: draw_pareto_rows(ax, rep, max_types=n, names=NAME_CHARS), MAX_ROWS),
        Rows(fig.add_subplot(grid[1, 0]), "operator", len(rep.by_operator),
             lambda ax, n: draw_operator(ax, rep, max_rows=n, names=NAME_CHARS), MAX_ROWS),
    ]  # fmt: skip
    draw_severity(fig.add_subplot(grid[0, 1]), rep)
    draw_shift(fig.add_subplot(grid[1, 1]), rep, names=NAME_CHARS)
    fit_rows(fig, rows)
    return fig
