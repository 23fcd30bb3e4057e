"""Use case: handle one file that arrived in the hot folder.

Import it (and inspect it when a model is active), then file it away into ``done/`` or
``refused/`` so the folder holds only what has not been handled: a restart picks up what
arrived while the station was stopped, and a file touched again is not judged twice.
A file refused as unreadable that was written moments ago is most likely still being
written by a slow copy; it is handed back to the watcher instead of being filed away.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inspector.imaging.hot_folder import file_away
from inspector.services import importing, inspection, models

log = logging.getLogger(__name__)
# A refused file changed this recently is checked again, for as long as that lasts (a
# copy that stalls for seconds at a time); three quick retries gave up after 2 s and
# filed a picture still being written under refused/. The cap guards against a share
# whose clock runs ahead (a file that looks changed "lately" forever).
STILL_WRITING_S = 10.0
MAX_RETRIES = 50


@dataclass(frozen=True)
class HotFileOutcome:
    result: Any  # BatchInspection (inspected) or ImportReport (imported only)
    moved_to: Path | None = None  # where it was filed, when filing away is on
    retry: bool = False  # refused while probably still being written: check it again
    move_error: str | None = None


def handle_hot_file(project: Any, actor: Any, path: str | Path, *, product: str | None,
                    inspect: bool, move: bool, tries: int = 0) -> HotFileOutcome:
    """Import / inspect ``path`` and, with ``move``, file it under done/ or refused/."""
    path = Path(path)
    if inspect and any(m.active for m in models.list_models(project, product)):
        result = inspection.inspect_paths(project, actor, [path], product=product,
                                          source="hot_folder")
    else:
        result = importing.import_paths(project, actor, [path], product=product,
                                        source="hot_folder")
    refused = bool(getattr(result, "refused", []))
    if refused and tries < MAX_RETRIES and _changed_lately(path):
        return HotFileOutcome(result, retry=True)
    if not move:
        return HotFileOutcome(result)
    try:
        return HotFileOutcome(result, moved_to=file_away(path, "refused" if refused
                                                         else "done"))
    except OSError as exc:  # read-only share, file locked: say so, keep the result
        log.warning("cannot file away %s: %s", path, exc)
        return HotFileOutcome(result, move_error=exc.strerror or str(exc))


def _changed_lately(path: Path) -> bool:
    try:
        return time.time() - path.stat().st_mtime < STILL_WRITING_S
    except OSError:
        return False
