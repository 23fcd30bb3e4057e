"""Use case: check a project's data, and clear out files nothing refers to.

A shop-floor PC loses power, a disk fills up, someone copies a folder by hand: the QA
record must say what it can no longer back up. The check reads everything the database
points to (stored images and masks against their SHA-256, model files against theirs,
heat maps) and asks SQLite for its own integrity check (a server database, PostgreSQL, is
left to the server's tools, and the report says so). It changes nothing, except that
``remove_orphans`` (QA lead / admin, audited) deletes files that no row refers to: the
leftovers of an import or training killed before it could record them (only files named
as Inspector names them; anything else is left alone and noted). Files younger
than ``ORPHAN_MIN_AGE_S`` are left alone, since another station may be writing them.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select, text

from inspector.errors import UserError
from inspector.fileio import sha256_file
from inspector.progress import CancelToken, ProgressCallback, check, report
from inspector.services.backups import files_backups_need
from inspector.store import audit
from inspector.store.models import Image, Inspection, Label, ModelRecord
from inspector.store.roles import DELETE_DATA, require

ORPHAN_MIN_AGE_S = 3600.0
_STORED_FOLDERS = ("images", "models", "artefacts")
# The names Inspector writes there (ImageStore.relpath, training's model files, heat maps)
# and atomic_write's temp files: only such a file can be the leftover of a killed job. A
# project created in a folder that already had an images/ of someone's own pictures
# must not lose them to --remove-orphans.
_OURS = re.compile(
    r"images/[0-9a-f]{2}/[0-9a-f]{64}\.[A-Za-z0-9]+"
    r"|models/[^/]+\.inspector-model"
    r"|artefacts/heatmaps/\d{4}/\d{2}/(?:\d{2}/)?[^/]+\.jpg"  # a folder a month, then a day
    r"|(?:images|models|artefacts)/(?:[^/]+/)*\.[^/]+\.tmp"
)


@dataclass(frozen=True)
class Problem:
    """One thing the database promises and the disk does not hold."""

    kind: str  # database, image, mask, model, heatmap
    what: str  # e.g. "image #12 (part_007.png)"
    detail: str


@dataclass
class IntegrityReport:
    """What was checked, what is wrong, and which files no row refers to."""

    checked: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)  # relative to the project folder
    orphan_bytes: int = 0
    removed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what was not checked, and why

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        counts = ", ".join(f"{n} {kind}" for kind, n in self.checked.items())
        head = "project data OK" if self.ok else f"{len(self.problems)} problem(s) found"
        lines = [f"{head} (checked {counts})"]
        lines += [f"  {p.kind}: {p.what}: {p.detail}" for p in self.problems]
        lines += [f"note: {n}" for n in self.notes]
        if self.removed:
            lines.append(f"removed {len(self.removed)} file(s) that nothing referred to "
                         f"({self.orphan_bytes / 1e6:.1f} MB)")
        elif self.orphans:
            lines.append(f"{len(self.orphans)} file(s) that nothing refers to "
                         f"({self.orphan_bytes / 1e6:.1f} MB); a QA lead can remove them")
        return "\n".join(lines)


def check_project(
    project: Any,
    actor: Any,
    *,
    remove_orphans: bool = False,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> IntegrityReport:
    """Check every file the database refers to; optionally delete unreferenced files."""
    if remove_orphans:
        require(project, actor, DELETE_DATA, entity="project", entity_id="orphans")
    rep = IntegrityReport()
    report(progress, 0.0, "checking the database")
    _check_database(project, rep)
    rep.problems += [Problem("setting", key, why)
                     for key, why in project.setting_problems().items()]
    with project.db.session() as s:
        images = list(s.execute(select(Image.id, Image.original_name, Image.store_path,
                                       Image.sha256).where(Image.purged_at.is_(None))))
        masks = sorted(set(s.scalars(select(Label.mask_path).where(
            Label.mask_path.is_not(None)))))
        models = list(s.scalars(select(ModelRecord)))
        heatmaps = list(s.execute(select(Inspection.id, Inspection.heatmap_path).where(
            Inspection.heatmap_path.is_not(None))))
    total = max(1, len(images) + len(masks) + len(models))
    done = 0
    for image_id, name, rel, sha in images:
        _check_stored(project, rep, "image", f"image #{image_id} ({name or rel})", rel, sha)
        done += 1
        if done % 50 == 0:
            check(cancel)
            report(progress, 0.9 * done / total, f"checking stored images ({done})")
    for rel in masks:
        _check_stored(project, rep, "mask", f"mask {rel}", rel, Path(rel).stem)
        done += 1
    for rec in models:
        check(cancel)
        _check_model(project, rep, rec)
        done += 1
    report(progress, 0.9, "checking heat maps")
    for inspection_id, rel in heatmaps:
        try:
            missing = not project.artefact_path(rel).is_file()
        except UserError as exc:  # leads outside the project: purge and delete refuse it
            rep.problems.append(Problem("heatmap", f"inspection #{inspection_id}", str(exc)))
            continue
        if missing:
            rep.problems.append(Problem("heatmap", f"inspection #{inspection_id}",
                                        f"heat map file missing: {rel}"))
    rep.checked = {"images": len(images), "masks": len(masks), "models": len(models),
                   "heat maps": len(heatmaps)}
    check(cancel)
    report(progress, 0.95, "looking for files nothing refers to")
    referenced = {f"images/{rel}" for _, _, rel, _ in images} | {f"images/{m}" for m in masks}
    referenced |= {rec.file_path for rec in models} | {rel for _, rel in heatmaps}
    referenced = {r.replace("\\", "/") for r in referenced}  # rows written on Windows
    kept, unreadable = files_backups_need(project.root)
    now = time.time()
    foreign: list[str] = []
    for_backups = 0
    for rel, size, mtime in _project_files(project.root):
        if rel in referenced:
            continue
        if rel in kept:  # restoring that backup needs it
            for_backups += 1
            continue
        if not _OURS.fullmatch(rel):
            foreign.append(rel)
        elif now - mtime >= ORPHAN_MIN_AGE_S:
            rep.orphans.append(rel)
            rep.orphan_bytes += size
    if for_backups:
        rep.notes.append(f"{for_backups} file(s) that only a database in backups/ refers to "
                         "are kept (restoring it needs them)")
    if unreadable:
        rep.notes.append(f"{len(unreadable)} database(s) in backups/ could not be read "
                         f"(such as {unreadable[0]}): files only they refer to count as "
                         "unreferenced")
    if foreign:
        rep.notes.append(f"{len(foreign)} file(s) that Inspector did not write are left alone "
                         f"(such as {foreign[0]})")
    if remove_orphans and rep.orphans:
        _remove(project, actor, rep)
    report(progress, 1.0, "done")
    return rep


def _check_database(project: Any, rep: IntegrityReport) -> None:
    """SQLite's own quick check. PRAGMA quick_check is SQLite's; a server database is not
    checked from here, and the report says so (rather than "OK" implying it was)."""
    if project.db.engine.dialect.name != "sqlite":
        rep.notes.append(f"the database itself ({project.db.engine.dialect.name}) is not "
                         "checked from here: use the server's own tools (e.g. amcheck)")
        return
    if project.db.network_share:
        rep.notes.append(f"inspector.db is on a network share ({project.db.network_share}): "
                         "it uses SQLite's rollback journal, not WAL; open the project from "
                         "one station at a time (a line of stations shares a PostgreSQL "
                         "server)")
    with project.db.session() as s:
        rows = [r[0] for r in s.execute(text("PRAGMA quick_check"))]
    if rows != ["ok"]:
        rep.problems.append(Problem("database", "inspector.db", "; ".join(map(str, rows[:5]))))


def _check_stored(project: Any, rep: IntegrityReport, kind: str, what: str, rel: str,
                  sha: str) -> None:
    try:
        path = project.images.path(rel)
    except UserError as exc:
        rep.problems.append(Problem(kind, what, str(exc)))
        return
    if not path.is_file():
        rep.problems.append(Problem(kind, what, f"file missing: images/{rel} (import the "
                                                "picture again to restore it)"))
    elif sha256_file(path) != sha:
        rep.problems.append(Problem(kind, what, f"file changed or damaged (checksum): "
                                                f"images/{rel} (import the picture again "
                                                "to restore it)"))


def _check_model(project: Any, rep: IntegrityReport, rec: ModelRecord) -> None:
    what = f"model v{rec.version}" + (" (deleted)" if rec.deleted else "")
    try:
        path = project.artefact_path(rec.file_path)
    except UserError as exc:
        rep.problems.append(Problem("model", what, str(exc)))
        return
    if not path.is_file():
        if not rec.deleted:  # a deleted version's file may have been cleared on purpose
            rep.problems.append(Problem("model", what, f"file missing: {rec.file_path}"))
    elif sha256_file(path) != rec.file_sha256:
        rep.problems.append(Problem("model", what, f"file changed or damaged (checksum): "
                                                   f"{rec.file_path}"))


def _project_files(root: Path) -> Iterator[tuple[str, int, float]]:
    """(path relative to the project with '/', size, mtime) of every stored file."""
    for folder in _STORED_FOLDERS:
        base = root / folder
        if not base.is_dir():
            continue
        for dirpath, _dirs, files in os.walk(base):
            for name in files:
                full = Path(dirpath) / name
                try:
                    st = full.stat()
                except OSError:
                    continue  # removed meanwhile
                yield full.relative_to(root).as_posix(), st.st_size, st.st_mtime


ORPHAN_CHUNK = 500  # files checked again per query (one query per file: 59 ms each)


def _still_orphans(project: Any, rels: list[str]) -> set[str]:
    """Checked again just before the files go: the check reads the database once at its
    start and can run for minutes, while a station imports a picture whose file was
    already there (an old leftover) and now belongs to a new row."""
    fresh = set()
    for rel in rels:
        try:
            if time.time() - (project.root / rel).stat().st_mtime >= ORPHAN_MIN_AGE_S:
                fresh.add(rel)  # else written or reused (image_store.put touches it)
        except OSError:
            continue
    inner = {rel.removeprefix("images/"): rel for rel in fresh}
    with project.db.session() as s:
        for column, names in ((Image.store_path, inner), (Label.mask_path, inner),
                              (ModelRecord.file_path, {r: r for r in fresh}),
                              (Inspection.heatmap_path, {r: r for r in fresh})):
            for used in s.scalars(select(column).where(column.in_(list(names)))):
                fresh.discard(names.get(used, ""))
    return fresh


def _remove(project: Any, actor: Any, rep: IntegrityReport) -> None:
    for start in range(0, len(rep.orphans), ORPHAN_CHUNK):
        chunk = rep.orphans[start:start + ORPHAN_CHUNK]
        still = _still_orphans(project, chunk)
        for rel in chunk:
            if rel in still:
                _remove_one(project, rel, rep)
    _audit_removal(project, actor, rep)


def _remove_one(project: Any, rel: str, rep: IntegrityReport) -> None:
    try:
        (project.root / rel).unlink()
    except FileNotFoundError:
        return
    except OSError as exc:
        rep.problems.append(Problem("orphan", rel, f"cannot remove: {exc.strerror or exc}"))
        return
    rep.removed.append(rel)


def _audit_removal(project: Any, actor: Any, rep: IntegrityReport) -> None:
    with project.db.session() as s:
        audit.record(s, actor, "project.remove_orphans", "project", None,
                     {"files": len(rep.removed), "bytes": rep.orphan_bytes,
                      "sample": rep.removed[:20]})
