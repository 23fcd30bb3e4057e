"""The PDF report's pages: no text drawn over another or off the page, for 1 to 30
defect types and operators with long German, Polish and Turkish names, 1 to 120 days, and
a note (not silent boxes) for characters the font lacks."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import re
from pathlib import Path

import pytest
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox
from pypdf import PdfReader
from test_report_chart_layout import make_report as screen_report
from test_report_chart_layout import strips_overlap, text_boxes

from inspector.reports.pdf_export import write_pdf
from inspector.reports.types import (
    GroupCount,
    OverrideRow,
    Report,
    WorstImage,
)

NAMES = ("Kratzer an der Dichtfläche", "Delle am Gehäuserand links", "Riss im Gewinde",
         "Zarysowanie powierzchni łożyska", "Çizik yüzeyde ağır ışık", "Lunker im Guss",
         "Schweißnaht unvollständig", "Maßabweichung Durchmesser")  # fmt: skip
NUMBER = re.compile(r"[−-]?[\d.,]+ ?%?")
PERSON = "Zażółć gęślą jaźń Müller-Şahin Öztürk"  # with a number: 40 characters


def names(n: int) -> list[str]:
    """``n`` different long names."""
    return [f"{NAMES[i % len(NAMES)]} {i + 1}" for i in range(n)]


def make_report(types: int, operators: int, days: int, stations: int = 3,
                worst: int = 6, extra: str = "") -> Report:  # fmt: skip
    """The screen tests' report with ``types`` long defect types, ``operators`` operators
    (40-character names but for one), ``days`` days; ``extra`` ends the first type."""
    kinds = names(types)
    kinds[0] += extra
    people = [f"{PERSON} {i + 1}" for i in range(operators)]
    if operators == 1:  # the demo's one operator, with a name a little longer than "admin"
        people = ["Schichtleiterin Öztürk"]
    station = "Station Unterschleißheim Halle 3 Linie 12"
    shot = dt.datetime(2026, 1, 1, 10)
    reason = "Kosmetisch, innerhalb der Spezifikation; Kunde informiert " * 3
    return dataclasses.replace(
        screen_report(tuple(kinds), days),
        per_shift=(GroupCount("early", 300, 10), GroupCount("late", 150, 15),
                   GroupCount("Nachtschicht (Wochenende, Feiertage)", 50, 5)),
        by_operator=tuple(GroupCount(p, 1000 - i, 5 + i % 4) for i, p in enumerate(people)),
        by_station=tuple(GroupCount(f"{station} {i}", 100, 5) for i in range(stations)),
        by_product=(GroupCount("Produkt Ä " + "Gehäusedeckel " * 6, 5000, 300),),
        worst=tuple(WorstImage(i, i, "0" * 64, "x.png", None, 0.9, 0.5, kinds[i % types],
                               "critical", "Produkt Ä", f"{station} {i}", people[i % operators],
                               shot) for i in range(worst)),
        overrides=tuple(OverrideRow(i, i, "uncertain", "ok", reason, people[0], shot)
                        for i in range(2)),
    )  # fmt: skip


def pdf_pages(rep: Report, out: Path, monkeypatch: pytest.MonkeyPatch) -> list[Figure]:
    """Write the PDF and keep the figures it saved, as they were laid out for it."""
    saved: list[Figure] = []
    save = PdfPages.savefig

    def keep(self: PdfPages, figure: Figure, **kw: object) -> None:
        save(self, figure, **kw)
        saved.append(figure)

    monkeypatch.setattr(PdfPages, "savefig", keep)
    write_pdf(rep, out)
    for fig in saved:
        FigureCanvasAgg(fig)
        fig.canvas.draw()
    return saved


def assert_texts_fit(fig: Figure, page: int) -> None:
    """Every text inside the page and clear of every other text."""
    paper = Bbox.from_bounds(0, 0, fig.bbox.width, fig.bbox.height)
    boxes = text_boxes(fig)
    for text, box, _ in boxes:
        assert paper.x0 - 0.5 <= box.x0 and box.x1 <= paper.x1 + 0.5, (page, text, box)
        assert paper.y0 - 0.5 <= box.y0 and box.y1 <= paper.y1 + 0.5, (page, text, box)
    for (a, box_a, strip_a), (b, box_b, strip_b) in itertools.combinations(boxes, 2):
        if box_a.overlaps(box_b):  # the cheap test first: thousands of table cells
            assert not strips_overlap(strip_a, strip_b), (page, a, b)


def category_labels(ax: Axes) -> list[str]:
    """The names on a chart's axes (bars standing or lying down), not its numbers."""
    texts = [t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels()]
    return [t for t in texts if t.strip() and not NUMBER.fullmatch(t.strip())]


