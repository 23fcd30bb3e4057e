"""Labels (append-only: a relabel adds a row), image listing, defect types, pixel access."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from inspector.errors import ImageError, NotFoundError, PictureRemoved, UserError
from inspector.imaging.decode import SeveralPicturesError, decode_bytes, encode_png
from inspector.services.dto import DefectTypeInfo, ImageInfo, LabelInfo
from inspector.services.names import clean_name
from inspector.services.products import product_id
from inspector.services.sensor_depth import sensor_bits
from inspector.store import audit, roles
from inspector.store.db import serialise
from inspector.store.image_store import sha256_bytes
from inspector.store.models import (
    SEVERITIES,
    VERDICTS_LABEL,
    DefectType,
    Image,
    Label,
    Operator,
    Product,
)

STATES = ("unlabelled", "good", "defective")


def image_info(project: Any, img: Image, label: Label | None) -> ImageInfo:
    """DTO for an image row and its current label (relationships must be loadable)."""
    return ImageInfo(
        id=img.id, sha256=img.sha256, path=str(project.images.path(img.store_path)),
        original_name=img.original_name, width=img.width, height=img.height,
        format=img.format, mode=img.mode, bit_depth=img.bit_depth, file_size=img.file_size,
        source=img.source, captured_at=img.captured_at, imported_at=img.imported_at,
        imported_by=img.imported_by.name if img.imported_by else None,
        product=img.product.name if img.product else None, station=img.station,
        lot=img.lot, serial=img.serial,
        state=label.verdict if label else "unlabelled",
        defect_type=label.defect_type if label else None,
        severity=label.severity if label else None,
        has_mask=bool(label and label.mask_path),
        labelled_by=label.operator.name if label and label.operator else None,
        labelled_at=label.created_at if label else None,
    )


def label_info(label: Label) -> LabelInfo:
    return LabelInfo(label.id, label.image_id, label.verdict, label.defect_type,
                     label.severity, label.mask_path is not None,
                     label.operator.name if label.operator else None, label.created_at)


def current_label_ids():  # noqa: ANN202 - a SQLAlchemy subquery
    """(image_id, label_id) of each image's newest label: history rows are ignored."""
    return (select(Label.image_id, func.max(Label.id).label("label_id"))
            .group_by(Label.image_id).subquery())


def _image(session: Session, image_id: int) -> Image:
    img = session.get(Image, image_id)
    if img is None:
        raise NotFoundError(f"no image with id {image_id}")
    return img


def active_defect_types(session: Session) -> dict[str, str]:
    """Case-folded name -> name of the active defect types. Folded in Python: SQLite's
    lower() only knows ASCII, so "Ölfleck" and "ölfleck" would be two types."""
    rows = session.scalars(select(DefectType.name).where(DefectType.active.is_(True)))
    return {n.casefold(): n for n in rows}


def _type_row(session: Session, name: str, active_only: bool = False) -> DefectType | None:
    """The defect type of that name in any case (active ones first)."""
    wanted = " ".join(name.split()).casefold()
    rows = [r for r in session.scalars(select(DefectType)) if r.name.casefold() == wanted
            and (r.active or not active_only)]
    return max(rows, key=lambda r: (r.active, r.id)) if rows else None


