"""Reports: filters, headline figures, charts, the worst images, and exports.

Every query and export runs off the GUI thread (``ui.worker.Job``); exports show a progress
bar with Cancel on the page. Figures are recomputed on each "Show report".
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QSignalBlocker, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from inspector.reports import ReportFilters
from inspector.reports.service import (
    SHIFTS_SETTING,
    FilterChoices,
    export_report,
    filter_choices,
    project_report,
    project_shifts,
    resolvers,
)
from inspector.reports.thumbnails import load_thumbnail
from inspector.reports.types import Report
from ui.coalesced_job import CoalescedJob
from ui.dialogs import show_error
from ui.widgets.report_views import ChartView, SummaryStrip, WorstTable
from ui.widgets.since_date import SinceDateEdit
from ui.worker import Job

log = logging.getLogger(__name__)
ALL = "(all)"
BIG = 48  # px: buttons usable with gloves
EXPORTS = (("csv", "Export CSV", "CSV (*.csv)"), ("xlsx", "Export Excel", "Excel (*.xlsx)"),
           ("pdf", "Export PDF", "PDF (*.pdf)"))  # fmt: skip
RunJob = Callable[..., Job]
PRESETS = ("Today", "Yesterday", "This week", "Last 7 days", "This month", "Last 30 days")
CUSTOM = "Custom"


def _local_runner(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Job:
    return Job(fn, *args, **kwargs).start_later()


class ReportDateEdit(QDateEdit):
    """A From / To box: always a real day (no "any date"), but Tab leaves it as it leaves
    the History and Label date boxes; a plain QDateEdit took three Tabs (day, month,
    year) to get out."""

    focusNextPrevChild = SinceDateEdit.focusNextPrevChild  # one mechanism, not a copy


def _combo(items: list[str]) -> QComboBox:
    box = QComboBox()
    box.addItems([ALL, *items])
    box.setMinimumHeight(40)
    return box


class ReportsPage(QWidget):
    """``ReportsPage(project, actor_provider, run_job)``; ``run_job(fn, *a, **kw) -> Job``
    starts a background job (the main window's, which also reports failures); without
    one the page starts its own jobs and shows errors itself."""

    def __init__(
        self,
        project: Any,
        actor_provider: Callable[[], Any],
        run_job: RunJob | None = None,
        parent: QWidget | None = None,
        *,
        tz: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.project = project
        self.choices_refresh = CoalescedJob(
            self, lambda: (_read_choices, self.project), self._show_choices,
            self._choices_failed)
        self.tz = tz  # None: this computer's zone
        self.actor_provider = actor_provider
        self._run_job = run_job or _local_runner
        self._errors_shown_by_runner = run_job is not None
        self.report: Report | None = None
        self.summary_job: Job | None = None
        self.export_job: Job | None = None
        self.last_export: Any = None
        font = self.font()
        font.setPointSize(max(font.pointSize(), 12))
        self.setFont(font)
        self._build()
        self._reset_dates()

    # -- layout ---------------------------------------------------------------------------
    def _build(self) -> None:
        title = QLabel("Reports")
        title.setProperty("role", "title")
        self.from_edit, self.to_edit = ReportDateEdit(), ReportDateEdit()
        for edit, name in ((self.from_edit, "From date"), (self.to_edit, "To date")):
            edit.setAccessibleName(name)
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setMinimumHeight(40)
        self.period_box = QComboBox()
        self.period_box.addItems([*PRESETS, CUSTOM])
        self.period_box.setMinimumHeight(40)
        self.period_box.activated.connect(self._preset_chosen)
        self._presetting = False
        for edit in (self.from_edit, self.to_edit):
            edit.dateChanged.connect(self._dates_edited)
        self.shift_box = _combo([])
        self.shift_box.setToolTip("Only this shift, starting on the 'From' day")
        self.product_box, self.station_box, self.operator_box = _combo([]), _combo([]), _combo([])
        self.verdict_box = _combo(["ng", "uncertain", "ok"])
        self.severity_box = _combo(["minor", "major", "critical"])
        self.type_box, self.model_box = _combo([]), _combo([])
        self.overridden_box = _combo(["overridden", "not overridden"])
        grid = QGridLayout()
        fields = [
            ("Period", self.period_box), ("From", self.from_edit), ("To", self.to_edit),
            ("Shift", self.shift_box), ("Product", self.product_box),
            ("Station", self.station_box), ("Operator", self.operator_box),
            ("Final verdict", self.verdict_box), ("Severity", self.severity_box),
            ("Defect type", self.type_box), ("Model", self.model_box),
            ("QA override", self.overridden_box),
        ]  # fmt: skip
        for i, (text, widget) in enumerate(fields):
            label = QLabel(text)
            label.setBuddy(widget)  # a screen reader names the field after its label
            grid.addWidget(label, (i // 4) * 2, i % 4)
            grid.addWidget(widget, (i // 4) * 2 + 1, i % 4)
        self.show_button = self._button("Show report", self.refresh)
        self.export_buttons = {fmt: self._button(text, lambda _=False, f=fmt: self.choose_export(f))
                               for fmt, text, _ in EXPORTS}  # fmt: skip
        self.computing = QProgressBar()  # moving while the figures are read: a year of a
        self.computing.setRange(0, 0)  # busy line takes seconds, and a still page with
        self.computing.setMaximumWidth(160)  # "Computing…" looked hung (not beside the
        self.computing.setVisible(False)  # buttons: they fill a 960 px wide page)
        actions = QHBoxLayout()
        actions.addWidget(self.show_button)
        actions.addStretch(1)
        for button in self.export_buttons.values():
            actions.addWidget(button)
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 1000)
        self.cancel_button = self._button("Cancel", self.cancel_export)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.shifts_note = QLabel("")  # the stored shifts refused: the default ones are used
        self.shifts_note.setWordWrap(True)
        self.shifts_note.setStyleSheet("color: #8a5300;")
        self.shifts_note.setVisible(False)
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.computing)
        progress_row.addWidget(self.progress_bar, 1)
        progress_row.addWidget(self.cancel_button)
        self._set_exporting(False)
        self.summary = SummaryStrip()
        self.charts = ChartView()
        self.worst = WorstTable()
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.charts)
        split.addWidget(self.worst)
        split.setSizes([420, 220])
        layout = QVBoxLayout(self)
        for item in (title, grid, self.shifts_note, actions, progress_row, self.status,
                     self.summary, split):
            (layout.addLayout if isinstance(item, QGridLayout | QHBoxLayout) else layout.addWidget)(
                item
            )
        layout.setStretchFactor(split, 1)

    def _button(self, text: str, slot: Callable[..., Any]) -> QPushButton:
        button = QPushButton(text)
        button.setMinimumHeight(BIG)
        button.clicked.connect(slot)
        return button

    # -- filters --------------------------------------------------------------------------
    def _reset_dates(self) -> None:
        self.period_box.setCurrentText("Last 7 days")
        self._preset_chosen()

    def _preset_chosen(self, _index: int = 0) -> None:
        today = dt.date.today()
        name = self.period_box.currentText()
        if name not in PRESETS:  # "Custom": the dates stay as typed
            return
        first = {
            "Today": today, "Yesterday": today - dt.timedelta(days=1),
            "This week": today - dt.timedelta(days=today.weekday()),
            "Last 7 days": today - dt.timedelta(days=6), "This month": today.replace(day=1),
            "Last 30 days": today - dt.timedelta(days=29),
        }[name]  # fmt: skip
        last = first if name == "Yesterday" else today
        self._presetting = True
        try:
            self.from_edit.setDate(QDate(first.year, first.month, first.day))
            self.to_edit.setDate(QDate(last.year, last.month, last.day))
        finally:
            self._presetting = False

    def _dates_edited(self, _date: QDate) -> None:
        """Dates typed or picked by hand: the period no longer reads "Last 7 days" beside
        them (a report for 1-27 November shown under that name misleads)."""
        if not self._presetting:
            self.period_box.setCurrentText(CUSTOM)

    def load_choices(self) -> None:
        """Fill the combo boxes from the project (keeps the current choices)."""
        self._show_choices(_read_choices(self.project))

    def _show_choices(self, read: tuple[FilterChoices, Any, str | None]) -> None:
        choices, self.shifts, shifts_problem = read
        self.shifts_note.setText(f"Shifts: {shifts_problem}. An admin sets them in "
                                 "the settings (report_shifts)." if shifts_problem else "")
        self.shifts_note.setVisible(bool(shifts_problem))
        for box, items in (
            (self.product_box, choices.products), (self.station_box, choices.stations),
            (self.operator_box, choices.operators), (self.type_box, choices.defect_types),
            (self.model_box, [str(v) for v in choices.model_versions]),
            (self.shift_box, [s.name for s in self.shifts]),
        ):  # fmt: skip
            current = box.currentText()
            box.clear()
            box.addItems([ALL, *items])
            box.setCurrentText(current if box.findText(current) >= 0 else ALL)

    @staticmethod
    def _value(box: QComboBox) -> str | None:
        text = box.currentText()
        return None if text == ALL else text

    def filters(self) -> ReportFilters:
        """The filters as chosen on screen (local time of this computer)."""
        # "Last 7 days" means up to today also on a station left running overnight: the
        # preset's dates were fixed when the page was built.
        self._preset_chosen()
        first, last = self.from_edit.date().toPython(), self.to_edit.date().toPython()
        if last < first:  # swapped on screen too: the report says what the page shows
            first, last = last, first
            for edit, day in ((self.from_edit, first), (self.to_edit, last)):
                with QSignalBlocker(edit):
                    edit.setDate(QDate(day.year, day.month, day.day))
        model = self._value(self.model_box)
        over = self._value(self.overridden_box)
        kw: dict[str, Any] = {
            "product": self._value(self.product_box), "station": self._value(self.station_box),
            "operator": self._value(self.operator_box), "verdict": self._value(self.verdict_box),
            "severity": self._value(self.severity_box), "defect_type": self._value(self.type_box),
            "model_version": int(model) if model else None,
            "overridden": None if over is None else over == "overridden",
        }  # fmt: skip
        shifts = getattr(self, "shifts", None)
        if shifts:
            kw["shifts"] = shifts
        shift = self._value(self.shift_box)
        if shift:
            return ReportFilters.for_shift(first, shift, self.tz, **kw)
        return ReportFilters.for_days(first, last, self.tz, **kw)

    def _choices_failed(self, exc: BaseException) -> None:
        log.error("cannot load report choices: %s", exc)
        self.status.setText(f"Cannot read the project: {exc}")

    # -- summary --------------------------------------------------------------------------
    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        # In the background: at a million inspections the stations and defect types seen
        # take a scan of the table, and the page must open at once.
        self.choices_refresh.request()
        if self.summary_job is None:  # figures of an earlier visit may be out of date
            self.refresh()

    def refresh(self) -> None:
        """Recompute the figures in the background, then redraw."""
        if self.summary_job is not None:
            return
        try:
            filters = self.filters()
        except Exception as exc:  # noqa: BLE001 - UserError from the filters -> dialog
            show_error(self, exc)
            return
        self.status.setText("Computing…")
        self.show_button.setEnabled(False)
        self.computing.setVisible(True)
        job = Job(_compute, self.project, self.actor_provider(), filters)
        job.finished.connect(self._show_report)
        job.failed.connect(self._summary_failed)
        job.done.connect(self._summary_done)
        self.summary_job = job.start_later()

    def _summary_done(self) -> None:
        self.summary_job = None
        self.show_button.setEnabled(True)
        self.computing.setVisible(False)

    def _summary_failed(self, exc: BaseException) -> None:
        self.status.setText(str(exc))
        if not self.isVisible():  # a page closed meanwhile (the app exiting): no dialog
            log.warning("report figures failed after the page closed: %s", exc)
            return
        show_error(self, exc)

    def _show_report(self, result: tuple[Report, list[Any], list[Any]]) -> None:
        rep, thumbs, heatmaps = result
        self.report = rep
        self.summary.show_report(rep)
        self.worst.show_rows(rep, thumbs, heatmaps)
        self.charts.show_report(rep)  # drawn in a worker
        when = f"{rep.filters.period_text()} ({rep.tz_name})"
        self.status.setText(
            (f"{rep.filters.no_data_text().rstrip('.')}: {when}" if rep.empty
             else f"Report for {when}")
            + f" · computed {dt.datetime.now():%H:%M:%S}"
        )

    # -- exports --------------------------------------------------------------------------
    def choose_export(self, fmt: str) -> None:
        """Ask where to save, then export in the background."""
        name, pattern = next((text, pat) for f, text, pat in EXPORTS if f == fmt)[0:2]
        default = str(Path.home() / f"inspection-report-{dt.date.today()}.{fmt}")
        path, _ = QFileDialog.getSaveFileName(self, name, default, pattern)
        if path:
            self.export(fmt, Path(path))

    def export(self, fmt: str, path: Path) -> Job | None:
        """Export ``fmt`` to ``path`` off the GUI thread; returns the job."""
        if self.export_job is not None:
            return None
        try:
            filters = self.filters()
        except Exception as exc:  # noqa: BLE001 - UserError from the filters -> dialog
            show_error(self, exc)
            return None
        suffix = f".{fmt}"
        path = path if path.suffix.lower() == suffix else path.with_name(path.name + suffix)
        job = self._run_job(export_report, self.project, self.actor_provider(), filters, fmt, path)
        job.progress.connect(self._export_progress)
        job.finished.connect(self._export_finished)
        job.cancelled.connect(lambda: self.status.setText("Export cancelled; no file written"))
        job.failed.connect(self._export_failed)
        job.done.connect(self._export_done)
        self.export_job = job
        self.status.setText(f"Exporting {fmt.upper()} to {path}…")
        self._set_exporting(True)
        return job

    def cancel_export(self) -> None:
        if self.export_job is not None:
            self.export_job.cancel()
            self.status.setText("Cancelling…")

    def _set_exporting(self, busy: bool) -> None:
        self.progress_bar.setValue(0)
        self.progress_bar.setVisible(busy)
        self.cancel_button.setVisible(busy)
        for button in self.export_buttons.values():
            button.setEnabled(not busy)

    def _export_progress(self, fraction: float, message: str) -> None:
        self.progress_bar.setValue(int(fraction * 1000))
        if message:
            self.progress_bar.setFormat(f"%p%  {message}")

    def _export_finished(self, result: Any) -> None:
        self.last_export = result
        empty = " (no inspections in this period)" if result.inspections == 0 else ""
        self.status.setText(f"Saved {result.path}{empty}")

    def _export_failed(self, exc: BaseException) -> None:
        self.status.setText(f"Export failed: {exc}")
        if not self._errors_shown_by_runner:
            show_error(self, exc)

    def _export_done(self) -> None:
        self.export_job = None
        self._set_exporting(False)


def _compute(
    project: Any, actor: Any, filters: ReportFilters
) -> tuple[Report, list[Any], list[Any]]:
    """Worker thread: the report plus small thumbnails of the worst images and their
    heat maps (None where a file is missing)."""
    rep = project_report(project, actor, filters)
    image, heatmap = resolvers(project)
    return (rep, [load_thumbnail(image, w.image_path) for w in rep.worst],
            [load_thumbnail(heatmap, w.heatmap_path) for w in rep.worst])  # fmt: skip


def _read_choices(project: Any) -> tuple[FilterChoices, Any, str | None]:
    """What the filter boxes offer, the project's shifts and, when an older version stored
    shifts this one refuses, why (runs in the background)."""
    return (filter_choices(project), project_shifts(project),
            project.setting_problems().get(SHIFTS_SETTING))
