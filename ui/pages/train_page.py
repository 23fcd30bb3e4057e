"""Train: what will be used, synthetic defect examples, background training, models.

Training runs in the generic worker with progress and Cancel; a cancelled run leaves
the previous model untouched (the service only records a finished model).
"""

from __future__ import annotations

import html

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from inspector.engine.region import Region, describe
from inspector.errors import UserError
from inspector.services import model_compare, products, training
from inspector.services.labels_since import LabelsSinceModel, labels_since_active_model
from inspector.services.results import ModelInfo
from inspector.store import roles
from ui.coalesced_job import CoalescedJob
from ui.dialogs import disposed, show_error
from ui.first_steps import Step, labels_step
from ui.qimage import rgb_to_pixmap, screen_ratio
from ui.shortcuts import page_key
from ui.state import AppState
from ui.widgets.adaptive_splitter import AdaptiveSplitter
from ui.widgets.calibration_settings import CalibrationSettings
from ui.widgets.model_panel import ModelPanel
from ui.widgets.next_step import NextStep
from ui.widgets.progress_panel import ProgressPanel
from ui.widgets.region_dialog import RegionDialog
from ui.worker import Job

EXAMPLE_SIDE = 104
EXAMPLE_COLUMNS = 3


def _examples_with_masks(project, product):  # noqa: ANN001, ANN202 - worker-thread helper
    return training.synthetic_examples(project, product, n=6)


def _read_summary(project, product: str | None) -> tuple:  # noqa: ANN001 - worker-safe
    """What training would use, and what was labelled since the active model."""
    return (training.training_summary(project, product),
            labels_since_active_model(project, product))


