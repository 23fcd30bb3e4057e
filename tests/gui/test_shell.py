"""Main window shell: navigation, role gating, sign-in, idle sign-out, worker, size."""

from __future__ import annotations

import time

import pytest
from gui_helpers import sign_in_as
from PySide6.QtCore import QSize, Qt

from inspector.errors import Cancelled, UserError
from inspector.progress import report

pytestmark = pytest.mark.gui


def test_only_sign_in_until_signed_in(window) -> None:  # noqa: ANN001
    assert window.current_key() == "signin"
    assert not window.show_page("label")
    assert window.current_key() == "signin"


def test_sign_in_opens_pages_and_ctrl_number_navigates(window, qtbot, admin) -> None:  # noqa: ANN001
    sign_in_as(window, "admin")
    assert window.state.actor.role == "admin"
    qtbot.keyClick(window, Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)
    assert window.current_key() == "history"
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.current_key() == "signin"


def test_wrong_pin_is_refused_with_message(window, project, admin) -> None:  # noqa: ANN001
    from inspector.services.operators import add_operator

    add_operator(project, admin, "pia", role="operator", pin="1234")
    page = window.pages["signin"]
    page.refresh()
    page.operator_box.setCurrentText("pia")
    assert page.pin_edit.isEnabled()
    page.pin_edit.setText("9999")
    page.sign_in_button.click()
    assert window.state.actor is None
    assert "wrong PIN" in page.status.text()
    sign_in_as(window, "pia", pin="1234")


def test_station_and_product_remembered(window, project, admin, state) -> None:  # noqa: ANN001
    from inspector.services.products import add_product
    from ui.state import AppState

    add_product(project, admin, "bracket")
    page = window.pages["signin"]
    page.refresh()
    page.station_edit.setText("Line 2")
    page.product_box.setCurrentText("bracket")
    sign_in_as(window, "admin")
    assert state.actor.station == "Line 2"
    again = AppState(project)
    assert (again.station, again.product) == ("Line 2", "bracket")


def test_idle_sign_out(window, qtbot, admin) -> None:  # noqa: ANN001
    sign_in_as(window, "admin")
    window.idle.set_timeout(0.2 / 60)  # 200 ms
    qtbot.waitUntil(lambda: window.state.actor is None, timeout=3000)
    assert window.current_key() == "signin"
    status = window.pages["signin"].status.text()
    assert status.startswith("Signed out after a while without use. Nobody is signed in")
    window.pages["signin"].refresh()  # said once: not at the next look
    assert window.pages["signin"].status.text().startswith("Nobody is signed in")


def test_operator_cannot_see_reports(window, actor) -> None:  # noqa: ANN001
    sign_in_as(window, "op")
    if "reports" in window.items:
        assert window.items["reports"].isHidden()
        assert not window.show_page("reports")


def test_minimum_size_fits_small_screen(window, admin) -> None:  # noqa: ANN001
    """Every page fits a 1024x600 panel PC: a page that needs more space scrolls."""
    sign_in_as(window, "admin")
    for key in window.pages:
        assert window.show_page(key)
        hint = window.minimumSizeHint().expandedTo(window.minimumSize())
        assert hint.width() <= 1024 and hint.height() <= 600, (key, hint)
        page_hint = window.pages[key].minimumSizeHint()
        if key != "reports":  # without scrolling on a 1366x768 screen (reports: charts)
            assert page_hint.width() <= 1366 - 200 and page_hint.height() <= 768 - 80, key
    assert window.size().boundedTo(QSize(1366, 768)) == window.size()


def _scroll_area(page):  # noqa: ANN001, ANN202
    from PySide6.QtWidgets import QScrollArea

    widget = page.parentWidget()
    while widget is not None and not isinstance(widget, QScrollArea):
        widget = widget.parentWidget()
    return widget


