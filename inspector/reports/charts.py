"""Report charts drawn onto matplotlib Axes, shared by the PDF and the GUI page.

Only ``matplotlib.figure`` is used (no pyplot, no GUI backend): the PDF saves the figures
through the PDF backend (``pdf_charts`` lays out its page), the GUI shows a PNG drawn
with Agg in a worker (``screen_charts.render_screen_png``); both fit the labels with
``chart_fit``. Every series is told apart by hatching, markers and grey levels, so a
black-and-white printout still reads.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.ticker import MaxNLocator, PercentFormatter

from inspector.reports.types import ParetoRow, Report

DARK, MID, LIGHT = "#222222", "#777777", "#cccccc"
# Shop-floor text (stations, defect types, override reasons) is never maths: "$" in a
# name would otherwise be parsed as TeX and fail the whole report.
PLAIN_TEXT = {"text.parse_math": False}
HEADROOM = 1.25  # the trend's scales reach this far over the highest bar or point
MIN_SLOTS = 7  # the trend's x axis is at least this many days wide
HATCHES = ("//", "xx", "..", "\\\\", "++", "oo")
TITLES = {
    "trend": "NG rate per day",
    "pareto": "Pareto of defect types",
    "operator": "NG rate by operator",
    "severity": "NG by severity",
    "shift": "NG rate per shift",
}


def _no_data(ax: Axes, title: str) -> None:
    ax.set_title(title)
    ax.text(0.5, 0.5, "no data", ha="center", va="center", transform=ax.transAxes, color=MID)
    ax.set_xticks([])
    ax.set_yticks([])


def _short(labels: Sequence[str], width: int = 14) -> list[str]:
    """Names on one line, cut in the middle with "…" (the PDF's tables and the exports give
    them whole): names often differ only at the end ("Line 3 station 12", "... 13").
    Names that the cut makes equal show where they differ instead; still equal, they are
    numbered: 18 bars once all read "Operator numb…rin Ärztin"."""
    flat = [" ".join(s.split()) for s in labels]
    out = [_cut(s, width) for s in flat]
    for same in _groups(out):
        names = [flat[i] for i in same]
        if len(set(names)) == 1:
            continue  # the same name (spelt with other spaces): numbered below
        first = max(0, len(os.path.commonprefix(names)) - 3)  # a little before they part
        for i in same:
            window = flat[i][first:first + width - 2]
            more = first + width - 2 < len(flat[i])
            out[i] = ("…" if first else "") + window + ("…" if more else "")
    for same in _groups(out):
        for n, i in enumerate(same, 1):
            out[i] = f"{out[i]} ({n})"
    return out


def _cut(name: str, width: int) -> str:
    head = max(1, (width - 1) * 3 // 5)
    tail = width - 1 - head
    return name if len(name) <= width else name[:head] + "…" + (name[-tail:] if tail else "")


def _groups(labels: list[str]) -> list[list[int]]:
    """Index lists of the labels that occur more than once."""
    where: dict[str, list[int]] = {}
    for i, label in enumerate(labels):
        where.setdefault(label, []).append(i)
    return [same for same in where.values() if len(same) > 1]


def draw_trend(ax: Axes, rep: Report, legend_columns: int = 1, dates: int = 10) -> None:
    """Inspected parts as hatched grey bars, NG rate as a black line with markers; about
    ``dates`` days are named under the bars. Both scales leave the top fifth free for the
    legend, so it covers no bar or point."""
    title = TITLES["trend"]
    if rep.empty or not rep.per_day:
        _no_data(ax, title)
        return
    x = list(range(len(rep.per_day)))
    counts = [d.inspected for d in rep.per_day]
    ax.bar(x, counts, color=LIGHT, edgecolor=MID, hatch="//", label="inspected")
    ax.set_ylabel("inspected")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(0, max(1, max(counts)) * HEADROOM)
    if len(x) < MIN_SLOTS:  # one day: a bar as wide as a week's, not as the chart
        side = (MIN_SLOTS - len(x)) / 2
        ax.set_xlim(-0.5 - side, len(x) - 0.5 + side)
    rate_ax = ax.twinx()
    rates = [d.ng_rate * 100 if d.inspected else float("nan") for d in rep.per_day]  # gaps
    rate_ax.plot(x, rates, color=DARK, marker="o", markersize=4, linewidth=1.5, label="NG rate")
    rate_ax.set_ylabel("NG rate")
    rate_ax.yaxis.set_major_formatter(PercentFormatter(decimals=1))
    # at least 0-1 %: a period without NG would otherwise number its scale 0.0 % six times
    peak = max((r for r in rates if r == r), default=0.0)
    rate_ax.set_ylim(0, max(1.0, peak) * HEADROOM)
    step = max(1, math.ceil(len(x) / max(1, dates)))
    ax.set_xticks(x[::step], [d.day.strftime(_day_format(rep)) for d in rep.per_day][::step])
    ax.set_title(title)
    handles = ax.get_legend_handles_labels()
    more = rate_ax.get_legend_handles_labels()
    ax.legend(
        handles[0] + more[0], handles[1] + more[1], loc="upper left", fontsize=8,
        ncols=legend_columns,
    )  # fmt: skip


def _day_format(rep: Report) -> str:
    """Month-day under the trend's bars, with the year where the period has more than one
    ("01-01" of which year, in a report over two years?)."""
    first, last = rep.per_day[0].day, rep.per_day[-1].day
    return "%Y-%m-%d" if first.year != last.year or (last - first).days >= 365 else "%m-%d"


def _pareto_rows(ax: Axes, rep: Report, max_types: int) -> tuple[ParetoRow, ...]:
    """The Pareto's first rows; an empty chart says "no data" (both layouts share it)."""
    rows = rep.pareto[:max_types]
    if not rows:
        _no_data(ax, TITLES["pareto"])
    return rows


