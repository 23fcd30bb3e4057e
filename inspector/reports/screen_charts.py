"""The report charts on screen: all five on one short, wide figure that fits any pane.

The GUI's Reports page shows a PNG drawn here with Agg in a worker (``render_screen_png``).
A pane 320 px high at 200 % scaling has little room, so after matplotlib's constrained
layout a few fitting passes thin out or slant tick labels, make room for value texts,
wrap titles, and show only as many bars as fit in the lower row. The PDF draws the same
charts (``charts``) on pages of its own and needs none of this.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable

import matplotlib
from matplotlib.axes import Axes
from matplotlib.axis import Axis, XAxis
from matplotlib.backend_bases import RendererBase
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import FixedLocator, MaxNLocator
from matplotlib.transforms import Bbox

from inspector.reports.charts import (
    PLAIN_TEXT,
    TITLES,
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
        fig.set_layout_engine("constrained", w_pad=4 / 72, h_pad=4 / 72, wspace=0.02,
                              hspace=0.04)
    else:
        fig.set_layout_engine(None)
    grid = fig.add_gridspec(2, 3)
    dates = max(2, int((width * 2 / 3 - 120) // 55))  # "11-27" and a gap
    draw_trend(fig.add_subplot(grid[0, :2]), rep, legend_columns=2, dates=dates)
    draw_severity(fig.add_subplot(grid[0, 2]), rep)
    guess = max(3, int((height / 2 - 90) // ROW_PX))  # half the height less title, numbers
    lower = [
        _Rows(fig.add_subplot(grid[1, 0]), "pareto", len(rep.pareto),
              lambda ax, n: draw_pareto_rows(ax, rep, max_types=n), min(10, guess)),
        _Rows(fig.add_subplot(grid[1, 1]), "operator", len(rep.by_operator),
              lambda ax, n: draw_operator(ax, rep, max_rows=n), min(12, guess)),
    ]
    draw_shift(fig.add_subplot(grid[1, 2]), rep)
    # a list, not a generator: every chart refits, any() would stop at the first
    fit_labels(fig, also=lambda renderer: any([rows.refit(renderer) for rows in lower]))


ROW_PX = 16  # a bar with its name at the 10 pt tick font (14 px at 100 dpi)


class _Rows:
    """A chart of bars lying down that shows the first bars (the biggest: the rows come
    sorted) as far as they fit, and says so in its title."""

    def __init__(self, ax: Axes, key: str, total: int, drawer: Callable[[Axes, int], None],
                 rows: int) -> None:
        self.ax, self.key, self.total, self.drawer = ax, key, total, drawer
        self.rows = min(rows, total)
        self._draw()

    def _draw(self) -> None:
        self.drawer(self.ax, self.rows)
        if self.total > self.rows:
            self.ax.set_title(f"{TITLES[self.key]} (top {self.rows} of {self.total})")

    def refit(self, renderer: RendererBase) -> bool:
        """Fewer bars where the laid-out chart is shorter than guessed; never more, so
        that fitting ends."""
        row = ROW_PX * self.ax.figure.dpi / 100  # the extent is in the figure's pixels
        fits = max(2, int(self.ax.get_window_extent(renderer).height // row))
        if fits >= self.rows:
            return False
        self.rows = fits
        self.ax.clear()
        self._draw()
        return True


MIN_TICK_FONT, LEVEL_TICK_FONT = 6.0, 8.0  # pt: the least; the least before slanting
TICK_GAP = 3.0  # px between neighbouring tick labels


def fit_labels(fig: Figure, rounds: int = 6,
               also: Callable[[RendererBase], bool] | None = None) -> None:
    """Lay the figure out, then where neighbouring tick labels would touch use fewer ticks
    on a number axis, or slant (then stand up, then shrink) the names on a category axis,
    and give a value written at a bar's end room inside its chart; then lay it out again,
    as each change moves the axes. For screens from a narrow pane to full HD (the PDF's
    page has one size, laid out by hand). Needs a canvas that can measure text (Agg)."""
    if not hasattr(fig.canvas, "get_renderer"):
        return  # no way to measure: the constrained layout alone
    for _ in range(rounds):
        fig.draw_without_rendering()
        renderer = fig.canvas.get_renderer()
        changed = False
        for ax in fig.axes:
            for axis in (ax.xaxis, ax.yaxis):
                if _crowded(axis, renderer):
                    changed |= _declutter(axis, renderer)
            changed |= _make_room(ax, renderer) | _fit_title(ax, renderer)
        if also is not None:
            changed |= also(renderer)
        if not changed:
            return


def _fit_title(ax: Axes, renderer: RendererBase) -> bool:
    """A title that runs off the figure or into a neighbour's title goes on two lines,
    then gets smaller. (The layout leaves room above a chart for its title, not beside
    it; a title merely wider than its chart is fine, and one line keeps the charts tall.)"""
    title = ax.title
    text = title.get_text()
    if not text.strip():
        return False
    extent = title.get_window_extent(renderer)
    figure = ax.figure.bbox
    others = [other.title.get_window_extent(renderer) for other in ax.figure.axes
              if other is not ax and other.title.get_text().strip()]
    if (extent.x0 >= figure.x0 and extent.x1 <= figure.x1
            and not any(_near(extent, other, TICK_GAP * 2) for other in others)):
        return False
    if "\n" not in text and " " in text:
        middle = len(text) / 2
        cut = min((i for i, c in enumerate(text) if c == " "), key=lambda i: abs(i - middle))
        title.set_text(text[:cut] + "\n" + text[cut + 1:])
        return True
    if title.get_fontsize() <= MIN_TICK_FONT + 2:
        return False
    title.set_fontsize(title.get_fontsize() - 1)
    return True


def _near(a: Bbox, b: Bbox, gap: float) -> bool:
    """Whether two boxes overlap or come closer than ``gap`` pixels."""
    return a.x0 < b.x1 + gap and b.x0 < a.x1 + gap and a.y0 < b.y1 and b.y0 < a.y1


def _make_room(ax: Axes, renderer: RendererBase) -> bool:
    """Raise the top (or right) limit where a value written at a bar's end sticks out of
    the chart, over its title or the next chart."""
    box = ax.get_window_extent(renderer)
    changed = False
    for text in ax.texts:
        if text.get_transform() != ax.transData or not text.get_text().strip():
            continue  # e.g. "no data", placed in the chart's own coordinates
        extent = text.get_window_extent(renderer)
        anchor = ax.transData.transform(text.get_position())
        for i, (lo, hi), stick_out, length in (
            (1, ax.get_ylim(), extent.y1 - anchor[1], box.height),
            (0, ax.get_xlim(), extent.x1 - anchor[0], box.width),
        ):
            end = box.y1 if i else box.x1
            if (extent.y1 if i else extent.x1) <= end - 1 or hi <= lo or length <= 0:
                continue
            share = max(0.2, (length - stick_out - 2) / length)  # of the axis, up to the value
            top = lo + (text.get_position()[i] - lo) / share
            if top > hi:
                (ax.set_ylim if i else ax.set_xlim)(lo, top)
                changed = True
    return changed


def _shown_labels(axis: Axis) -> list[tuple[float, int, Text]]:
    """(position in pixels along the axis, side 1 or 2, label) of each tick label drawn."""
    lo, hi = sorted(axis.get_view_interval())
    horizontal = isinstance(axis, XAxis)
    shown = []
    for tick in axis.get_major_ticks():
        loc = tick.get_loc()
        if loc is None or not lo - 1e-9 <= loc <= hi + 1e-9:
            continue
        point = (loc, 0.0) if horizontal else (0.0, loc)
        px = float(axis.axes.transData.transform(point)[0 if horizontal else 1])
        shown += [(px, side, label) for side, label in ((1, tick.label1), (2, tick.label2))
                  if label.get_visible() and label.get_text().strip()]
    return sorted(shown, key=lambda item: item[0])


def _crowded(axis: Axis, renderer: RendererBase) -> bool:
    """Whether two neighbouring tick labels on one side of the axis touch. Labels at an
    angle to the axis are parallel strips: they touch when less than a line apart."""
    shown = _shown_labels(axis)
    for side in (1, 2):
        row = [(px, label) for px, s, label in shown if s == side]
        for (pa, a), (pb, b) in zip(row, row[1:], strict=False):
            wa, ha = _text_size(a, renderer)
            wb, hb = _text_size(b, renderer)
            turn = math.radians(a.get_rotation() - (0 if isinstance(axis, XAxis) else 90))
            across = abs(math.sin(turn))  # 0: the text runs along the axis
            if across < 1e-6:
                gap, need = abs(pb - pa), (wa + wb) / 2
            else:
                gap, need = abs(pb - pa) * across, max(ha, hb)
            if gap < need + TICK_GAP:
                return True
    return False


def _text_size(text: Text, renderer: RendererBase) -> tuple[float, float]:
    """Width and height of a label as if it were level (its box, with the line's room)."""
    if text.get_rotation() % 180 == 0:
        box = text.get_window_extent(renderer)
        return box.width, box.height
    width, height, _ = renderer.get_text_width_height_descent(
        text.get_text(), text.get_fontproperties(), False)
    return width, height


def _declutter(axis: Axis, renderer: RendererBase) -> bool:
    """One step towards tick labels that do not touch; False when nothing is left to try.
    Numbers: half as many. Names under bars: slanted, else standing, else smaller until
    they fit. Names beside bars: smaller until they fit."""
    locator = axis.get_major_locator()
    shown = _shown_labels(axis)
    if not isinstance(locator, FixedLocator):
        count = len({round(px) for px, _side, _label in shown})
        if count <= 2:
            return False
        if isinstance(locator, MaxNLocator):
            locator.set_params(nbins=max(1, count // 2))
        else:
            axis.set_major_locator(MaxNLocator(nbins=max(1, count // 2)))
        return True
    labels = [label for _px, _side, label in shown]
    places = sorted({px for px, _side, _label in shown})
    if len(places) < 2:
        return False
    spacing = min(b - a for a, b in zip(places, places[1:], strict=False))
    line = max(_text_size(label, renderer)[1] for label in labels)
    size = labels[0].get_fontsize()
    if isinstance(axis, XAxis) and labels[0].get_rotation() % 180 == 0:
        widest = max(_text_size(label, renderer)[0] for label in labels)
        level = size * (spacing - TICK_GAP) / widest  # the size at which they fit level
        if level >= LEVEL_TICK_FONT:  # a little smaller costs less room than slanted
            for label in labels:
                label.set_fontsize(level - 0.1)
            return True
    if isinstance(axis, XAxis) and labels[0].get_rotation() % 180 == 0 \
            and spacing * math.sin(math.radians(45)) >= line + TICK_GAP:
        for label in labels:
            label.set(rotation=45, ha="right", rotation_mode="anchor")
        return True
    if isinstance(axis, XAxis) and labels[0].get_rotation() % 180 != 90:
        for label in labels:
            label.set(rotation=90, ha="right", va="center", rotation_mode="anchor")
        if spacing >= line + TICK_GAP:
            return True
    smaller = max(MIN_TICK_FONT, size * (spacing - TICK_GAP) / line)
    if smaller >= size - 0.05:
        return False
    for label in labels:
        label.set_fontsize(smaller)
    return True


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