def test_no_page_scrolls_sideways_on_a_small_screen(window, qtbot, admin) -> None:  # noqa: ANN001
    """At 1024x600 two-pane pages stack their panes: the page scrolls up and down only."""
    from ui.widgets.adaptive_splitter import AdaptiveSplitter

    sign_in_as(window, "admin")
    splitter = window.pages["capture"].findChild(AdaptiveSplitter)
    for size, stacked in ((QSize(1024, 600), True), (QSize(1366, 768), False)):
        window.resize(size)
        for key in window.pages:
            assert window.show_page(key)
            qtbot.wait(20)
            bar = _scroll_area(window.pages[key]).horizontalScrollBar()
            assert bar.maximum() == 0, (key, size, bar.maximum())
        window.show_page("capture")
        qtbot.wait(20)
        expected = Qt.Orientation.Vertical if stacked else Qt.Orientation.Horizontal
        assert splitter.orientation() == expected, size


def test_navigation_shows_every_page_on_a_short_screen(window, qtbot, admin) -> None:  # noqa: ANN001
    """1024x560: one-line entries, none hidden below the list; tall: title and shortcut."""
    sign_in_as(window, "admin")
    window.resize(1024, 560)
    qtbot.wait(20)
    assert window.nav.verticalScrollBar().maximum() == 0
    reports = window.items["reports"]
    assert reports.text() == "Reports" and "Ctrl+7" in reports.toolTip()
    assert reports.sizeHint().height() >= 48  # still a gloved-finger target
    window.resize(1366, 768)
    qtbot.wait(20)
    assert reports.text() == "Reports\nCtrl+7"
    assert window.nav.verticalScrollBar().maximum() == 0


def test_enter_signs_in(window, qtbot, admin) -> None:  # noqa: ANN001
    page = window.pages["signin"]
    page.refresh()
    page.operator_box.setCurrentText("admin")
    page.station_edit.setFocus()
    qtbot.keyClick(page.station_edit, Qt.Key.Key_Return)
    assert window.state.actor is not None and window.state.actor.name == "admin"


def test_hot_folder_goes_on_after_an_idle_sign_out_and_waits_after_one_by_hand(
    window, qtbot, admin, tmp_path, make_image
) -> None:  # noqa: ANN001
    sign_in_as(window, "admin")
    capture = window.pages["capture"]
    panel = capture.hot_folder
    watched = tmp_path / "hot"
    watched.mkdir()
    assert panel.start(watched, stable_ms=50)
    try:
        window.idle.idle.emit()  # the idle timer fires while the hot folder runs
        assert window.state.actor is None  # the keyboard's rights end, the folder goes on
        assert window.state.automation_actor is not None
        window.state.set_actor(None)  # the shift signs out by hand
        panel._file_ready(str(make_image("arrived.png", seed=3)))
        assert panel.waiting and "wait for the next sign-in" in panel.log.text()
        sign_in_as(window, "admin")
        qtbot.waitUntil(lambda: panel.count == 1, timeout=30_000)
        assert panel.waiting == [] and "arrived.png" in panel.log.text()
    finally:
        panel.stop()


def test_worker_reports_progress_result_and_errors(qtbot) -> None:  # noqa: ANN001
    from ui.worker import Job

    def slow(n: int, progress=None, cancel=None) -> int:  # noqa: ANN001
        for i in range(n):
            report(progress, (i + 1) / n, f"step {i}")
        return n * 2

    job = Job(slow, 3)
    seen: list[float] = []
    job.progress.connect(lambda f, _m: seen.append(f))
    with qtbot.waitSignal(job.finished, timeout=5000) as blocker:
        job.start()
    assert blocker.args == [6]
    qtbot.waitUntil(lambda: seen and seen[-1] == 1.0)

    def bad() -> None:
        raise UserError("no such thing")

    job = Job(bad)
    with qtbot.waitSignal(job.failed, timeout=5000) as blocker:
        job.start()
    assert isinstance(blocker.args[0], UserError)


def test_worker_cancel(qtbot) -> None:  # noqa: ANN001
    from ui.worker import Job

    def forever(progress=None, cancel=None) -> None:  # noqa: ANN001
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            cancel.check()
            time.sleep(0.01)

    job = Job(forever)
    with qtbot.waitSignal(job.cancelled, timeout=5000):
        job.start()
        job.cancel()
    assert not isinstance(job.error, Cancelled)


