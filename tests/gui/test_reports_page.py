"""The Reports page: filter, figures on screen, CSV export through the page's button."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import csv  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
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
    qtbot.waitUntil(lambda: widget.report is not None, timeout=15000)  # first report on show
    return widget


def test_filter_then_export_csv(page, qtbot, monkeypatch, tmp_path: Path) -> None:  # noqa: ANN001
    from PySide6.QtWidgets import QFileDialog

    page.from_edit.setDate(QDate(2024, 3, 1))
    page.to_edit.setDate(QDate(2024, 3, 31))
    page.operator_box.setCurrentText("bob")
    page.show_button.click()
    qtbot.waitUntil(lambda: page.report.filters.operator == "bob", timeout=15000)
    bob = [sp for sp in SPECS if sp.operator == "bob" and sp.local.month == 3]
    assert page.summary.text_of("Parts inspected") == str(len(bob)) == "5"
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
