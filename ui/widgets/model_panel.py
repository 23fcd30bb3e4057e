"""Model versions with activate / roll back, the score histogram and the threshold slider.

Activation and the threshold are QA-lead decisions: for operators those controls are
hidden, and the services refuse them anyway.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSlider,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from inspector.errors import UserError
from inspector.services import models
from inspector.services.results import ModelInfo, ScoreDistribution
from inspector.store import roles
from ui.dialogs import show_error
from ui.state import AppState
from ui.style import table_for_gloves
from ui.widgets.score_histogram import ScoreHistogram

COLUMNS = ("Version", "Trained", "By", "Preset", "Threshold", "Active")
# Version, threshold and the active mark are always shown; on a narrow pane (1093x614,
# 1280x720) the table leaves out what does not fit whole, keeping the date before the
# preset before the trainer (each row's tooltip says everything), rather than cut texts
# or hide the threshold behind a sideways scroll bar.
OPTIONAL_COLUMNS = (COLUMNS.index("Trained"), COLUMNS.index("Preset"), COLUMNS.index("By"))
SLIDER_STEPS = 1000


class ModelPanel(QWidget):
    """Table of versions; the selected one drives the histogram and the slider."""

    models_changed = Signal()
    compare_requested = Signal(int)  # a version: the page runs it with its progress bar

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.models: list[ModelInfo] = []
        self.distribution: ScoreDistribution | None = None
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()  # columns fit their text, the last stretches
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        self.table.viewport().installEventFilter(self)  # its width decides the columns
        self.table.verticalHeader().setVisible(False)
        table_for_gloves(self.table)
        self.table.setMaximumHeight(170)
        self.table.itemSelectionChanged.connect(self._selected)
        self.activate_button = QPushButton("Activate this version")
        self.activate_button.clicked.connect(self.activate_selected)
        self.compare_button = QPushButton("Compare on recent parts")
        self.compare_button.clicked.connect(self._compare_selected)
        self.busy = False  # the page runs a job (training, a comparison)
        self.comparison = QLabel()  # what the last comparison found, for its version
        self.comparison.setWordWrap(True)
        self.comparison.setProperty("role", "warning")
        self.comparison.setVisible(False)
        self.compared_version: int | None = None
        self.metrics = QLabel()
        self.metrics.setWordWrap(True)
        self.metrics.setToolTip(
            "Measured when the version was trained, on good images it had not seen.\n"
            "Local density: scores are measured against how much each area varies between\n"
            "good parts. Training switches it on only when the labelled defects show it helps.\n"
            "Synthetic defect patches: made on your good images; a part region that looks\n"
            "more like one of them than like any good part scores higher.")
        self.histogram = ScoreHistogram()
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, SLIDER_STEPS)
        self.slider.valueChanged.connect(self._slider_moved)
        self.rates = QLabel()
        self.rates.setProperty("role", "warning")
        self.rates.setWordWrap(True)
        self.apply_button = QPushButton("Apply threshold")
        self.apply_button.clicked.connect(self.apply_threshold)
        threshold_row = QHBoxLayout()
        threshold_row.addWidget(QLabel("Threshold"))
        threshold_row.addWidget(self.slider, 1)
        threshold_row.addWidget(self.apply_button)
        self.threshold_box = QWidget()
        tl = QVBoxLayout(self.threshold_box)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addLayout(threshold_row)
        tl.addWidget(self.rates)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        buttons = QHBoxLayout()
        buttons.addWidget(self.activate_button, 1)
        buttons.addWidget(self.compare_button, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.comparison)
        layout.addWidget(self.metrics)
        layout.addWidget(self.histogram, 1)
        layout.addWidget(self.threshold_box)

    def reload(self, select_version: int | None = None) -> None:
        """Reload versions of the current product; keep or pick a selection."""
        lead = self.state.may(roles.MANAGE_MODELS)
        self.activate_button.setVisible(lead)
        self.compare_button.setVisible(lead)
        self.threshold_box.setVisible(self.state.may(roles.SET_THRESHOLD))
        try:
            self.models = models.list_models(self.state.project, self.state.product)
        except UserError as exc:
            self.models = []
            self.metrics.setText(str(exc))
        current = self.selected()
        keep = select_version or (current.version if current else None)
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.models))
        for row, m in enumerate(self.models):
            trained = m.trained_at.astimezone().strftime("%Y-%m-%d %H:%M")
            cells = (f"v{m.version}", trained, m.trained_by or "", m.preset,
                     f"{m.threshold:.4g}", "● active" if m.active else "")
            by = f" by {m.trained_by}" if m.trained_by else ""
            active = ", the active version" if m.active else ""
            tip = (f"v{m.version}, trained {trained}{by}, preset {m.preset}, "
                   f"threshold {m.threshold:.4g}{active}")
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(tip)  # also what a left-out column would show
                self.table.setItem(row, col, item)
        self.table.blockSignals(False)
        self._fit_columns()
        target = next((r for r, m in enumerate(self.models) if m.version == keep), None)
        if target is None:
            target = next((r for r, m in enumerate(self.models) if m.active), 0)
        if self.models:
            self.table.selectRow(target)
        self._selected()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.table.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_columns()
        return super().eventFilter(watched, event)

    def _fit_columns(self) -> None:
        """Show each optional column, in their order, that fits whole beside the others."""
        header = self.table.horizontalHeader()
        for col in OPTIONAL_COLUMNS:  # a hidden column has no size hint
            self.table.setColumnHidden(col, False)
        need = [max(header.sectionSizeHint(c), self.table.sizeHintForColumn(c))
                for c in range(len(COLUMNS))]
        room = self.table.viewport().width()
        room -= sum(need[c] for c in range(len(COLUMNS)) if c not in OPTIONAL_COLUMNS)
        for col in OPTIONAL_COLUMNS:
            fits = need[col] <= room
            self.table.setColumnHidden(col, not fits)
            room -= need[col] if fits else 0

    def selected(self) -> ModelInfo | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or rows[0].row() >= len(self.models):
            return None
        return self.models[rows[0].row()]

    def _selected(self) -> None:
        info = self.selected()
        self._explain_buttons(info)
        if info is None:
            self.distribution = None
            self.metrics.setText("No model yet for this product.")
            self.histogram.set_scores([], [], [], None)
            return
        self.metrics.setText(_metrics_text(info))
        try:
            dist = models.score_distribution(self.state.project, info.version)
        except UserError as exc:
            self.metrics.setText(f"{_metrics_text(info)}<br>{exc}")
            dist = None
        self.distribution = dist
        if dist is None:
            self.histogram.set_scores([], [], [], info.threshold)
        else:
            self.histogram.set_scores(dist.good_scores, dist.defect_scores,
                                      dist.synthetic_scores, dist.threshold, dist.uncertain_low)
        self._slider_touched = False
        self._set_slider(info.threshold)

    def _explain_buttons(self, info: ModelInfo | None) -> None:
        """Enable Activate and Apply for the selected version; a disabled one says why in
        its tooltip (a new user saw two grey buttons and no reason)."""
        if info is None:
            activate = apply = ("Select a version in the table first" if self.models
                                else "No model version yet: train one first")
        else:
            activate = (f"v{info.version} is already the live model; select another version "
                        "to roll back or forward" if info.active else
                        f"Make v{info.version} the live model (an older one rolls back)")
            apply = f"Move the slider, then store its threshold for v{info.version}"
        self.activate_button.setEnabled(info is not None and not info.active)
        self.activate_button.setToolTip(activate)
        self.compare_button.setEnabled(info is not None and not self.busy)
        self.compare_button.setToolTip(
            "Wait for the running job to end" if self.busy and info is not None else
            activate if info is None else
            f"Re-judge the newest inspected parts with v{info.version}: which verdicts "
            "would change if it were the live model (nothing is stored)")
        self.comparison.setVisible(info is not None and info.version == self.compared_version)
        self.apply_button.setEnabled(info is not None)
        self.apply_button.setToolTip(apply)

    # -- comparison on recent parts ------------------------------------------------------
    def _compare_selected(self) -> None:
        info = self.selected()
        if info is not None and not self.busy:
            self.compare_requested.emit(info.version)

    def set_busy(self, busy: bool) -> None:
        """A job runs on the page: no second one from here."""
        self.busy = busy
        self._explain_buttons(self.selected())

    def show_comparison(self, version: int, text: str) -> None:
        """What re-judging the recent parts with ``version`` found; shown with it."""
        self.compared_version = version
        self.comparison.setText(text)
        self._explain_buttons(self.selected())

    # -- threshold --------------------------------------------------------------------
    def _set_slider(self, threshold: float) -> None:
        lo, hi = self.histogram.value_range()
        self.slider.blockSignals(True)
        self.slider.setValue(round((threshold - lo) / (hi - lo) * SLIDER_STEPS))
        self.slider.blockSignals(False)
        self._show_rates(threshold)

    def slider_threshold(self) -> float:
        lo, hi = self.histogram.value_range()
        return lo + (hi - lo) * self.slider.value() / SLIDER_STEPS

    def _slider_moved(self, _value: int) -> None:
        self._slider_touched = True
        threshold = self.slider_threshold()
        self.histogram.set_threshold(threshold)
        self._show_rates(threshold)

    def _show_rates(self, threshold: float) -> None:
        if self.distribution is None:
            self.rates.setText(f"Threshold {threshold:.4g}")
            return
        frr, escape = self.distribution.rates(threshold)
        escape_text = "unknown (no defect scores)" if escape is None else f"{escape:.1%}"
        self.rates.setText(
            f"Threshold {threshold:.4g}: expected false rejects {frr:.1%} of good parts, "
            f"escapes {escape_text} of defective parts"
        )

    def apply_threshold(self) -> None:
        info = self.selected()
        if info is None:
            return
        if not getattr(self, "_slider_touched", False):
            self.state.say("The threshold is unchanged: move the slider first")
            return
        threshold = self.slider_threshold()
        where = "the live model" if info.active else f"v{info.version}"
        band = ("" if info.uncertain_low is None else
                f"\nThe uncertain band moves with it: it starts at "
                f"{threshold * info.uncertain_low / info.threshold:.4g}.")
        answer = QMessageBox.question(
            self, "Apply threshold",
            f"Set the threshold of {where} from {info.threshold:.4g} to {threshold:.4g}?"
            f"{band}\n\n{self.rates.text()}", QMessageBox.StandardButton.Yes
            | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            models.set_threshold(self.state.project, self.state.actor, info.version,
                                 threshold)  # the band keeps its relative width
        except UserError as exc:
            show_error(self, exc)
            return
        self.state.say(f"Threshold of v{info.version} set to {threshold:.4g}")
        self.reload(info.version)
        self.models_changed.emit()

    def activate_selected(self) -> None:
        info = self.selected()
        if info is None:
            return
        try:
            models.activate_model(self.state.project, self.state.actor, info.version)
        except UserError as exc:
            show_error(self, exc)
            return
        self.state.say(f"Model v{info.version} is now active")
        self.reload(info.version)
        self.models_changed.emit()
        self.state.notify("models")


def _metrics_text(info: ModelInfo) -> str:
    """Held-out numbers in words; lists (raw scores) are left to the histogram."""
    m = info.metrics or {}
    parts = [f"<b>v{info.version}</b> ({info.backbone}, {info.preset})"]
    names = {"n_good": "good images", "n_defects": "defect images",
             "estimated_frr": "false-reject rate (held-out good)",
             "synthetic_recall": "synthetic defects caught",
             "labelled_recall": "labelled defects caught",
             "synthetic_bank_rows": "synthetic defect patches", "fit_seconds": "training s"}
    for key, label in names.items():
        value = m.get(key)
        if isinstance(value, float) and key.endswith(("frr", "recall")):
            parts.append(f"{label}: {value:.1%}")
        elif isinstance(value, int | float):
            parts.append(f"{label}: {value:.4g}")
    if isinstance(m.get("density_used"), bool):  # chosen by training (engine.density)
        parts.append(f"local density: {'on' if m['density_used'] else 'off'}")
    return " · ".join(parts)
