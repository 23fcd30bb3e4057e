"""History: searchable list of past inspections with their image and heat map.

The picture and heat map of the selected row load in the background (ui.image_loader):
the arrow keys through the table never wait for a decode. New inspections from elsewhere
(the Inspect page, a hot folder, another station) are re-listed in the background too
(ui.coalesced_job): at 100,000 inspections the query takes about 80 ms, and a hot folder
announces a part every few seconds.
"""

from __future__ import annotations

import dataclasses
import html
from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from inspector.errors import UserError
from inspector.services import inspection
from inspector.services.results import InspectionInfo
from inspector.store import roles
from ui.coalesced_job import CoalescedJob
from ui.image_loader import Picture, PictureLoader, inspection_picture
from ui.label_actions import (
    LABEL_DEFECTIVE_KEY,
    LABEL_DEFECTIVE_TEXT,
    LABEL_DEFECTIVE_TIP,
    label_inspected_defective,
    label_inspected_good,
)
from ui.override_action import (
    OVERRIDE_KEY,
    OVERRIDE_TEXT,
    OVERRIDE_TIP,
    ask_override,
    store_override,
)
from ui.shortcuts import page_key
from ui.state import AppState
from ui.widgets.history_table import HistoryTable
from ui.widgets.image_view import ImageView
from ui.widgets.notes_area import NotesArea
from ui.widgets.since_date import SinceDateEdit
from ui.widgets.verdict_banner import WORDS, unfamiliar_text

ANY = "(any)"
LABEL_GOOD_TIP = "Add this part to the good training images (used from the next training)"
PAGE = 200  # rows per "Show more": a year on one line holds 50,000 inspections


def query_page(project: Any, filters: dict, rows: int) -> tuple[list[InspectionInfo], int]:
    """The newest ``rows`` inspections that match ``filters``, and how many match in all
    (runs in the background for a refresh, so it touches no widget)."""
    return (inspection.list_inspections(project, limit=rows, **filters),
            inspection.count_inspections(project, **filters))