def test_exit_stops_running_jobs_and_waits_for_them(qtbot) -> None:  # noqa: ANN001
    """The window closes: jobs are asked to stop and the workers are waited for, so no
    worker is still writing while the project closes."""
    import threading

    from ui.worker import Job, stop_all

    started, ended = threading.Event(), threading.Event()

    def busy(cancel=None) -> None:  # noqa: ANN001
        started.set()
        try:
            while True:
                cancel.check()
                time.sleep(0.01)
        finally:
            ended.set()

    Job(busy).start()
    assert started.wait(5)
    assert stop_all(5000) and ended.is_set()


def test_missing_pin_is_asked_for_in_words_of_the_gui(window, project, admin,
                                                      qtbot) -> None:  # noqa: ANN001
    """Enter without a PIN said "PIN missing … (use --pin or INSPECTOR_PIN)", the CLI's
    advice, and left the cursor where it was; a wrong PIN did too."""
    from inspector.services.audit_log import recent_entries
    from inspector.services.operators import add_operator

    add_operator(project, admin, "pia", role="operator", pin="1234")
    page = window.pages["signin"]
    page.refresh()
    page.operator_box.setCurrentText("pia")
    page.operator_box.setFocus()
    qtbot.keyClick(page.operator_box, Qt.Key.Key_Return)
    assert window.state.actor is None
    assert "enter the PIN of pia" in page.status.text() and "--pin" not in page.status.text()
    assert page.pin_edit.hasFocus()
    refused = [e for e in recent_entries(project, admin) if e.action == "sign_in"]
    assert refused == []  # nobody typed a wrong PIN: nothing counts towards the pause
    qtbot.keyClicks(page.pin_edit, "9999")
    qtbot.keyClick(page.pin_edit, Qt.Key.Key_Return)
    assert "wrong PIN" in page.status.text() and page.pin_edit.hasFocus()
    assert page.pin_edit.selectedText() == "9999"  # typing replaces it


def test_the_engine_is_loaded_as_the_window_opens_not_at_the_first_sign_in(
        state, qtbot, monkeypatch) -> None:  # noqa: ANN001
    """Importing torch in a worker right after the first sign-in held the interpreter:
    the window stalled 0.6-1.1 s as the operator began; at the window's start nobody
    works yet."""
    import threading

    from inspector.services import inspection
    from ui.main_window import MainWindow

    loaded: list[str] = []
    monkeypatch.setattr(inspection, "load_engine",
                        lambda: loaded.append(threading.current_thread().name))
    win = MainWindow(state)
    qtbot.addWidget(win)
    qtbot.waitUntil(lambda: bool(loaded), timeout=5000)
    assert loaded[0] != threading.main_thread().name  # in the background
    assert state.actor is None  # before anyone signed in
    win.close()


def test_a_product_change_lists_a_hidden_page_when_it_is_opened(window, actor, qtbot,  # noqa: ANN001
                                                                 monkeypatch) -> None:
    """A product picked on Sign in re-listed the hidden Label and Train pages at once
    (0.38 s of a frozen window on a 150,000-part project); they list it when opened."""
    sign_in_as(window, "op")
    window.show_page("signin")
    label, train = window.pages["label"], window.pages["train"]
    listed: list[str] = []
    monkeypatch.setattr(label, "reload_images", lambda *_a, **_k: listed.append("label"))
    # its first opening lists in the background (the GUI thread stays free)
    monkeypatch.setattr(label.background, "request", lambda *_a, **_k: listed.append("label"))
    monkeypatch.setattr(train, "refresh_summary", lambda *_a, **_k: listed.append("train"))
    window.state.set_product("another product")
    assert listed == []
    window.show_page("label")
    assert listed == ["label"]
    window.state.set_product("a third product")  # the page on screen follows at once
    assert listed == ["label", "label"]
    window.show_page("train")
    assert listed[-1] == "train"
