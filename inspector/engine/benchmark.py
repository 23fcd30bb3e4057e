"""Benchmark on folders in MVTec layout: accuracy at the model's own threshold, speed, memory.

Every folder under the data root holding ``train/good`` and ``test/`` is a category.
Training uses the first K files of train/good in name order (K=0: all); with M > 0 the
first M files of each test/<defect_type> are labelled defects and left out of the test.
The threshold is always the model's own calibrated one, never picked from test labels.
Images are decoded exactly as the product decodes them (16-bit scaled, EXIF orientation,
transparency on white). Unreadable images are skipped with a message; a category that
cannot be trained or scored (e.g. fewer than 2 readable goods) is reported under
``skipped`` and the others still run.
"""

from __future__ import annotations

import gc
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from sklearn.metrics import precision_recall_curve, roc_auc_score

from inspector.engine.config import EngineConfig
from inspector.engine.result import LabelledDefect
from inspector.engine.training import prepare_defect, train_model
from inspector.engine.working_size import prepare
from inspector.errors import ImageError, UserError
from inspector.imaging.decode import decode_bytes, read_file_bytes
from inspector.peak_memory import peak_rss_mb

IMAGE_EXTS = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"}
KEYS = ("image_auroc", "pixel_auroc", "precision", "recall", "f1", "best_f1",
        "fit_seconds", "ms_per_image")
PIXEL_EVAL_SIZE = 128  # masks and heat maps are compared at this size (speed)


def find_categories(root: Path) -> list[Path]:
    """Folders below ``root`` (or root itself) that hold train/good and test/."""
    if not root.is_dir():
        raise UserError(f"benchmark data folder {root} does not exist")
    cats = [p for p in [root, *sorted(_folders_below(root))]
            if (p / "train" / "good").is_dir() and (p / "test").is_dir()]
    if not cats:
        raise UserError(f"no category folders (with train/good and test/) under {root}")
    return cats


def _folders_below(root: Path) -> Iterator[Path]:
    """Every folder below ``root``, through symbolic links too (a data folder is often a
    tree of links to datasets kept elsewhere), each real folder once, so a link loop
    ends."""
    seen = {os.path.realpath(root)}
    for here, dirs, _files in os.walk(root, followlinks=True):
        kept = []
        for name in sorted(dirs):
            real = os.path.realpath(os.path.join(here, name))
            if real not in seen:
                seen.add(real)
                kept.append(name)
                yield Path(here) / name
        dirs[:] = kept


def _images(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_EXTS)


def load_rgb(path: Path, sensor_bits: int = 16) -> np.ndarray:
    """RGB uint8, decoded as the product decodes imported files (``sensor_bits``: how
    many bits of a 16-bit file the camera filled, the project setting of that name)."""
    try:
        return decode_bytes(read_file_bytes(path), sensor_bits=sensor_bits).rgb
    except ImageError as exc:
        raise ImageError(f"cannot read image {path}: {exc}") from exc


def _readable(paths: list[Path], log: Callable[[str], None],
              sensor_bits: int = 16) -> Iterator[tuple[Path, np.ndarray]]:
    """(path, image) for each readable file; unreadable ones are left out with a message."""
    for p in paths:
        try:
            img = load_rgb(p, sensor_bits)
        except ImageError as exc:
            log(f"benchmark: skipped {exc}")
            continue
        yield p, img


