"""Use case: handle one file that arrived in the hot folder.

Import it (and inspect it when a model is active), then file it away into ``done/`` or
``refused/`` so the folder holds only what has not been handled: a restart picks up what
arrived while the station was stopped, and a file touched again is not judged twice.
A file refused as unreadable that was written moments ago is most likely still being
written by a slow copy; it is handed back to the watcher instead of being filed away.
A judged file whose filing away failed (a full disk, a read-only share) is noted in the
audit log with its size and time; found again unchanged, it is filed away, not judged and
recorded twice. Without
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
from sqlalchemy.exc import SQLAlchemyError

from inspector.errors import ImageError
from inspector.imaging.decode import decode_file
from inspector.imaging.hot_folder import file_away
from inspector.services import importing, inspection, models
from inspector.store import audit
from inspector.store.image_store import sha256_bytes
from inspector.store.models import AuditEntry, Image

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
        _note_left_judged(project, actor, path, result, exc.strerror or str(exc))
        return HotFileOutcome(result, move_error=exc.strerror or str(exc))


def _file_again(path: Path, before: str) -> HotFileOutcome:
    try:
        return HotFileOutcome(None, moved_to=file_away(path, "done"), judged_before=before)
    except OSError as exc:
        log.warning("cannot file away %s: %s", path, exc)
        return HotFileOutcome(None, move_error=exc.strerror or str(exc),
                              judged_before=before)


LEFT_JUDGED = "hot_folder.left_judged"  # audit: judged, but its move to done/ failed


def _signature(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns


def _note_left_judged(project: Any, actor: Any, path: Path, result: Any, why: str) -> None:
    """Record that this very file (size and time, as the share tells them) was judged and
    left in the folder, so the next Start files it away instead of judging it again."""
    judged = getattr(result, "inspections", None)
    if not judged:
        return
    try:
        size, mtime_ns = _signature(path)
    except OSError:
        return
    last = judged[-1]
    try:
        with project.db.session() as session:
            audit.record(session, actor, LEFT_JUDGED, "image", last.image_id, {
                "file": path.name, "size": size, "mtime_ns": mtime_ns, "why": why,
                "inspection": last.id, "verdict": last.final_verdict})
    except SQLAlchemyError:  # the verdict stands and is shown; only the note is missing
        log.warning("could not note that %s was judged and left in the folder", path,
                    exc_info=True)


def _judged_since_written(project: Any, path: Path) -> str | None:
    """When and how the project judged this very file, left in the folder because its
    move to done/ failed, else None. Decided by the file's own size and time, recorded
    then: comparing its time with the station's clock judged it twice on a share whose
    clock runs ahead. A camera writing the same picture again writes a new file. Such
    rows are rare, so the file is read (to check it is the same picture) only when one
    matches its size and time."""
    try:
        size, mtime_ns = _signature(path)
    except OSError:
        return None  # the import says what is wrong with it
    # The row is younger than the file on any share clock less than an hour ahead. This
    # runs for every file: two days of audit rows (about 60,000 on a line judging a part
    # every 3 s) were scanned each time, an hour's are about 1,200.
    since = dt.datetime.fromtimestamp(mtime_ns / 1e9, dt.UTC) - dt.timedelta(hours=1)
    with project.db.session() as session:
        rows = [(at, image_id, details) for at, image_id, details in session.execute(
            select(AuditEntry.at, AuditEntry.entity_id, AuditEntry.details).where(
                AuditEntry.at >= since, AuditEntry.action == LEFT_JUDGED)
            .order_by(AuditEntry.id.desc()))
            if (details or {}).get("size") == size and details.get("mtime_ns") == mtime_ns]
        if not rows:
            return None
        try:
            sha = sha256_bytes(path.read_bytes())
        except OSError:
            return None
        image_id = session.scalar(select(Image.id).where(Image.sha256 == sha))
    for at, row_image, details in rows:
        if row_image == str(image_id):
            when = at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
            return f"{when}, {str(details.get('verdict', '?')).upper()}"
    return None


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
