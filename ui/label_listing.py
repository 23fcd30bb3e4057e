"""The Label page's worker-safe reads: what it lists (one query, run on the GUI thread
when a person asks for it, a filter, Show older, the page opened, and in the background
when others changed the data: ui.coalesced_job) and the picture it shows."""

from __future__ import annotations

from dataclasses import dataclass

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
