"""A refresh that runs in the background, at most one at a time, latest request wins.

Pages refresh themselves when someone else changed the data: the hot folder stores a
part every few seconds, other stations label. At 100,000 images the Label page's queries
take about half a second; run on the GUI thread at every such notice, they froze the page
under the operator's hands. Here a notice starts one background query; notices that come
while it runs ask for one more run after it (not one each); and a result that the page
has overtaken (it listed again itself, for a new filter) is dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget
from shiboken6 import isValid

from ui.worker import Job, quick_pool

log = logging.getLogger(__name__)


class CoalescedJob:
    """``request()`` runs ``call()``'s (fn, *args) in a Job and gives its result to
    ``apply``; ``overtake()`` drops the result of a run already under way."""

    def __init__(self, owner: QObject, call: Callable[[], tuple[Callable[..., Any], ...]],
                 apply: Callable[[Any], None], failed: Callable[[BaseException], None]) -> None:
        self.owner = owner  # the page: a result that arrives after it closed is dropped
        self.call, self.apply, self.failed = call, apply, failed
        self.generation = 0
        self.job: Job | None = None
        self.again = False

    def overtake(self) -> None:
        """The page refreshed itself: a background result now would be older than it."""
        self.generation += 1

    def request(self) -> None:
        if self.job is not None:
            self.again = True
            return
        fn, *args = self.call()
        generation = self.generation
        job = Job(fn, *args)
        job.finished.connect(lambda result: self._finished(generation, result))
        job.failed.connect(lambda exc: isValid(self.owner) and self.failed(exc))
        job.done.connect(self._done)
        self.job = job.start(quick_pool())  # short reads: never behind a training

    def _finished(self, generation: int, result: Any) -> None:
        if not isValid(self.owner):
            return
        if generation == self.generation:
            self.apply(result)
        else:
            log.debug("background refresh overtaken; result dropped")

    def _done(self) -> None:
        self.job = None
        if self.again and isValid(self.owner) and not _closed(self.owner):
            self.again = False
            self.request()


def _closed(owner: QObject) -> bool:
    """The owner's window was closed: one more run would only hold the page (and through
    it the project) until it ends, after the window was let go."""
    return isinstance(owner, QWidget) and not owner.window().isVisible()
