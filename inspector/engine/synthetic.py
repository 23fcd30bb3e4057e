"""Synthetic defects on good images, each with a mask of exactly the changed pixels.

Kinds: cut-and-paste patches (albumentations-augmented), Perlin-noise texture blends,
scratches, cracks, spots, dents (local shading) and colour/brightness blemishes. Used to
show users what the model reacts to, and to estimate recall / refine the threshold when
no real defect is labelled (see calibration.py and docs/engine.md for what they earn).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import albumentations as A
import cv2
import numpy as np

Rng = np.random.Generator
KINDS = ("cutpaste", "perlin", "scratch", "crack", "spot", "dent", "blemish")



def _augment(img: np.ndarray, rng: Rng) -> np.ndarray:
    """Albumentations photometric + geometric jitter, seeded from ``rng`` (reproducible)."""
    aug = A.Compose(
        [
            A.HorizontalFlip(p=0.5),
            A.VerticalFlip(p=0.5),
            A.RandomRotate90(p=0.5),
            A.RandomBrightnessContrast(brightness_limit=0.3, contrast_limit=0.3, p=0.9),
            A.HueSaturationValue(10, 30, 20, p=0.5),
            A.GaussianBlur(blur_limit=(3, 5), p=0.2),
        ],
        seed=int(rng.integers(2**31)),
    )
    return aug(image=np.ascontiguousarray(img))["image"]


def perlin(shape: tuple[int, int], res: int, rng: Rng) -> np.ndarray:
    """2-D Perlin gradient noise in about [-1, 1] (``res`` cells along each side)."""
    h, w = shape
    gh, gw = res + 1, res + 1
    angles = rng.uniform(0, 2 * np.pi, (gh, gw))
    grads = np.stack([np.cos(angles), np.sin(angles)], axis=-1)
    y = np.linspace(0, res, h, endpoint=False)
    x = np.linspace(0, res, w, endpoint=False)
    yi, xi = np.floor(y).astype(int), np.floor(x).astype(int)
    yf, xf = (y - yi)[:, None], (x - xi)[None, :]

    def dot(dy: int, dx: int) -> np.ndarray:
        g = grads[(yi + dy)[:, None], (xi + dx)[None, :]]
        return g[..., 0] * (yf - dy) + g[..., 1] * (xf - dx)

    def fade(t: np.ndarray) -> np.ndarray:
        return 6 * t**5 - 15 * t**4 + 10 * t**3

    u, v = fade(xf), fade(yf)
    top = dot(0, 0) * (1 - u) + dot(0, 1) * u
    bottom = dot(1, 0) * (1 - u) + dot(1, 1) * u
    return (top * (1 - v) + bottom * v) * np.sqrt(2)


def _blob(shape: tuple[int, int], rng: Rng, area: tuple[float, float]) -> np.ndarray:
    """A Perlin-shaped blob limited to an ellipse, covering roughly ``area`` of the image."""
    h, w = shape
    frac = rng.uniform(*area)
    ry = max(3, int(np.sqrt(frac * h * w / np.pi) * rng.uniform(0.6, 1.6)))
    rx = max(3, int(frac * h * w / (np.pi * ry)))
    ry, rx = min(ry, h // 3), min(rx, w // 3)
    cy, cx = rng.integers(ry, h - ry), rng.integers(rx, w - rx)
    ell = np.zeros(shape, np.uint8)
    cv2.ellipse(ell, (int(cx), int(cy)), (rx, ry), rng.uniform(0, 180), 0, 360, 1, -1)
    noise = perlin(shape, int(rng.integers(4, 9)), rng)
    blob = (ell > 0) & (noise > rng.uniform(-0.3, 0.1))
    return blob if blob.any() else ell > 0


def _cutpaste(img: np.ndarray, others: Sequence[np.ndarray], rng: Rng) -> np.ndarray:
    h, w = img.shape[:2]
    src = others[rng.integers(len(others))] if others else img
    src = cv2.resize(src, (w, h))
    # at least 4 px (tiny images), at most the image less one row/column
    ph = min(h - 1, max(4, int(h * rng.uniform(0.06, 0.2))))
    pw = min(w - 1, max(4, int(w * rng.uniform(0.06, 0.2))))
    sy, sx = rng.integers(0, h - ph), rng.integers(0, w - pw)
    patch = _augment(src[sy : sy + ph, sx : sx + pw], rng)
    patch = cv2.resize(patch, (pw, ph))
    ty, tx = rng.integers(0, h - ph), rng.integers(0, w - pw)
    out = img.copy()
    out[ty : ty + ph, tx : tx + pw] = patch
    return out


def _perlin_blend(img: np.ndarray, others: Sequence[np.ndarray], rng: Rng) -> np.ndarray:
    h, w = img.shape[:2]
    blob = _blob((h, w), rng, (0.005, 0.04))
    src = others[rng.integers(len(others))] if others else img
    tex = cv2.resize(_augment(src, rng), (w, h))
    a = rng.uniform(0.5, 1.0)
    out = img.astype(np.float32)
    out[blob] = (1 - a) * out[blob] + a * tex[blob].astype(np.float32)
    return np.clip(out, 0, 255).astype(np.uint8)


def _line_colour(img: np.ndarray, rng: Rng) -> tuple[int, int, int]:
    m = float(img.mean())
    v = int(np.clip(m + (rng.uniform(60, 120) * (1 if m < 128 else -1)), 0, 255))
    return (v, v, v)


def _scratch(img: np.ndarray, _o: Sequence[np.ndarray], rng: Rng) -> np.ndarray:
    h, w = img.shape[:2]
    out = img.copy()
    p0 = np.array([rng.uniform(0.1, 0.9) * w, rng.uniform(0.1, 0.9) * h])
    ang, length = rng.uniform(0, np.pi), rng.uniform(0.15, 0.4) * max(h, w)
    pts = [p0 + t * length * np.array([np.cos(ang), np.sin(ang)]) + rng.normal(0, 1.5, 2)
           for t in np.linspace(0, 1, 6)]
    poly = np.array(pts, np.int32).reshape(-1, 1, 2)
    cv2.polylines(out, [poly], False, _line_colour(img, rng), max(1, int(min(h, w) / 150)))
    return out


def _crack(img: np.ndarray, _o: Sequence[np.ndarray], rng: Rng) -> np.ndarray:
    h, w = img.shape[:2]
    out = img.copy()
    dark = tuple(int(c * 0.25) for c in img.reshape(-1, 3).mean(0))
    p = np.array([rng.uniform(0.2, 0.8) * w, rng.uniform(0.2, 0.8) * h])
    ang = rng.uniform(0, 2 * np.pi)
    step = max(2.0, min(h, w) / 40)
    for _ in range(int(rng.integers(10, 25))):
        ang += rng.normal(0, 0.5)
        q = p + step * np.array([np.cos(ang), np.sin(ang)])
        cv2.line(out, tuple(int(v) for v in p), tuple(int(v) for v in q), dark,
                 max(1, int(min(h, w) / 200)))
        p = np.clip(q, 0, [w - 1, h - 1])
    return out


def _spot(img: np.ndarray, _o: Sequence[np.ndarray], rng: Rng) -> np.ndarray:
    h, w = img.shape[:2]
    out = img.copy()
    r = max(2, int(min(h, w) * rng.uniform(0.02, 0.06)))
    c = (int(rng.integers(r, w - r)), int(rng.integers(r, h - r)))
    colour = tuple(int(v) for v in rng.integers(0, 256, 3)) if rng.random() < 0.4 else \
        _line_colour(img, rng)
    cv2.ellipse(out, c, (r, int(r * rng.uniform(0.5, 1.0))), rng.uniform(0, 180), 0, 360,
                colour, -1)
    return out


def _dent(img: np.ndarray, _o: Sequence[np.ndarray], rng: Rng) -> np.ndarray:
    h, w = img.shape[:2]
    r = max(3, int(min(h, w) * rng.uniform(0.04, 0.1)))
    cy, cx = rng.integers(r, h - r), rng.integers(r, w - r)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    dy, dx = (yy - cy) / r, (xx - cx) / r
    inside = dy**2 + dx**2 < 1
    ang = rng.uniform(0, 2 * np.pi)
    shade = (np.cos(ang) * dx + np.sin(ang) * dy) * np.sqrt(np.clip(1 - dy**2 - dx**2, 0, 1))
    out = img.astype(np.float32)
    out[inside] += (rng.uniform(50, 100) * shade[inside])[:, None]
    return np.clip(out, 0, 255).astype(np.uint8)


def _blemish(img: np.ndarray, _o: Sequence[np.ndarray], rng: Rng) -> np.ndarray:
    blob = _blob(img.shape[:2], rng, (0.005, 0.03))
    shift = rng.uniform(30, 70) * rng.choice([-1, 1]) * (rng.uniform(0.6, 1.0, 3) if
                                                           rng.random() < 0.5 else np.ones(3))
    out = img.astype(np.float32)
    out[blob] += shift
    return np.clip(out, 0, 255).astype(np.uint8)


_MAKERS: dict[str, Callable[[np.ndarray, Sequence[np.ndarray], Rng], np.ndarray]] = {
    "cutpaste": _cutpaste, "perlin": _perlin_blend, "scratch": _scratch, "crack": _crack,
    "spot": _spot, "dent": _dent, "blemish": _blemish,
}


def make_defect(
    img: np.ndarray,
    rng: Rng,
    kind: str | None = None,
    others: Sequence[np.ndarray] = (),
) -> tuple[np.ndarray, np.ndarray, str]:
    """One synthetic defect on ``img``: (image, bool mask of changed pixels, kind)."""
    kind = kind or str(rng.choice(KINDS))
    for _ in range(5):  # a blend can land on pixels it doesn't change; try again
        out = _MAKERS[kind](img, others, rng)
        mask = (out != img).any(axis=2)
        if mask.sum() >= max(4, img.shape[0] * img.shape[1] // 2000):
            return out, mask, kind
    return out, mask, kind


def generate_synthetic_defects(
    good_images: Sequence[np.ndarray], n: int, seed: int = 0, kinds: Sequence[str] = KINDS
) -> list[tuple[np.ndarray, np.ndarray]]:
    """``n`` synthetic defects (image, HxW bool mask) made from the given good images."""
    if not good_images:
        return []
    rng = np.random.default_rng(seed)
    goods = [im if im.ndim == 3 else np.repeat(im[:, :, None], 3, axis=2) for im in good_images]
    out = []
    for i in range(n):
        img = goods[i % len(goods)]
        im, mask, _ = make_defect(img, rng, str(kinds[(i + seed) % len(kinds)]), goods)
        out.append((im, mask))
    return out


def synthetic_for_calibration(images: Sequence[np.ndarray], seed: int) -> list[np.ndarray]:
    """One synthetic defect per held-out good image (the image is in no bank it meets)."""
    return [im for im, _ in generate_synthetic_defects(images, len(images), seed)]