def label_image(
    project: Any, actor: Any, image_id: int, verdict: str, defect_type: str | None = None,
    severity: str | None = None, mask: np.ndarray | None = None,
) -> LabelInfo:
    """Record a label decision. ``mask`` (HxW bool/uint8, nonzero = defect) only for
    defective images; it is stored as a 0/255 PNG in the image store."""
    project.require(actor, roles.LABEL, entity="image", entity_id=image_id)
    if verdict not in VERDICTS_LABEL:
        raise UserError(f"unknown verdict '{verdict}'; use good or defective")
    if severity is not None and severity not in SEVERITIES:
        raise UserError(f"unknown severity '{severity}'; use {', '.join(SEVERITIES)}")
    if verdict == "good" and (defect_type or severity or mask is not None):
        raise UserError("a good image cannot have a defect type, severity or mask")
    with project.db.session() as session:
        img = _image(session, image_id)
        _refuse_purged(img.id, img.purged_at)
        if defect_type is not None:
            known = active_defect_types(session)
            # A removed type stays on the labels that have it, and comes back with an
            # undo: the image's earlier labels count, not only the current one.
            had = {t.casefold(): t for t in session.scalars(
                select(Label.defect_type).where(Label.image_id == img.id,
                                                Label.defect_type.is_not(None)))}
            if defect_type.casefold() in known:
                defect_type = known[defect_type.casefold()]
            elif defect_type.casefold() in had:
                defect_type = had[defect_type.casefold()]
            else:
                raise UserError(f"unknown defect type '{defect_type}'; known types: "
                                f"{', '.join(sorted(known.values())) or 'none yet'} (a QA "
                                f"lead adds one: inspector defect-types add {defect_type})")
        mask_rel = _store_mask(project, mask, img) if mask is not None else None
        old = img.current_label
        label = Label(image_id=img.id, verdict=verdict, defect_type=defect_type,
                      severity=severity, mask_path=mask_rel, operator_id=actor.operator_id)
        session.add(label)
        session.flush()  # the write lock: a purge that marked it meanwhile is seen now
        _refuse_purged(img.id, session.scalar(select(Image.purged_at).where(
            Image.id == img.id)))
        audit.record(session, actor, "label.set", "image", img.id, {
            "verdict": verdict, "defect_type": defect_type, "severity": severity,
            "mask": mask_rel is not None, "previous": old.verdict if old else None,
            "previous_defect_type": old.defect_type if old else None,
        })
        session.refresh(label)
        return label_info(label)


def _refuse_purged(image_id: int, purged_at: Any) -> None:
    """A purged image has no picture: labelled, it made every later training stop on it,
    and labels are never taken back."""
    if purged_at is not None:
        raise UserError(f"the picture of image {image_id} was removed to free disk space "
                        "(purge); import the picture again to label it")


def _store_mask(project: Any, mask: np.ndarray, img: Image) -> str | None:
    m = np.asarray(mask)
    if m.ndim == 3 and m.shape[2] in (3, 4):
        m = m[..., 0]
    if m.ndim != 2 or m.shape != (img.height, img.width):
        raise UserError(f"mask is {m.shape[1] if m.ndim > 1 else '?'}x{m.shape[0]} but the "
                        f"image is {img.width}x{img.height}")
    binary = (m > 0).astype(np.uint8) * 255
    if not binary.any():
        return None  # an empty mask says nothing; keep the label without one
    try:
        _, rel, _ = project.images.put(encode_png(binary), ".png")
    except OSError as exc:
        raise UserError(f"cannot store the mask: {exc.strerror or exc}") from exc
    return rel


def label_history(project: Any, image_id: int) -> list[LabelInfo]:
    """All label rows of an image, oldest first."""
    with project.db.session() as session:
        _image(session, image_id)
        rows = session.scalars(select(Label).where(Label.image_id == image_id)
                               .order_by(Label.id))
        return [label_info(r) for r in rows]


def get_image(project: Any, image_id: int) -> ImageInfo:
    with project.db.session() as session:
        img = _image(session, image_id)
        return image_info(project, img, img.current_label)


def list_images(
    project: Any, *, product: str | None = None, state: str | None = None,
    defect_type: str | None = None, since: dt.datetime | None = None,
    until: dt.datetime | None = None, limit: int | None = None, offset: int = 0,
    lot: str | None = None, serial: str | None = None, newest: int | None = None,
) -> list[ImageInfo]:
    """Stored images with their current label, oldest first, filtered as asked (``lot`` and
    ``serial`` as recorded at import, so the pictures of a lot can be found again).
    ``newest``: only the last that many of them (still oldest first): every inspected part
    is stored, so a line's library grows by thousands of images a day."""
    if newest is not None and (limit is not None or offset):
        raise ValueError("newest cannot be combined with limit or offset")
    lbl = aliased(Label)
    importer, labeller = aliased(Operator), aliased(Operator)
    with project.db.session() as session:
        # Plain columns, not ORM objects: a Label page over 20,000 images took 2 s of
        # object loading and per-row relationship lookups on the GUI thread.
        stmt = (_with_labels(select(*_IMAGE_COLUMNS, Product.name, importer.name,
                                    lbl.verdict, lbl.defect_type, lbl.severity,
                                    lbl.mask_path, labeller.name, lbl.created_at), lbl)
                .outerjoin(Product, Product.id == Image.product_id)
                .outerjoin(importer, importer.id == Image.imported_by_id)
                .outerjoin(labeller, labeller.id == lbl.operator_id))
        stmt = _filtered(session, stmt, lbl, product=product, state=state,
                         defect_type=defect_type, since=since, until=until, lot=lot,
                         serial=serial)
        if newest is not None:
            stmt = stmt.order_by(Image.id.desc()).limit(newest)
        else:
            stmt = stmt.order_by(Image.id).offset(offset)
            if limit is not None:
                stmt = stmt.limit(limit)
        rows = session.execute(stmt).all()
    if newest is not None:
        rows.reverse()
    paths = project.images.paths([row.store_path for row in rows])
    return [_row_info(row, path) for row, path in zip(rows, paths, strict=True)]