def _mask_for(cat: Path, defect: str, img: Path, shape: tuple[int, int],
              log: Callable[[str], None] = lambda _m: None) -> np.ndarray | None:
    """The defect mask scaled to the image; a mask of another shape (not just another
    size) belongs to some other image and is left out, with a message."""
    if defect == "good":
        return np.zeros(shape, bool)
    folder = cat / "ground_truth" / defect
    # MVTec names masks <stem>_mask.png; some sets in this layout (VisA's MVTec export)
    # use the image's own stem.
    p = next((c for c in (folder / f"{img.stem}_mask.png", folder / f"{img.stem}.png")
              if c.is_file()), None)
    if p is None:
        log(f"benchmark: no mask for {img.name} in {folder}; left out of the pixel AUROC")
        return None
    try:
        with Image.open(p) as m:
            (mw, mh), (h, w) = m.size, shape
            if abs(mw * h - mh * w) > 0.02 * mh * w:
                log(f"benchmark: mask {p} is {mw}x{mh} but its image is {w}x{h}; "
                    "left out of the pixel AUROC")
                return None
            marked = _marked(m)
    except (OSError, ValueError) as exc:  # unreadable: evaluate the image without it
        log(f"benchmark: mask {p} cannot be read ({exc}); left out of the pixel AUROC")
        return None
    return np.asarray(Image.fromarray(marked).resize(shape[::-1], Image.NEAREST)) > 0


def _marked(mask: Image.Image) -> np.ndarray:
    """Defect pixels (uint8, 255 = defect) of a mask at its own size. A mask that reaches
    bright values (MVTec's 0/255, 16-bit 0/65535, a JPEG's noisy 0/255) marks what is
    above half its brightest value; a dark one holds labels (0/1, instance numbers, a
    red-on-black palette) and marks everything above 0. Read as 0..255 grey against 127,
    those marked nothing and their category silently lost its pixel AUROC."""
    grey = mask.convert("L") if mask.mode not in ("I;16", "I;16B", "I;16L", "I", "F") else mask
    values = np.asarray(grey, dtype=np.float32)
    peak = float(values.max()) if values.size else 0.0
    return (values > (peak / 2 if peak > 127 else 0)).astype(np.uint8) * 255


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r > 0 else 0.0


def evaluate_category(
    cat: Path, shots: int, defect_shots: int, config: EngineConfig,
    log: Callable[[str], None] = lambda m: print(m, file=sys.stderr), sensor_bits: int = 16,
) -> dict[str, Any]:
    """Train on one category and measure it (see module docstring)."""
    goods = _images(cat / "train" / "good")
    goods = goods[:shots] if shots > 0 else goods
    labelled, tests = [], []
    for d in sorted(p for p in (cat / "test").iterdir() if p.is_dir()):
        files = _images(d)
        if d.name != "good" and defect_shots > 0:
            labelled += [(d.name, f) for f in files[:defect_shots]]
            files = files[defect_shots:]
        tests += [(d.name, f) for f in files]
    names = {f: name for name, f in labelled}
    cfg = config.resolved()  # images are prepared as loaded, as the product does
    defects = [prepare_defect(LabelledDefect(img, names[f], _mask_for(cat, names[f], f,
                                                                      img.shape[:2])), cfg)
               for f, img in _readable([f for _, f in labelled], log, sensor_bits)]
    good_images = [prepare(img, cfg) for _, img in _readable(goods, log, sensor_bits)]
    t0 = time.perf_counter()
    model = train_model(good_images, defects, cfg, prepared=True)
    fit = time.perf_counter() - t0
    del defects, good_images
    m = model.metrics
    if m.get("density_auroc_plain") is not None:
        log(f"benchmark: {cat.name}: local density {'on' if m['density_used'] else 'off'} "
            f"(held-out good vs labelled defects AUROC {m['density_auroc_plain']:.3f} plain, "
            f"{m['density_auroc_normalised']:.3f} normalised, wins {m['density_win_share']:.2f})")
    y, s, ms, pix_y, pix_s = [], [], [], [], []
    have_masks = (cat / "ground_truth").is_dir()
    for name, f in tests:
        try:
            img = load_rgb(f, sensor_bits)
        except ImageError as exc:
            log(f"benchmark: skipped {exc}")
            continue
        t = time.perf_counter()
        res = model.predict(img)
        ms.append((time.perf_counter() - t) * 1e3)
        y.append(int(name != "good"))
        s.append(res.score)
        # Only a category with a ground_truth folder has a pixel AUROC; a mask missing or
        # unusable there leaves out that image, not the whole category (it silently did).
        mask = _mask_for(cat, name, f, img.shape[:2], log) if have_masks else None
        if mask is not None:
            size = (PIXEL_EVAL_SIZE, PIXEL_EVAL_SIZE)
            pix_y.append(np.asarray(Image.fromarray(mask).resize(size, Image.NEAREST)).ravel())
            pix_s.append(np.asarray(Image.fromarray(res.heatmap).resize(size)).ravel())
    y_arr, s_arr = np.array(y), np.array(s)
    pred = s_arr >= model.threshold
    tp = int((pred & (y_arr == 1)).sum())
    both = len(set(y)) == 2
    if y_arr.sum() > 0:  # precision / recall / F1 need defects to find
        precision = tp / max(1, int(pred.sum()))
        recall = tp / int(y_arr.sum())
        f1: float | None = _f1(precision, recall)
        # only defects: flagging everything is right, so the best F1 is 1
        pr, rc, _ = precision_recall_curve(y_arr, s_arr) if both else ([1.0], [1.0], None)
        best: float | None = max(_f1(float(p), float(r)) for p, r in zip(pr, rc, strict=True))
    else:
        precision = recall = f1 = best = None
    pixel = None
    if have_masks and pix_y:
        py, ps = np.concatenate(pix_y), np.concatenate(pix_s)
        pixel = float(roc_auc_score(py, ps)) if 0 < py.sum() < py.size else None
    return {
        "image_auroc": float(roc_auc_score(y_arr, s_arr)) if both else None,
        "pixel_auroc": pixel,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "best_f1": best,
        "fit_seconds": fit,
        "ms_per_image": float(statistics.median(ms)) if ms else None,
    }


