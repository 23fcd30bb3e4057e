"""Headless self-test of an installation: bundled files, backbone, train, inspect, report.

Run by ``Inspector --self-test`` (packaged app), by the GUI's About box (from a worker
thread) and by the test suite. It proves on the shop-floor PC itself that nothing is
missing from the install and that the whole chain works offline: the bundled backbone
weights load and classify a known photo, a sample project trains on the bundled sample
images, the held-out samples are inspected (defective parts must score higher than good
ones), and CSV and PDF reports are written. Everything happens in a temporary folder that
is removed afterwards; the user's projects and settings are never touched.
"""

from __future__ import annotations

import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import inspector
from inspector.errors import Cancelled
from inspector.progress import CancelToken, ProgressCallback, check, report, scaled
from inspector.resources import app_root, sample_images_dir

PRESET = "fast"
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff"}
# ImageNet classes 281..285 are the domestic cats (tabby, tiger, Persian, Siamese, Egyptian).
CAT_CLASSES = range(281, 286)
CHECK_IMAGE = "chelsea.jpg"
# Progress share of each step (training dominates).
WEIGHTS = {"bundled files": 0.02, "backbone": 0.08, "sample project": 0.6,
           "inspection": 0.2, "reports": 0.1}


class SelfTestStep(NamedTuple):
    """One step's outcome; a plain tuple ``(step, ok, detail, seconds)`` as well."""

    step: str
    ok: bool
    detail: str
    seconds: float


@dataclass
class SelfTestReport:
    """All steps run so far; ``ok`` only when every step passed and none is missing."""

    steps: list[SelfTestStep] = field(default_factory=list)
    version: str = inspector.__version__
    expected_steps: int = len(WEIGHTS)

    @property
    def ok(self) -> bool:
        return len(self.steps) == self.expected_steps and all(s.ok for s in self.steps)

    @property
    def seconds(self) -> float:
        return sum(s.seconds for s in self.steps)

    def lines(self) -> list[str]:
        """Human-readable lines: one per step, then the verdict."""
        out = [f"{'OK  ' if s.ok else 'FAIL'} {s.step:15} {s.seconds:6.1f} s  {s.detail}"
               for s in self.steps]
        verdict = "PASSED" if self.ok else "FAILED"
        out.append(f"Self-test {verdict} in {self.seconds:.1f} s (Inspector {self.version})")
        return out


@dataclass
class _Context:
    """State passed from step to step."""

    workdir: Path
    samples: Path
    project: object = None
    inspected: list[tuple[str, float, str]] = field(default_factory=list)  # truth, score, verdict


def check_image_path() -> Path | None:
    """The photo used to prove the weights: bundled under selftest_data/, or tests/data/."""
    for candidate in (app_root() / "selftest_data" / CHECK_IMAGE,
                      app_root() / "tests" / "data" / CHECK_IMAGE):
        if candidate.is_file():
            return candidate
    return None


def _step_files(ctx: _Context) -> str:
    from inspector.engine.backbone import weights_path
    from inspector.services.sample import sample_products

    for name in preset_backbones():
        weights = weights_path(name)
        if not weights.is_file():
            raise RuntimeError(f"backbone weights missing: {weights}")
    products = sample_products(ctx.samples)
    notices = [p.name for p in ctx.samples.iterdir()
               if p.is_file() and p.name.upper().startswith(("ATTRIBUTION", "LICENSE"))]
    if not notices:
        raise RuntimeError(f"no ATTRIBUTION/LICENSE notice beside the sample images in "
                           f"{ctx.samples}")
    size_mb = weights.stat().st_size / 1e6
    return (f"weights {weights.name} ({size_mb:.1f} MB), sample products "
            f"{', '.join(p.name for p in products)}, notices {', '.join(sorted(notices))}")


