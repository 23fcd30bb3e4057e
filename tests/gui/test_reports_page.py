"""The Reports page: filter, figures on screen, CSV export through the page's button."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import csv  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from gui_helpers import hold  # noqa: E402
from PySide6.QtCore import QDate  # noqa: E402
from reports_data import SPECS, insert_specs  # noqa: E402

pytestmark = pytest.mark.gui


@pytest.fixture
def page(project, admin, qtbot):  # noqa: ANN001, ANN201
    from ui.pages.reports_page import ReportsPage

    insert_specs(project.db, SPECS)
    widget = ReportsPage(project, lambda: admin, None, tz="Europe/Berlin")
    qtbot.addWidget(widget)
    widget.show()
    # the first report on show, and its job ended (until then "Show report" is off and a
    # click does nothing: the report comes before the job's end under load)
    qtbot.waitUntil(lambda: widget.report is not None and widget.summary_job is None
                    and widget.choices_refresh.job is None, timeout=15000)  # fmt: skip
    return widget


def test_filter_then_export_csv(page, qtbot, monkeypatch, tmp_path: Path) -> None:  # noqa: ANN001
    from PySide6.QtWidgets import QFileDialog

    page.from_edit.setDate(QDate(2024, 3, 1))
    page.to_edit.setDate(QDate(2024, 3, 31))
    page.operator_box.setCurrentText("bob")
    page.show_button.click()
    qtbot.waitUntil(lambda: page.report.filters.operator == "bob", timeout=15000)
    bob = [sp for sp in SPECS if sp.operator == "bob" and sp.local.month == 3]
    assert page.summary.text_of("Inspections") == str(len(bob)) == "5"
    assert page.summary.text_of("NG (final verdict)") == str(sum(sp.final == "ng" for sp in bob))
    assert page.summary.text_of("Unfamiliar images") == str(sum(sp.unfamiliar for sp in bob)) == "1"
    assert page.worst.rowCount() == sum(sp.final == "ng" for sp in bob)
    qtbot.waitUntil(lambda: page.charts.rendered >= 1, timeout=15000)  # in a worker
    assert not page.charts.pixmap().isNull() and page.charts.pixmap().width() > 100

    target = tmp_path / "bob.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    page.export_buttons["csv"].click()
    assert page.cancel_button.isVisibleTo(page)  # progress + Cancel while exporting
    qtbot.waitUntil(lambda: page.export_job is None, timeout=15000)
    assert page.last_export is not None and page.last_export.inspections == 5
    with open(target, encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["operator"] for r in rows} == {"bob"} and len(rows) == 5
    assert not page.cancel_button.isVisibleTo(page)


def test_empty_period_and_big_targets(page, qtbot) -> None:  # noqa: ANN001
    page.from_edit.setDate(QDate(2023, 1, 1))
    page.to_edit.setDate(QDate(2023, 1, 2))
    page.show_button.click()
    qtbot.waitUntil(lambda: page.report.filters.period_text().startswith("2023"), timeout=15000)
    assert page.report.empty and "No inspections" in page.status.text()
    for button in [page.show_button, *page.export_buttons.values()]:
        assert button.minimumHeight() >= 48 and button.font().pointSizeF() >= 12


def test_worst_images_show_picture_and_heat_map(page, project, qtbot) -> None:  # noqa: ANN001
    """The screen shows where the defect is, as the PDF does: the heat map beside the
    picture, and "not available" where its file is missing."""
    import numpy as np
    from PIL import Image

    from ui.widgets.report_views import HEAT_COLUMN, WORST_COLUMNS

    worst_id = max((i for i, sp in enumerate(SPECS, 1) if sp.final == "ng"),
                   key=lambda i: SPECS[i - 1].score)  # fmt: skip
    sha = f"{worst_id:064x}"
    for path in (Path(project.images.root) / sha[:2] / f"{sha}.png",
                 Path(project.root) / "artefacts" / "heat" / f"{worst_id}.png"):  # fmt: skip
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(np.full((30, 40, 3), 120, np.uint8)).save(path)
    page.from_edit.setDate(QDate(2024, 3, 1))
    page.to_edit.setDate(QDate(2024, 3, 31))
    page.show_button.click()
    qtbot.waitUntil(lambda: page.report.filters.period_text().startswith("2024-03-01"),
                    timeout=15000)  # fmt: skip
    ids = [int(page.worst.item(r, WORST_COLUMNS.index("Inspection")).text())
           for r in range(page.worst.rowCount())]  # fmt: skip
    assert ids[0] == worst_id and len(ids) >= 2
    assert page.worst.has_picture(0, 0) and page.worst.has_picture(0, HEAT_COLUMN)
    assert not page.worst.has_picture(1, HEAT_COLUMN)
    assert page.worst.item(1, HEAT_COLUMN).text() == "not available"


def test_period_reads_custom_when_dates_are_typed(page) -> None:  # noqa: ANN001
    """A report for dates picked by hand is not shown under "Last 7 days"."""
    assert page.period_box.currentText() == "Last 7 days"
    page.from_edit.setDate(QDate(2024, 3, 1))
    assert page.period_box.currentText() == "Custom"
    page.period_box.setCurrentText("Yesterday")
    page.period_box.activated.emit(page.period_box.currentIndex())
    assert page.period_box.currentText() == "Yesterday"
    assert page.from_edit.date() == page.to_edit.date() == QDate.currentDate().addDays(-1)


def test_every_filter_on_screen_reaches_the_report(page, qtbot) -> None:  # noqa: ANN001
    """The page offers the CLI's filters and each choice lands in its own field."""
    page.load_choices()
    chosen = {page.product_box: "Nut", page.station_box: "S2", page.operator_box: "alice",
              page.verdict_box: "ng", page.severity_box: "major", page.type_box: "scratch",
              page.model_box: "2", page.overridden_box: "overridden"}  # fmt: skip
    for box, value in chosen.items():
        assert box.findText(value) >= 0, value  # offered from the project's data
        box.setCurrentText(value)
    page.from_edit.setDate(QDate(2024, 3, 1))
    page.to_edit.setDate(QDate(2024, 3, 31))
    page.show_button.click()
    qtbot.waitUntil(lambda: page.report.filters.product == "Nut", timeout=15000)
    f = page.report.filters
    assert (f.product, f.station, f.operator, f.verdict, f.severity, f.defect_type,
            f.model_version, f.overridden) == ("Nut", "S2", "alice", "ng", "major", "scratch",
                                               2, True)  # fmt: skip
    assert page.report.totals.inspected == 0  # no such part: "No inspections", not an error
    assert "No inspections" in page.status.text()