def count_images(
    project: Any, *, product: str | None = None, state: str | None = None,
    defect_type: str | None = None, since: dt.datetime | None = None,
    until: dt.datetime | None = None, lot: str | None = None, serial: str | None = None,
) -> int:
    """How many images list_images would give with these filters (no limit)."""
    lbl = aliased(Label)
    with project.db.session() as session:
        stmt = select(func.count(Image.id)).select_from(Image)
        if state is not None or defect_type is not None:  # only these read the label
            stmt = _with_labels(stmt, lbl)
        stmt = _filtered(session, stmt, lbl, product=product, state=state,
                         defect_type=defect_type, since=since, until=until, lot=lot,
                         serial=serial)
        return int(session.scalar(stmt) or 0)


def _with_labels(stmt: Any, lbl: Any) -> Any:
    """``stmt`` over images, each joined to its current label (none: unlabelled)."""
    current = current_label_ids()
    return (stmt.select_from(Image).outerjoin(current, current.c.image_id == Image.id)
            .outerjoin(lbl, lbl.id == current.c.label_id))


def _filtered(session: Session, stmt: Any, lbl: Any, *, product: str | None,
              state: str | None, defect_type: str | None, since: dt.datetime | None,
              until: dt.datetime | None, lot: str | None, serial: str | None) -> Any:
    """The filters list_images and count_images share."""
    if state is not None and state not in STATES:
        raise UserError(f"unknown state '{state}'; use {', '.join(STATES)}")
    if product is not None:
        stmt = stmt.where(Image.product_id == product_id(session, product))
    if state == "unlabelled":
        stmt = stmt.where(lbl.id.is_(None))
    elif state is not None:
        stmt = stmt.where(lbl.verdict == state)
    if defect_type is not None:  # case folded in Python (SQLite's lower() is ASCII)
        spellings = [t for t in session.scalars(select(Label.defect_type).distinct())
                     if t is not None and t.casefold() == defect_type.casefold()]
        stmt = stmt.where(lbl.defect_type.in_(spellings))
    if lot is not None:
        stmt = stmt.where(Image.lot == lot)
    if serial is not None:
        stmt = stmt.where(Image.serial == serial)
    if since is not None:
        stmt = stmt.where(Image.imported_at >= since)
    if until is not None:
        stmt = stmt.where(Image.imported_at < until)
    return stmt


_IMAGE_COLUMNS = (Image.id, Image.sha256, Image.store_path, Image.original_name, Image.width,
                  Image.height, Image.format, Image.mode, Image.bit_depth, Image.file_size,
                  Image.source, Image.captured_at, Image.imported_at, Image.station,
                  Image.lot, Image.serial)


def _row_info(row: Any, path: str) -> ImageInfo:
    """ImageInfo from one row of list_images' column query (the same fields image_info
    reads from ORM objects)."""
    (image_id, sha, _store_path, name, width, height, fmt, mode, bit_depth, file_size, source,
     captured_at, imported_at, station, lot, serial, product, imported_by, verdict,
     defect_type, severity, mask_path, labelled_by, labelled_at) = row
    return ImageInfo(
        id=image_id, sha256=sha, path=path, original_name=name, width=width, height=height,
        format=fmt, mode=mode, bit_depth=bit_depth, file_size=file_size, source=source,
        captured_at=captured_at, imported_at=imported_at, imported_by=imported_by,
        product=product, station=station, lot=lot, serial=serial,
        state=verdict or "unlabelled", defect_type=defect_type, severity=severity,
        has_mask=mask_path is not None, labelled_by=labelled_by, labelled_at=labelled_at,
    )


