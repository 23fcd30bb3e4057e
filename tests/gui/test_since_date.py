"""The shared 'since' filter: no filter at its lowest date, else local midnight."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, Qt

from ui.widgets.since_date import SinceDateEdit

pytestmark = pytest.mark.gui


def test_lowest_date_means_no_filter_and_a_day_means_local_midnight(qtbot):
    edit = SinceDateEdit()
    qtbot.addWidget(edit)
    assert edit.since() is None
    assert edit.text() == "any date"
    edit.setDate(QDate(2026, 11, 27))
    since = edit.since()
    assert since is not None and since.tzinfo is not None
    local = since.astimezone()  # the same instant in this machine's zone
    assert (local.year, local.month, local.day, local.hour, local.minute) == (2026, 11, 27, 0, 0)
    assert since == dt.datetime(2026, 11, 27).astimezone()
    edit.clear_filter()
    assert edit.since() is None


def test_a_picked_date_gives_the_keyboard_back_on_the_label_page(label_page, qtbot) -> None:  # noqa: ANN001
    """After a date was picked the focus stayed in the box: 2 and G went into it and
    nothing was labelled, without a word."""
    from PySide6.QtWidgets import QApplication

    picked: list[bool] = []
    label_page.since.picked.connect(lambda: picked.append(True))
    label_page.since.setFocus()
    qtbot.keyClick(label_page.since, Qt.Key.Key_Return)
    assert picked == [True] and QApplication.focusWidget() is label_page.gallery
    label_page.since.calendarWidget().clicked.emit(QDate(2026, 11, 1))  # a click in the popup
    qtbot.waitUntil(lambda: len(picked) == 2)


def test_a_day_whose_midnight_is_skipped_starts_as_reports_start_it(qtbot, monkeypatch):
    """Santiago's clocks jump from 00:00 to 01:00: the day began an hour early here."""
    import time

    monkeypatch.setenv("TZ", "America/Santiago")
    time.tzset()
    try:
        edit = SinceDateEdit()
        qtbot.addWidget(edit)
        edit.setDate(QDate(2024, 9, 8))
        assert edit.since() == dt.datetime(2024, 9, 8, 4, 0, tzinfo=dt.UTC)
        edit.setDate(QDate(2024, 9, 7))
        assert edit.until() == dt.datetime(2024, 9, 8, 4, 0, tzinfo=dt.UTC)
    finally:
        monkeypatch.undo()  # TZ as it was (the run's own, if it had one), read again
        time.tzset()
