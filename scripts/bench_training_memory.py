"""Training from many full-resolution camera frames: fit time and peak memory.

    python scripts/bench_training_memory.py [--frames 200] [--side 2448x2048] [--preset accurate]
                                            [--defects]

Makes ``--frames`` camera-sized frames from the bundled sample goods (upscaled, shifted,
brightness varied), loads them the way the training service does (each one shrunk to the
engine's working size as it arrives) and trains. Prints fit seconds and the process's
peak resident memory. Without the working size, 200 frames of 5 megapixels would need
3 GB for the decoded pixels alone. ``--defects`` adds the sample's labelled defects (same
frame size), which makes training also decide on local-density normalisation.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def frames(n: int, width: int, height: int):  # noqa: ANN201 - a generator of RGB frames
    from inspector.imaging.decode import decode_file

    goods = [decode_file(p).rgb for p in sorted((REPO / "sample_images" / "bottle" / "train"
                                                 / "good").iterdir())]
    rng = np.random.default_rng(0)
    for i in range(n):
        base = cv2.resize(goods[i % len(goods)], (width, height), interpolation=cv2.INTER_CUBIC)
        dx, dy = (int(v) for v in rng.integers(-20, 21, 2))
        shifted = np.roll(base, (dy, dx), axis=(0, 1))
        yield np.clip(shifted.astype(np.float32) * rng.uniform(0.9, 1.1), 0, 255).astype(np.uint8)


def defect_frames(width: int, height: int):  # noqa: ANN201 - (image, type) pairs
    from inspector.imaging.decode import decode_file

    base = REPO / "sample_images" / "bottle" / "train"
    for folder in sorted(d for d in base.iterdir() if d.is_dir() and d.name != "good"):
        for path in sorted(folder.iterdir()):
            rgb = cv2.resize(decode_file(path).rgb, (width, height), interpolation=cv2.INTER_CUBIC)
            yield rgb, folder.name


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=200)
    ap.add_argument("--side", default="2448x2048", help="frame size WIDTHxHEIGHT")
    ap.add_argument("--preset", default="accurate")
    ap.add_argument("--defects", action="store_true", help="also the sample's labelled defects")
    args = ap.parse_args()
    width, height = (int(v) for v in args.side.lower().split("x"))

    import torch

    from inspector.engine import EngineConfig, LabelledDefect, train_model
    from inspector.engine.working_size import prepare, working_max_side

    torch.set_num_threads(max(1, torch.get_num_threads()))
    cfg = EngineConfig(preset=args.preset)
    side = working_max_side(cfg)
    t0 = time.perf_counter()
    goods = [prepare(f, cfg) for f in frames(args.frames, width, height)]
    defects = [LabelledDefect(prepare(rgb, cfg), kind) for rgb, kind in
               (defect_frames(width, height) if args.defects else ())]
    t1 = time.perf_counter()
    model = train_model(goods, defects, config=cfg, prepared=True)
    t2 = time.perf_counter()
    from inspector.peak_memory import peak_rss_mb

    peak = peak_rss_mb() or float("nan")
    print(f"{args.frames} frames of {width}x{height}, preset {args.preset}: "
          f"made+shrunk in {t1 - t0:.1f} s (working side {side} px), fit {t2 - t1:.1f} s, "
          f"bank {model.banks.good.shape[0]} rows, {len(defects)} labelled defects, "
          f"local density {'on' if model.metrics.get('density_used') else 'off'}, "
          f"peak RSS {peak:.0f} MB")


if __name__ == "__main__":
    main()
