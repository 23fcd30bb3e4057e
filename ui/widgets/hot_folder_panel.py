"""Hot folder: watch a folder, import each finished file and inspect it if a model is active.

The watcher (Qt-free, its own thread) reports files; a signal carries them to the GUI
thread, and importing / inspecting (services.hot_folder) runs in a one-thread worker
pool, in arrival order. Handled files move to done/ or refused/ (a tick box, on by
default), so Start also takes what arrived while the station was stopped. A file whose
handling failed for a reason outside it (the database busy or unreachable, a full disk)
is tried again after a pause that grows to five minutes: it used to wait for a restart.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from inspector.errors import UserError
from inspector.imaging.hot_folder import HotFolderWatcher
from inspector.services.hot_folder import HotFileOutcome
from inspector.store.roles import EDIT_SETTINGS
from ui.dialogs import error_text
from ui.inspect_work import hot_file_for_screen
from ui.state import AppState
from ui.worker import Job

SETTING = "hot_folder"
RETRY_AFTER_S = (30, 60, 120, 300)  # after the 1st, 2nd, 3rd, later failure of one file


class _Bridge(QObject):
    """Lives on the GUI thread; the watcher thread emits, Qt queues to the GUI thread."""

    file_ready = Signal(str)
    folder_state = Signal(str)  # "lost" / "back"


class HotFolderPanel(QWidget):
    """Folder field, Browse, Start/Stop, auto-inspect tick box and a log line."""

    processed = Signal(object)  # ImportReport or BatchInspection

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.folder_edit = QLineEdit(str(state.project.get_setting(SETTING, "") or ""))
        self.folder_edit.setPlaceholderText("folder the camera software saves into")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        self.start_button = QPushButton("Start watching")
        self.start_button.clicked.connect(self.toggle)
        self.inspect_box = QCheckBox("Inspect new files when a model is active")
        self.inspect_box.setChecked(True)
        self.move_box = QCheckBox("Move handled files to done/ and refused/ in the folder")
        self.move_box.setChecked(True)
        self.move_box.setToolTip("Left in place, a file copied in while watching was "
                                 "stopped is not picked up by the next Start.")
        self.log = QLabel("Not watching.")
        self.log.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.folder_edit, 1)
        row.addWidget(browse)
        row.addWidget(self.start_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.inspect_box)
        layout.addWidget(self.move_box)
        layout.addWidget(self.log)
        self.bridge = _Bridge(self)
        self.bridge.file_ready.connect(self._file_ready)
        self.bridge.folder_state.connect(self._folder_state)
        self.tries: dict[str, int] = {}  # files handed back while still being written
        self.failures: dict[str, int] = {}  # files whose handling failed: tried again later
        self.watcher: HotFolderWatcher | None = None
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self.count = 0
        self.noted = False  # an import note was said (once in this window)
        self.said_left = False  # a file left for want of a product was said (once a Start)
        self.waiting: list[str] = []  # files that arrived while nobody was signed in
        self.left: set[str] = set()  # files left for want of a product (several models)
        state.actor_changed.connect(self._actor_changed)
        state.product_changed.connect(lambda _p: self._take_left())

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Hot folder", self.folder_edit.text())
        if folder:
            self.folder_edit.setText(folder)

    def toggle(self) -> None:
        if self.watcher is not None:
            self.stop()
        else:
            self.start(Path(self.folder_edit.text().strip()))

    def start(self, folder: Path, stable_ms: int = 500) -> bool:
        if not str(folder) or str(folder) == ".":
            self.log.setText("Choose a folder first.")
            return False
        bridge = self.bridge
        move = self.move_box.isChecked()
        watcher = HotFolderWatcher(folder, lambda p: bridge.file_ready.emit(str(p)),
                                   stable_ms=stable_ms, include_existing=move,
                                   on_state=bridge.folder_state.emit)
        try:
            watcher.start()
        except UserError as exc:
            self.log.setText(f"⚠ {exc}")
            return False
        except OSError as exc:  # the system's watch limit, a share that cannot be watched
            watcher.stop()
            self.log.setText(f"⚠ Cannot watch {folder}: {exc.strerror or exc}")
            return False
        self.watcher = watcher
        self.said_left = False
        self.move_box.setEnabled(False)
        self.start_button.setText("Stop watching")
        self.log.setText(f"Watching {folder}. New files are imported automatically"
                         + (", then moved to done/ or refused/." if move else "."))
        if self.state.may(EDIT_SETTINGS) and str(folder) != self.state.project.get_setting(
                SETTING):
            # QA leads make it the project's default hot folder; operators just watch it.
            self.state.project.set_setting(self.state.actor, SETTING, str(folder))
        self._take_left()
        return True

    def _take_left(self) -> None:
        """Files left for want of a product are tried again (a Start without moving does
        not look at the files already in the folder, so they were never taken)."""
        if self.watcher is None:
            return
        left, self.left = sorted(self.left), set()
        for path in left:
            if Path(path).exists():
                self._file_ready(path)

    def stop(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()
            self.watcher = None
        self.failures.clear()  # a later Start scans the folder afresh
        self.move_box.setEnabled(True)
        self.start_button.setText("Start watching")
        self.log.setText("Not watching.")

    def shutdown(self, wait_ms: int = 60_000) -> None:
        """At exit: stop, and let a file under way finish (imported and filed away) before
        the project closes under it; it would be imported again at the next start."""
        self.stop()
        self.pool.waitForDone(wait_ms)

    def _folder_state(self, state: str) -> None:
        folder = self.watcher.folder if self.watcher is not None else ""
        if state == "lost":
            self.log.setText(f"⚠ The hot folder {folder} is gone (deleted, renamed or "
                             "disconnected). Waiting for it to come back…")
        else:
            self.log.setText(f"The hot folder {folder} is back; watching again.")

    def _actor_changed(self, actor: object) -> None:
        """Files that waited for a sign-in are imported for whoever signs in next."""
        if actor is not None and self.waiting:
            waiting, self.waiting = self.waiting, []
            for path in waiting:
                self._file_ready(path)

    def _file_ready(self, path: str) -> None:
        actor = self.state.actor or self.state.automation_actor  # kept by an idle sign-out
        if actor is None:
            self.waiting.append(path)
            self.log.setText(f"{len(self.waiting)} new file(s) wait for the next sign-in "
                             f"(newest: {Path(path).name}).")
            return
        job = Job(hot_file_for_screen, self.state.project, actor, path,
                  product=self.state.product, inspect=self.inspect_box.isChecked(),
                  move=self.move_box.isChecked(), tries=self.tries.get(path, 0))
        job.finished.connect(lambda result, p=path: self._done(p, *result))
        job.failed.connect(lambda exc, p=path: self._failed(p, exc))
        job.start(self.pool)

    def _not_judged(self, path: str, outcome: HotFileOutcome) -> None:
        """A file the project judged already (filed away now), or one left in the folder
        until a product is chosen: said on the log line, never as a new verdict."""
        name = Path(path).name
        if outcome.left_because:
            self.left.add(path)  # taken again at the next Start or product change
            text = f"⚠ {name} left in the folder: {outcome.left_because}"
            if not self.said_left:  # said once a Start: a burst must not flood the line
                self.said_left = True
                self.state.say(f"Hot folder: {text}")
        else:
            text = (f"{name} was judged already ({outcome.judged_before}): not judged again"
                    + (f" (could not move it: {outcome.move_error})" if outcome.move_error
                       else ", moved to done/"))
        self.log.setText(text)

    def _failed(self, path: str, exc: BaseException) -> None:
        """The file stays in the folder and unchanged, so the watcher would not hand it
        over again: ask for it again after a pause."""
        tries = self.failures.get(path, 0)
        self.failures[path] = tries + 1
        pause = RETRY_AFTER_S[min(tries, len(RETRY_AFTER_S) - 1)]
        self.log.setText(f"⚠ {Path(path).name}: {error_text(exc)} (trying it again in "
                         f"{pause} s)")
        QTimer.singleShot(pause * 1000, self, lambda p=path: self._retry_failed(p))

    def _retry_failed(self, path: str) -> None:
        if self.watcher is not None and path in self.failures:
            self.watcher.retry(Path(path))

    def _done(self, path: str, outcome: HotFileOutcome, thumb: object = None) -> None:
        if outcome.retry:  # still being written: look again (unless watching stopped)
            if self.watcher is not None:
                self.tries[path] = self.tries.get(path, 0) + 1
                self.watcher.retry(Path(path))
            return
        self.tries.pop(path, None)
        self.failures.pop(path, None)
        if outcome.judged_before or outcome.left_because:  # no new verdict to show
            self._not_judged(path, outcome)
            return
        result = outcome.result
        self.count += 1
        refused = getattr(result, "refused", [])
        inspections = getattr(result, "inspections", None)
        name = Path(path).name
        if refused:
            text = f"⚠ {name} refused: {refused[0][1]}"
        elif inspections:
            last = inspections[-1]
            text = f"{name}: {last.final_verdict.upper()}"
            if last.unfamiliar:
                text += " ⚠ unlike the training images: check the setup"
        else:
            text = f"{name} imported"
        if outcome.move_error:
            text += f" (could not move it: {outcome.move_error})"
        notes = getattr(result, "notes", [])
        if notes and not self.noted:  # a 12-bit camera's files: said once, not per file
            self.noted = True
            self.state.say(f"Hot folder: {notes[0]}")
        self.log.setText(f"{text} ({self.count} file(s) so far)")
        rejected = bool(refused) or bool(inspections) and inspections[-1].final_verdict != "ok"
        self.log.setProperty("role", "warning" if rejected else None)
        self.log.style().unpolish(self.log)
        self.log.style().polish(self.log)
        self.state.notify("images")
        if inspections:
            self.state.notify("inspections")
            # shown on Inspect (banner and recent strip); a part not OK is said on any page
            self.state.part_inspected.emit(inspections[-1], thumb)
            if rejected:
                self.state.say(f"Hot folder: {text}")
        self.processed.emit(result)