def test_a_preset_period_follows_the_calendar_on_a_station_left_running(page) -> None:  # noqa: ANN001
    """ "Last 7 days" was turned into dates once, when the window was built: the next
    morning it still ended yesterday and left out today's parts."""
    yesterday = QDate.currentDate().addDays(-1)
    page._presetting = True  # as the preset set them the day before
    page.from_edit.setDate(yesterday.addDays(-6))
    page.to_edit.setDate(yesterday)
    page._presetting = False
    assert page.period_box.currentText() == "Last 7 days"
    filters = page.filters()
    assert page.to_edit.date() == QDate.currentDate()
    assert filters.utc_bounds()[1].astimezone(filters.zone).date() > \
        QDate.currentDate().toPython()
    page.from_edit.setDate(QDate(2024, 3, 1))  # typed by hand: Custom stays as typed
    page.filters()
    assert page.from_edit.date() == QDate(2024, 3, 1)


def test_dates_given_the_wrong_way_round_are_swapped_on_screen_too(page) -> None:  # noqa: ANN001
    """The report covered 2024-03-25 to 2024-10-30 while the page still showed the dates
    the other way round, where the command line refuses them: now the page shows what
    the report covers."""
    page.from_edit.setDate(QDate(2024, 10, 30))
    page.to_edit.setDate(QDate(2024, 3, 25))
    filters = page.filters()
    assert filters.period_text() == "2024-03-25 to 2024-10-30"
    assert page.from_edit.date() == QDate(2024, 3, 25)
    assert page.to_edit.date() == QDate(2024, 10, 30)


def test_the_filter_choices_are_read_in_the_background(page, qtbot, monkeypatch) -> None:  # noqa: ANN001
    """The stations and defect types seen take a scan of the inspections: read on the
    GUI thread, the page froze as it opened on a big project."""
    from ui.pages import reports_page

    release = hold(monkeypatch, reports_page, "_read_choices")
    page.hide()
    page.product_box.clear()
    page.show()  # returns at once: the read waits in the background
    assert page.product_box.count() == 0
    release.set()
    qtbot.waitUntil(lambda: page.product_box.count() > 1, timeout=10_000)
    qtbot.waitUntil(lambda: page.summary_job is None, timeout=15_000)  # the figures too


def test_shifts_an_older_version_stored_are_named_and_the_default_ones_used(page, project) -> None:  # noqa: ANN001
    """Overlapping shifts stored before they were refused: the choices failed to load,
    every filter box offered only "(all)" and the shift chart used other shifts unsaid."""
    from inspector.store.models import Setting, utcnow

    with project.db.session() as s:
        s.add(Setting(key="report_shifts", updated_at=utcnow(),
                      value="day=06:00-18:00,night=18:00-06:00,inspection=08:00-09:00"))
    page.load_choices()
    assert not page.shifts_note.isHidden()
    assert "overlap" in page.shifts_note.text() and "report_shifts" in page.shifts_note.text()
    assert [page.shift_box.itemText(i) for i in range(page.shift_box.count())][1:] == [
        "early", "late", "night"]
    assert page.product_box.count() > 1  # the other choices were read too


def test_a_moving_bar_while_the_figures_are_read(page, qtbot, monkeypatch) -> None:  # noqa: ANN001
    """A year of a busy line took 6-7 s with only "Computing…": the page looked hung."""
    import ui.pages.reports_page as reports_page

    release = hold(monkeypatch, reports_page, "_compute")
    page.refresh()
    qtbot.waitUntil(lambda: page.computing.isVisible())
    assert page.computing.maximum() == 0  # busy, not a stuck percentage
    release.set()
    qtbot.waitUntil(lambda: page.summary_job is None and not page.computing.isVisible())
