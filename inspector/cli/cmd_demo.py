"""`inspector demo`: the headless end-to-end demo on the bundled sample images.

Creates a project, imports ``sample_images/`` with labels from folder names, trains,
inspects the held-out test parts and prints each verdict beside the truth and a short
report. Also the main job of ``run.sh`` on a machine without a display.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import sys
import tempfile
import time
from pathlib import Path

from inspector.cli.common import DATABASE_URL_ENV, emit, print_progress
from inspector.errors import UserError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="headless end-to-end demo on the sample images")
    p.add_argument("--project", type=Path, default=None,
                   help="folder for the demo project (must not exist; default: a temp folder)")
    p.add_argument("--preset", choices=["accurate", "fast"], default="accurate")
    p.add_argument("--samples", type=Path, default=None, help="other sample folder")
    p.add_argument("--json", action="store_true", help="machine-readable JSON output")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from inspector.services.inspection import inspect_paths
    from inspector.services.sample import create_sample_project, demo_actor, sample_products

    root = args.project or Path(tempfile.mkdtemp(prefix="inspector-demo-")) / "project"
    if (root / "inspector.db").exists():
        raise UserError(f"{root} already holds a project; give a new folder for the demo")
    quiet = args.json
    t0 = time.perf_counter()
    if not quiet:
        print(f"Inspector demo: project in {root}")
    project = create_sample_project(
        root, preset=args.preset, samples=args.samples,
        progress=None if quiet else print_progress,
    )
    train_s = time.perf_counter() - t0
    actor = demo_actor(project)
    rows, lines = [], []
    for product in sample_products(args.samples):
        if product.test_dir is None:
            continue
        files = sorted(p for p in product.test_dir.rglob("*") if p.is_file()
                       and p.suffix.lower() in {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff"})
        lines.append(f"\n{product.name}: inspecting {len(files)} held-out part(s)")
        lines.append(f"  {'truth':16} {'verdict':9} {'score':>7} {'thr':>7}  {'severity':9} "
                     f"{'predicted type':16} file")
        for path in files:
            truth = path.parent.name
            result = inspect_paths(project, actor, [path], product=product.name).inspections[0]
            rows.append({"product": product.name, "file": path.name, "truth": truth,
                         "verdict": result.verdict, "score": result.score,
                         "threshold": result.threshold, "severity": result.severity,
                         "defect_type": result.defect_type})
            predicted = "-"
            if result.verdict != "ok" and result.defect_type:
                conf = result.type_confidence
                predicted = result.defect_type + ("" if conf is None else f" {conf:.0%}")
            lines.append(f"  {truth:16} {result.verdict.upper():9} {result.score:7.3f} "
                         f"{result.threshold:7.3f}  {(result.severity or '-'):9} "
                         f"{predicted:16} {path.name}")
    summary = _summary(rows)
    lines.append(
        f"\nSummary: {summary['inspected']} parts, {summary['ng']} NG, "
        f"{summary['uncertain']} uncertain; defects caught {summary['defects_caught']}/"
        f"{summary['defects']}, good parts rejected {summary['good_rejected']}/{summary['good']}"
    )
    lines.append("\nQA report for today (as `inspector report --day` prints it):\n"
                 + _report_text(project))
    # The demo keeps its own inspector.db: at a station set up for a line's database
    # server ($INSPECTOR_DATABASE_URL), the command must say so or it would be refused.
    local = " --database-url ''" if os.environ.get(DATABASE_URL_ENV) else ""
    lines.append(f"Total time {time.perf_counter() - t0:.1f} s (set-up and training "
                 f"{train_s:.1f} s). Explore it: {_command()} images --project {root} "
                 f"--operator admin{local}")
    emit(args, {"project": str(root), "summary": summary, "results": rows}, "\n".join(lines))
    project.close()
    return 0


def _command() -> str:
    """How to call this CLI again from here: `Inspector cli` in the packaged app,
    `inspector` where it is on the PATH, else the path it was started by (`bash run.sh`
    uses .venv/bin/inspector, which a fresh shell does not find as `inspector`)."""
    started = sys.argv[0] if sys.argv else ""
    if getattr(sys, "frozen", False):  # the packaged app: its CLI is `Inspector cli ...`
        return f"{shlex.quote(sys.executable)} cli"
    if shutil.which("inspector") or not started:
        return "inspector"
    if Path(started).name == "__main__.py":
        return f"{Path(sys.executable).name} -m inspector"
    return shlex.quote(started)


def _report_text(project: object) -> str:
    """Today's QA report summary, as `inspector report` prints it."""
    import datetime as dt

    from inspector.reports.filters import ReportFilters
    from inspector.reports.service import project_report
    from inspector.reports.text import summary_text
    from inspector.services.session import sign_in

    qa = sign_in(project, "qa")  # type: ignore[arg-type]
    today = dt.datetime.now().astimezone().date()
    return summary_text(project_report(project, qa, ReportFilters.for_day(today), top_n=3))


def _summary(rows: list[dict]) -> dict[str, int]:
    defects = [r for r in rows if r["truth"] != "good"]
    goods = [r for r in rows if r["truth"] == "good"]
    return {
        "inspected": len(rows),
        "ng": sum(r["verdict"] == "ng" for r in rows),
        "uncertain": sum(r["verdict"] == "uncertain" for r in rows),
        "defects": len(defects),
        "defects_caught": sum(r["verdict"] != "ok" for r in defects),
        "good": len(goods),
        "good_rejected": sum(r["verdict"] == "ng" for r in goods),
    }