def draw_pareto(ax: Axes, rep: Report, max_types: int = 10) -> None:
    """Defect-type counts as bars, cumulative share as a line with square markers."""
    if not (rows := _pareto_rows(ax, rep, max_types)):
        return
    x = list(range(len(rows)))
    ax.bar(x, [r.count for r in rows], color=MID, edgecolor=DARK, hatch="xx")
    ax.set_xticks(x, _short([r.defect_type for r in rows]), rotation=30, ha="right")
    ax.set_ylabel("NG parts")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    cum = ax.twinx()
    cum.plot(x, [r.cumulative_pct for r in rows], color=DARK, marker="s", markersize=4)
    cum.set_ylim(0, 105)
    cum.yaxis.set_major_formatter(PercentFormatter(decimals=0))
    cum.axhline(80, color=MID, linestyle="--", linewidth=0.8)
    ax.set_title(TITLES["pareto"])


def draw_pareto_rows(ax: Axes, rep: Report, max_types: int = 10, names: int = 14) -> None:
    """The Pareto lying down, on screen and in the PDF: the names beside the bars need no
    slanting (which took a third of the height and ran into each other with a dozen
    types), each bar says its count and the cumulative share."""
    if not (rows := _pareto_rows(ax, rep, max_types)):
        return
    y = list(range(len(rows)))
    ax.barh(y, [r.count for r in rows], color=MID, edgecolor=DARK, hatch="xx")
    for yi, r in zip(y, rows, strict=True):
        ax.text(r.count, yi, f" {r.count} · cum. {r.cumulative_pct:.0f}%", va="center", fontsize=7)
    ax.set_yticks(y, _short([r.defect_type for r in rows], names))
    ax.invert_yaxis()
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlim(0, max(r.count for r in rows) * 1.6)
    ax.set_xlabel("NG parts")
    ax.set_title(TITLES["pareto"])


def _rate_bars(
    ax: Axes, title: str, keys: list[str], rates: list[float], ns: list[int], names: int = 14
) -> None:
    if not keys or sum(ns) == 0:
        _no_data(ax, title)
        return
    y = list(range(len(keys)))
    bars = ax.barh(y, [r * 100 for r in rates], color=LIGHT, edgecolor=DARK)
    for bar, hatch in zip(bars, HATCHES * (len(keys) // len(HATCHES) + 1), strict=False):
        bar.set_hatch(hatch)
    for yi, r, n in zip(y, rates, ns, strict=True):  # no parts: no rate, not a perfect 0 %
        ax.text(r * 100, yi, f" {r * 100:.1f}% of {n}" if n else " – (no parts)",
                va="center", fontsize=7)
    ax.set_yticks(y, _short(keys, names))
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(PercentFormatter(decimals=1))
    ax.set_xlim(0, max(max(rates) * 100 * 1.4, 1.0))
    ax.set_title(title)


def draw_operator(ax: Axes, rep: Report, max_rows: int = 12, names: int = 14) -> None:
    rows = rep.by_operator[:max_rows]
    _rate_bars(ax, TITLES["operator"], [g.key for g in rows], [g.ng_rate for g in rows],
               [g.inspected for g in rows], names)  # fmt: skip


def draw_shift(ax: Axes, rep: Report, names: int = 14) -> None:
    rows = rep.per_shift
    _rate_bars(ax, TITLES["shift"], [g.key for g in rows], [g.ng_rate for g in rows],
               [g.inspected for g in rows], names)  # fmt: skip


def draw_severity(ax: Axes, rep: Report) -> None:
    """NG count per severity; grey level darkens and the hatch changes with severity."""
    title = TITLES["severity"]
    rows = rep.by_severity
    if not rows or sum(r.count for r in rows) == 0:
        _no_data(ax, title)
        return
    greys = ["#eeeeee", "#aaaaaa", "#555555", "#ffffff"]
    x = list(range(len(rows)))
    bars = ax.bar(x, [r.count for r in rows], edgecolor=DARK)
    for i, bar in enumerate(bars):
        bar.set_facecolor(greys[min(i, len(greys) - 1)])
        bar.set_hatch(HATCHES[i % len(HATCHES)])
        ax.text(i, bar.get_height(), f"{rows[i].count}", ha="center", va="bottom", fontsize=8)
    ax.set_xticks(x, [r.key for r in rows])
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("NG parts")
    ax.set_title(title)


DRAWERS = {
    "trend": draw_trend,
    "pareto": draw_pareto,
    "operator": draw_operator,
    "severity": draw_severity,
    "shift": draw_shift,
}
