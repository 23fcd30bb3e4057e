"""A product's inspection region: who may set it, what training and inspection make of it."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from engine_fixtures import make_part

from inspector.errors import PermissionDenied, UserError
from inspector.services import inspection, training
from inspector.services.importing import import_paths
from inspector.services.operators import add_operator
from inspector.services.products import add_product, get_product, region_of, set_region
from inspector.services.project import init_project
from inspector.services.session import sign_in
from inspector.store.models import AuditEntry


def frame(seed: int, clutter: bool = False) -> np.ndarray:
    """A part in the left square of the frame, a busy conveyor on the right."""
    rng = np.random.default_rng(1000 + seed)
    img = rng.integers(0, 256, (128, 256, 3), dtype=np.uint8)
    img[:, :128] = make_part(seed)
    if clutter:
        img[20:110, 150:250] = 255
    return img


def write(folder, seeds, clutter=False):  # noqa: ANN001, ANN201
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for s in seeds:
        path = folder / f"frame_{s}.png"
        cv2.imwrite(str(path), cv2.cvtColor(frame(s, clutter), cv2.COLOR_RGB2BGR))
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def project(tmp_path_factory):  # noqa: ANN201
    root = tmp_path_factory.mktemp("region")
    project = init_project(root / "p", "admin")
    admin = sign_in(project, "admin")
    add_operator(project, admin, "olga", role="operator")
    add_product(project, admin, "framed")
    write(root / "data" / "good", range(6))
    import_paths(project, admin, [root / "data"], product="framed", labels_from_folders=True)
    yield project
    project.close()


def test_only_product_managers_set_valid_regions(project):
    olga = sign_in(project, "olga")
    with pytest.raises(PermissionDenied):
        set_region(project, olga, "framed", [0, 0, 0.5, 1])
    admin = sign_in(project, "admin")
    with pytest.raises(UserError, match="inside the image"):
        set_region(project, admin, "framed", [0.6, 0, 0.5, 1])
    assert get_product(project, "framed").region is None
    info = set_region(project, admin, "framed", [0, 0, 0.5, 1])
    assert info.region == (0.0, 0.0, 0.5, 1.0)
    assert region_of(project, "framed").as_list() == [0.0, 0.0, 0.5, 1.0]
    with project.db.session() as s:
        assert s.query(AuditEntry).filter_by(action="product.region").count() == 1
    set_region(project, admin, "framed", None)
    assert get_product(project, "framed").region is None


def test_training_uses_the_region_and_inspection_ignores_the_conveyor(project, tmp_path):
    admin = sign_in(project, "admin")
    set_region(project, admin, "framed", [0, 0, 0.5, 1])
    info = training.train(project, admin, product="framed", preset="fast")
    assert info.active
    examples = training.synthetic_examples(project, "framed", n=2)
    assert examples[0][0].shape[:2] == (128, 128)  # made from what training sees
    paths = write(tmp_path / "new", [100, 101], clutter=True)
    batch = inspection.inspect_paths(project, admin, paths, product="framed")
    assert [r.verdict for r in batch.inspections] == ["ok", "ok"]
    assert batch.inspections[0].region_box == (0, 0, 128, 128)  # for the GUI's frame
    set_region(project, admin, "framed", None)  # later changes wait for the next training
    again = inspection.inspect_paths(project, admin, paths[:1], product="framed")
    assert again.inspections[0].verdict == "ok"
