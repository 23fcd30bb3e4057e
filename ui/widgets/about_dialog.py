"""About box: versions (app, model file format, active models) and the self-test."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRect
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from inspector.services.about import app_info
from ui.worker import Job

OUTPUT_LINES, MIN_OUTPUT_LINES = 10, 3  # self-test lines shown where the screen allows
WIDTH = 620
WINDOW_FRAME = 48  # px for the title bar and borders, before the window has them


class AboutDialog(QDialog):
    """Shows what support needs to know and runs the installation self-test on demand."""

    def __init__(self, project: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About Inspector")
        info = app_info(project)
        models = "<br>".join(info.active_models) or "none active yet"
        text = QLabel(
            f"<h2>Inspector {info.version}</h2>"
            f"Model file format: {info.model_format_version}<br>"
            f"Project: {info.project_root or '-'}<br>"
            f"Active model(s):<br>{models}<br>"
            f"Log files: {info.log_folder}"
        )
        text.setWordWrap(True)
        self.run_button = QPushButton("Run self-test")
        self.run_button.setMinimumHeight(48)
        self.run_button.clicked.connect(self.run_self_test)
        self.check_button = QPushButton("Check project data")
        self.check_button.setMinimumHeight(48)
        self.check_button.setToolTip("Reads every stored image, mask, model and heat map and "
                                     "compares it with the database; changes nothing.")
        self.check_button.clicked.connect(self.check_data)
        self.project = project
        self.bar = QProgressBar()
        self.bar.setRange(0, 100)
        self.bar.hide()
        self.output = QPlainTextEdit()
        self.output.setReadOnly(True)
        self.output.setPlaceholderText(
            "The self-test trains on the bundled samples in a temporary folder, inspects, "
            "writes a report and deletes it again. Your projects are not touched."
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        row = QHBoxLayout()
        row.addWidget(self.run_button)
        row.addWidget(self.check_button)
        layout.addLayout(row)
        layout.addWidget(self.bar)
        layout.addWidget(self.output, 1)
        layout.addWidget(buttons)
        self.job: Job | None = None
        self._what = "SELF-TEST"
        self.passed: bool | None = None
        self._fitted = False

    def available_geometry(self) -> QRect:
        """The part of the screen a window may use (without the taskbar)."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        return screen.availableGeometry()

    def fit_screen(self) -> None:
        """Ten lines of self-test output where the screen allows, and never larger than
        the available screen: Qt would open the dialog at most 2/3 of the screen tall,
        which at 200 % (960x540) left three lines of output."""
        room = self.available_geometry()
        width = min(max(WIDTH, self.sizeHint().width()), room.width() - WINDOW_FRAME // 2)
        line = self.output.fontMetrics().lineSpacing()
        chrome = (2 * self.output.frameWidth() + 2 * int(self.output.document().documentMargin())
                  + self.output.contentsMargins().top() + self.output.contentsMargins().bottom())
        self.output.setMinimumHeight(OUTPUT_LINES * line + chrome)
        layout = self.layout()
        layout.activate()
        height = (layout.totalHeightForWidth(width) if layout.hasHeightForWidth()
                  else layout.totalSizeHint().height())
        short = height - (room.height() - WINDOW_FRAME)
        if short > 0:  # a short screen: fewer lines (the output scrolls), all of it visible
            self.output.setMinimumHeight(max(MIN_OUTPUT_LINES * line + chrome,
                                             self.output.minimumHeight() - short))
            height -= short
        self.setMinimumWidth(min(WIDTH, width))
        layout.activate()  # the window's minimum follows the output's new one now
        self.resize(width, max(height, self.minimumSizeHint().height()))

    def setVisible(self, visible: bool) -> None:  # noqa: N802 - Qt override
        """Size for the screen the dialog opens on, before its window is made (show and
        exec come here); QDialog then centres it there."""
        if visible and not self._fitted:
            self._fitted = True
            self.fit_screen()
        super().setVisible(visible)

    def run_self_test(self) -> None:
        from inspector.selftest import run_self_test

        self.run_button.setEnabled(False)
        self.output.setPlainText("Running self-test ...")
        self.bar.setValue(0)
        self.bar.show()
        self._start(Job(run_self_test), self._finished, "SELF-TEST")

    def check_data(self) -> None:
        """Read-only check of the project's files (removing leftovers: `inspector check`)."""
        from inspector.services.integrity import check_project

        self.output.setPlainText("Checking project data ...")
        self._start(Job(check_project, self.project, None), self._checked, "PROJECT DATA CHECK")

    def _start(self, job: Job, finished: Any, what: str) -> None:
        self._what = what
        self.run_button.setEnabled(False)
        self.check_button.setEnabled(False)
        self.bar.setValue(0)
        self.bar.show()
        self.job = job
        # Methods, not lambdas: Qt drops them when the dialog is deleted, so a cancelled
        # job that ends after the window closed the dialog reports to nobody.
        job.progress.connect(self._progress)
        job.finished.connect(finished)
        job.failed.connect(self._failed)
        job.cancelled.connect(self._cancelled)
        job.start()

    def _progress(self, fraction: float, message: str) -> None:
        self.bar.setValue(int(fraction * 100))
        self.bar.setFormat(f"{message} %p%")

    def _failed(self, exc: BaseException) -> None:
        self._show(False, [f"FAILED: {exc}"])

    def _cancelled(self) -> None:
        self._show(False, ["cancelled"])

    def _finished(self, report: Any) -> None:
        self._show(bool(report.ok), list(report.lines()))

    def _checked(self, report: Any) -> None:
        self._show(report.ok, report.summary().splitlines())

    def _show(self, ok: bool, lines: list[str]) -> None:
        self.passed = ok
        self.bar.hide()
        self.run_button.setEnabled(True)
        self.check_button.setEnabled(True)
        verdict = f"{self._what} PASSED" if ok else f"{self._what} FAILED"
        self.output.setPlainText("\n".join([verdict, *lines]))

    def reject(self) -> None:  # noqa: D102 - cancel a running self-test on close
        if self.job is not None and self.job.running:
            self.job.cancel()
        super().reject()
