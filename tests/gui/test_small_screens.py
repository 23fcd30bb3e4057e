"""Small logical screens (Qt scale 1.25-2.0: 1093x614, 960x540, 960x460 with a taskbar):
texts end in "…" instead of being cut, nothing hides or clips, the status bar stays low."""

from __future__ import annotations

import datetime as dt
import time

import numpy as np
import pytest
from gui_helpers import sign_in_as
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QFontMetrics
from PySide6.QtWidgets import QApplication

from inspector.progress import Progress

pytestmark = pytest.mark.gui

STATION = "Line 1 / Station A — a long station name for the test"
MESSAGE = ("1 inspected: 1 NG, 0 OK, 0 uncertain, 1 unlike the training images "
           "(check the setup)")
JOB_MESSAGE = "Writing the Excel report, sheet Details, row 12,345"


def signed_in(window, qtbot, width: int = 960, height: int = 540) -> None:  # noqa: ANN001
    """The admin signed in at a long station name, on a small window."""
    window.pages["signin"].station_edit.setText(STATION)
    sign_in_as(window, "admin")
    window.resize(width, height)
    qtbot.wait(50)


def slow_job(progress=None, cancel=None) -> None:  # noqa: ANN001
    """Reports a long message until cancelled (at most 10 s)."""
    for i in range(1000):
        if progress is not None:
            progress(Progress(i / 1000, JOB_MESSAGE))
        if cancel is not None and cancel.cancelled:
            return
        time.sleep(0.01)


# -- 1. status bar ---------------------------------------------------------------------
def test_message_has_priority_and_the_who_label_ends_in_an_ellipsis(window, qtbot,
                                                                    admin) -> None:  # noqa: ANN001
    signed_in(window, qtbot)
    line, who = window.status_line, window.who
    assert STATION in who.text() and "product" in who.text()
    window.state.say(MESSAGE)
    qtbot.wait(50)
    assert window.statusBar().currentMessage() == MESSAGE  # showMessage still works
    assert line.message.text() == MESSAGE and not line.message.is_elided()
    assert who.is_elided() and who.toolTip() == who.text()
    shown = who.shown_text()
    assert "…" in shown and shown.startswith("admin") and shown.endswith(who.text()[-6:])
    fm = QFontMetrics(who.font())
    assert fm.horizontalAdvance(shown) <= who.contentsRect().width()
    assert who.geometry().right() <= line.width()
    window.statusBar().clearMessage()
    qtbot.wait(50)
    assert line.message.text() == "" and not who.is_elided() and who.toolTip() == ""


