"""Use case: handle one file that arrived in the hot folder.

Import it (and inspect it when a model is active), then file it away into ``done/`` or
``refused/`` so the folder holds only what has not been handled: a restart picks up what
arrived while the station was stopped, and a file touched again is not judged twice.
A file refused as unreadable that was written moments ago is most likely still being
written by a slow copy; it is handed back to the watcher instead of being filed away.
A file the project already judged after it was last written (its filing away failed: a
full disk, a read-only share) is filed away again, not judged and recorded twice. Without
a product, while several products have an active model, a file is left where it is
(judged with one product's model, its verdict would mean nothing).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from inspector.errors import ImageError
from inspector.imaging.decode import decode_file
from inspector.imaging.hot_folder import file_away
from inspector.services import importing, inspection, models
from inspector.store.image_store import sha256_bytes
from inspector.store.models import Image, Inspection

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
    judged_before: str | None = None  # "14:02:11, NG": judged already; not again
    left_because: str | None = None  # not handled, left in the folder: why


def handle_hot_file(project: Any, actor: Any, path: str | Path, *, product: str | None,
                    inspect: bool, move: bool, tries: int = 0) -> HotFileOutcome:
    """Import / inspect ``path`` and, with ``move``, file it under done/ or refused/."""
    path = Path(path)
    if tries > 0 and _changed_lately(path) and tries < MAX_RETRIES and not _decodes(path):
        return HotFileOutcome(None, retry=True)  # still being written: no record yet
    active = {m.product for m in models.list_models(project, product) if m.active}
    if inspect and product is None and len(active) > 1:
        return HotFileOutcome(None, left_because=(
            "several products have an active model (" + ", ".join(sorted(
                p or "(no product)" for p in active)) + "): choose the product at sign-in, "
            "then start watching again"))
    if inspect and active and move and (before := _judged_since_written(project, path)):
        return _file_again(path, before)
    if inspect and active:
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


def _file_again(path: Path, before: str) -> HotFileOutcome:
    try:
        return HotFileOutcome(None, moved_to=file_away(path, "done"), judged_before=before)
    except OSError as exc:
        log.warning("cannot file away %s: %s", path, exc)
        return HotFileOutcome(None, move_error=exc.strerror or str(exc),
                              judged_before=before)


def _judged_since_written(project: Any, path: Path) -> str | None:
    """When and how the project judged these very bytes after the file was last written
    (its move to done/ failed then), else None. A camera writing the same picture again
    writes a newer file, which is judged anew."""
    try:
        written = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
        sha = sha256_bytes(path.read_bytes())
    except OSError:
        return None  # the import says what is wrong with it
    with project.db.session() as session:
        row = session.execute(
            select(Inspection.inspected_at, Inspection.verdict, Inspection.override_verdict)
            .join(Image, Image.id == Inspection.image_id)
            .where(Image.sha256 == sha, Inspection.inspected_at >= written)
            .order_by(Inspection.id.desc()).limit(1)).first()
    if row is None:
        return None
    when = row.inspected_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
    return f"{when}, {(row.override_verdict or row.verdict).upper()}"


def _decodes(path: Path) -> bool:
    """Whether a file handed back as half-written reads now. Each look used to import it,
    and every refused import wrote an audit row: up to 50 for one slow copy."""
    try:
        decode_file(path)
    except (ImageError, OSError):
        return False
    return True


def _changed_lately(path: Path) -> bool:
    try:
        return time.time() - path.stat().st_mtime < STILL_WRITING_S
    except OSError:
        return False