def label_counts(project: Any, product: str | None = None) -> dict[str, int]:
    """How many images are good / defective / unlabelled (for one product if given)."""
    current = current_label_ids()
    with project.db.session() as session:
        stmt = (select(Label.verdict, func.count(Image.id)).select_from(Image)
                .outerjoin(current, current.c.image_id == Image.id)
                .outerjoin(Label, Label.id == current.c.label_id).group_by(Label.verdict))
        if product is not None:
            stmt = stmt.where(Image.product_id == product_id(session, product))
        counts = {"good": 0, "defective": 0, "unlabelled": 0}
        for verdict, n in session.execute(stmt):
            counts[verdict or "unlabelled"] += n
        return counts


def load_image(project: Any, image_id: int, *, to_judge: bool = False) -> np.ndarray:
    """Decoded RGB uint8 HxWx3 pixels of a stored image. A file of several pictures
    (imports refuse them now; earlier versions stored them) loads as its first picture
    for labelling and training, as it always did; ``to_judge`` (an inspection) refuses
    it as an import does, since page 2 might show the defect."""
    with project.db.session() as session:
        img = _image(session, image_id)
        rel, sha, purged = img.store_path, img.sha256, img.purged_at
    if purged is not None:
        raise PictureRemoved(f"the picture of image {image_id} was removed by the retention "
                         f"policy on {purged.astimezone():%Y-%m-%d} (its inspection records "
                         "are kept; import the picture again to restore it)")
    data = project.images.read(rel)
    if sha256_bytes(data) != sha:  # a damaged copy must not be inspected as if it were
        raise ImageError(f"stored image {image_id} was changed or damaged on disk (checksum "
                         "mismatch); import the picture again to restore it")
    try:
        return decode_bytes(data, max_pixels=None, first_picture_only=not to_judge,
                            sensor_bits=sensor_bits(project)).rgb
    except SeveralPicturesError as exc:
        raise ImageError(f"stored image {image_id} {exc}") from exc
    except ImageError as exc:
        raise ImageError(f"stored image {image_id} is damaged: {exc}") from exc


def load_mask(project: Any, image_id: int) -> np.ndarray | None:
    """The current label's defect mask as HxW bool (True = defect), or None."""
    with project.db.session() as session:
        label = _image(session, image_id).current_label
        rel = label.mask_path if label else None
    return None if rel is None else _decode_mask(project, rel)


def current_label_id(project: Any, image_id: int) -> int | None:
    """The id of the image's newest label row (None: unlabelled). Rows are never changed,
    so the id names that label, and its mask, for good (the Label page's undo keeps it
    instead of the pixels)."""
    with project.db.session() as session:
        label = _image(session, image_id).current_label
        return label.id if label else None


def label_mask(project: Any, label_id: int) -> np.ndarray | None:
    """The defect mask of one label row (any in an image's history), or None."""
    with project.db.session() as session:
        label = session.get(Label, label_id)
        if label is None:
            raise NotFoundError(f"no label with id {label_id}")
        rel = label.mask_path
    return None if rel is None else _decode_mask(project, rel)


def _decode_mask(project: Any, rel: str) -> np.ndarray:
    return decode_bytes(project.images.read(rel), max_pixels=None).rgb[..., 0] > 127


# -- defect types ---------------------------------------------------------------------
# Keys the Label page uses itself (good, defective, severities, brush, heat map, brush
# size), so a defect type cannot take them.
RESERVED_SHORTCUTS = frozenset({"g", "d", "1", "2", "3", "b", "h", "[", "]"})

def list_defect_types(project: Any) -> list[str]:
    with project.db.session() as session:
        return sorted(active_defect_types(session).values(), key=str.lower)


