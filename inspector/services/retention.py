"""Use case: free disk space while keeping the QA record (retention policy).

A line inspecting a 5 MP camera every few seconds stores gigabytes a week. Most of it is
pictures of good parts nobody will look at again. ``purge_images`` removes the stored
picture and heat maps of images whose every inspection is older than the cut-off, and
marks the image ``purged_at``; the inspection rows (time, verdict, score, operator,
station, model) stay, so reports and History still count them. Kept always: labelled
images (they are the training set) and, unless asked, images with an NG or uncertain
verdict (the evidence a QA lead may need). Importing the same picture again puts it
back. QA lead / admin, audited; ``dry_run`` says what would go.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import and_, exists, func, or_, select, text, true
from sqlalchemy.exc import SQLAlchemyError

from inspector.errors import UserError
from inspector.progress import CancelToken, ProgressCallback, check, report
from inspector.store import audit
from inspector.store.models import Image, Inspection, Label, utcnow
from inspector.store.roles import DELETE_DATA, require

MIN_DAYS = 1
CHUNK = 500  # images checked, marked and removed per transaction
AUDITED_IDS = 1000  # more ids made one audit row of 750 KB; the first and last stay
log = logging.getLogger(__name__)


@dataclass
class PurgeReport:
    images: int = 0
    heatmaps: int = 0
    bytes_freed: int = 0
    dry_run: bool = False
    kept_flagged: int = 0  # NG / uncertain images kept as evidence
    image_ids: list[int] = field(default_factory=list)
    held: list[int] = field(default_factory=list)  # picture in use elsewhere: kept for now
    cutoff: dt.datetime | None = None  # pictures of parts inspected before it

    def summary(self) -> str:
        verb = "would remove" if self.dry_run else "removed"
        before = (f" inspected before {self.cutoff.astimezone():%Y-%m-%d %H:%M}"
                  if self.cutoff else "")
        text = (f"{verb} the pictures of {self.images} image(s){before} and "
                f"{self.heatmaps} heat map(s), {self.bytes_freed / 1e6:.1f} MB; their "
                "inspection records stay")
        if self.kept_flagged:
            text += f"; kept {self.kept_flagged} NG / uncertain image(s) (--include-ng)"
        if self.held:
            text += (f"; {len(self.held)} picture(s) open in another program were kept "
                     "(the next purge removes them)")
        return text


def purge_images(
    project: Any,
    actor: Any,
    older_than_days: int,
    *,
    include_ng: bool = False,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> PurgeReport:
    """Remove pictures (not records) of unlabelled images inspected before the cut-off."""
    require(project, actor, DELETE_DATA, entity="images", entity_id="purge")
    if older_than_days < MIN_DAYS:
        raise UserError(f"keep at least {MIN_DAYS} day(s) of pictures")
    with project.db.session() as s:
        cutoff = _database_now(s) - dt.timedelta(days=older_than_days)
        ids = list(s.scalars(_purgeable(cutoff, include_ng)))
        kept = 0 if include_ng else int(s.scalar(select(func.count()).select_from(
            _purgeable(cutoff, True).where(_flagged()).subquery())) or 0)
    rep = PurgeReport(dry_run=dry_run, kept_flagged=kept, cutoff=cutoff)
    purgeable = _purgeable(cutoff, include_ng, marked_too=True)
    finished = False
    try:
        for start in range(0, len(ids), CHUNK):
            check(cancel)
            report(progress, start / max(1, len(ids)), f"removing pictures ({start}/{len(ids)})")
            _purge_chunk(project, ids[start:start + CHUNK], rep, dry_run, purgeable)
        finished = True
    finally:  # a purge cancelled or stopped part-way is audited for what it removed
        if not dry_run and rep.images:
            _audit_purge(project, actor, rep, {"older_than_days": older_than_days,
                                               "include_ng": include_ng}, finished)
    report(progress, 1.0, "done")
    return rep


def _database_now(session: Any) -> dt.datetime:
    """The database server's clock where there is one (PostgreSQL: one clock for the
    line), else this station's. A QA office PC whose clock ran 40 days ahead removed the
    pictures of parts inspected minutes before; the summary says the cut-off, so a wrong
    clock shows in the dry run."""
    if session.get_bind().dialect.name == "postgresql":
        server = session.scalar(text("SELECT now()"))
        if isinstance(server, dt.datetime) and server.tzinfo is not None:
            return server.astimezone(dt.UTC)
    return utcnow()


def _audit_purge(project: Any, actor: Any, rep: PurgeReport, asked: dict[str, Any],
                 finished: bool) -> None:
    details = {**asked, "images": rep.images, "heatmaps": rep.heatmaps,
               "bytes": rep.bytes_freed, "first_image_id": min(rep.image_ids),
               "last_image_id": max(rep.image_ids),
               **({"image_ids": rep.image_ids} if rep.images <= AUDITED_IDS else {}),
               **({} if finished else {"interrupted": True})}
    try:
        with project.db.session() as s:  # the ids themselves are in the images' purged_at
            audit.record(s, actor, "images.purge", "image", None, details)
    except SQLAlchemyError:
        if finished:
            raise
        log.warning("could not audit the pictures removed before the purge stopped",
                    exc_info=True)  # the error that stopped it is raised, not this one


def _purgeable(cutoff: dt.datetime, include_ng: bool, marked_too: bool = False) -> Any:
    """Ids of unlabelled, inspected images whose every inspection is before the cut-off
    (and, unless ``include_ng``, never judged NG or uncertain); not yet purged, unless
    ``marked_too`` (the check of an image this purge has just marked)."""
    base = select(Image.id).where(
        Image.purged_at.is_(None) if not marked_too else true(),
        Image.imported_at < cutoff,
        ~exists().where(Label.image_id == Image.id),  # the training set stays
        ~exists().where(Label.mask_path == Image.store_path),  # and its masks: the store
        # is content-addressed, so an imported copy of a mask is the mask's own file
        exists().where(Inspection.image_id == Image.id),  # only inspected parts
        ~exists().where(and_(Inspection.image_id == Image.id,
                             Inspection.inspected_at >= cutoff)),
    )
    return base if include_ng else base.where(~_flagged())


def _flagged() -> Any:
    """The image has an inspection that was not OK, by the machine or by a person: a
    machine NG a QA lead overrode to OK is kept too, as the evidence for that override."""
    not_ok = or_(Inspection.verdict != "ok",
                 and_(Inspection.override_verdict.is_not(None),
                      Inspection.override_verdict != "ok"))
    return exists().where(and_(Inspection.image_id == Image.id, not_ok))


def _purge_chunk(project: Any, chunk: list[int], rep: PurgeReport, dry_run: bool,
                 purgeable: Any) -> None:
    """Some images: their files, their heat maps, then the marks, committed together
    (a power cut between leaves files the data check reports as missing, never a record
    pointing at nothing silently; an interruption keeps the marks of what went). The
    images are locked and checked again first: the list was read at the start, and
    meanwhile a station may have labelled one (training set) or inspected it
    again. A chunk at a time: an image at a time took 9 minutes for 100,000."""
    with project.db.session() as s:
        images = {img.id: img for img in s.scalars(
            select(Image).where(Image.id.in_(chunk), Image.purged_at.is_(None))
            .order_by(Image.id).with_for_update())}  # in id order: two purges never deadlock
        if not images:
            return  # deleted or purged meanwhile
        if not dry_run:
            now = utcnow()
            for img in images.values():
                img.purged_at = now
            s.flush()  # SQLite: the write lock from here on, so no label slips in between
        still = set(s.scalars(purgeable.where(Image.id.in_(list(images)))))
        for image_id, img in images.items():
            if image_id not in still:
                img.purged_at = None
        heatmaps: dict[int, list[Inspection]] = defaultdict(list)
        for row in s.scalars(select(Inspection).where(Inspection.image_id.in_(still),
                                                      Inspection.heatmap_path.is_not(None))):
            heatmaps[row.image_id].append(row)
        order = sorted(still)
        done = 0
        try:
            for image_id in order:
                _purge_files(project, images[image_id], heatmaps[image_id], rep, dry_run)
                done += 1
        except BaseException:
            # Ctrl+C or an error part-way: the pictures removed so far keep their marks
            # (a rollback left them unmarked, "missing" to the data check), the others
            # theirs taken back
            for image_id in order[done:]:
                images[image_id].purged_at = None
            _commit_what_was_done(s)
            raise


def _commit_what_was_done(session: Any) -> None:
    try:
        session.commit()
    except SQLAlchemyError as exc:  # the error being raised says more than this one
        log.warning("could not record the pictures removed before the purge stopped: %s",
                    exc)


def _purge_files(project: Any, img: Image, rows: list[Inspection], rep: PurgeReport,
                 dry_run: bool) -> None:
    """One image's picture and heat maps (its row is marked, except in a dry run)."""
    files = [project.images.path(img.store_path)] + [project.artefact_path(r.heatmap_path)
                                                     for r in rows]
    sizes = [f.stat().st_size for f in files if f.is_file()]
    if not dry_run:
        try:  # the picture first: Windows refuses while a program has it open
            files[0].unlink(missing_ok=True)
        except OSError as exc:
            log.warning("cannot remove the picture of image %s: %s", img.id, exc)
            rep.held.append(img.id)  # kept unmarked: the next purge takes it
            img.purged_at = None
            return
        for f in files[1:]:
            _remove_heatmap(f)
        for r in rows:
            r.heatmap_path = None
    rep.images += 1
    rep.heatmaps += len(rows)
    rep.bytes_freed += sum(sizes)
    rep.image_ids.append(img.id)


def _remove_heatmap(path: Path) -> None:
    """A heat map that cannot go now is left for ``inspector check --remove-orphans``
    (no record names it any more); the purge of its picture goes on."""
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        log.warning("cannot remove heat map %s (check --remove-orphans will): %s", path, exc)
