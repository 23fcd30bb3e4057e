"""Enter on a button reached with Tab presses that button (on Sign in it signed in again,
audited, and left the page); the page list fits larger text; a page's scroll area is no
Tab stop."""

from __future__ import annotations

import pytest
from gui_helpers import sign_in_as
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QScrollArea

pytestmark = pytest.mark.gui


def _sessions(project) -> int:  # noqa: ANN001
    from sqlalchemy import func, select

    from inspector.store.models import AuditEntry

    with project.db.session() as s:
        return s.scalar(select(func.count(AuditEntry.id)).where(
            AuditEntry.action == "session.start"))


def test_enter_on_a_sign_in_page_button_presses_it(window, project, admin, qtbot,
                                                    monkeypatch) -> None:  # noqa: ANN001
    sign_in_as(window, "admin")
    window.show_page("signin")
    page = window.pages["signin"]
    started = _sessions(project)
    pressed: list[str] = []
    page.operators_button.clicked.disconnect()
    page.operators_button.clicked.connect(lambda: pressed.append("operators"))
    page.operators_button.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(page.operators_button.hasFocus)
    qtbot.keyClick(page.operators_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: pressed == ["operators"], timeout=2000)
    assert _sessions(project) == started  # not signed in again
    assert window.stack.currentWidget() is window.containers["signin"]
    page.operator_box.setFocus()  # from a field, Enter still signs in
    qtbot.keyClick(page.operator_box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: _sessions(project) == started + 1, timeout=2000)


def test_enter_on_a_button_reached_with_tab_presses_it(window, admin, qtbot) -> None:  # noqa: ANN001
    """Outside dialogs Qt ignores Enter on a button; only Space pressed it."""
    sign_in_as(window, "admin")
    window.show_page("inspect")
    button = window.pages["inspect"].camera_button
    button.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(button.hasFocus)
    was = button.isChecked()
    qtbot.keyClick(button, Qt.Key.Key_Enter)
    qtbot.waitUntil(lambda: button.isChecked() != was, timeout=2000)
    button.setChecked(was)


def test_the_page_list_fits_larger_text(state, qtbot) -> None:  # noqa: ANN001
    """160 px fixed cut "Sign i…" and "Captur…" with the system's text at 144 dpi."""
    from ui.main_window import NAV_TITLE_ROLE, MainWindow

    app = QApplication.instance()
    normal = QFont(app.font())
    large = QFont(normal)
    large.setPointSize(normal.pointSize() * 3 // 2)
    app.setFont(large)
    try:
        window = MainWindow(state)
        qtbot.addWidget(window)
        metrics = window.nav.fontMetrics()
        for item in window.items.values():
            title = item.data(NAV_TITLE_ROLE)[0]
            assert metrics.horizontalAdvance(title) + 20 < window.nav.width(), title
        about = window.about_button
        assert about.sizeHint().width() <= about.width()
        assert window.nav.width() == about.width()
    finally:
        app.setFont(normal)


def test_a_page_scroll_area_is_no_tab_stop(window) -> None:  # noqa: ANN001
    for container in window.containers.values():
        assert isinstance(container, QScrollArea)
        assert container.focusPolicy() == Qt.FocusPolicy.NoFocus


def test_every_severity_button_is_reached_with_tab(window, admin, qtbot) -> None:  # noqa: ANN001
    """Tab skipped "major [2]" and "critical [3]": checkable buttons in a button group."""
    sign_in_as(window, "admin")
    window.show_page("label")
    page = window.pages["label"]
    first = page.severity_buttons[0]
    first.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(first.hasFocus)
    reached = [first]
    for _ in range(len(page.severity_buttons) - 1):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        reached.append(QApplication.focusWidget())
    assert reached == page.severity_buttons