def removed_types_in_use(project: Any) -> list[str]:
    """Defect types no longer offered that current labels still carry: a QA lead must
    still find those parts (to relabel them), so the Label page's Type filter lists them."""
    current = current_label_ids()
    with project.db.session() as session:
        active = {name.casefold() for name in active_defect_types(session).values()}
        used = session.scalars(select(Label.defect_type).distinct()
                               .join(current, current.c.label_id == Label.id)
                               .where(Label.defect_type.is_not(None)))
        removed: dict[str, str] = {}
        for name in used:
            if name.casefold() not in active:
                removed.setdefault(name.casefold(), name)
    return sorted(removed.values(), key=str.lower)


def list_defect_type_infos(project: Any) -> list[DefectTypeInfo]:
    """Active defect types with their labelling shortcut keys."""
    with project.db.session() as session:
        rows = session.scalars(select(DefectType).where(DefectType.active.is_(True)))
        # Sorted in Python, by code point as SQLite did: PostgreSQL sorts by its locale.
        return [DefectTypeInfo(r.id, r.name, r.shortcut, r.active)
                for r in sorted(rows, key=lambda r: r.name)]


def clean_defect_type(name: str) -> str:
    cleaned = clean_name(name, "a defect type name", 100)
    if cleaned.lower() in VERDICTS_LABEL + ("unlabelled",):
        raise UserError(f"'{cleaned}' cannot be a defect type name")
    return cleaned


def register_defect_type(session: Session, actor: Any, name: str,
                         shortcut: str | None = None, via: str = "manual") -> str:
    """Add or re-activate a defect type inside ``session`` (caller checked the role)."""
    name = clean_defect_type(name)
    row = _type_row(session, name)
    if row is not None and row.active:
        raise UserError(f"defect type '{row.name}' already exists")
    if row is None:
        row = DefectType(name=name, shortcut=shortcut)
        session.add(row)
    else:  # back again: its old key only if no other type took it meanwhile
        old = row.shortcut if shortcut is None else None
        taken = old is not None and _key_owner(session, old, exclude=row.id) is not None
        row.active, row.shortcut = True, shortcut or (None if taken else old)
    session.flush()
    audit.record(session, actor, "defect_type.add", "defect_type", row.id,
                 {"name": row.name, "shortcut": row.shortcut, "via": via})
    return row.name


def _key_owner(session: Session, key: str, exclude: int | None = None) -> DefectType | None:
    """The active type (other than ``exclude``) that the key already picks, if any."""
    return next((r for r in session.scalars(select(DefectType).where(
        DefectType.active.is_(True))) if r.id != exclude and r.shortcut
        and r.shortcut.casefold() == key.casefold()), None)


def add_defect_type(project: Any, actor: Any, name: str, shortcut: str | None = None) -> str:
    project.require(actor, roles.MANAGE_DEFECT_TYPES, entity="defect_type",
                    details={"name": name})
    shortcut = shortcut.strip() if shortcut else None
    if shortcut is not None and (len(shortcut) != 1 or not shortcut.isprintable()):
        raise UserError("a shortcut is one key: a letter, digit or sign (e.g. S)")
    if shortcut is not None and shortcut.casefold() in RESERVED_SHORTCUTS:
        raise UserError(f"the key '{shortcut.upper()}' is kept for the app's own use (Label "
                        "page: G good, D defective, 1-3 severity, B brush, [ ] brush size; "
                        "H: heat map on Inspect and History); choose another key")
    with project.db.session() as session:
        serialise(session, "defect_types.names")  # Dent and dent from two stations at once
        if shortcut is not None:
            same = _type_row(session, name)
            clash = _key_owner(session, shortcut, exclude=same.id if same else None)
            if clash is not None:
                raise UserError(f"the key '{shortcut.upper()}' already picks the defect type "
                                f"'{clash.name}'; choose another key")
        return register_defect_type(session, actor, name, shortcut)


def remove_defect_type(project: Any, actor: Any, name: str) -> None:
    """Deactivate a defect type; labels that use it keep their text."""
    project.require(actor, roles.MANAGE_DEFECT_TYPES, entity="defect_type",
                    details={"name": name})
    with project.db.session() as session:
        row = _type_row(session, name, active_only=True)
        if row is None:
            raise NotFoundError(f"no defect type named '{name}'")
        row.active = False
        audit.record(session, actor, "defect_type.remove", "defect_type", row.id,
                     {"name": row.name})


