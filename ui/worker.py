"""The one generic background worker: any Qt-free core call, run off the GUI thread.

``Job(fn, *args, **kwargs)`` runs ``fn`` in a QThreadPool. If ``fn`` takes ``progress`` /
``cancel`` keyword arguments they are injected (a callback forwarding to the ``progress``
signal and a ``CancelToken``). Results and errors come back as signals, which Qt delivers
on the GUI thread, so pages never touch widgets from a worker thread.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal

from inspector.errors import Cancelled, UserError
from inspector.progress import CancelToken, Progress

log = logging.getLogger(__name__)

# Jobs alive until their last signal: a QRunnable without a Python owner would be collected.
_RUNNING: set[Job] = set()
_POOL: QThreadPool | None = None
_PICTURE_POOL: QThreadPool | None = None
_INSPECTION_POOL: QThreadPool | None = None
_QUICK_POOL: QThreadPool | None = None


def stop_all(timeout_ms: int = 10_000) -> bool:
    """At exit: ask every running job to stop and wait for the workers, so none is cut off
    while the project closes (a model load or a batch would otherwise die mid-write and
    print "Signal source has been deleted"). True when all ended in time."""
    for job in list(_RUNNING):
        job.cancel()
    ended = job_pool().waitForDone(timeout_ms)
    ended = inspection_pool().waitForDone(timeout_ms) and ended
    ended = quick_pool().waitForDone(timeout_ms) and ended
    return picture_pool().waitForDone(timeout_ms) and ended


def job_pool() -> QThreadPool:
    """The application's pool; two threads, the shop-floor PCs are small."""
    global _POOL
    if _POOL is None:
        _POOL = QThreadPool()
        _POOL.setMaxThreadCount(2)
    return _POOL


def picture_pool() -> QThreadPool:
    """A thread of its own for pictures to show (ui.image_loader): the next image on
    Label must not wait behind a training or a batch holding both job threads."""
    global _PICTURE_POOL
    if _PICTURE_POOL is None:
        _PICTURE_POOL = QThreadPool()
        _PICTURE_POOL.setMaxThreadCount(1)
    return _PICTURE_POOL


def inspection_pool() -> QThreadPool:
    """A thread of its own for the Inspect page: a part on the line must not wait "Inspecting…"
    behind a training and an import that hold both job threads (measured: 6 s instead of
    0.3 s for one file)."""
    global _INSPECTION_POOL
    if _INSPECTION_POOL is None:
        _INSPECTION_POOL = QThreadPool()
        _INSPECTION_POOL.setMaxThreadCount(1)
    return _INSPECTION_POOL


def quick_pool() -> QThreadPool:
    """Threads of their own for short work a person waits on (a snapshot stored, a list or
    a search read, counts): behind a training and an import holding both job threads, a
    snapshot took 19 s to store and a History search 18 s."""
    global _QUICK_POOL
    if _QUICK_POOL is None:
        _QUICK_POOL = QThreadPool()
        _QUICK_POOL.setMaxThreadCount(2)
    return _QUICK_POOL


def _accepted_kwargs(fn: Callable[..., Any]) -> set[str]:
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return set()
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
        return {"progress", "cancel"}
    return {p.name for p in params}


class Job(QObject):
    """One call of ``fn`` in a worker thread with progress, cancel and result signals.

    Create it on the GUI thread (its signals are then delivered there), connect, then
    ``start()``.
    """

    progress = Signal(float, str)
    finished = Signal(object)
    failed = Signal(object)
    cancelled = Signal()
    done = Signal()  # after any of finished / failed / cancelled

    def __init__(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        super().__init__()
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self.token = CancelToken()
        self.result: Any = None
        self.error: BaseException | None = None
        self.running = False
        self.done.connect(self._release)

    @property
    def name(self) -> str:
        return getattr(self.fn, "__name__", "job")

    def cancel(self) -> None:
        """Ask the job to stop at its next check; it then emits ``cancelled``."""
        self.token.cancel()

    def start(self, pool: QThreadPool | None = None) -> Job:
        """Queue the job now; connect to the signals before calling this."""
        _RUNNING.add(self)
        self.running = True
        (pool or job_pool()).start(self._run)
        return self

    def start_later(self, pool: QThreadPool | None = None) -> Job:
        """Queue the job once control returns to the event loop (callers may connect first)."""
        _RUNNING.add(self)
        self.running = True
        QTimer.singleShot(0, lambda: (pool or job_pool()).start(self._run))
        return self

    def _release(self) -> None:
        self.running = False
        # A short delay lets the pool thread drop its reference before ours goes.
        QTimer.singleShot(200, lambda: _RUNNING.discard(self))

    def _report(self, p: Progress) -> None:
        self.token.check()
        self.progress.emit(float(p.fraction), str(p.message))

    def _run(self) -> None:
        """Worker-thread body: call fn, turn the outcome into exactly one signal."""
        accepted = _accepted_kwargs(self.fn)
        kwargs = dict(self.kwargs)
        if "progress" in accepted:
            kwargs.setdefault("progress", self._report)
        if "cancel" in accepted:
            kwargs.setdefault("cancel", self.token)
        try:
            self.token.check()
            self.result = self.fn(*self.args, **kwargs)
        except Cancelled:
            self.cancelled.emit()
        except UserError as exc:
            self.error = exc
            self.failed.emit(exc)
        except Exception as exc:  # noqa: BLE001 - reported to the GUI, logged with traceback
            log.exception("job %s failed", self.name)
            self.error = exc
            self.failed.emit(exc)
        else:
            self.finished.emit(self.result)
        finally:
            self.done.emit()
