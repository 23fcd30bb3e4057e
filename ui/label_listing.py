"""The Label page's worker-safe reads: what it lists (one query, run on the GUI thread
when a person asks for it, a filter, Show older, the page opened, and in the background
when others changed the data: ui.coalesced_job) and the picture it shows."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from inspector.errors import UserError
from inspector.services import labeling
from inspector.services.dto import ImageInfo
from inspector.services.sensor_depth import sensor_bits
from ui.image_loader import Picture, prepare


@dataclass(frozen=True)
class Listing:
    images: list[ImageInfo]  # the newest ``limit`` that match, oldest first
    total: int  # how many match in all
    counts: dict[str, int] | None  # good / defective / unlabelled of the signed-in product
    sensor_bits: int  # how 16-bit thumbnails are read (project setting)


def query_listing(project, filters: dict, limit: int, product: str | None,  # noqa: ANN001
                  counts: bool = True) -> Listing:
    """Worker-safe: no Qt, one database session per call. ``counts=False`` leaves out the
    good / defective / unlabelled counts (a quarter second at 170,000 images), which the
    page then reads in the background."""
    images = labeling.list_images(project, newest=limit, **filters)
    total = (labeling.count_images(project, **filters) if len(images) >= limit
             else len(images))
    return Listing(images, total, labeling.label_counts(project, product) if counts else None,
                   sensor_bits(project))


def load_picture(project, image_id: int, has_mask: bool) -> Picture:  # noqa: ANN001
    """A stored image with its defect mask, ready for the view."""
    rgb = labeling.load_image(project, image_id)
    mask = labeling.load_mask(project, image_id) if has_mask else None
    return prepare(rgb, mask)


def info_html(info: ImageInfo) -> str:
    """The two lines above the label buttons: id, name, size, product; the label."""
    esc = html.escape  # names come from files and people: shown, never read as markup
    label = f"Label: <b>{info.state}</b>"
    if info.defect_type or info.severity:
        label += " · " + esc(f"{info.defect_type or ''} {info.severity or ''}".strip())
    return (f"<b>#{info.id}</b> {esc(info.original_name or '')} · {info.width}×{info.height}"
            f" · {esc(info.product or 'no product')}<br>{label}")


def nothing_shown_text(project: Any) -> str:
    """An empty project has no images at all: no filter is to blame, so saying "no
    image matches the filters" would send a newcomer looking for one."""
    try:
        stored = sum(labeling.label_counts(project, None).values())
    except UserError:
        stored = 1  # cannot tell: the filters are the likelier reason
    if not stored:
        return "No images yet: import photos of parts on Capture, then label them here."
    return ("No image matches the filters (Show, Type, Product, Since). Change them, or "
            "import more photos on Capture.")


def label_of(info: ImageInfo) -> tuple:
    """What the label keys act on: changed elsewhere, the page must show it anew."""
    return info.state, info.defect_type, info.severity, info.has_mask
