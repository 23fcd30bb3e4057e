"""Import image files, folders and camera frames into the project.

Each file is read once, hashed, checked against the store (duplicates are reported, not
stored twice), fully decoded (bad files are refused with a reason) and then written to the
content-addressed store and recorded in its own transaction. A failed record removes the
file it just wrote; a cancelled import removes everything it imported, so no partial state
is left.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from inspector.errors import Cancelled, ImageError, PermissionDenied, UserError
from inspector.imaging.decode import (
    SUPPORTED_EXTENSIONS,
    as_rgb_uint8,
    decode_bytes,
    encode_png,
    read_file_bytes,
)
from inspector.imaging.hot_folder import HotFolderWatcher
from inspector.progress import CancelToken, ProgressCallback, check, report
from inspector.services.dto import ImageInfo
from inspector.services.labeling import (
    active_defect_types,
    clean_defect_type,
    get_image,
    image_info,
    list_defect_types,
    register_defect_type,
)
from inspector.services.names import (
    column_width,
    decodable,
    printable_file_name,
    short_text,
)
from inspector.services.products import product_id
from inspector.services.sensor_depth import depth_note, sensor_bits, suggested_bits
from inspector.store import audit, roles
from inspector.store.db import serialise
from inspector.store.image_store import sha256_bytes, storage_error_reason
from inspector.store.models import IMAGE_SOURCES, Image, Label, Product, utcnow
from inspector.store.problems import db_problem, storage_problem

log = logging.getLogger(__name__)

GOOD_FOLDERS = frozenset({"good", "ok", "pass"})
DEFECTIVE_FOLDERS = frozenset({"defective", "defect", "bad", "ng", "fail", "reject"})
NEUTRAL_FOLDERS = frozenset({"train", "test", "val", "validation", "images", "img", "imgs",
                             "unlabelled", "unlabeled"})
SKIPPED_FOLDERS = frozenset({"ground_truth"})  # MVTec masks, not images to inspect
NOT_SUPPORTED = "not a supported image type"


@dataclass
class ImportReport:
    """Outcome of an import: stored images, (path, existing image id), (path, reason)."""

    stored: list[ImageInfo] = field(default_factory=list)
    duplicates: list[tuple[str, int]] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # non-image files inside folders
    new_defect_types: list[str] = field(default_factory=list)
    accepted: list[tuple[str, int]] = field(default_factory=list)  # (path, image id), in order
    # (path, why): a duplicate whose folder names another label than the stored image has
    label_conflicts: list[tuple[str, str]] = field(default_factory=list)
    # (path, what): a duplicate given a product now (it had none), or kept in another one
    product_notes: list[tuple[str, str]] = field(default_factory=list)
    # bits the brightest value of each stored 16-bit file needs (sensor_depth), and what
    # the importer should hear about them
    deep_bits: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    suggested_sensor_bits: int | None = None  # the sensor_bits setting the notes propose


@dataclass(frozen=True)
class _Candidate:
    path: Path
    in_folder: bool
    label: tuple[str, str | None] | None


def folder_label(path: Path, known_only: bool = False,
                 known_types: Iterable[str] = ()) -> tuple[str, str | None] | None:
    """Label from the parent folder: good/ -> good, any other name -> defective of that
    type (MVTec ``test/<defect>``), neutral names such as train/ or test/ -> None.

    ``known_only`` (files directly in the folder the user picked, or files picked one by
    one): only the good / defective names and the project's own defect types count. A
    folder such as "photos" is where the files were put, not a defect type; a folder
    "scratch" in a project that has the type scratch is what it says.
    """
    name = decodable(" ".join(path.parent.name.split()))  # a Latin-1 folder name
    low = name.lower()
    if not low or low in NEUTRAL_FOLDERS:
        return None
    if low in GOOD_FOLDERS:
        return ("good", None)
    if low in DEFECTIVE_FOLDERS:
        return ("defective", None)
    if known_only:
        match = next((t for t in known_types if t.casefold() == name.casefold()), None)
        return ("defective", match) if match is not None else None
    return ("defective", name[:100])


def _walk(folder: Path) -> tuple[list[Path], list[str], list[tuple[str, str]], list[str]]:
    """Image files below ``folder`` in name order, the other files (ignored), the
    folders that could not be read (refused, with the reason: their pictures must not
    go missing without a word) and the folders skipped on purpose: hidden ones and MVTec
    ground_truth/ masks (masks are never parts), named so nothing goes unsaid. Hidden
    files are ignored, and named. Linked folders are followed (a ``good`` link to the
    camera's share), each real folder once, so a link loop ends."""
    files: list[Path] = []
    ignored: list[str] = []
    refused: list[tuple[str, str]] = []
    skipped: list[str] = []
    seen: set[str] = set()

    def unreadable(exc: OSError) -> None:
        refused.append((str(exc.filename or folder), f"cannot read folder: "
                                                     f"{exc.strerror or exc}"))

    for dirpath, dirnames, filenames in os.walk(folder, onerror=unreadable, followlinks=True):
        real = os.path.realpath(dirpath)
        if real in seen:
            dirnames[:] = []
            continue
        seen.add(real)
        kept = sorted(d for d in dirnames if not d.startswith(".")
                      and d.lower() not in SKIPPED_FOLDERS)
        skipped += [str(Path(dirpath) / d) for d in sorted(set(dirnames) - set(kept))]
        dirnames[:] = kept
        for name in sorted(filenames):
            p = Path(dirpath) / name
            image = p.suffix.lower() in SUPPORTED_EXTENSIONS and not name.startswith(".")
            (files if image else ignored).append(p)
    return files, [str(p) for p in ignored], refused, skipped


def expand_paths(paths: Iterable[str | Path], labels_from_folders: bool,
                 report_: ImportReport, known_types: Sequence[str] = ()) -> list[_Candidate]:
    """Files to import; named files with other extensions or missing paths are refused.
    ``known_types``: the project's defect types (see ``folder_label``)."""
    out: list[_Candidate] = []
    for raw in paths:
        path = Path(raw).expanduser()
        try:
            is_dir = path.is_dir()
            missing = not is_dir and not path.exists() and not path.is_symlink()
        except OSError as exc:  # a name too long, a folder on the way we may not read
            report_.refused.append((str(path), f"cannot read: {exc.strerror or exc}"))
            continue
        if is_dir:
            files, ignored, unreadable, skipped = _walk(path)
            report_.ignored.extend(ignored)
            report_.refused.extend(unreadable)
            if skipped:
                report_.notes.append(
                    f"{len(skipped)} folder(s) were not looked into (hidden, or ground_truth"
                    f" masks), such as {skipped[0]}")
            out.extend(_Candidate(f, True, folder_label(f, f.parent == path, known_types)
                                  if labels_from_folders else None) for f in files)
        elif missing:
            report_.refused.append((str(path), "file not found"))
        elif path.suffix.lower() not in SUPPORTED_EXTENSIONS:
            report_.refused.append((str(path), NOT_SUPPORTED))
        else:
            out.append(_Candidate(path, False, folder_label(path, True, known_types)
                                  if labels_from_folders else None))
    return out


def _read(path: Path) -> bytes:
    return read_file_bytes(path)


def _prepare_defect_types(project: Any, actor: Any, cands: list[_Candidate],
                          report_: ImportReport) -> None:
    """Register defect types named by folders; needs MANAGE_DEFECT_TYPES if any are new."""
    wanted = {c.label[1] for c in cands if c.label and c.label[1]}
    if not wanted:
        return
    with project.db.session() as session:
        known = active_defect_types(session)
    new = sorted(t for t in wanted if t.casefold() not in known)
    unfit = _unfit_type_names(new)
    if unfit:  # a folder "esc\x1b[31m" labelled parts with a name no one typed could
        # enter, kept off the type list, and printed raw escape codes to terminals
        out = {id(c) for c in cands if c.label and c.label[1] in unfit}
        report_.refused.extend((str(c.path), "folder name cannot be a defect type: "
                                f"{unfit[c.label[1]]}") for c in cands if id(c) in out)
        cands[:] = [c for c in cands if id(c) not in out]
        new = [t for t in new if t not in unfit]
    if new:  # the role as stored now: one taken away since sign-in no longer counts
        try:
            project.require(actor, roles.MANAGE_DEFECT_TYPES, entity="defect_type",
                            details={"names": new, "via": "import"})
        except PermissionDenied as exc:
            raise PermissionDenied(
                f"the folders name new defect types ({', '.join(new)}); {exc}. Ask a QA "
                "lead to add them first, or import without labels from folders") from exc
    seen: set[str] = set()
    for name in new:
        if name.casefold() in seen:
            continue
        seen.add(name.casefold())
        try:
            with project.db.session() as session:
                serialise(session, "defect_types.names")  # as add_defect_type does
                report_.new_defect_types.append(
                    register_defect_type(session, actor, name, via="import"))
        except (UserError, IntegrityError):  # another station added it meanwhile: fine
            log.info("defect type %r was added by someone else meanwhile", name)


def _unfit_type_names(names: Iterable[str]) -> dict[str, str]:
    """The folder names that a person could not type as a defect type, with why."""
    unfit = {}
    for name in names:
        try:
            clean_defect_type(name)
        except UserError as exc:
            unfit[name] = str(exc)
    return unfit


def import_paths(
    project: Any, actor: Any, paths: Sequence[str | Path], *, product: str | None = None,
    source: str = "file", labels_from_folders: bool = False, lot: str | None = None,
    serial: str | None = None, progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> ImportReport:
    """Import files and folders (recursively); see ``ImportReport`` for the outcome."""
    project.require(actor, roles.IMPORT, entity="image")
    if labels_from_folders:
        project.require(actor, roles.LABEL, entity="image")
    if source not in IMAGE_SOURCES:
        raise ValueError(f"unknown image source {source!r}")
    lot = short_text(lot, "a lot", column_width(project, 100))
    serial = short_text(serial, "a serial number", column_width(project, 100))
    with project.db.session() as session:
        pid = product_id(session, product)
    result = ImportReport()
    known = list_defect_types(project) if labels_from_folders else []
    cands = expand_paths(paths, labels_from_folders, result, known)
    _prepare_defect_types(project, actor, cands, result)
    max_pixels = int(project.get_setting("max_pixels"))
    seen: dict[str, int] = {}
    created_files: dict[int, str] = {}
    meta = {"product_id": pid, "lot": lot, "serial": serial,
            "station": getattr(actor, "station", None)}
    try:
        for n, cand in enumerate(cands):
            check(cancel)
            report(progress, n / max(1, len(cands)),
                   f"Importing {printable_file_name(cand.path.name)}")
            src = "folder" if cand.in_folder and source == "file" else source
            _import_one(project, actor, cand, src, meta, max_pixels, seen, created_files,
                        result)
    except Cancelled:
        _undo(project, actor, created_files, result)
        raise
    except KeyboardInterrupt:  # Ctrl+C in the CLI: the images stored so far stay, audited
        _audit_import(project, actor, result, labels_from_folders, product, interrupted=True)
        raise
    setting = sensor_bits(project)
    note = depth_note(result.deep_bits, setting)
    if note is not None:
        result.notes.append(note)
        result.suggested_sensor_bits = suggested_bits(result.deep_bits, setting)
    report(progress, 1.0, f"Imported {len(result.stored)}, {len(result.duplicates)} "
                          f"duplicates, {len(result.refused)} refused")
    _audit_import(project, actor, result, labels_from_folders, product)
    return result


def _audit_import(project: Any, actor: Any, result: ImportReport, labels_from_folders: bool,
                  product: str | None, interrupted: bool = False) -> None:
    """The import's audit row. A full disk may refuse this last small write after the
    images went in: the summary of what was stored and refused must still reach the
    person (it was lost behind "the disk is full"); each image row keeps who imported it
    and when."""
    details = {"stored": len(result.stored), "duplicates": len(result.duplicates),
               "refused": len(result.refused), "labels_from_folders": labels_from_folders,
               "product": product, "new_defect_types": result.new_defect_types}
    if interrupted:
        details["interrupted"] = True
    try:
        with project.db.session() as session:
            audit.record(session, actor, "images.import", "image", None, details)
    except (SQLAlchemyError, OSError) as exc:
        problem = storage_problem(exc)
        if problem is None:
            raise
        log.error("import audited nowhere: %s (%s)", problem, details)
        result.notes.append(f"the import's audit log entry could not be written ({problem}); "
                            "each stored image still records who imported it and when")


def _import_one(project: Any, actor: Any, cand: _Candidate, source: str, meta: dict[str, Any],
                max_pixels: int, seen: dict[str, int], created_files: dict[int, str],
                result: ImportReport) -> None:
    path = str(cand.path)
    try:
        data = _read(cand.path)
        sha = sha256_bytes(data)
        existing = seen.get(sha)
        if existing is None:
            existing = _known_copy(project, sha, data)
        if existing is not None:
            result.duplicates.append((path, existing))
            result.accepted.append((path, existing))
            _note_label_conflict(project, cand, existing, result)
            _claim_for_product(project, actor, existing, meta.get("product_id"), path, result)
            return
        decoded = decode_bytes(data, max_pixels=max_pixels)
    except ImageError as exc:
        result.refused.append((path, str(exc)))
        return
    info, created = _store(project, actor, data, decoded.facts, source, cand.path.name,
                           cand.label, meta, result, path)
    if info is not None:
        seen[sha] = info.id
        result.stored.append(info)
        if decoded.facts.used_bits is not None and decoded.facts.bit_depth > 8:
            result.deep_bits.append(decoded.facts.used_bits)
        result.accepted.append((path, info.id))
        if created:
            created_files[info.id] = info.path


def _note_label_conflict(project: Any, cand: _Candidate, image_id: int,
                         result: ImportReport) -> None:
    """A file seen before keeps its label; say so when its folder names another one
    (the same picture under good/ and under NG/ is a labelling mistake to look at)."""
    if cand.label is None:
        return
    verdict, dtype = cand.label
    info = get_image(project, image_id)
    same_type = dtype is None or (info.defect_type or "").casefold() == dtype.casefold()
    if info.state == verdict and same_type:
        return
    folder = verdict + (f" ({dtype})" if dtype else "")
    stored = info.state + (f" ({info.defect_type})" if info.defect_type else "")
    result.label_conflicts.append((str(cand.path), (
        f"already stored as image #{image_id}, labelled {stored}; its folder says "
        f"{folder}. The label was not changed: check it on the Label page")))


def _claim_for_product(project: Any, actor: Any, image_id: int, pid: int | None, path: str,
                       result: ImportReport) -> None:
    """Imported again under a product, a picture stored without one joins that product.
    Images imported before the first product was added were otherwise stranded under "no
    product": hidden once the product was chosen, and importing them again under it
    only said "duplicate"."""
    if pid is None:
        return
    with project.db.session() as session:
        claimed = session.execute(update(Image).where(
            Image.id == image_id, Image.product_id.is_(None)).values(product_id=pid)).rowcount
        product = session.get(Product, pid).name
        if claimed:
            audit.record(session, actor, "image.product", "image", image_id,
                         {"product": product, "via": "import"})
            result.product_notes.append((path, f"already stored as image #{image_id} without "
                                               f"a product: now under {product}"))
            return
        owner = session.scalar(select(Product.name).join(Image, Image.product_id == Product.id)
                               .where(Image.id == image_id))
    if owner is not None and owner != product:
        result.product_notes.append((path, f"already stored as image #{image_id} of product "
                                           f"{owner}; it stays there"))


def _known_copy(project: Any, sha: str, data: bytes) -> int | None:
    """The id of the image already stored with these bytes, if any. If the project's copy
    went missing or was damaged on disk, these bytes (same SHA-256) put it back."""
    with project.db.session() as session:
        row = session.execute(
            select(Image.id, Image.store_path, Image.purged_at).where(Image.sha256 == sha)
        ).first()
    if row is None:
        return None
    try:
        if project.images.repair(row.store_path, sha, data) and row.purged_at is None:
            log.warning("stored image %s was missing or damaged; restored it", row.id)
        if row.purged_at is not None:  # removed by the retention policy: it is back now
            with project.db.session() as session:
                img = session.get(Image, row.id)
                if img is None:  # deleted by another station meanwhile: stored anew
                    return None
                img.purged_at = None
    except OSError as exc:  # the import itself goes on; the copy stays as it was
        log.warning("could not restore stored image %s: %s", row.id, exc)
    return row.id


def _find_sha(project: Any, sha: str) -> int | None:
    with project.db.session() as session:
        return session.scalar(select(Image.id).where(Image.sha256 == sha))


def _store(project: Any, actor: Any, data: bytes, facts: Any, source: str, name: str | None,
           label: tuple[str, str | None] | None, meta: dict[str, Any], result: ImportReport,
           path: str) -> tuple[ImageInfo | None, bool]:
    """Write the file, then the rows; undo the file if the rows fail."""
    try:
        sha, rel, created = project.images.put(data, facts.extension)
    except OSError as exc:
        result.refused.append((path, storage_error_reason(exc)))
        return None, False
    try:
        with project.db.session() as session:
            img = Image(sha256=sha, store_path=rel, original_name=printable_file_name(name),
                        width=facts.width,
                        height=facts.height, format=facts.format, mode=facts.mode,
                        bit_depth=facts.bit_depth, file_size=len(data), source=source,
                        captured_at=facts.captured_at or (utcnow() if source == "camera" else None),
                        imported_at=utcnow(),
                        imported_by_id=getattr(actor, "operator_id", None), **meta)
            session.add(img)
            session.flush()
            lbl = None
            if label is not None:
                verdict, dtype = label
                if dtype is not None:
                    dtype = active_defect_types(session).get(dtype.casefold(), dtype)
                lbl = Label(image_id=img.id, verdict=verdict, defect_type=dtype,
                            operator_id=getattr(actor, "operator_id", None))
                session.add(lbl)
                session.flush()
                audit.record(session, actor, "label.set", "image", img.id,
                             {"verdict": verdict, "defect_type": dtype, "via": "import"})
            return image_info(project, img, lbl), created
    except IntegrityError:
        existing = _find_sha(project, sha)
        if existing is None:
            raise
        result.duplicates.append((path, existing))  # imported meanwhile by someone else
        result.accepted.append((path, existing))
        return None, False
    except SQLAlchemyError as exc:
        if created and _find_sha(project, sha) is None:
            project.images.remove(rel)
        why = db_problem(exc) or type(exc).__name__  # never raw SQL in a refusal reason
        result.refused.append((path, f"could not record the image in the database: {why}"))
        return None, False


def _undo(project: Any, actor: Any, created_files: dict[int, str],
          result: ImportReport) -> None:
    """Remove what a cancelled import added (rows, and files it wrote)."""
    ids = [info.id for info in result.stored]
    if ids:
        with project.db.session() as session:
            session.execute(delete(Label).where(Label.image_id.in_(ids)))
            session.execute(delete(Image).where(Image.id.in_(ids)))
            audit.record(session, actor, "images.import_cancelled", "image", None,
                         {"removed": len(ids)})
    for path in created_files.values():
        try:
            Path(path).unlink()
        except FileNotFoundError:
            pass
    result.stored.clear()


def import_array(project: Any, actor: Any, rgb: np.ndarray, *, product: str | None = None,
                 source: str = "camera", name: str | None = None) -> ImageInfo:
    """Store a camera frame (encoded as PNG); an identical frame returns the stored one."""
    project.require(actor, roles.IMPORT, entity="image")
    if source not in IMAGE_SOURCES:
        raise ValueError(f"unknown image source {source!r}")
    arr = as_rgb_uint8(rgb)
    data = encode_png(arr)
    decoded = decode_bytes(data, max_pixels=None)
    facts = decoded.facts
    with project.db.session() as session:
        pid = product_id(session, product)
    existing = _find_sha(project, sha256_bytes(data))
    if existing is None:
        result = ImportReport()
        meta = {"product_id": pid, "lot": None, "serial": None,
                "station": getattr(actor, "station", None)}
        info, _ = _store(project, actor, data, facts, source, name, None, meta, result,
                         name or "camera frame")
        if info is not None:
            return info
        if result.refused:
            raise ImageError(result.refused[0][1])
        existing = result.duplicates[0][1]
    return get_image(project, existing)


def watch_hot_folder(project: Any, actor: Any, folder: str | Path, *,
                     product: str | None = None,
                     on_report: Callable[[ImportReport], None] | None = None,
                     stable_ms: int = 500) -> HotFolderWatcher:
    """Start a watcher that imports every finished image file in ``folder`` (source
    ``hot_folder``); ``on_report`` gets each file's ImportReport on the watcher thread.
    Call ``stop()`` on the returned watcher when done."""
    project.require(actor, roles.IMPORT, entity="image")

    def _import(path: Path) -> None:
        rep = import_paths(project, actor, [path], product=product, source="hot_folder")
        if on_report is not None:
            on_report(rep)

    watcher = HotFolderWatcher(Path(folder), _import, stable_ms=stable_ms)
    watcher.start()
    return watcher
