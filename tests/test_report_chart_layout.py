"""The report charts on screen: no label drawn over another or cut at the figure's edge,
from a narrow pane (700 px) to full HD, and with long names."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools

import matplotlib
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from inspector.reports import ReportFilters
from inspector.reports.charts import PLAIN_TEXT
from inspector.reports.screen_charts import draw_screen, render_screen_png
from inspector.reports.types import (
    CountShare,
    DayCount,
    GroupCount,
    ParetoRow,
    Report,
    Totals,
)

DAYS = 7


TYPES = ("broken_large", "broken_small", "contamination")
MANY_TYPES = tuple(f"{name}_{i}" for i, name in enumerate(TYPES * 4))[:10]


def make_report(names: tuple[str, ...] = TYPES, days: int = DAYS,
                operators: int = 2) -> Report:
    """A made-up report: one busy day, defect types with long names."""
    first = dt.date(2026, 11, 21)
    per_day = tuple(DayCount(first + dt.timedelta(days=i), 5 if i == days - 1 else i, i % 3)
                    for i in range(days))
    pareto, total = [], sum(range(len(names), 0, -1))
    running = 0
    for n, name in zip(range(len(names), 0, -1), names, strict=True):
        running += n
        pareto.append(ParetoRow(name, n, 100 * running / total))
    return Report(
        filters=ReportFilters.for_days(first, first + dt.timedelta(days=days - 1), "UTC"),
        tz_name="UTC", generated_at=dt.datetime(2026, 11, 27, 16, 0),
        totals=Totals(inspected=5, ng=2, uncertain=0, ok=3, overridden=0),
        per_day=per_day,
        per_shift=(GroupCount("early", 3, 1), GroupCount("late", 2, 1),
                   GroupCount("night", 0, 0)),
        by_operator=(GroupCount("qa", 4, 2), GroupCount("operator with a long name", 1, 0),
                     *(GroupCount(f"op{i}", 40 + i, i) for i in range(operators - 2))),
        by_station=(), by_product=(),
        by_severity=(CountShare("minor", 0), CountShare("major", 0), CountShare("critical", 2)),
        pareto=tuple(pareto), worst=(), overrides=(),
    )


def drawn_texts(fig: Figure) -> list[Text]:
    """The texts the figure shows: tick labels only where their tick is in view."""
    ticks, shown = set(), []
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                labels = (tick.label1, tick.label2)
                ticks.update(id(label) for label in labels)
                if lo - 1e-9 <= tick.get_loc() <= hi + 1e-9:
                    shown += [label for label in labels if label.get_visible()]
    shown += [t for t in fig.findobj(Text) if id(t) not in ticks and t.get_visible()]
    return [t for t in shown if t.get_text().strip()]


def text_boxes(fig: Figure) -> list[tuple[str, Bbox, np.ndarray]]:
    """Every text on the figure: its box in pixels and the corners of its (turned) strip."""
    renderer = fig.canvas.get_renderer()
    boxes = []
    for text in drawn_texts(fig):
        box = text.get_window_extent(renderer)
        width, height = box.width, box.height  # level text (titles may have two lines)
        if text.get_rotation() % 180:
            width, height, _ = renderer.get_text_width_height_descent(
                text.get_text(), text.get_fontproperties(), False)
        angle = np.radians(text.get_rotation())
        along = np.array([np.cos(angle), np.sin(angle)]) * width / 2
        across = np.array([-np.sin(angle), np.cos(angle)]) * height / 2
        centre = np.array([(box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2])
        corners = np.array([centre + sa * along + sb * across
                            for sa, sb in ((-1, -1), (1, -1), (1, 1), (-1, 1))])
        boxes.append((text.get_text(), box, corners))
    return boxes


def strips_overlap(a: np.ndarray, b: np.ndarray, slack: float = 1.0) -> bool:
    """Separating-axis test of two turned rectangles given by their corners."""
    for corners in (a, b):
        for i in range(2):
            edge = corners[i + 1] - corners[i]
            normal = np.array([-edge[1], edge[0]]) / np.hypot(*edge)
            pa, pb = a @ normal, b @ normal
            if pa.max() <= pb.min() + slack or pb.max() <= pa.min() + slack:
                return False
    return True


def draw(width: int, height: int, rep: Report, dpi: int = 100) -> Figure:
    """``width`` x ``height`` logical pixels; at ``dpi`` 200 twice as many device pixels,
    as the Reports page asks for on a monitor at 200 %."""
    with matplotlib.rc_context(PLAIN_TEXT):
        fig = Figure(figsize=(width / 100, height / 100), dpi=dpi)
        FigureCanvasAgg(fig)
        draw_screen(fig, rep)
        fig.canvas.draw()
    return fig


# The chart view at 200 %, 125 % (1366x768), 150 %, 125 % and 100 % on a 1920x1080
# screen (the page gives it 320 px and more), and a narrow and a tall one.
SIZES = [(758, 320), (877, 320), (1064, 320), (1320, 320), (1718, 365), (700, 320),
         (1900, 600)]


@pytest.mark.parametrize(("width", "height"), SIZES)
@pytest.mark.parametrize("busy", [False, True], ids=["week", "month"])
@pytest.mark.parametrize("dpi", [100, 200])
def test_no_label_overlaps_or_is_cut(width: int, height: int, busy: bool, dpi: int) -> None:
    rep = make_report(MANY_TYPES, 31, 12) if busy else make_report()
    fig = draw(width, height, rep, dpi)
    width, height = width * dpi // 100, height * dpi // 100  # the figure's pixels
    page = Bbox.from_bounds(0, 0, width, height)
    boxes = text_boxes(fig)
    assert any(text.startswith("broken_large") for text, _, _ in boxes)
    for text, box, _ in boxes:
        assert page.x0 - 0.5 <= box.x0 and box.x1 <= page.x1 + 0.5, (text, box)
        assert page.y0 - 0.5 <= box.y0 and box.y1 <= page.y1 + 0.5, (text, box)
    for (a, _, strip_a), (b, _, strip_b) in itertools.combinations(boxes, 2):
        assert not strips_overlap(strip_a, strip_b), (a, b, width)


@pytest.mark.parametrize(("width", "height"), [(200, 150), (400, 320)])
def test_tiny_or_empty_charts_still_render(width: int, height: int) -> None:
    """The smallest canvas the page asks for, and a period without inspections."""
    empty = dataclasses.replace(make_report(), per_day=(), pareto=(), by_operator=(),
                                per_shift=(), by_severity=(),
                                totals=Totals(inspected=0, ng=0, uncertain=0, ok=0,
                                              overridden=0))
    for rep in (make_report(MANY_TYPES, 31, 12), empty):
        png = render_screen_png(rep, width, height)
        assert png.startswith(b"\x89PNG")