class TrainPage(QWidget):
    """Left: data summary, examples and the Train button. Right: model versions."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.job: Job | None = None
        self.last_model: ModelInfo | None = None
        title = QLabel("Train")
        title.setProperty("role", "title")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.warnings = QLabel()
        self.warnings.setProperty("role", "warning")
        self.warnings.setWordWrap(True)
        self.since = QLabel()  # labels the active model has not learned: a retrain is due
        self.since.setProperty("role", "warning")
        self.since.setWordWrap(True)
        self.since.setVisible(False)
        self.next_step = NextStep(state)
        self.labels_missing: Step | None = None  # too few good images to train
        self.summary_refresh = CoalescedJob(
            self, lambda: (_read_summary, self.state.project, self.state.product),
            self._summary_read, lambda exc: self.summary.setText(str(exc)))
        self.summary_good = 0
        self.preset = QComboBox()
        self.preset.addItems(["accurate", "fast"])
        self.train_button = QPushButton("Start training")
        self.train_button.clicked.connect(self.start_training)
        self.progress = ProgressPanel()
        self.result = QLabel()
        self.result.setWordWrap(True)
        row = QHBoxLayout()
        preset_label = QLabel("Preset")
        preset_label.setBuddy(self.preset)  # a screen reader names the box after it
        row.addWidget(preset_label)
        row.addWidget(self.preset)
        self.region_button = QPushButton("Region…")
        self.region_button.clicked.connect(self.edit_region)
        row.addWidget(self.region_button)
        row.addWidget(self.train_button, 1)
        self.calibration = CalibrationSettings(state)
        self.region_label = QLabel()
        self.region_label.setProperty("role", "hint")

        self.examples_button = QPushButton("Show synthetic defect examples")
        self.examples_button.clicked.connect(self.load_examples)
        page_key(self, "Ctrl+T", self.train_button)  # a long job: never a single stray key
        page_key(self, "Ctrl+E", self.examples_button)
        self.examples_row = QGridLayout()
        self.examples_row.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        examples = QGroupBox("What the model learns a defect may look like")
        el = QVBoxLayout(examples)
        el.addWidget(self.examples_button)
        el.addLayout(self.examples_row)

        left = QWidget()
        ll = QVBoxLayout(left)
        ll.addWidget(title)
        ll.addWidget(self.summary)
        ll.addWidget(self.since)
        ll.addWidget(self.region_label)
        ll.addWidget(self.warnings)
        ll.addWidget(self.next_step)
        ll.addLayout(row)
        ll.addWidget(self.calibration)
        ll.addWidget(self.progress)
        ll.addWidget(self.result)
        ll.addSpacing(12)  # the outcome line stood flush against the next heading
        ll.addWidget(examples)
        ll.addStretch(1)
        self.models = ModelPanel(state)
        self._name_for_screen_readers(self.models)
        models_box = QGroupBox("Model versions")
        QVBoxLayout(models_box).addWidget(self.models)
        splitter = AdaptiveSplitter(keep_heights=True)
        splitter.addWidget(left)
        splitter.addWidget(models_box)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([560, 600])  # the left column reads in two lines, not three
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        state.product_changed.connect(lambda _p: (self._clear_examples(),  # when shown:
                                                  self.isVisible() and self.on_shown()))
        state.actor_changed.connect(lambda _a: self._apply_role())
        # the last run's outcome was the previous operator's ("Model v1 trained, active.")
        state.signing_out.connect(lambda: self.job is None and self.result.clear())
        state.data_changed.connect(self._data_changed)
        self.models.models_changed.connect(self._model_states_changed)
        self.models.models_changed.connect(self._show_labels_since)  # another is active
        self.models.compare_requested.connect(self.start_comparison)

    @staticmethod
    def _name_for_screen_readers(models: ModelPanel) -> None:
        """The versions table and the threshold slider were announced as "table" and
        "slider", with nothing to tell what they hold or set."""
        models.table.setAccessibleName("Model versions")
        models.table.setAccessibleDescription(
            "One row per trained version: arrow keys choose one to activate or compare")
        models.slider.setAccessibleName("Threshold")
        models.slider.setAccessibleDescription(
            "Arrow keys move the threshold; the expected false rejects and escapes are "
            "shown under it; Apply threshold saves it")

    def _model_states_changed(self) -> None:
        """After an activation the "trained, not active yet" line must not linger."""
        last = self.last_model
        if last is None:
            return
        now = next((m for m in self.models.models if m.version == last.version), None)
        if now is None:
            self.result.clear()
        else:
            state = "active" if now.active else "not active"
            self.result.setText(f"Model <b>v{now.version}</b> trained, {state}.")

    def _data_changed(self, kind: str) -> None:
        """Images or labels changed elsewhere (the hot folder imports while Train is on
        screen): the counts, warnings and Start training must not stay as they were."""
        if kind in ("images", "labels") and self.isVisible():
            self.summary_refresh.request()  # in the background: ui.coalesced_job

    def _summary_read(self, read: tuple) -> None:
        self._show_summary(read)
        # Start training follows the counts; the calibration boxes and the threshold
        # slider are left alone: reloading them undid a QA lead's edit whenever a part
        # arrived from a hot folder or another station.
        self._update_buttons()

    def on_shown(self) -> None:
        self.refresh_summary()
        self.models.reload()
        self._apply_role()

    def _apply_role(self) -> None:
        self._update_buttons()
        self.calibration.reload()
        self.models.reload()
        self._model_states_changed()

    def _update_buttons(self) -> None:
        may_train = self.state.may(roles.TRAIN)
        missing = self.labels_missing
        self.train_button.setEnabled(may_train and self.job is None and missing is None)
        self.train_button.setToolTip(
            "Training needs a QA lead" if not may_train else
            f"{missing[0]}  (Ctrl+T)" if missing is not None else
            "Train a new model on the labelled images  (Ctrl+T; Esc cancels)")
        no_good = self.summary_good == 0
        self.examples_button.setEnabled(not no_good)  # they are drawn on a good image
        self.examples_button.setToolTip(
            "Label a good image first: the examples are drawn on one  (Ctrl+E)" if no_good
            else "Defects made up from a good image, as training makes them  (Ctrl+E)")
        reason = self._region_blocked()
        self.region_button.setEnabled(reason is None)
        self.region_button.setToolTip(reason or "The part of each image the model looks at")

    def _region_blocked(self) -> str | None:
        """Why Region… cannot be used now (it is drawn on a good image of one product),
        said in its tooltip instead of an error dialog after the click."""
        if not self.state.may(roles.MANAGE_PRODUCTS):
            return "A QA lead sets the inspection region of a product"
        if self.state.product is None:
            return "Choose a product on Sign in first: each product has its own region"
        if self.summary_good == 0:
            return "Label a good image of this product first: the region is drawn on it"
        return None

    def refresh_summary(self) -> None:
        """Counts and warnings now (the page was opened, a training ended)."""
        self.summary_refresh.overtake()
        try:
            self._show_summary(_read_summary(self.state.project, self.state.product))
        except UserError as exc:
            self.summary.setText(str(exc))

    def _show_summary(self, read: tuple) -> None:
        s, since = read
        self.summary_good = s.good
        self.labels_missing = labels_step(s)
        if self.labels_missing is None:
            self.next_step.clear()
        else:
            self.next_step.show_step(*self.labels_missing)
        self.warnings.setVisible(self.labels_missing is None)  # the step says it first
        types = ", ".join(f"{k} {v}" for k, v in s.defect_types.items()) or "none"
        self.summary.setText(
            f"Product <b>{self.state.product or 'all'}</b>: <b>{s.good}</b> good, "
            f"<b>{s.defective}</b> defective ({types}), {s.unlabelled} unlabelled images."
        )
        self.warnings.setText("<br>".join(f"⚠ {w}" for w in s.warnings))
        self.region_label.setText(f"Inspection region: {describe(self._region())}")
        self._show_since(since)

    def _show_labels_since(self) -> None:
        try:
            self._show_since(labels_since_active_model(self.state.project, self.state.product))
        except UserError:  # the product was removed meanwhile: the summary says so
            self._show_since(None)

    def _show_since(self, since: LabelsSinceModel | None) -> None:
        self.since.setVisible(since is not None)
        self.since.setText("" if since is None else f"⟳ {since.describe()}")

    # -- inspection region --------------------------------------------------------------
    def _region(self) -> Region | None:
        try:
            return products.region_of(self.state.project, self.state.product)
        except UserError:
            return None

    def edit_region(self) -> Job:
        """Draw the region on the product's first good image, then store it. The image is
        read in the background: a 12 MP photo held the window for half a second."""
        self.region_button.setEnabled(False)
        product = self.state.product
        job = Job(training.sample_good_image, self.state.project, product)
        job.finished.connect(lambda rgb, p=product: self._draw_region(rgb, p))
        job.failed.connect(lambda exc: show_error(self, exc))
        job.done.connect(lambda: self.region_button.setEnabled(self._region_blocked() is None))
        return job.start()

    def _draw_region(self, rgb: np.ndarray, product: str | None) -> None:
        if product != self.state.product or not self.isVisible():
            return  # another product was chosen, or the page left, while it loaded
        with disposed(RegionDialog(rgb, self._region(), product or "", self)) as dialog:
            if dialog.exec() == RegionDialog.DialogCode.Accepted:
                self.apply_region(dialog.region())

    def apply_region(self, region: Region | None) -> bool:
        """Store the product's region (audited); it is used from the next training."""
        try:
            products.set_region(self.state.project, self.state.actor, self.state.product or "",
                                None if region is None else region.as_list())
        except UserError as exc:
            show_error(self, exc)
            return False
        self.refresh_summary()
        self.state.say(f"Inspection region: {describe(region)}; retrain to use it")
        return True

    # -- training -----------------------------------------------------------------------
    def start_training(self) -> Job | None:
        if self.job is not None:
            return None
        self.result.clear()
        self.last_model = None  # the line now tells this run's outcome (cancel, failure)
        job = Job(training.train, self.state.project, self.state.actor,
                  product=self.state.product, preset=self.preset.currentText())
        job.finished.connect(self._trained)
        job.failed.connect(lambda exc: show_error(self, exc, "Training failed"))
        job.cancelled.connect(lambda: self.result.setText("Training cancelled; nothing changed."))
        return self._run(job, "Training…")

    def _run(self, job: Job, title: str) -> Job:
        """The page's one job at a time (training or a comparison), on its progress bar;
        Start training and Compare wait for it."""
        job.done.connect(self._job_done)
        self.progress.attach(job, title)
        self.job = job
        pressed = QApplication.focusWidget()
        self.train_button.setEnabled(False)
        self.models.set_busy(True)
        if pressed is not None and not pressed.isEnabled():
            # Qt hands the keyboard of a button turned off to the next box: the
            # false-reject target, where one stray key changed a QA setting
            self.progress.cancel_button.setFocus()
        return job.start()

    def _job_done(self) -> None:
        self.job = None
        self.models.set_busy(False)
        self._apply_role()

    def start_comparison(self, version: int) -> Job | None:
        """Re-judge the recent parts with ``version`` in the background (Esc cancels)."""
        if self.job is not None:
            return None
        job = Job(model_compare.compare_on_recent, self.state.project, self.state.actor,
                  version)
        job.finished.connect(lambda result: self.models.show_comparison(
            result.version, result.describe()))
        job.failed.connect(lambda exc: show_error(self, exc, "Comparison failed"))
        return self._run(job, f"Re-judging recent parts with v{version}…")

    def _trained(self, info: ModelInfo) -> None:
        self.last_model = info
        state = "active" if info.active else "not active yet (a QA lead activates it)"
        self.result.setText(f"Model <b>v{info.version}</b> trained, {state}."
                            + "".join(f"<br><b>Warning:</b> {html.escape(w)}"
                                      for w in training.trained_warnings(info)))
        self.models.reload(info.version)
        self._show_labels_since()  # the new version may be the active one now
        self.state.notify("models")
        self.state.say(f"Model v{info.version} trained")

    # -- synthetic examples -------------------------------------------------------------
    def load_examples(self) -> Job:
        self.examples_button.setEnabled(False)
        product = self.state.product
        job = Job(_examples_with_masks, self.state.project, product)
        # Made from another product's goods when the product changed meanwhile: dropped.
        job.finished.connect(lambda ex: product == self.state.product
                             and self._show_examples(ex))
        job.failed.connect(lambda exc: show_error(self, exc))
        job.done.connect(lambda: self.examples_button.setEnabled(self.summary_good > 0))
        return job.start()

    def _clear_examples(self) -> None:
        while self.examples_row.count():
            item = self.examples_row.takeAt(0)
            if item.widget():
                item.widget().deleteLater()

    def _show_examples(self, examples: list) -> None:
        self._clear_examples()
        for i, (image, _mask) in enumerate(examples):
            label = QLabel()
            label.setPixmap(rgb_to_pixmap(image, EXAMPLE_SIDE, screen_ratio()))
            self.examples_row.addWidget(label, i // EXAMPLE_COLUMNS, i % EXAMPLE_COLUMNS)

    def shutdown(self) -> None:
        if self.job is not None:
            self.job.cancel()
