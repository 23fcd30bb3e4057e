"""Fitting a laid-out chart figure: tick labels, titles and values that do not touch.

Shared by the screen's figure (``screen_charts``, any pane from 320 px high at 200 %) and
the PDF's charts page (``pdf_charts``, one A4 page with 1 to 30 bars and 1 to 120 days).
After matplotlib's constrained layout a few passes thin out or slant tick labels, make
room for value texts, wrap titles, and show only as many bars lying down as fit (the
title says how many are left out). Needs a canvas that can measure text (Agg).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from matplotlib.axes import Axes
from matplotlib.axis import Axis, XAxis
from matplotlib.backend_bases import RendererBase
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import FixedLocator, MaxNLocator
from matplotlib.transforms import Bbox

from inspector.reports.charts import TITLES

ROW_PX = 16  # a bar with its name at the 10 pt tick font (14 px at 100 dpi)


class Rows:
    """A chart of bars lying down that shows the first bars (the biggest: the rows come
    sorted) as far as they fit, and says so in its title."""

    def __init__(
        self, ax: Axes, key: str, total: int, drawer: Callable[[Axes, int], None], rows: int
    ) -> None:
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


def fit_rows(fig: Figure, rows: list[Rows]) -> None:
    """``fit_labels`` that also lets each chart of bars lying down show fewer bars."""
    # a list, not a generator: every chart refits, any() would stop at the first
    fit_labels(fig, also=lambda renderer: any([chart.refit(renderer) for chart in rows]))


MIN_TICK_FONT, LEVEL_TICK_FONT = 6.0, 8.0  # pt: the least; the least before slanting
TICK_GAP = 3.0  # px between neighbouring tick labels


def fit_labels(
    fig: Figure, rounds: int = 6, also: Callable[[RendererBase], bool] | None = None
) -> None:
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
    others = [
        other.title.get_window_extent(renderer)
        for other in ax.figure.axes
        if other is not ax and other.title.get_text().strip()
    ]
    if (
        extent.x0 >= figure.x0
        and extent.x1 <= figure.x1
        and not any(_near(extent, other, TICK_GAP * 2) for other in others)
    ):
        return False
    if "\n" not in text and " " in text:
        middle = len(text) / 2
        cut = min((i for i, c in enumerate(text) if c == " "), key=lambda i: abs(i - middle))
        title.set_text(text[:cut] + "\n" + text[cut + 1 :])
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
        shown += [
            (px, side, label)
            for side, label in ((1, tick.label1), (2, tick.label2))
            if label.get_visible() and label.get_text().strip()
        ]
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
        text.get_text(), text.get_fontproperties(), False
    )
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
    if (
        isinstance(axis, XAxis)
        and labels[0].get_rotation() % 180 == 0
        and spacing * math.sin(math.radians(45)) >= line + TICK_GAP
    ):
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
