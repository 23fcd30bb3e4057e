"""Five captures of one part that never moved: the model learns one picture and rejects
every other good part, so training says so."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from engine_fixtures import make_part, write_parts

from inspector.engine.near_identical import near_identical_count
from inspector.services import training
from inspector.services.importing import import_paths


def _captures(part: np.ndarray, count: int, seed: int = 0) -> list[np.ndarray]:
    """The same still part again and again, with the camera's noise (sigma 3)."""
    rng = np.random.default_rng(seed)
    return [np.clip(part + rng.normal(0, 3, part.shape), 0, 255).astype(np.uint8)
            for _ in range(count)]


def test_copies_are_counted_and_different_parts_are_not() -> None:
    assert near_identical_count(_captures(make_part(1), 5)) == 5
    assert near_identical_count([make_part(i) for i in range(5)]) == 0
    mixed = [*_captures(make_part(1), 2), make_part(2), make_part(3)]
    assert near_identical_count(mixed) == 2
    grey = [cv2.cvtColor(im, cv2.COLOR_RGB2GRAY) for im in _captures(make_part(4), 3)]
    assert near_identical_count(grey) == 3 and near_identical_count(grey[:1]) == 0


def test_training_on_copies_of_one_part_warns(project, admin, tmp_path: Path) -> None:  # noqa: ANN001
    folder = tmp_path / "good"
    folder.mkdir()
    for i, im in enumerate(_captures(make_part(7), 5)):
        cv2.imwrite(str(folder / f"capture_{i}.png"), cv2.cvtColor(im, cv2.COLOR_RGB2BGR))
    import_paths(project, admin, [folder], labels_from_folders=True)
    info = training.train(project, admin, preset="fast")
    assert info.metrics["near_identical_goods"] == 5
    (warning,) = training.trained_warnings(info)
    assert "5 of the 5 good images are near-identical" in warning


def test_training_on_different_parts_does_not_warn(project, admin, tmp_path: Path) -> None:  # noqa: ANN001
    write_parts(tmp_path / "good", 5, 0)
    import_paths(project, admin, [tmp_path / "good"], labels_from_folders=True)
    info = training.train(project, admin, preset="fast")
    assert info.metrics["near_identical_goods"] == 0 and training.trained_warnings(info) == []
