"""What a screen reader and a keyboard get (an accessibility review): names on the pictures,
lists, tables and date boxes; the verdict banner says what it shows; the recent parts say
which file they are and open with Enter; Tab leaves the Reports date boxes at once."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import numpy as np
import pytest
from gui_helpers import sign_in_as
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from inspector.services.results import InspectionInfo
from ui.widgets.history_table import VERDICT_COLUMN, HistoryTable
from ui.widgets.recent_strip import RecentStrip
from ui.widgets.verdict_banner import VerdictBanner

pytestmark = pytest.mark.gui
SHIFT = Qt.KeyboardModifier.ShiftModifier


def _name(widget: QWidget) -> str:
    """The name a screen reader announces (Qt's accessibility interface, not a property)."""
    return QAccessible.queryAccessibleInterface(widget).text(QAccessible.Text.Name)


def _description(widget: QWidget) -> str:
    return QAccessible.queryAccessibleInterface(widget).text(QAccessible.Text.Description)


def test_pictures_lists_tables_and_date_boxes_have_names(window, admin, qtbot) -> None:  # noqa: ANN001
    """The review found them announced without a name ("table", "slider", "any date")."""
    sign_in_as(window, "admin")
    pages = window.pages
    for key in ("label", "inspect", "history", "train"):
        assert window.show_page(key)
    label, train = pages["label"], pages["train"]
    named = {
        label.view: "Picture", pages["inspect"].view: "Picture", pages["history"].view: "Picture",
        label.gallery: "Gallery", label.types.list: "Defect types", label.since: "Since date",
        pages["history"].table: "Inspection history", pages["inspect"].recent: "Recent results",
        train.models.table: "Model versions", train.models.slider: "Threshold",
    }  # fmt: skip
    assert {w: _name(w) for w in named} == named
    assert "Ctrl" in _description(label.view)  # where the zoom keys are told
    for widget in (label.gallery, label.types.list, pages["history"].table,
                   train.models.table, train.models.slider):
        assert _description(widget), widget
    preset = next(lab for lab in train.findChildren(QLabel) if lab.text() == "Preset")
    assert preset.buddy() is train.preset


def test_the_banner_says_the_verdict_shown_and_its_details(qtbot) -> None:  # noqa: ANN001
    """It said "Verdict NG" for a batch showing "1 NG", and nothing of the counts."""
    banner = VerdictBanner()
    qtbot.addWidget(banner)
    detail = "2 parts · 1 NG · 1 OK · 0 uncertain"
    banner.set_verdict("ng", detail, "1 NG")
    assert (_name(banner), _description(banner)) == ("1 NG", detail)
    banner.set_verdict("ok", "score 0.12 / threshold 0.5")
    assert (_name(banner), _description(banner)) == ("OK", "score 0.12 / threshold 0.5")
    banner.set_verdict(None, "No model yet")
    assert (_name(banner), _description(banner)) == ("No verdict", "No model yet")


def test_recent_parts_name_their_file_and_enter_opens_one(qtbot) -> None:  # noqa: ANN001
    """A thumbnail showed only "NG": no file name anywhere, and the keyboard could
    highlight a part but not open it."""
    strip = RecentStrip()
    qtbot.addWidget(strip)
    when = dt.datetime(2026, 11, 27, 14, 32, 5).astimezone()
    part = SimpleNamespace(id=7, image_id=17, image_name="part_17.png", inspected_at=when)
    strip.add(np.zeros((20, 20, 3), np.uint8), "ng", part)
    item = strip.item(0)
    assert item.toolTip() == "part_17.png · NG · 14:32:05"
    assert item.data(Qt.ItemDataRole.AccessibleTextRole) == item.toolTip()
    strip.update_entry(lambda p: p.id == 7, "ok", part)  # overridden: the tip follows
    assert strip.item(0).toolTip() == "part_17.png · OK · 14:32:05"

    chosen: list[object] = []
    strip.chosen.connect(chosen.append)
    strip.show()
    strip.activateWindow()
    strip.setFocus()
    strip.setCurrentRow(0)
    qtbot.keyClick(strip, Qt.Key.Key_Return)
    assert chosen == [part]


def test_history_reads_the_verdict_marks_as_words(qtbot) -> None:  # noqa: ANN001
    """The marks of "NG * ⚠" are said in words, not read as "star" and "warning"."""
    table = HistoryTable()
    qtbot.addWidget(table)
    now = dt.datetime.now(dt.UTC)
    table.history.set_rows([InspectionInfo(
        id=1, image_id=1, image_name="a.png", model_version=1, score=0.9, threshold=0.5,
        verdict="ok", final_verdict="ng", severity=None, defect_type=None,
        type_confidence=None, heatmap_path=None, operator="op", station=None, product=None,
        inspected_at=now, duration_ms=None, override_verdict="ng", unfamiliar=True)])
    cell = table.history.index(0, VERDICT_COLUMN)
    assert table.text(0, VERDICT_COLUMN) == "NG * ⚠"
    assert cell.data(Qt.ItemDataRole.AccessibleTextRole) == "NG, overridden, unfamiliar image"


@pytest.fixture
def reports(project, admin, qtbot):  # noqa: ANN001, ANN201
    from ui.pages.reports_page import ReportsPage

    page = ReportsPage(project, lambda: admin, None)
    qtbot.addWidget(page)
    page.show()
    page.activateWindow()
    qtbot.waitExposed(page)
    qtbot.waitUntil(lambda: page.summary_job is None and page.choices_refresh.job is None,
                    timeout=15000)
    return page


def test_tab_leaves_the_reports_date_boxes_at_once(reports, qtbot) -> None:  # noqa: ANN001
    """The guide says Tab leaves a date box everywhere, but From and To took three Tabs
    each (day, month, year)."""
    reports.from_edit.setFocus()
    qtbot.keyClick(reports.from_edit, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is reports.to_edit
    qtbot.keyClick(reports.to_edit, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is reports.shift_box
    qtbot.keyClick(reports.shift_box, Qt.Key.Key_Backtab, SHIFT)
    assert QApplication.focusWidget() is reports.to_edit
    qtbot.keyClick(reports.to_edit, Qt.Key.Key_Backtab, SHIFT)
    assert QApplication.focusWidget() is reports.from_edit


def test_reports_fields_are_named_by_their_labels(reports) -> None:  # noqa: ANN001
    """Each filter's label is its buddy, and the date boxes say which end they are."""
    labels = {lab.text(): lab.buddy() for lab in reports.findChildren(QLabel)
              if lab.buddy() is not None}
    assert labels["From"] is reports.from_edit and labels["To"] is reports.to_edit
    assert labels["Operator"] is reports.operator_box and len(labels) == 12
    assert (_name(reports.from_edit), _name(reports.to_edit)) == ("From date", "To date")


def test_gallery_items_say_the_whole_name_and_state(label_page) -> None:  # noqa: ANN001
    """A thumbnail's text is cut at 18 letters and split over two lines."""
    index = label_page.gallery.model().index(0, 0)
    info = label_page.model.images[0]
    spoken = index.data(Qt.ItemDataRole.AccessibleTextRole)
    assert spoken == f"{info.original_name}, {info.state}"