def assert_every_bar_accounted_for(fig: Figure, rep: Report) -> None:
    """A chart that shows fewer bars than there are says so in its title."""
    for ax in fig.axes:
        title = ax.get_title().replace("\n", " ")
        for key, total in (("Pareto", len(rep.pareto)), ("operator", len(rep.by_operator))):
            if key in title and total:
                shown = len(category_labels(ax))
                assert shown == total or f"top {shown} of {total}" in title, (title, shown)


CASES = [(1, 1, 1), (3, 1, 7), (6, 5, 14), (12, 12, 31), (25, 25, 90), (30, 30, 120)]


@pytest.mark.parametrize(("types", "operators", "days"), CASES)
def test_pdf_charts_page_texts_fit(types: int, operators: int, days: int, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    rep = make_report(types, operators, days)
    charts = pdf_pages(rep, tmp_path / "r.pdf", monkeypatch)[1]
    assert_texts_fit(charts, 2)
    assert_every_bar_accounted_for(charts, rep)


def test_pdf_cover_tables_and_worst_images_fit_long_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """40-character operators and stations, a long product, 45 days (a table split over
    two pages), long override reasons, and the captions under the worst images."""
    rep = make_report(12, 30, 45, stations=8, worst=8)
    pages = pdf_pages(rep, tmp_path / "r.pdf", monkeypatch)
    assert len(pages) >= 6
    for i, fig in enumerate(pages, start=1):
        if i != 2:  # the charts page: above
            assert_texts_fit(fig, i)
    text = "\n".join(page.extract_text() or "" for page in PdfReader(tmp_path / "r.pdf").pages)
    assert f"{PERSON} 30" in text  # the tables give the whole name where it fits
    assert "empty boxes" not in text  # German, Polish and Turkish letters are in the font


def test_characters_missing_from_the_font_are_reported_not_silent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from inspector.reports.pdf_text import missing_glyphs

    rep = make_report(3, 2, 3, extra=" 傷 (キズ)")
    pages = pdf_pages(rep, tmp_path / "r.pdf", monkeypatch)
    assert_texts_fit(pages[0], 1)
    cover = PdfReader(tmp_path / "r.pdf").pages[0].extract_text() or ""
    if missing_glyphs(["傷"]):  # the usual case: DejaVu Sans has no CJK
        assert "print as empty boxes" in cover and "U+50B7" in cover
    else:
        assert "empty boxes" not in cover


def test_override_reasons_cut_in_the_table_are_given_in_full_below_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reason column holds about 40 characters; a QA lead's reason is often longer, and
    its end (why the machine was overruled) was lost behind "…"."""
    shot = dt.datetime(2026, 1, 1, 10)
    long = ("Glue residue on the rim, cleaned with alcohol and checked again under the ring "
            "light by the second shift; customer drawing 4711 rev C allows it")
    endless = "Kratzer " * 300  # near the 2,000-character limit: four lines, then "…"
    rep = dataclasses.replace(make_report(3, 2, 3), overrides=(
        OverrideRow(7, 7, "ng", "ok", "dust", "lead", shot),
        OverrideRow(8, 8, "ng", "ok", long, "lead", shot),
        OverrideRow(9, 9, "uncertain", "ng", endless, "lead", shot),
    ))
    pages = pdf_pages(rep, tmp_path / "r.pdf", monkeypatch)
    for i, fig in enumerate(pages, start=1):
        if i != 2:
            assert_texts_fit(fig, i)
    text = " ".join((page.extract_text() or "") for page in PdfReader(tmp_path / "r.pdf").pages)
    words = " ".join(text.split())
    assert "Override reasons at length" in words
    assert "customer drawing 4711 rev C allows it" in words  # the end, whole
    assert words.count("dust") == 1  # a reason that fits is not repeated
    kept = words.split("hold every word)", 1)[1].count("Kratzer ")
    assert 20 < kept < 300 and ("Kratzer…" in words or "Kratze…" in words)


def test_a_reason_split_over_two_pages_names_its_inspection_again() -> None:
    from inspector.reports.pdf_export import _chunks

    rows = [[311, "line 1"], ["", "line 2"], ["", "line 3"], [312, "short"]]
    assert _chunks(rows, 2) == [[[311, "line 1"], ["", "line 2"]],
                                [["311 (cont.)", "line 3"], [312, "short"]]]


def test_wrapped_lines_fit_their_width_and_keep_the_words_in_order() -> None:
    from inspector.reports.pdf_text import ELLIPSIS, text_width, wrap_width

    text = "Seriennummer " + "X" * 120 + " nach Rücksprache mit Frau Öztürk freigegeben"
    lines = wrap_width(text, 150, 8, 10)
    assert all(text_width(line, 8) <= 150 for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")  # nothing lost, in order
    short = wrap_width(text, 150, 8, 2)
    assert len(short) == 2 and short[-1].endswith(ELLIPSIS)
    assert text_width(short[-1], 8) <= 150
    assert wrap_width("dust", 150, 8, 4) == ["dust"]
    assert wrap_width(" ", 150, 8, 4) == [""]  # a reason of an older release may be empty
