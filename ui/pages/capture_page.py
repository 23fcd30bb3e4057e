"""Capture / import: live camera with snapshot (Space), file and folder import (dialogs or
drag & drop) with progress and a per-file report, and the hot folder."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from inspector.services import importing
from inspector.services.sensor_depth import SETTING as SENSOR_SETTING
from inspector.services.sensor_depth import sensor_bits
from inspector.store import roles
from ui.dialogs import show_error, succeeded
from ui.shortcuts import page_key, space_key
from ui.state import AppState
from ui.visible_height import VisibleHeightWatch, visible_height
from ui.widgets.adaptive_splitter import AdaptiveSplitter
from ui.widgets.camera_preview import CameraPreview
from ui.widgets.hot_folder_panel import HotFolderPanel
from ui.widgets.import_report import ImportReportTable
from ui.widgets.progress_panel import ProgressPanel
from ui.worker import Job, quick_pool

IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.bmp *.tif *.tiff *.webp)"
PICTURE_ASPECT = 3 / 4  # height / width of the stacked camera picture (a 4:3 camera)
# Stacked with no camera running, the empty picture is one strip: the Import box under it
# stays on a 1024x600 screen (a new project starts by importing, not with a camera).
STOPPED_PICTURE_HEIGHT = 72
FOLDER_LABELS_TIP = (
    "Photos in a folder named good (or ok) are labelled good; those in any other folder "
    "are labelled defective, the folder's name being the defect type (train/ and test/ "
    "are ignored). Leave it off for folders named by date or batch.")


class CapturePage(QWidget):
    """Left: camera and snapshot. Right: import, its report, and the hot folder."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.setAcceptDrops(True)
        self.import_job: Job | None = None
        title = QLabel("Capture / import")
        title.setProperty("role", "title")
        self.camera = CameraPreview(sensor_bits=lambda: sensor_bits(state.project))
        self.snapshot_button = QPushButton("Snapshot  [Space]")
        self.snapshot_button.clicked.connect(self.snapshot)
        self.snapshot_status = QLabel()
        camera_box = self.camera_box = QGroupBox("Camera")
        cl = QVBoxLayout(camera_box)
        cl.addWidget(self.camera, 1)
        cl.addWidget(self.snapshot_button)
        cl.addWidget(self.snapshot_status)

        files_button = QPushButton("Import files…")
        files_button.clicked.connect(self.choose_files)
        folder_button = QPushButton("Import folder…")
        folder_button.clicked.connect(self.choose_folder)
        # A new user's photos are often sorted already (good/, scratch/...): without this
        # they came in unlabelled, the folder names lost, to be labelled one by one.
        self.folder_labels = QCheckBox("Label from folder names (good/, one folder per "
                                       "defect type)")
        self.folder_labels.setToolTip(FOLDER_LABELS_TIP)
        hint = QLabel("…or drop files and folders anywhere on this page.")
        hint.setProperty("role", "hint")
        hint.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(files_button)
        buttons.addWidget(folder_button)
        page_key(self, "Ctrl+O", files_button)
        page_key(self, "Ctrl+Shift+O", folder_button)
        self.progress = ProgressPanel()
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        # An import of a 12-bit camera's 16-bit files offers the setting that reads them
        # (QA lead or admin): the pictures are almost black until then.
        self.bits_button = QPushButton()
        self.bits_button.setVisible(False)
        self.bits_button.clicked.connect(self.use_suggested_bits)
        self._suggested_bits: int | None = None
        self.report = ImportReportTable()
        import_box = QGroupBox("Import")
        il = QVBoxLayout(import_box)
        il.addLayout(buttons)
        il.addWidget(self.folder_labels)
        il.addWidget(hint)
        il.addWidget(self.progress)
        il.addWidget(self.summary)
        il.addWidget(self.bits_button)
        il.addWidget(self.report, 1)
        self.hot_folder = HotFolderPanel(state)
        hot_box = QGroupBox("Hot folder")
        QVBoxLayout(hot_box).addWidget(self.hot_folder)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(import_box, 1)
        rl.addWidget(hot_box)
        splitter = self.splitter = AdaptiveSplitter()
        splitter.addWidget(camera_box)
        splitter.addWidget(right)
        splitter.setSizes([600, 500])
        self._picture_min_height = self.camera.picture.minimumHeight()
        splitter.orientation_changed.connect(lambda _o: self._fit_camera())
        self.camera.state_changed.connect(lambda _r: self._fit_camera())
        VisibleHeightWatch(self, self._fit_camera)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(splitter, 1)
        space_key(self, self.snapshot)
        state.actor_changed.connect(lambda _a: self._apply_role())
        state.signing_out.connect(self.camera.stop)  # no camera left open for nobody
        self._apply_role()

    def _apply_role(self) -> None:
        if not self.state.may(roles.EDIT_SETTINGS):  # the admin's offer is not the next's
            self._offer_bits(None)
        may = self.state.may(roles.LABEL)
        self.folder_labels.setEnabled(may)
        if not may:
            self.folder_labels.setChecked(False)
        self.folder_labels.setToolTip(FOLDER_LABELS_TIP if may else
                                      "Your role imports photos without labels")

    # -- camera ---------------------------------------------------------------------------
    def _fit_camera(self) -> None:
        """Stacked (a narrow window), each pane gets only its minimum height, which left
        the picture at 200 px under a wide pane: it is as tall as its width asks for, up
        to what keeps the whole camera box on screen; with no camera running, a strip.
        Side by side, the splitter shares the height as before."""
        picture = self.camera.picture
        height = self._picture_min_height
        if self.splitter.orientation() == Qt.Orientation.Vertical and not self.camera.running:
            height = STOPPED_PICTURE_HEIGHT
        elif self.splitter.orientation() == Qt.Orientation.Vertical:
            controls = self.camera_box.minimumSizeHint().height() - picture.minimumHeight()
            bottom = self.layout().contentsMargins().bottom()
            room = visible_height(self) - self.splitter.y() - bottom - controls
            height = max(height, min(round(picture.width() * PICTURE_ASPECT), room))
        if height != picture.minimumHeight():
            picture.setMinimumHeight(height)

    def snapshot(self) -> Job | None:
        """Store the current frame as an image (in the worker)."""
        frame = self.camera.last_frame
        if frame is None:
            self.snapshot_status.setText("No camera frame yet: start a camera first.")
            return None
        job = Job(importing.import_array, self.state.project, self.state.actor, frame.copy(),
                  product=self.state.product, source="camera")
        job.finished.connect(self._snapshot_stored)
        job.failed.connect(lambda exc: self.snapshot_status.setText(f"⚠ {exc}"))
        return job.start(quick_pool())  # one frame: never behind a training or an import

    def _snapshot_stored(self, info) -> None:  # noqa: ANN001 - ImageInfo
        self.snapshot_status.setText(f"Snapshot stored as image #{info.id}.")
        self.state.notify("images")

    # -- import ---------------------------------------------------------------------------
    def choose_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Import images", "", IMAGE_FILTER)
        if paths:
            self.import_paths(paths)

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Import a folder")
        if folder:
            self.import_paths([folder])

    def import_paths(self, paths: list[str]) -> Job | None:
        """Import in the worker with progress and Cancel; the report lists every file."""
        if self.import_job is not None:
            self.summary.setText("An import is already running.")
            return None
        self.summary.setText("")
        job = Job(importing.import_paths, self.state.project, self.state.actor, list(paths),
                  product=self.state.product, source="folder" if any(
                      Path(p).is_dir() for p in paths) else "file",
                  labels_from_folders=self.folder_labels.isChecked())
        job.finished.connect(self._imported)
        job.failed.connect(lambda exc: show_error(self, exc, "Import failed"))
        job.cancelled.connect(lambda: self.summary.setText("Import cancelled; nothing kept."))
        job.done.connect(self._import_done)
        self.progress.attach(job, "Importing…")
        self.import_job = job
        return job.start()

    def _imported(self, report) -> None:  # noqa: ANN001 - ImportReport
        summary = self.report.show_report(report)
        if self.folder_labels.isChecked() and report.stored:
            labelled = [i for i in report.stored if i.state != "unlabelled"]
            summary += f"; {len(labelled)} labelled from their folder names"
        # Notes are about the whole import (a 12-bit camera's files): above the table,
        # where the width lets them be read, not squeezed into one cell of it.
        self.summary.setText("\n".join([summary] + [f"⚠ {note}" for note in report.notes]))
        self._offer_bits(report.suggested_sensor_bits)
        self.state.notify("images")

    def _offer_bits(self, bits: int | None) -> None:
        self._suggested_bits = bits if self.state.may(roles.EDIT_SETTINGS) else None
        if self._suggested_bits is not None:
            self.bits_button.setText(f"Read 16-bit pictures as {self._suggested_bits}-bit "
                                     "(setting sensor_bits)")
        self.bits_button.setVisible(self._suggested_bits is not None)

    def use_suggested_bits(self) -> None:
        """Set sensor_bits as the import proposed; the model must be retrained."""
        bits = self._suggested_bits
        if bits is None:
            return
        if not succeeded(self, self.state.project.set_setting, self.state.actor,
                         SENSOR_SETTING, bits):
            return
        self._offer_bits(None)
        self.state.say(f"16-bit pictures are now read as {bits}-bit: retrain the model "
                       "(Train page) before inspecting them")
        self.state.notify("images")

    def _import_done(self) -> None:
        self.import_job = None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt override
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt override
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.import_paths(paths)

    def automatic_work(self) -> str | None:
        """What runs here without anyone at the keyboard (idle sign-out waits for it)."""
        return "the hot folder" if self.hot_folder.watcher is not None else None

    def shutdown(self) -> None:
        self.camera.wait_stopped()
        self.hot_folder.shutdown()
        if self.import_job is not None:
            self.import_job.cancel()
