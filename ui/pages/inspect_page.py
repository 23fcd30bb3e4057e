"""Inspect: one image, a folder, or the live camera; a banner readable from two metres.

Inference always runs in the worker. With the camera, Space inspects the current frame,
or "continuous" inspects at the chosen rate, dropping frames while a result is pending.
The verdict shows at once; the picture and heat map are made ready (or loaded from the
store) in the background by ui.image_loader. Only the result on screen keeps its
full-size picture and live heat map; the recent strip keeps thumbnails and records, and
an older part chosen there loads from the store as History shows it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QBoxLayout,
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from inspector.errors import UserError
from inspector.services import inspection
from inspector.services.results import InspectionInfo
from inspector.services.sensor_depth import sensor_bits
from inspector.store import roles
from ui.dialogs import show_error
from ui.first_steps import model_step
from ui.image_loader import Picture, PictureLoader, inspection_picture
from ui.inspect_work import (
    batch_banner,
    batch_summary,
    inspect_files,
    inspect_frame,
    result_detail,
    verdict_counts,
    verdict_of,
    without_arrays,
)
from ui.label_actions import (
    LABEL_DEFECTIVE_KEY,
    LABEL_DEFECTIVE_TEXT,
    LABEL_DEFECTIVE_TIP,
    LABEL_GOOD_TEXT,
    SHORT_LABEL_TEXTS,
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
from ui.pages.capture_page import IMAGE_FILTER
from ui.shortcuts import page_key, space_key
from ui.state import AppState
from ui.visible_height import VisibleHeightWatch, visible_height
from ui.widgets.adaptive_splitter import AdaptiveSplitter
from ui.widgets.auto_inspect import AutoInspect
from ui.widgets.batch_note import BatchNote, stopped_text, stored_since
from ui.widgets.camera_preview import CameraPreview
from ui.widgets.elided_label import ElidedLabel
from ui.widgets.image_view import ImageView
from ui.widgets.next_step import NextStep
from ui.widgets.notes_area import NotesArea
from ui.widgets.progress_panel import ProgressPanel
from ui.widgets.recent_strip import RecentStrip
from ui.widgets.verdict_banner import VerdictBanner, unfamiliar_text
from ui.worker import Job, inspection_pool

MODEL_WATCH_MS = 5000  # without a model: how often to look for one trained elsewhere
# Below this page height (a 1024x600 panel PC, 1093x614 at 125 %) the banner word and the
# recent thumbnails are smaller, so verdict, heat map and recent parts fit unscrolled.
COMPACT_BELOW = 640
CAMERA_MAX_WIDTH = 480  # beside the result picture
RESULT_PICTURE_MIN_WIDTH = 240  # with a running camera beside it on a 1024 px screen
# The result column's width range; at its narrowest while the camera is shown, so camera
# and result picture stay side by side on a 1366 px screen.
RESULT_WIDTH = (340, 430)
QWIDGETSIZE_MAX = (1 << 24) - 1  # Qt's "no maximum"


def _under(main: QWidget, line: QWidget, button: QWidget) -> QWidget:
    """A pane: ``main`` stretching, ``line`` under it with ``button`` at its right."""
    pane = QWidget()
    layout = QVBoxLayout(pane)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(main, 1)
    row = QHBoxLayout()
    row.addWidget(line, 1)
    row.addWidget(button)
    layout.addLayout(row)
    return pane


class InspectPage(QWidget):
    """Sources on top, image and banner in the middle, recent results at the bottom."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.job: Job | None = None
        self.current: InspectionInfo | None = None
        self.current_rgb: np.ndarray | None = None
        self.dropped_frames = 0
        file_button = self.file_button = QPushButton("Inspect image…")
        file_button.clicked.connect(self.choose_file)
        folder_button = self.folder_button = QPushButton("Inspect folder…")
        folder_button.clicked.connect(self.choose_folder)
        self.camera_button = QPushButton("Live camera")
        self.camera_button.setCheckable(True)
        self.camera_button.toggled.connect(self._toggle_camera_panel)
        self.inspect_now = QPushButton("Inspect frame  [Space]")
        self.inspect_now.clicked.connect(self.inspect_camera_frame)
        self.inspect_now.setToolTip("Space: inspect the camera's current picture")
        # "☐ Auto [1.0 s]": short, so the row fits beside "Heat map [H]" in the result
        # column narrowed for the camera (the camera's row has no room at 1024 px)
        self.auto = auto = AutoInspect(self)
        self.continuous, self.rate, self.timer = auto.box, auto.rate, auto.timer
        # The frame button joins the row of ways to inspect (shown with the camera); the
        # interval sits under the verdict: under the live picture, with the camera's set-up
        # rows, they pushed the heat map below a 1024x600 screen.
        top = QHBoxLayout()
        for w in (file_button, folder_button, self.camera_button, self.inspect_now):
            top.addWidget(w)
        for key, button in (("Ctrl+O", file_button), ("Ctrl+Shift+O", folder_button),
                            ("Ctrl+L", self.camera_button)):
            page_key(self, key, button)
        top.addStretch(1)
        # Tooltips while a model is ready; without one the buttons say why they are off.
        self._source_tips = {b: b.toolTip() for b in (file_button, folder_button,
                                                      self.inspect_now, self.continuous)}
        self.next_step = NextStep(state)
        self.camera = CameraPreview(running_hint="Space inspects the frame.",
                                    sensor_bits=lambda: sensor_bits(state.project))
        self.camera.state_changed.connect(self._camera_state)
        self.camera_pane = self.camera
        self.camera_pane.setMaximumWidth(CAMERA_MAX_WIDTH)
        self._batch_started = dt.datetime.now(dt.UTC)
        self._batch_by: str | None = None  # who started it (the count after a cancel)
        self.model_watch = QTimer(self)  # no model yet: look again while the page is shown
        self.model_watch.setInterval(MODEL_WATCH_MS)
        self.model_watch.timeout.connect(lambda: self.isVisible() and self.check_model())
        self._inspected_serial = -1  # the camera frame inspected last
        self._resume_continuous = False  # the camera was lost during continuous inspection
        self.view = ImageView()
        # Beside a running camera on a 1024 px screen (the heat map must not stack below).
        self.view.setMinimumWidth(RESULT_PICTURE_MIN_WIDTH)
        self.focus_target = self.view
        self.loader = PictureLoader(self)
        self.loader.ready.connect(self._picture_ready)
        self.loader.failed.connect(self._picture_failed)
        self.banner = VerdictBanner()
        # One line, "…" in the middle (image and time stay); the whole text in its tooltip.
        self.detail = ElidedLabel(mode=Qt.TextElideMode.ElideRight)
        self.setup_warning = QLabel()
        self.setup_warning.setProperty("role", "warning")
        self.setup_warning.setWordWrap(True)
        self.setup_warning.setVisible(False)
        self.batch_note = BatchNote()
        self._empty_text = "No inspection yet"  # the banner's words with no part shown
        self.heatmap_box = QCheckBox("Heat map  [H]")
        self.heatmap_box.setChecked(True)
        self.heatmap_box.toggled.connect(self.view.set_overlay_visible)
        self.override_button = QPushButton(OVERRIDE_TEXT)
        self.override_button.setToolTip(OVERRIDE_TIP)
        self.override_button.clicked.connect(self.override)
        self.label_good_button = QPushButton(LABEL_GOOD_TEXT)
        self.label_good_button.setToolTip("Add this part to the good training images "
                                          "(used from the next training)")
        self.label_good_button.clicked.connect(self.label_good)
        self.label_defective_button = QPushButton(LABEL_DEFECTIVE_TEXT)
        self.label_defective_button.setToolTip(LABEL_DEFECTIVE_TIP)
        self.label_defective_button.clicked.connect(self.label_defective)
        self.progress = ProgressPanel()
        right = self.right = QWidget()
        right.setMinimumWidth(RESULT_WIDTH[0])
        right.setMaximumWidth(RESULT_WIDTH[1])
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.banner)
        rl.addWidget(self.next_step)
        self.notes = NotesArea([self.setup_warning, self.batch_note])
        rl.addWidget(self.notes)
        view_row = QHBoxLayout()
        view_row.addWidget(self.heatmap_box)
        view_row.addStretch(1)
        view_row.addWidget(self.continuous)
        view_row.addWidget(self.rate)
        rl.addLayout(view_row)
        # training examples from the line, good or defective; one under the other in the
        # column narrowed beside the camera ("Label defective… [D]" was cut at both ends)
        labels = self.label_buttons = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        labels.addWidget(self.label_good_button, 1)
        labels.addWidget(self.label_defective_button, 1)
        rl.addLayout(labels)
        rl.addWidget(self.progress)
        rl.addStretch(1)
        # Stacked where camera, result and banner do not fit side by side (the banner
        # must never be scrolled out sideways).
        middle = self.middle = AdaptiveSplitter()
        middle.addWidget(self.camera_pane)
        # What the picture shows, under it, with the QA lead's override of its verdict (the
        # picture gives way; a row more in the result column would not fit a 1024x600 panel).
        middle.addWidget(_under(self.view, self.detail, self.override_button))
        # Stacked, a narrow pane would hold the splitter narrow: it could never go back.
        middle.orientation_changed.connect(lambda o: self.camera_pane.setMaximumWidth(
            CAMERA_MAX_WIDTH if o == Qt.Orientation.Horizontal else QWIDGETSIZE_MAX))
        middle.setStretchFactor(1, 1)
        body = QHBoxLayout()
        body.addWidget(middle, 1)
        body.addWidget(right)
        self.recent = RecentStrip()
        self.compact = False
        VisibleHeightWatch(self, self._fit_height)
        self.recent.chosen.connect(self.show_recent)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(body, 1)
        layout.addWidget(self.recent)
        self.timer.timeout.connect(lambda: self.auto.paused() or self.inspect_camera_frame())
        space_key(self, self._space)
        for key, slot in (("H", self.heatmap_box.toggle),
                          ("G", self.label_good), (LABEL_DEFECTIVE_KEY, self.label_defective),
                          (OVERRIDE_KEY, self.override)):
            page_key(self, key, slot)  # held down, these act once
        self._toggle_camera_panel(False)
        state.actor_changed.connect(lambda _a: self._apply_role())
        state.signing_out.connect(self._leave)
        state.product_changed.connect(lambda _p: self.check_model())
        state.data_changed.connect(lambda kind: kind == "models" and self.check_model())
        state.part_inspected.connect(self._judged_elsewhere)
        self._apply_role()
        self.show_result(None, None)

    def on_shown(self) -> None:
        self.check_model()
        self._refresh_shown()

    def _refresh_shown(self) -> None:
        """The parts on screen as stored now: a verdict overridden on History (or at
        another station) since they were shown must not stand here as it was."""
        entries = self.recent.payloads()
        ids = [p.id for p in entries] + ([self.current.id] if self.current else [])
        try:
            now = inspection.inspections_by_id(self.state.project, ids)
        except UserError as exc:
            self.state.say(str(exc))
            return
        for old in entries:
            new = now.get(old.id)
            if new is not None and verdict_of(new) != verdict_of(old):
                self.recent.update_entry(lambda p, i=old.id: p.id == i, new.final_verdict, new)
        new = now.get(self.current.id) if self.current else None
        if self.current is not None and new is not None and verdict_of(new) != verdict_of(
                self.current):
            self.show_result(dataclasses.replace(new, heatmap=self.current.heatmap,
                                                 overlay=self.current.overlay,
                                                 region_box=self.current.region_box),
                             self.current_rgb)

    def check_model(self) -> None:
        """Without an active model, say how to get one and turn the sources off (each
        would only fail); the live camera still previews."""
        step = None
        if self.state.actor is not None:
            step = model_step(self.state.project, self.state.product)
        for button, tip in self._source_tips.items():
            button.setEnabled(step is None)
            if step is not None and button is self.continuous:
                button.setChecked(False)  # the timer would fail on every frame
            button.setToolTip(tip if step is None else f"{step[0]}  {tip}".strip())
        if step is None:
            self.next_step.clear()
            self.model_watch.stop()
        else:
            self.next_step.show_step(*step)
            self.model_watch.start()  # another station may train one meanwhile
        if self.current is None:  # "Cancelled" stays; it said "No inspection yet" after 33
            self.banner.set_verdict(None, self._empty_text if step is None else
                                    "No model yet")

    def _fit_height(self) -> None:
        """Compact where the visible height is under COMPACT_BELOW (not the page's own
        height: a page that does not fit is as tall as its content, never short)."""
        compact = visible_height(self) < COMPACT_BELOW
        if compact != self.compact:
            self.compact = compact
            self.banner.set_compact(compact)
            self.recent.set_compact(compact)
            self._arrange_label_buttons()

    def _arrange_label_buttons(self) -> None:
        """Side by side, unless the camera narrows the column: then one under the other,
        or, on a screen too short for that, side by side with short texts (cut to fit,
        "Label defective… [D]" read "bel defective… [")."""
        narrow = self.camera_pane.isVisibleTo(self)
        stacked = narrow and not self.compact
        self.label_buttons.setDirection(QBoxLayout.Direction.TopToBottom if stacked
                                        else QBoxLayout.Direction.LeftToRight)
        texts = SHORT_LABEL_TEXTS if narrow and self.compact else (LABEL_GOOD_TEXT,
                                                                    LABEL_DEFECTIVE_TEXT)
        self.label_good_button.setText(texts[0])
        self.label_defective_button.setText(texts[1])

    def _leave(self) -> None:
        """Before a sign-out: no camera left open for nobody (unless it inspects on its
        own through an idle sign-out), and the last batch's note (the previous operator's
        cancel, say) is not left for the next one as theirs."""
        if not (self.state.keeping_automation
                and (self.timer.isActive() or self._resume_continuous)):
            self.camera.stop()
        if self.job is None:
            self._set_batch_note("")

    def _apply_role(self) -> None:
        if self.state.actor is None and self.state.automation_actor is None:
            self.continuous.setChecked(False)  # signed out: nobody may inspect
        self.override_button.setVisible(self.state.may(roles.OVERRIDE_VERDICT))
        self.label_good_button.setVisible(self.state.may(roles.LABEL))
        self.label_defective_button.setVisible(self.state.may(roles.LABEL))
        self.check_model()

    def label_good(self) -> bool:
        """The shown part is a good example (ui.label_actions)."""
        return label_inspected_good(self, self.state, self.current)

    def label_defective(self) -> bool:
        """The shown part is a defect example, with type and severity (ui.label_actions)."""
        return label_inspected_defective(self, self.state, self.current)

    # -- sources --------------------------------------------------------------------------
    def choose_file(self) -> None:
        if self._busy():
            return
        path, _ = QFileDialog.getOpenFileName(self, "Inspect an image", "", IMAGE_FILTER)
        if path:
            self.inspect_paths([path])

    def choose_folder(self) -> None:
        if self._busy():
            return
        folder = QFileDialog.getExistingDirectory(self, "Inspect a folder")
        if folder:
            self.inspect_paths([folder])

    def _busy(self) -> bool:
        """One inspection at a time; a file picked meanwhile was dropped without a word."""
        if self.job is not None:
            self.state.say("An inspection is under way: wait for it, or Esc cancels it")
        return self.job is not None

    def inspect_paths(self, paths: list[str | Path]) -> Job | None:
        if self._busy():
            return None
        job = Job(inspect_files, self.state.project, self.state.actor,
                  [str(p) for p in paths], self.state.product)
        job.finished.connect(self._files_inspected)
        job.cancelled.connect(self._files_cancelled)
        job.failed.connect(lambda exc: self._note_stopped_batch(f"Inspection stopped ({exc})",
                                                                only_if_any=True))
        self.progress.attach(job, "Inspecting…")
        # The part on screen is no longer the one in hand: never leave its verdict up.
        self.show_result(None, None, "Inspecting…")
        self._set_batch_note("")
        self._batch_started = dt.datetime.now(dt.UTC)
        self._batch_by = self.state.actor.name if self.state.actor else None
        return self._start(job)

    def _files_inspected(self, result: tuple) -> None:
        batch, shown = result
        for info, rgb in shown[:-1]:
            self.recent.add(rgb, info.final_verdict, without_arrays(info))
        if shown:
            self._add_result(*shown[-1])
        else:
            self.show_result(None, None, "NOT INSPECTED")
        summary = batch_summary(batch)
        if batch.cancelled:
            summary = stopped_text("Inspection cancelled", len(batch.inspections),
                                   verdict_counts(batch.inspections)["ng"])
        single = len(batch.inspections) == 1 and not (batch.refused or batch.notes
                                                      or batch.cancelled)
        self._set_batch_note("" if single else summary,
                             warn=bool(batch.refused or batch.notes or batch.cancelled) or any(
                                 i.final_verdict != "ok" for i in batch.inspections))
        if len(batch.inspections) > 1 or (batch.inspections and not single):
            key, word, detail = batch_banner(batch)
            self.banner.set_verdict(key, detail, word)  # the batch; a thumbnail: its part
            self.detail.setText(f"Last part: {self.detail.text()}")
        self.state.say(summary.replace("\n", " "))

    def _files_cancelled(self) -> None:
        self.show_result(None, None, "Cancelled")
        self._note_stopped_batch("Inspection cancelled")

    def _note_stopped_batch(self, what: str, only_if_any: bool = False) -> None:
        """The parts judged before a cancel or an error are recorded: say how many and
        how they went (counted under whoever started the batch: its rows are theirs,
        also when somebody else has signed in since). With ``only_if_any`` (an error,
        which has its own dialog) nothing is said when no part was stored."""
        done, ng = stored_since(self.state.project, self._batch_started, self._batch_by)
        if only_if_any and done == 0:  # None: unknown, so said
            return
        self._set_batch_note(stopped_text(what, done, ng), warn=True)
        self.state.notify("inspections")

    def _set_batch_note(self, text: str, warn: bool = False) -> None:
        self.batch_note.show_text(text, warn)
        self.notes.refresh()

    def _toggle_camera_panel(self, on: bool) -> None:
        for widget in (self.camera_pane, self.inspect_now, self.continuous, self.rate):
            widget.setVisible(on)  # the camera and its controls
        self.right.setMaximumWidth(RESULT_WIDTH[0] if on else RESULT_WIDTH[1])
        self._arrange_label_buttons()
        if not on:
            self.continuous.setChecked(False)
            self.camera.stop()

    def _camera_state(self, running: bool) -> None:
        """A camera that stops (button, unplugged, driver error) ends continuous inspection:
        the last picture would otherwise be recorded again and again as new parts. A lost
        camera that is opened again (CameraPreview) takes continuous inspection up again."""
        if not running and self.continuous.isChecked():
            self.continuous.setChecked(False)
            self._resume_continuous = self.camera.reopening
            self.state.say("The camera stopped: continuous inspection "
                           + ("pauses until it is back." if self._resume_continuous
                              else "ended."))
        elif not running and not self.camera.reopening:
            self._resume_continuous = False  # stopped for good (Stop, sign-out)
        elif running and self._resume_continuous and self.continuous.isEnabled():
            self._resume_continuous = False
            self.continuous.setChecked(True)
            self.state.say("The camera is back: continuous inspection goes on.")

    def _space(self) -> None:
        """Space is the frame button's key: without a model it says why, as the button's
        tooltip does, instead of an inspection that fails with an error dialog."""
        if self.inspect_now.isEnabled():
            self.inspect_camera_frame()
        else:
            self.state.say(self.inspect_now.toolTip())

    def inspect_camera_frame(self) -> Job | None:
        """Inspect the newest frame; while an inspection runs, frames are dropped. The timer
        never inspects the same frame twice (a stalled camera delivers no new ones)."""
        frame = self.camera.last_frame
        if frame is None:
            if not self.timer.isActive():
                self.state.say("No camera frame: open Live camera and start a camera first.")
            return None
        if self.job is not None:
            self.dropped_frames += 1
            return None
        if self.timer.isActive() and self.camera.frame_serial == self._inspected_serial:
            return None
        self._inspected_serial = self.camera.frame_serial
        actor = self.state.actor or (self.state.automation_actor if self.timer.isActive()
                                     else None)  # an idle sign-out: the line goes on
        job = Job(inspect_frame, self.state.project, actor, frame.copy(), self.state.product)
        job.finished.connect(lambda result: self._add_result(*result))
        if self.timer.isActive():  # a failure pauses it, with no dialog to untick it
            job.finished.connect(lambda _result: self.auto.frame_done())
            job.failed.connect(self._frame_failed)
            return self._start(job, dialog=False)
        return self._start(job)

    def _frame_failed(self, exc: BaseException) -> None:
        if not self.auto.passing(exc):
            return self._failed(exc)
        self.show_result(None, None, "NOT INSPECTED")
        self.state.say(self.auto.frame_failed(exc))

    def _start(self, job: Job, dialog: bool = True) -> Job:
        if dialog:
            job.failed.connect(self._failed)
        job.done.connect(self._job_done)
        self.job = job
        return job.start(inspection_pool())

    def _failed(self, exc: BaseException) -> None:
        self.continuous.setChecked(False)
        self.show_result(None, None, "NOT INSPECTED")
        show_error(self, exc, "Inspection failed")

    def _job_done(self) -> None:
        self.job = None

    # -- results --------------------------------------------------------------------------
    def _add_result(self, info: InspectionInfo, rgb: np.ndarray | None) -> None:
        if rgb is not None:
            self.recent.add(rgb, info.final_verdict, without_arrays(info))
        self.show_result(info, rgb)
        self.state.notify("inspections")

    def _judged_elsewhere(self, info: InspectionInfo, thumb: np.ndarray | None) -> None:
        """A part the hot folder judged: into the recent strip, and on the banner unless
        this page's own inspection is under way (its result comes next)."""
        if thumb is not None:
            self.recent.add(thumb, info.final_verdict, without_arrays(info))
        if self.job is None:
            self.show_result(info, None)

    def show_recent(self, info: InspectionInfo) -> None:
        """A part chosen in the recent strip: the one on screen keeps its picture and live
        heat map; an older one loads its picture and stored heat map from the store."""
        if self.current is not None and self.current.id == info.id:
            self.show_result(self.current, self.current_rgb)
        else:
            self.show_result(info, None)

    def show_result(self, info: InspectionInfo | None, rgb: np.ndarray | None,
                    empty_text: str = "No inspection yet") -> None:
        """Show one inspection; with none, a neutral banner saying ``empty_text``."""
        self.current, self.current_rgb = info, rgb
        self._empty_text = empty_text
        self.override_button.setEnabled(info is not None)
        self.label_good_button.setEnabled(info is not None)
        self.label_defective_button.setEnabled(info is not None)
        self.setup_warning.setVisible(info is not None and info.unfamiliar)
        if info is not None:
            self.setup_warning.setText(unfamiliar_text(info.final_verdict))
        self.notes.refresh()
        if info is None:
            self.banner.set_verdict(None, empty_text)
            self.detail.setText("Inspect an image, a folder or the live camera.")
            self.loader.forget()
            self.view.set_image(None)
            return
        self.banner.set_verdict(info.final_verdict, result_detail(info))
        # Most telling first, cut at the end: cut in the middle, a 1366 px window read
        # "m… v1" and a 1024 px one lost the model and the operator.
        where = f"{info.operator or ''}" + (f" @ {info.station}" if info.station else "")
        self.detail.setText(
            f"{info.image_name or f'image #{info.image_id}'} · model v{info.model_version} · "
            f"{info.inspected_at.astimezone():%H:%M:%S} · {where} · image #{info.image_id}")
        self.view.show_loading()  # the previous part's picture must not stand under this verdict
        self.loader.request(info.id, inspection_picture, self.state.project, info, rgb)

    def picture_pending(self) -> bool:
        """True while the shown inspection's picture is still being made ready."""
        return self.current is not None and self.loader.pending()

    def _picture_ready(self, inspection_id: int, picture: Picture) -> None:
        if self.current is None or self.current.id != inspection_id:
            return  # another result came meanwhile
        self.view.show_picture(picture)
        self.view.set_overlay_visible(self.heatmap_box.isChecked())

    def _picture_failed(self, inspection_id: int, exc: BaseException) -> None:
        if self.current is not None and self.current.id == inspection_id:
            self.view.set_image(None)
            self.state.say(str(exc))

    def override(self) -> None:
        info = self.current
        if info is None or not self.state.may(roles.OVERRIDE_VERDICT):
            return  # the O key of an operator: the button is hidden, the dialog too
        answer = ask_override(self, info)
        if answer is not None:
            self.apply_override(*answer)

    def apply_override(self, verdict: str, reason: str) -> InspectionInfo | None:
        """Store the QA lead's verdict beside the machine's and show it."""
        if self.current is None:
            return None
        info = store_override(self, self.state, self.current.id, verdict, reason)
        if info is None:
            return None
        self.show_result(info, self.current_rgb)
        self.recent.update_entry(lambda p: p.id == info.id, info.final_verdict,
                                 without_arrays(info))
        return info

    def automatic_work(self) -> str | None:
        """What runs here without anyone at the keyboard (idle sign-out waits for it)."""
        if self.timer.isActive():
            return "continuous camera inspection"
        if self._resume_continuous:
            return "continuous camera inspection (waiting for the camera)"
        return "a file or folder inspection" if self.job is not None else None

    def shutdown(self) -> None:
        self.timer.stop()
        self.camera.wait_stopped()
