"""Small synthetic parts for fast train/inspect tests: a textured disc, some with a flaw.

Good parts vary a little (position, brightness, noise) like real photos; a defective part
has a dark scratch-like stroke and a bright spot, so any working anomaly model must score
it above the good ones.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np


def make_part(seed: int, size: int = 128, defect: bool = False) -> np.ndarray:
    rng = np.random.default_rng(seed)
    img = np.full((size, size, 3), 90, np.uint8)
    texture = rng.normal(0, 6, (size, size)).astype(np.float32)
    img = np.clip(img + texture[..., None], 0, 255).astype(np.uint8)
    cx = size // 2 + int(rng.integers(-3, 4))
    cy = size // 2 + int(rng.integers(-3, 4))
    shade = int(170 + rng.integers(-8, 9))
    cv2.circle(img, (cx, cy), size // 3, (shade, shade - 20, shade - 40), -1)
    cv2.circle(img, (cx, cy), size // 8, (60, 60, 70), -1)
    if defect:
        x0 = int(rng.integers(size // 4, size // 2))
        cv2.line(img, (x0, size // 4), (x0 + size // 5, size // 2), (20, 20, 20), 3)
        cv2.circle(img, (size // 2 + size // 6, size // 2 + size // 6), size // 14,
                   (250, 250, 250), -1)
    return img


def write_parts(folder: Path, count: int, start_seed: int, defect: bool = False,
                size: int = 128) -> list[Path]:
    """Write ``count`` parts as PNG files into ``folder`` and return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        rgb = make_part(start_seed + i, size=size, defect=defect)
        path = folder / f"part_{start_seed + i:04d}.png"
        cv2.imwrite(str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
        paths.append(path)
    return paths


def write_sample_tree(root: Path, product: str = "disc", n_good: int = 6) -> Path:
    """A sample_images-style tree: <product>/train/{good,scratch}, <product>/test/..."""
    base = root / product
    write_parts(base / "train" / "good", n_good, 0)
    write_parts(base / "train" / "scratch", 1, 500, defect=True)
    write_parts(base / "test" / "good", 2, 100)
    write_parts(base / "test" / "scratch", 2, 600, defect=True)
    return root
