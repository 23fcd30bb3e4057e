"""Qt-free progress reporting and cancellation for long jobs.

Long jobs (training, batch import, batch inspection) take an optional ``progress``
callback and an optional ``CancelToken``. The GUI wraps them in one generic worker that
forwards progress to a signal and sets the token on Cancel; the CLI prints progress.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from inspector.errors import Cancelled


@dataclass(frozen=True)
class Progress:
    """One progress report: ``fraction`` in [0, 1] and a short human message."""

    fraction: float
    message: str = ""


ProgressCallback = Callable[[Progress], None]


class CancelToken:
    """Thread-safe flag a job polls between steps; ``check()`` raises ``Cancelled``."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        if self._event.is_set():
            raise Cancelled("cancelled by user")


def report(progress: ProgressCallback | None, fraction: float, message: str = "") -> None:
    """Call ``progress`` if given, clamping the fraction to [0, 1]."""
    if progress is not None:
        progress(Progress(min(1.0, max(0.0, float(fraction))), message))


def check(cancel: CancelToken | None) -> None:
    """Raise ``Cancelled`` if ``cancel`` is set; a no-op without a token."""
    if cancel is not None:
        cancel.check()


def scaled(progress: ProgressCallback | None, start: float, end: float) -> ProgressCallback | None:
    """A callback that maps a sub-job's [0, 1] onto [start, end] of the parent job."""
    if progress is None:
        return None

    def _inner(p: Progress) -> None:
        progress(Progress(start + (end - start) * p.fraction, p.message))

    return _inner