def _step_backbone(ctx: _Context) -> str:
    import numpy as np
    import torch
    from PIL import Image

    from inspector.engine.backbone import build_backbone

    photo = check_image_path()
    done = []
    for name in preset_backbones():
        model = build_backbone(name)
        if photo is None:
            with torch.no_grad():
                logits = model(torch.zeros(1, 3, 224, 224))
            if logits.shape != (1, 1000) or not bool(torch.isfinite(logits).all()):
                raise RuntimeError(f"{name} gives bad logits {tuple(logits.shape)}")
            done.append(f"{name} loaded (no check photo found, classification not checked)")
            continue
        rgb = np.array(Image.open(photo).convert("RGB").resize((224, 224), Image.BILINEAR))
        x = torch.from_numpy(rgb).permute(2, 0, 1).float().unsqueeze(0) / 255.0
        with torch.no_grad():
            probs = model((x - 0.5) / 0.5).softmax(1)[0]
        top = int(probs.argmax())
        if top not in CAT_CLASSES:
            raise RuntimeError(f"{name} classifies the cat photo as ImageNet class {top}")
        done.append(f"{name}: cat photo -> class {top} (p={float(probs[top]):.2f})")
    return "; ".join(done) + f"; torch {torch.__version__}"


def preset_backbones() -> list[str]:
    """Every backbone a speed preset uses: all must ship and load in the bundle."""
    from inspector.engine.config import PRESETS

    return sorted({str(p["backbone"]) for p in PRESETS.values()})


def _step_project(ctx: _Context, progress: ProgressCallback | None,
                  cancel: CancelToken | None) -> str:
    from inspector.services.models import list_models
    from inspector.services.project import Project
    from inspector.services.sample import create_sample_project
    from inspector.store.migrate import head_revision

    ctx.project = create_sample_project(
        ctx.workdir / "project", preset=PRESET, samples=ctx.samples,
        progress=progress, cancel=cancel,
    )
    # Reopen it: Project.open reads the bundled Alembic scripts to check the schema.
    ctx.project.close()  # type: ignore[attr-defined]
    ctx.project = Project.open(ctx.workdir / "project")
    models = list_models(ctx.project)
    if not models:
        raise RuntimeError("training finished but no model was stored")
    return (f"trained {len(models)} model(s) with preset {PRESET!r}; project reopened at "
            f"schema {head_revision()}")