def run_benchmark(
    root: Path,
    shots: int,
    defect_shots: int = 0,
    config: EngineConfig | None = None,
    log: Callable[[str], None] = lambda m: print(m, file=sys.stderr),
    sensor_bits: int = 16,
) -> dict[str, Any]:
    """Evaluate every category under ``root``; returns the JSON-shaped result."""
    if shots < 0 or defect_shots < 0:
        raise UserError("--shots and --defect-shots must be >= 0")
    config = config or EngineConfig()
    cats: dict[str, dict[str, Any]] = {}
    skipped: dict[str, str] = {}
    for cat in find_categories(root):
        key = cat.relative_to(root).as_posix() if cat != root else cat.name
        log(f"benchmark: {key} ...")
        try:
            cats[key] = evaluate_category(cat, shots, defect_shots, config, log, sensor_bits)
        except UserError as exc:  # this category cannot be measured; the others can
            skipped[key] = str(exc)
            log(f"benchmark: skipped {key}: {exc}")
        gc.collect()
    if not cats:
        raise UserError("no category could be benchmarked: "
                        + "; ".join(f"{k}: {v}" for k, v in skipped.items()))
    mean = {}
    for k in KEYS:
        vals = [c[k] for c in cats.values() if c[k] is not None]
        mean[k] = float(np.mean(vals)) if vals else None
    peak = peak_rss_mb()
    result = {"shots": shots, "defect_shots": defect_shots, "categories": cats, "mean": mean,
              "peak_rss_mb": peak}
    if skipped:
        result["skipped"] = skipped
    return result


def format_table(result: dict[str, Any]) -> str:
    """A Markdown table of the result (one row per category plus the mean)."""
    head = ["category", "img AUROC", "pix AUROC", "P", "R", "F1", "best F1", "fit s", "ms/img"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    rows = [*result["categories"].items(), ("**mean**", result["mean"])]
    for name, r in rows:
        cells = [name] + ["-" if r[k] is None else f"{r[k]:.3f}" if k not in
                          ("fit_seconds", "ms_per_image") else f"{r[k]:.1f}" for k in KEYS]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append(f"\nshots={result['shots']} defect_shots={result['defect_shots']} "
                 + ("peak RSS unknown" if result["peak_rss_mb"] is None
                    else f"peak RSS {result['peak_rss_mb']:.0f} MB"))
    for name, why in result.get("skipped", {}).items():
        lines.append(f"skipped {name}: {why}")
    return "\n".join(lines)
