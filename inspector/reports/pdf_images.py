"""Pages of the worst NG images: thumbnail and heat map side by side, with the facts.

A missing or unreadable file gives a placeholder box: a report must still be produced when
an image was archived or a heat map was never written.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from inspector.reports.pdf_text import fit_width
from inspector.reports.thumbnails import load_thumbnail
from inspector.reports.types import Report, WorstImage

PER_PAGE_ROWS, PER_ROW = 3, 2
CAPTION_PT = 7


def _show(ax: Axes, img: np.ndarray | None, label: str) -> None:
    ax.set_xticks([])
    ax.set_yticks([])
    if img is None:
        ax.set_facecolor("#eeeeee")
        ax.text(0.5, 0.5, f"{label}\nnot available", ha="center", va="center",
                transform=ax.transAxes, fontsize=8, color="#555555")  # fmt: skip
    else:
        ax.imshow(img)
    ax.set_title(label, fontsize=8)


def _caption(w: WorstImage, rank: int, width: float) -> str:
    """The facts under a pair of pictures, one per line, each cut to ``width`` points (the
    pair's width): a 40-character operator or station ran into the next pair and off the
    page when they shared a line."""
    kind = w.defect_type or "unclassified"
    lines = [
        f"#{rank}  inspection {w.inspection_id}, image {w.image_id}",
        f"score {w.score:.3f} (threshold {w.threshold:.3f})",
        f"{kind} / {w.severity or '-'}",
        f"{w.inspected_at:%Y-%m-%d %H:%M}  {w.operator or '-'}",
        f"station {w.station or '-'}",
    ]
    return "\n".join(fit_width(line, width, CAPTION_PT) for line in lines)


def worst_image_pages(
    rep: Report,
    resolve_image: Callable[[str], Path | None] | None,
    resolve_heatmap: Callable[[str], Path | None] | None,
    size: tuple[float, float],
    sensor_bits: int = 16,
) -> list[Figure]:
    """Figures showing ``rep.worst``, six per page."""
    per_page = PER_PAGE_ROWS * PER_ROW
    pages = []
    for start in range(0, len(rep.worst), per_page):
        fig = Figure(figsize=size)
        fig.text(0.08, 0.95, f"Worst images (NG furthest past the threshold, top {len(rep.worst)})",
                 fontsize=14, weight="bold")  # fmt: skip
        grid = fig.add_gridspec(PER_PAGE_ROWS, PER_ROW * 2, left=0.05, right=0.95, top=0.9,
                                bottom=0.15, hspace=0.75, wspace=0.1)  # fmt: skip
        for k, w in enumerate(rep.worst[start : start + per_page]):
            r, c = divmod(k, PER_ROW)
            ax_img = fig.add_subplot(grid[r, 2 * c])
            ax_map = fig.add_subplot(grid[r, 2 * c + 1])
            _show(ax_img, load_thumbnail(resolve_image, w.image_path, sensor_bits), "image")
            _show(ax_map, load_thumbnail(resolve_heatmap, w.heatmap_path), "heat map")
            pair = (ax_map.get_position().x1 - ax_img.get_position().x0) * size[0] * 72
            ax_img.text(0.0, -0.06, _caption(w, start + k + 1, pair - 4),
                        transform=ax_img.transAxes, fontsize=CAPTION_PT, va="top")  # fmt: skip
        pages.append(fig)
    return pages