def _step_inspect(ctx: _Context, progress: ProgressCallback | None,
                  cancel: CancelToken | None) -> str:
    from inspector.services.inspection import inspect_paths
    from inspector.services.sample import demo_actor, sample_products

    project = ctx.project
    actor = demo_actor(project)  # type: ignore[arg-type]
    products = [p for p in sample_products(ctx.samples) if p.test_dir is not None]
    for i, product in enumerate(products):
        assert product.test_dir is not None
        files = sorted(p for p in product.test_dir.rglob("*")
                       if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
        part = scaled(progress, i / len(products), (i + 1) / len(products))
        for n, path in enumerate(files):
            check(cancel)
            batch = inspect_paths(project, actor, [path], product=product.name)  # type: ignore[arg-type]
            if batch.refused or len(batch.inspections) != 1:
                raise RuntimeError(f"{path.name} was not inspected: {batch.refused}")
            info = batch.inspections[0]
            ctx.inspected.append((path.parent.name, float(info.score), info.verdict))
            report(part, (n + 1) / len(files), f"Inspected {path.name}")
    return _judge_scores(ctx.inspected)


def _judge_scores(rows: list[tuple[str, float, str]]) -> str:
    """Raise unless every verdict is valid and defects score higher than good parts."""
    bad = [v for _, _, v in rows if v not in ("ok", "ng", "uncertain")]
    if bad:
        raise RuntimeError(f"invalid verdicts {sorted(set(bad))}")
    good = [s for truth, s, _ in rows if truth == "good"]
    defect = [s for truth, s, _ in rows if truth != "good"]
    if not good or not defect:
        raise RuntimeError(f"need good and defective test samples, got {len(good)} good "
                           f"and {len(defect)} defective")
    mean_good, mean_defect = sum(good) / len(good), sum(defect) / len(defect)
    if not mean_defect > mean_good:
        raise RuntimeError(f"defective parts do not score higher than good ones "
                           f"(mean {mean_defect:.3f} vs {mean_good:.3f})")
    caught = sum(v != "ok" for truth, _, v in rows if truth != "good")
    return (f"{len(rows)} parts; mean score defective {mean_defect:.3f} > good "
            f"{mean_good:.3f}; {caught}/{len(defect)} defects flagged")


def _step_reports(ctx: _Context, progress: ProgressCallback | None,
                  cancel: CancelToken | None) -> str:
    from inspector.reports.service import ReportFilters, export_report
    from inspector.services.session import sign_in

    project = ctx.project
    actor = sign_in(project, "admin", station="self-test")  # type: ignore[arg-type]
    done = []
    for i, fmt in enumerate(("csv", "pdf")):
        done.append(export_report(
            project, actor, ReportFilters(), fmt, ctx.workdir / f"report.{fmt}",
            progress=scaled(progress, i / 2, (i + 1) / 2), cancel=cancel,
        ))
    csv_res, pdf_res = done
    if csv_res.count != len(ctx.inspected):
        raise RuntimeError(f"CSV holds {csv_res.count} inspections, expected "
                           f"{len(ctx.inspected)}")
    if pdf_res.path.read_bytes()[:5] != b"%PDF-" or pdf_res.count < 1:
        raise RuntimeError("the PDF report is not a PDF file")
    kb = sum(r.path.stat().st_size for r in done) / 1024
    return (f"CSV with {csv_res.count} rows and PDF with {pdf_res.count} page(s) written "
            f"({kb:.0f} KB)")


def _run_step(rep: SelfTestReport, name: str, fn: Callable[[], str]) -> bool:
    """Run one step, recording its outcome; ``Cancelled`` propagates."""
    t0 = time.perf_counter()
    try:
        detail, ok = fn(), True
    except Cancelled:
        raise
    except Exception as exc:  # noqa: BLE001 - every failure becomes a FAIL line, not a crash
        detail, ok = f"{type(exc).__name__}: {exc}", False
    rep.steps.append(SelfTestStep(name, ok, detail, time.perf_counter() - t0))
    return ok


def run_self_test(
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    *,
    samples: Path | None = None,
    workdir: Path | None = None,
    on_step: Callable[[SelfTestStep], None] | None = None,
) -> SelfTestReport:
    """Run every step in a temporary folder; stops at the first failure.

    ``samples`` overrides the bundled sample images, ``workdir`` keeps the project and
    reports there instead of in a temporary folder that is deleted. ``on_step`` is called
    after each step (the CLI prints it at once). Raises ``Cancelled`` if cancelled.
    """
    rep = SelfTestReport()
    tmp = None if workdir else Path(tempfile.mkdtemp(prefix="inspector-selftest-"))
    ctx = _Context(workdir=workdir or tmp, samples=samples or sample_images_dir())  # type: ignore[arg-type]
    ctx.workdir.mkdir(parents=True, exist_ok=True)
    steps: list[tuple[str, Callable[[ProgressCallback | None], str]]] = [
        ("bundled files", lambda p: _step_files(ctx)),
        ("backbone", lambda p: _step_backbone(ctx)),
        ("sample project", lambda p: _step_project(ctx, p, cancel)),
        ("inspection", lambda p: _step_inspect(ctx, p, cancel)),
        ("reports", lambda p: _step_reports(ctx, p, cancel)),
    ]
    done = 0.0
    try:
        for name, fn in steps:
            check(cancel)
            share = WEIGHTS[name]
            report(progress, done, f"Self-test: {name}")
            part = scaled(progress, done, done + share)
            ok = _run_step(rep, name, lambda fn=fn, part=part: fn(part))
            done += share
            if on_step is not None:
                on_step(rep.steps[-1])
            if not ok:
                break
        report(progress, 1.0, "Self-test passed" if rep.ok else "Self-test failed")
        return rep
    finally:
        if ctx.project is not None:
            ctx.project.close()  # type: ignore[attr-defined]
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    """Print each step as it finishes; exit code 0 only when everything passed."""
    print(f"Inspector {inspector.__version__} self-test (Python {platform.python_version()}, "
          f"{platform.system()} {platform.machine()}, frozen={getattr(sys, 'frozen', False)})",
          flush=True)
    try:
        rep = run_self_test(on_step=lambda s: print(SelfTestReport([s], expected_steps=1)
                                                    .lines()[0], flush=True))
    except Cancelled:
        print("Self-test cancelled", flush=True)
        return 130
    print(rep.lines()[-1], flush=True)
    return 0 if rep.ok else 1