def test_status_bar_draws_no_clipped_message_of_its_own(window, qtbot, admin) -> None:  # noqa: ANN001
    """QStatusBar paints a temporary message itself, cut under the permanent widgets; here
    only the eliding label shows it."""
    signed_in(window, qtbot)
    window.status_line.message.hide()
    window.state.say(MESSAGE)
    qtbot.wait(50)
    bar = window.statusBar()
    image = bar.grab().toImage()
    background = QColor(image.pixel(bar.width() // 3, 1))
    ink = [x for x in range(0, window.who.x()) for y in range(image.height())
           if QColor(image.pixel(x, y)) != background]
    assert ink == []


def test_job_in_the_status_bar_elides_and_keeps_the_bar_low(window, qtbot, admin) -> None:  # noqa: ANN001
    signed_in(window, qtbot)
    idle = window.statusBar().height()
    window.state.say(MESSAGE)
    job = window.run_job(slow_job)
    qtbot.waitUntil(lambda: window.progress.message.text() == JOB_MESSAGE, timeout=5000)
    qtbot.wait(50)
    panel, who = window.progress, window.who
    cancel = panel.cancel_button
    assert cancel.height() >= 44 and cancel.width() >= 120  # still a gloved-finger target
    assert window.statusBar().height() <= idle + 26  # was 63 px with the page's 58 px button
    assert panel.message.is_elided() and panel.message.toolTip() == JOB_MESSAGE
    assert who.is_elided() and who.shown_text().startswith("admin")
    assert who.geometry().right() <= window.status_line.width()
    job.cancel()
    qtbot.waitUntil(lambda: not panel.isVisible(), timeout=5000)


# -- 2. navigation -----------------------------------------------------------------------
@pytest.mark.parametrize("height", [540, 460, 420])
def test_navigation_shows_all_seven_down_to_420_px(window, qtbot, admin, height: int) -> None:  # noqa: ANN001
    signed_in(window, qtbot, 960, height)
    nav = window.nav
    assert nav.verticalScrollBar().maximum() == 0
    viewport = nav.viewport().rect()
    for key, item in window.items.items():
        assert viewport.contains(nav.visualItemRect(item)), (key, height)
    row = window.items["reports"].sizeHint().height()
    assert row >= 36 and window.items["reports"].text() == "Reports"
    assert (row + 1) * len(window.items) > nav.contentsRect().height() - 4  # as tall as fits


# -- 3. model versions -------------------------------------------------------------------
def test_model_table_shows_threshold_and_active_on_a_narrow_pane(window, qtbot, admin,
                                                                 monkeypatch) -> None:  # noqa: ANN001
    from inspector.services import models
    from inspector.services.results import ModelInfo
    from ui.widgets.model_panel import COLUMNS, ModelPanel

    def info(version: int, active: bool) -> ModelInfo:
        return ModelInfo(id=version, version=version, product="disc", trained_by="admin",
                         trained_at=dt.datetime(2026, 11, 27, 16, 8, tzinfo=dt.UTC),
                         backbone="lite0", preset="accurate", threshold=16.97,
                         uncertain_low=None, active=active, file_path="m", file_sha256="0")

    monkeypatch.setattr(models, "list_models", lambda _p, _product: [info(2, True),
                                                                    info(1, False)])
    monkeypatch.setattr(models, "score_distribution", lambda _p, _v: None)
    sign_in_as(window, "admin")
    panel = ModelPanel(window.state)
    qtbot.addWidget(panel)
    panel.resize(420, 600)
    panel.show()
    panel.reload()
    qtbot.wait(50)
    table = panel.table

    def shown() -> list[str]:
        return [name for col, name in enumerate(COLUMNS) if not table.isColumnHidden(col)]

    assert {"Version", "Threshold", "Active"} <= set(shown()) and "By" not in shown()
    assert table.horizontalScrollBar().maximum() == 0
    fm = QFontMetrics(table.font())
    for name in shown():  # whole, not cut
        col = COLUMNS.index(name)
        assert table.columnWidth(col) >= fm.horizontalAdvance(table.item(0, col).text()), name
        assert table.columnViewportPosition(col) + table.columnWidth(col) \
            <= table.viewport().width()
    assert table.item(0, COLUMNS.index("Active")).text() == "● active"
    tip = table.item(0, COLUMNS.index("Version")).toolTip()
    assert "2026-11-27" in tip and "by admin" in tip and "accurate" in tip
    panel.resize(900, 600)
    qtbot.wait(50)
    assert shown() == list(COLUMNS)  # room for all again


# -- 4. histogram legend -------------------------------------------------------------------
@pytest.mark.parametrize("width", [360, 440, 900])
def test_histogram_legend_fits_its_width(qtbot, width: int) -> None:  # noqa: ANN001
    from ui.widgets.score_histogram import ScoreHistogram

    hist = ScoreHistogram()
    qtbot.addWidget(hist)
    rng = np.random.default_rng(0)
    hist.set_scores(list(rng.normal(10, 2, 12)), list(rng.normal(30, 4, 6)),
                    list(rng.normal(25, 5, 12)), 17.0)
    hist.resize(width, 240)
    fm = QFontMetrics(hist.font())
    legend = hist.legend_layout()
    assert [label for _s, _r, label, _c in legend] == ["good (12)", "defective (6)",
                                                      "synthetic (12)"]
    for swatch, rect, label, _colour in legend:
        assert 0 <= swatch.left() and rect.right() <= width, (label, rect)
        assert fm.horizontalAdvance(label) <= rect.width(), label
    lines = {round(rect.top()) for _s, rect, _l, _c in legend}
    assert (len(lines) > 1) == (width < 440)  # wraps only where one line does not fit
    assert hist.plot_rect().top() > max(rect.bottom() for _s, rect, _l, _c in legend)
    hist.grab()  # paints without errors


# -- 6. About dialog -----------------------------------------------------------------------
def test_about_dialog_shows_ten_lines_and_fits_the_screen(qtbot, project) -> None:  # noqa: ANN001
    from ui.widgets.about_dialog import OUTPUT_LINES, AboutDialog

    dialog = AboutDialog(project)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    line = dialog.output.fontMetrics().lineSpacing()
    assert dialog.output.viewport().height() >= OUTPUT_LINES * line
    assert dialog.available_geometry().contains(dialog.frameGeometry())


def test_about_dialog_on_a_short_screen_fits_and_still_shows_output(qtbot, project,
                                                                    monkeypatch) -> None:  # noqa: ANN001
    """A 960x460 logical screen (1920x1080 at 200 % with a taskbar)."""
    from ui.widgets.about_dialog import AboutDialog

    short = QRect(0, 0, 960, 460)
    monkeypatch.setattr(AboutDialog, "available_geometry", lambda _self: short)
    dialog = AboutDialog(project)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.height() <= short.height() - 40 and dialog.width() <= short.width()
    line = dialog.output.fontMetrics().lineSpacing()
    assert dialog.output.viewport().height() >= 3 * line


# -- 7. create-project dialog ----------------------------------------------------------------
def test_create_project_dialog_grows_for_its_error(tmp_path, qtbot, monkeypatch) -> None:  # noqa: ANN001
    from inspector.errors import UserError
    from ui.widgets import create_project_dialog
    from ui.widgets.create_project_dialog import CreateProjectDialog

    root = tmp_path / "Line 1 - Station A - bottle caps and closures" / "default"
    dialog = CreateProjectDialog(root)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    before = dialog.height()

    def refused(*_args: object) -> None:
        raise UserError("The folder cannot be created: access is denied (the project folder "
                        "must be writable by every operator of this PC).")

    monkeypatch.setattr(create_project_dialog, "init_project", refused)
    dialog.create()
    QApplication.processEvents()
    assert dialog.project is None and "access is denied" in dialog.error.text()
    assert dialog.height() > before
    intro = dialog.layout().itemAt(0).widget()
    for label in (intro, dialog.error):  # the intro was cut at its top and bottom
        assert label.height() >= label.heightForWidth(label.width()), label.text()
    assert dialog.height() >= dialog.heightForWidth(dialog.width())


def test_elided_label_keeps_its_text_and_asks_for_little_room(qtbot) -> None:  # noqa: ANN001
    from ui.widgets.elided_label import ElidedLabel

    label = ElidedLabel(MESSAGE)
    qtbot.addWidget(label)
    label.resize(label.sizeHint())
    label.show()
    assert not label.is_elided() and label.toolTip() == ""
    assert label.minimumSizeHint().width() < label.sizeHint().width() // 4
    label.resize(120, label.height())
    assert label.text() == MESSAGE and label.is_elided()
    assert label.shown_text().endswith("…") and label.toolTip() == MESSAGE
    middle = ElidedLabel(MESSAGE, mode=Qt.TextElideMode.ElideMiddle)
    qtbot.addWidget(middle)
    middle.resize(160, 30)
    middle.show()
    assert middle.shown_text().startswith("1 insp") and middle.shown_text().endswith("setup)")


@pytest.mark.parametrize("key", ["label", "reports", "history", "inspect"])
def test_pages_fit_960_wide_without_sideways_scrolling(window, qtbot, admin, key) -> None:  # noqa: ANN001
    """960x540 is a 1080p monitor at 200 %: the Reports summary strip needed 776 px."""
    from PySide6.QtWidgets import QScrollArea

    signed_in(window, qtbot)
    assert window.show_page(key)
    if key == "reports":  # this platform's fonts are smaller than a desktop's: the summary
        window.resize(860, 540)  # strip's words must wrap to fit even narrower here
    qtbot.wait(50)
    holder = window.pages[key].parentWidget()
    while not isinstance(holder, QScrollArea):
        holder = holder.parentWidget()
    assert holder.horizontalScrollBar().maximum() == 0


def test_stacked_train_page_keeps_its_settings_whole(window, qtbot, admin) -> None:  # noqa: ANN001
    """Stacked on a small screen, the splitter squeezed the Train column to its minimum
    size hint, which wrapped text does not count: the uncertain-band box and the
    synthetic examples were cut off under the model versions. Now the page scrolls."""
    from ui.widgets.adaptive_splitter import AdaptiveSplitter

    signed_in(window, qtbot, 900, 560)
    window.show_page("train")
    page = window.pages["train"]
    page.summary.setText("Product bottle: 12 good, 6 defective (broken_large 2, broken_small"
                         " 2, contamination 2), 3 unlabelled images. " * 2)
    qtbot.wait(50)
    splitter = page.findChild(AdaptiveSplitter)
    assert splitter.orientation() == Qt.Orientation.Vertical
    left = splitter.widget(0)
    qtbot.waitUntil(lambda: left.height() >= left.layout().totalHeightForWidth(left.width()))
    button = page.examples_button
    assert button.height() >= button.minimumSizeHint().height()
    assert button.mapTo(left, button.rect().bottomLeft()).y() <= left.height()
