"""The bundled sample project: demo images imported, labelled and a first model trained.

Used by the headless demo, by ``inspector-gui --sample-project`` and by the packaged
app's self-test. ``sample_images/<product>/`` follows the MVTec layout: ``train/good``
(and optionally ``train/<defect_type>``) are imported with labels from the folder names,
``test/`` holds parts to inspect (folder name = the true answer).
"""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from inspector.errors import UserError
from inspector.progress import CancelToken, ProgressCallback, report, scaled
from inspector.resources import sample_images_dir
from inspector.services.importing import import_paths
from inspector.services.operators import add_operator
from inspector.services.products import add_product
from inspector.services.project import Project, init_project
from inspector.services.session import Actor, sign_in
from inspector.services.training import train

SAMPLE_OPERATORS = (("operator", "operator"), ("qa", "qa_lead"))


@dataclass(frozen=True)
class SampleProduct:
    name: str
    train_dir: Path
    test_dir: Path | None


def sample_products(root: Path | None = None) -> list[SampleProduct]:
    """Products found under ``sample_images/`` (each a folder with ``train/``)."""
    base = root or sample_images_dir()
    if not base.is_dir():
        raise UserError(f"sample images not found in {base}")
    found = []
    for folder in sorted(p for p in base.iterdir() if p.is_dir()):
        if (folder / "train").is_dir():
            test: Path | None = folder / "test"
            if not test.is_dir():
                test = None
            found.append(SampleProduct(folder.name, folder / "train", test))
    if not found:
        raise UserError(f"no sample product (a folder with train/) in {base}")
    return found


def create_sample_project(
    root: Path,
    *,
    preset: str = "accurate",
    samples: Path | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> Project:
    """Make a project in ``root`` with the sample images labelled and a model trained.

    Operators: ``admin`` (admin), ``operator`` (operator) and ``qa`` (QA lead), no PINs.
    """
    products = sample_products(samples)  # first: a missing sample folder leaves no project
    project = init_project(root, "admin")
    admin = sign_in(project, "admin", station="demo")
    for name, role in SAMPLE_OPERATORS:
        add_operator(project, admin, name, role=role)
    for i, product in enumerate(products):
        start, end = i / len(products), (i + 1) / len(products)
        add_product(project, admin, product.name)
        report(progress, start, f"Importing {product.name}")
        imported = import_paths(
            project, admin, [product.train_dir], product=product.name,
            labels_from_folders=True, source="folder", cancel=cancel,
        )
        if imported.refused:
            raise UserError(f"sample images refused: {imported.refused[:3]}")
        train(
            project, admin, product=product.name, preset=preset,
            progress=scaled(progress, start + 0.1 * (end - start), end), cancel=cancel,
        )
    report(progress, 1.0, "Sample project ready")
    return project


def open_or_create_sample_project(root: Path, **kwargs: object) -> Project:
    """Open the sample project, creating it on first use.

    It is built in a sibling folder and moved into place only when complete, so a
    cancelled or failed first start leaves nothing half-made behind.
    """
    root = Path(root)
    if (root / "inspector.db").is_file():
        return Project.open(root)
    if root.exists() and any(root.iterdir()):
        raise UserError(f"{root} exists but holds no Inspector project; move it away first")
    partial = root.with_name(f".{root.name}.partial-{uuid.uuid4().hex[:8]}")
    try:
        create_sample_project(partial, **kwargs).close()  # type: ignore[arg-type]
        if root.exists():
            root.rmdir()
        os.replace(partial, root)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return Project.open(root)


def demo_actor(project: Project, station: str = "demo") -> Actor:
    return sign_in(project, "operator", station=station)
