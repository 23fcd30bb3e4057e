"""A progress bar with a message and a Cancel button, bound to one ``Job`` at a time."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QPushButton, QWidget

from ui.widgets.elided_label import ElidedLabel
from ui.worker import Job

# The status bar's panel: a 44 px Cancel (34 px of contents + padding and border; the
# common minimum touch target) at least 120 px wide, and a shorter bar. A page's 58 px
# button made the status bar a line taller; Esc cancels as well.
COMPACT_BUTTON_MIN_HEIGHT, COMPACT_BUTTON_MIN_WIDTH, COMPACT_BAR_WIDTH = 34, 120, 110


class ProgressPanel(QWidget):
    """Hidden while idle; shows the running job's progress and lets the user cancel it.

    The message ends in "…" when the panel is narrow (the whole of it in the tooltip).
    ``compact`` is for the status bar, which should stay about a line of text high.
    """

    def __init__(self, parent: QWidget | None = None, *, compact: bool = False) -> None:
        super().__init__(parent)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(True)
        self.message = ElidedLabel()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the running job (Esc)")
        self.cancel_button.clicked.connect(self.cancel)
        if compact:  # a widget's own sheet wins over the application's
            self.cancel_button.setStyleSheet(f"min-height: {COMPACT_BUTTON_MIN_HEIGHT}px;")
            self.cancel_button.setMinimumWidth(COMPACT_BUTTON_MIN_WIDTH)
            self.bar.setStyleSheet(f"min-width: {COMPACT_BAR_WIDTH}px;")
            self.bar.setMaximumWidth(COMPACT_BAR_WIDTH)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.bar, 2)
        layout.addWidget(self.message, 3)
        layout.addWidget(self.cancel_button)
        self.job: Job | None = None
        self.title = ""
        self.setVisible(False)

    def attach(self, job: Job, title: str = "") -> None:
        """Follow ``job`` until it ends; the panel hides itself afterwards."""
        self.job = job
        self.title = (title or "Working…").rstrip("…")
        self.bar.setValue(0)
        self.bar.setFormat("%p%")
        self.message.setText(title or "Working…")
        self.cancel_button.setEnabled(True)
        job.progress.connect(self._on_progress)
        job.done.connect(lambda: self._on_done(job))
        self.setVisible(True)

    @property
    def busy(self) -> bool:
        return self.job is not None

    def describe(self) -> str:
        """The running job for a question about it: "Training (45 %)"."""
        return f"{self.title} ({self.bar.value() // 10} %)"

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.cancel_button.setEnabled(False)
            self.message.setText("Cancelling…")

    def _on_progress(self, fraction: float, message: str) -> None:
        self.bar.setValue(int(fraction * 1000))
        if message:
            self.message.setText(message)

    def _on_done(self, job: Job) -> None:
        if self.job is job:
            self.job = None
            self.setVisible(False)