class HistoryPage(QWidget):
    """Filters on top, results table left, the selected image with its heat map right."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.results: list[InspectionInfo] = []
        self.refresher = CoalescedJob(
            self, lambda: (query_page, self.state.project, self._filters(),
                           max(PAGE, len(self.results))),
            lambda page: self._show_page(*page, keep_place=True),
            lambda exc: self.state.say(str(exc)))
        # typed search text: a scan of every inspection's name (0.85 s at 150,000),
        # read off the GUI thread; the newest text wins
        self.searching = CoalescedJob(
            self, lambda: (query_page, self.state.project, self._filters(), PAGE),
            lambda page: self._show_page(*page, keep_place=False), self._search_failed)
        title = QLabel("History")
        title.setProperty("role", "title")
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search file name, defect type, serial, lot…  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.verdict = QComboBox()
        self.verdict.addItems([ANY, "ok", "ng", "uncertain"])
        self.since = SinceDateEdit()
        self.until = SinceDateEdit()
        self.debounce = QTimer(self)
        self.debounce.setSingleShot(True)
        self.debounce.setInterval(300)
        self.debounce.timeout.connect(self._search)
        self.search.textChanged.connect(lambda _t: self.debounce.start())
        # A new filter starts at one page: the signals' index or date is not keep_place.
        self.verdict.currentIndexChanged.connect(lambda _index: self.reload())
        self.since.dateChanged.connect(lambda _date: self.reload())
        self.until.dateChanged.connect(lambda _date: self.reload())
        filters = QHBoxLayout()
        filters.addWidget(self.search, 3)
        filters.addWidget(QLabel("Verdict"))
        filters.addWidget(self.verdict)
        filters.addWidget(QLabel("Since"))
        filters.addWidget(self.since)
        filters.addWidget(QLabel("Until"))
        filters.addWidget(self.until)
        self.table = HistoryTable()
        # The table has the keyboard when the page opens: G, D and O act on the selected
        # row (in the search box they were typed as letters); Ctrl+F goes to the search.
        self.focus_target = self.table
        for box in (self.since, self.until):
            box.picked.connect(self.table.setFocus)
        self.table.selectionModel().selectionChanged.connect(lambda _new, _old: self._selected())
        self.count_label = QLabel()
        self.more_button = QPushButton(f"Show {PAGE} more")
        self.more_button.clicked.connect(self.show_more)
        self.total = 0
        self.view = ImageView()
        self.view.setMinimumSize(200, 160)
        self.heatmap_box = QCheckBox("Heat map  [H]")
        self.heatmap_box.setChecked(True)
        self.heatmap_box.toggled.connect(self.view.set_overlay_visible)
        self.loader = PictureLoader(self)
        self.loader.ready.connect(self._picture_ready)
        self.loader.failed.connect(self._picture_failed)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        # The wrapped text scrolls in a box of its own: a splitter pane ignores a wrapped
        # label's height, and on a small screen the text was drawn over the picture. The
        # box asks for the text's height (up to 7 lines), so the picture gives way first:
        # at 1366x768 a three-line box hid the setup warning below a scroll bar.
        self.detail_box = NotesArea([self.detail])
        self.detail_box.setMaximumHeight(7 * self.detail_box.fontMetrics().lineSpacing() + 4)
        self.label_good_button = QPushButton("Label good  [G]")
        self.label_good_button.setToolTip(LABEL_GOOD_TIP)
        self.label_good_button.clicked.connect(self.label_good)
        self.label_defective_button = QPushButton(LABEL_DEFECTIVE_TEXT)
        self.label_defective_button.setToolTip(LABEL_DEFECTIVE_TIP)
        self.label_defective_button.clicked.connect(self.label_defective)
        self.override_button = QPushButton(OVERRIDE_TEXT)
        self.override_button.setToolTip(OVERRIDE_TIP)
        self.override_button.clicked.connect(self.override)
        for key, slot in (("G", self.label_good), (LABEL_DEFECTIVE_KEY, self.label_defective),
                          (OVERRIDE_KEY, self.override), ("H", self.heatmap_box.toggle),
                          ("Ctrl+F", self.search.setFocus)):
            page_key(self, key, slot)  # not while typing a search; held down, act once
        splitter = QSplitter()
        splitter.addWidget(_column(self.table, [((self.count_label, 1), (self.more_button, 0))]))
        picture = _column(self.view, [((self.heatmap_box, 1), (self.override_button, 0)),
                                      ((self.label_good_button, 1),
                                       (self.label_defective_button, 1))], self.detail_box)
        splitter.addWidget(picture)
        splitter.setSizes([700, 400])  # the table is read first; the picture can be smaller
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(filters)
        layout.addWidget(splitter, 1)
        state.data_changed.connect(lambda kind: kind == "inspections" and self.isVisible()
                                   and self.refresher.request())
        self._enable_actions(False)

    def on_shown(self) -> None:
        self.label_good_button.setVisible(self.state.may(roles.LABEL))
        self.label_defective_button.setVisible(self.state.may(roles.LABEL))
        self.override_button.setVisible(self.state.may(roles.OVERRIDE_VERDICT))
        self.reload()

    def override(self) -> InspectionInfo | None:
        """The selected inspection's verdict, set by a QA lead with a reason; the row
        and its detail show the new verdict at once."""
        info = self.selected_info()
        if info is None or not self.state.may(roles.OVERRIDE_VERDICT):
            return None
        answer = ask_override(self, info)
        return None if answer is None else self.apply_override(info, *answer)

    def apply_override(self, info: InspectionInfo, verdict: str,
                       reason: str) -> InspectionInfo | None:
        stored = store_override(self, self.state, info.id, verdict, reason)
        if stored is not None:
            self.reload(keep_place=True)  # the verdict filter may now leave it out
        return stored

    def selected_info(self) -> InspectionInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.results[rows[0].row()] if rows else None

    def label_good(self) -> bool:
        """The selected inspection's part is a good example (ui.label_actions)."""
        return label_inspected_good(self, self.state, self.selected_info())

    def label_defective(self) -> bool:
        """The selected inspection's part is a defect example, with type and severity."""
        return label_inspected_defective(self, self.state, self.selected_info())

    def _filters(self) -> dict:
        verdict = self.verdict.currentText()
        return {"since": self.since.since(), "until": self.until.until(),
                "product": self.state.product, "verdict": None if verdict == ANY else verdict,
                "text": self.search.text().strip() or None}

    def reload(self, keep_place: bool = False) -> None:
        """The newest inspections that match the filters, a page at a time, with the total.
        ``keep_place`` (after an override; the background refresh does the same for new
        inspections): keep the pages shown and the selected row, so that the record
        someone is reading is not pulled away from them."""
        self.refresher.overtake()  # a background page read before this one is dropped
        self.searching.overtake()
        rows = max(PAGE, len(self.results)) if keep_place else PAGE
        try:
            results, total = query_page(self.state.project, self._filters(), rows)
        except UserError as exc:
            self.state.say(str(exc))
            results, total = [], 0
        self._show_page(results, total, keep_place)

    def _search(self) -> None:
        """The search text changed (and typing paused): list again in the background."""
        self.refresher.overtake()
        self.searching.overtake()  # a search for the text before this is dropped
        self.count_label.setText("Searching…")
        self.searching.request()

    def _search_failed(self, exc: BaseException) -> None:
        """Said, and the count back as it was (it read "Searching…" for good)."""
        self.state.say(str(exc))
        self._counts()

    def _show_page(self, results: list[InspectionInfo], total: int, keep_place: bool) -> None:
        """Fill the table; with ``keep_place`` the row read before stays selected."""
        chosen = self.selected_info() if keep_place else None
        scrolled = self.table.verticalScrollBar().value()
        self.results, self.total = results, total
        self.table.history.set_rows(results)  # clears the selection without a signal
        if not keep_place:  # a person's own column widths survive a refresh
            self.table.fit_columns()
        self._counts()
        ids = [info.id for info in self.results]
        if chosen is not None and chosen.id in ids:
            row = ids.index(chosen.id)
            if _same_record(chosen, self.results[row]):
                # New parts arrived above it: the record being read stays as it is, its
                # picture is not loaded again and the table does not jump (a hot folder
                # refreshes every few seconds).
                with QSignalBlocker(self.table.selectionModel()):
                    self.table.selectRow(row)
                self.table.verticalScrollBar().setValue(scrolled)
            else:
                self.table.selectRow(row)  # changed (an override): shown anew
        elif self.results:
            self.table.selectRow(0)
        else:
            self._enable_actions(False)
            self.loader.forget()
            self.view.set_image(None)
            self._set_detail("No inspections match.")

    def _enable_actions(self, selected: bool) -> None:
        """Override and the label buttons act on the selected inspection: with none selected
        they are off and their tooltips say so (they were on and did nothing)."""
        why = "Select an inspection in the table first"
        for button, tip in ((self.override_button, OVERRIDE_TIP),
                            (self.label_good_button, LABEL_GOOD_TIP),
                            (self.label_defective_button, LABEL_DEFECTIVE_TIP)):
            button.setEnabled(selected)
            button.setToolTip(tip if selected else why)

    def show_more(self) -> None:
        """The next page below the rows shown (older inspections)."""
        try:
            more = inspection.list_inspections(self.state.project, limit=PAGE,
                                               offset=len(self.results), **self._filters())
        except UserError as exc:
            self.state.say(str(exc))
            return
        self.results += more
        self.table.history.append_rows(more)
        self._counts()

    def _counts(self) -> None:
        self.count_label.setText(f"Showing {len(self.results):,} of {self.total:,}")
        self.more_button.setEnabled(len(self.results) < self.total)

    def _selected(self) -> None:
        info = self.selected_info()
        self._enable_actions(info is not None)
        if info is None:
            return
        self.view.show_loading()  # the previous row's picture must not stay beside this text
        self.loader.request(info.id, inspection_picture, self.state.project, info)
        esc = html.escape  # types and reasons are typed by people: never markup
        finding = f"{info.severity or ''} {esc(info.type_text or '')}".strip()
        if info.override_verdict and finding:  # under "OK", a bare "critical" reads as now
            finding = f"machine found: {finding}"
        text = (f"<b>{WORDS.get(info.final_verdict, info.final_verdict)}</b> · score "
                f"{info.score:.3g} / threshold {info.threshold:.3g} · model v{info.model_version}"
                + (f"<br>{finding}" if finding else ""))
        if info.override_verdict:
            text += (f"<br>Override by {esc(info.override_by or '')}: machine said "
                     f"{info.verdict.upper()} — “{esc(info.override_reason or '')}”")
        if info.unfamiliar:
            text += "<br>" + unfamiliar_text(info.final_verdict)
        self._set_detail(text)

    def picture_pending(self) -> bool:
        """True while the selected inspection's picture is still loading."""
        return self.selected_info() is not None and self.loader.pending()

    def _picture_ready(self, inspection_id: int, picture: Picture) -> None:
        info = self.selected_info()
        if info is None or info.id != inspection_id:
            return  # another row was selected meanwhile
        self.view.show_picture(picture)
        self.view.set_overlay_visible(self.heatmap_box.isChecked())

    def _picture_failed(self, inspection_id: int, exc: BaseException) -> None:
        info = self.selected_info()
        if info is not None and info.id == inspection_id:
            self.view.set_image(None)
            self._set_detail(str(exc))

    def _set_detail(self, text: str) -> None:
        self.detail.setText(text)
        self.detail_box.refresh()


def _same_record(a: InspectionInfo, b: InspectionInfo) -> bool:
    """The same inspection with the same verdict, override and finding."""
    return dataclasses.replace(a, heatmap=None, overlay=None) == dataclasses.replace(
        b, heatmap=None, overlay=None)


def _column(main: QWidget, rows: list[tuple[tuple[QWidget, int], ...]],
            below: QWidget | None = None) -> QWidget:
    """A splitter pane: a stretching widget, rows of (widget, stretch) under it."""
    pane = QWidget()
    layout = QVBoxLayout(pane)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(main, 1)
    for row in rows:
        line = QHBoxLayout()
        for widget, stretch in row:
            line.addWidget(widget, stretch)
        layout.addLayout(line)
    if below is not None:
        layout.addWidget(below)
    return pane
