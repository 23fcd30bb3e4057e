"""`inspector benchmark DATA_DIR`: accuracy, speed and memory on MVTec-layout folders."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from inspector.cli.common import ANY_COUNT, ID, count
from inspector.fileio import atomic_write


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "benchmark",
        help="measure the engine on folders in MVTec layout (train/good, test/<type>)",
        description="Every folder under DATA_DIR holding train/good and test/ is a category. "
        "Prints a table; --json OUT also writes the numbers as JSON.",
    )
    p.add_argument("data_dir", type=Path, metavar="DATA_DIR")
    p.add_argument("--shots", type=ANY_COUNT, default=10, help="good training images (0: all)")
    p.add_argument("--defect-shots", type=ANY_COUNT, default=0,
                   help="labelled defects per defect type taken from test/ (left out of it)")
    p.add_argument("--preset", choices=["accurate", "fast"], default="accurate")
    p.add_argument("--json", type=Path, default=None, metavar="OUT", help="write JSON here")
    p.add_argument("--sensor-bits", type=int, choices=[10, 12, 14, 16], default=16,
                   help="bits a 12-bit (or 10/14) camera filled of its 16-bit files "
                        "(as the project setting sensor_bits)")
    g = p.add_argument_group("ablation options")
    g.add_argument("--backbone", default=None, choices=["lite0", "lite1", "lite2"],
                   help="lite0, lite1 or lite2 (default: the preset's; accurate=lite2, fast=lite0)")
    g.add_argument("--image-size", type=count(32), default=None, help="square input size in px")
    g.add_argument("--stages", type=_stages, default=None,
                   help="backbone stages to tap (0-6), e.g. 2,4")
    g.add_argument("--keep-aspect", action="store_true", help="pad instead of stretching")
    g.add_argument("--max-bank", type=ID, default=None, help="memory-bank size cap")
    g.add_argument("--no-synthetic", action="store_true",
                   help="no synthetic defects in calibration")
    g.add_argument("--no-synthetic-bank", action="store_true",
                   help="no synthetic-defect patches in the defect bank")
    g.add_argument("--no-defect-bank", action="store_true", help="no labelled-defect bank")
    g.add_argument("--coarse-weight", type=float, default=None,
                   help="weight of the coarse stride-32 context score (0: off; default 0)")
    g.add_argument("--l2-normalize", action="store_true",
                   help="unit-length patch features (cosine kNN)")
    g.add_argument("--baseline-weight", type=float, default=None,
                   help="share of each image's median patch score subtracted from its "
                        "score (0: plain top-1 %% mean; default 0.5)")
    g.add_argument("--top-fraction", type=_fraction, default=None,
                   help="image score: mean of this share of the highest patch scores "
                        "(default 0.01)")
    g.add_argument("--density", choices=["auto", "on", "off"], default="auto",
                   help="local-density normalisation of patch distances (default auto: "
                        "decided per product from held-out goods and labelled defects)")
    g.add_argument("--threads", type=ID, default=None, help="torch threads (default: cores)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import torch

    from inspector.engine.benchmark import format_table, run_benchmark
    from inspector.engine.config import EngineConfig

    torch.set_num_threads(args.threads or max(1, os.cpu_count() or 1))
    if args.json is not None:  # said before an hour of work, not after it
        from inspector.reports.output import output_path

        output_path(args.json)
    extra = {}
    if args.stages:
        extra["stages"] = args.stages
    if args.baseline_weight is not None:
        extra["baseline_weight"] = args.baseline_weight
    if args.coarse_weight is not None:
        extra["coarse_weight"] = args.coarse_weight
    if args.top_fraction is not None:
        extra["top_fraction"] = args.top_fraction
    config = EngineConfig(
        preset=args.preset,
        backbone=args.backbone,
        image_size=args.image_size,
        keep_aspect=args.keep_aspect,
        max_bank=args.max_bank,
        use_synthetic=not args.no_synthetic,
        synthetic_bank=not args.no_synthetic_bank,
        use_defect_bank=not args.no_defect_bank,
        l2_normalize=args.l2_normalize,
        local_density=args.density,
        **extra,
    )
    result = run_benchmark(args.data_dir, args.shots, args.defect_shots, config,
                           sensor_bits=args.sensor_bits)
    print(format_table(result))
    if args.json is not None:
        _write_json(args.json, result)
    return 0


def _fraction(text: str) -> float:
    """A share above 0 and at most 1 (0.02: the top 2 %)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"must be above 0 and at most 1, got {value}")
    return value


def _stages(text: str) -> tuple[int, ...]:
    """"2,4" -> (2, 4): EfficientNet-Lite has stages 0 to 6."""
    try:
        stages = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of stage numbers: {text!r}") from None
    if not all(0 <= st <= 6 for st in stages):
        raise argparse.ArgumentTypeError(f"stages are numbered 0 to 6, not {text}")
    return stages


def _write_json(path: Path, data: dict) -> None:
    atomic_write(path, json.dumps(data, indent=2).encode("utf-8"))
