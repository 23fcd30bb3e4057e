"""The bundled sample images import cleanly with labels from their folder names."""

from __future__ import annotations

from inspector.services.importing import import_paths
from inspector.services.labeling import label_counts, list_defect_types
from tests.conftest import REPO_ROOT

SAMPLES = REPO_ROOT / "sample_images"


def test_sample_images_are_documented() -> None:
    text = (SAMPLES / "ATTRIBUTION.md").read_text(encoding="utf-8")
    assert "CC BY-NC-SA 4.0" in text and "Bergmann" in text and "256x256" in text
    assert (SAMPLES / "LICENSE.md").is_file()


def test_sample_train_set_imports_with_labels(project, admin) -> None:  # noqa: ANN001
    rep = import_paths(project, admin, [SAMPLES / "bottle" / "train"], labels_from_folders=True)
    assert rep.refused == [] and rep.duplicates == []
    assert all((i.width, i.height, i.format) == (256, 256, "PNG") for i in rep.stored)
    counts = label_counts(project)
    assert counts["good"] >= 10 and counts["defective"] >= 5 and counts["unlabelled"] == 0
    assert list_defect_types(project) == ["broken_large", "broken_small", "contamination"]
    test = import_paths(project, admin, [SAMPLES / "bottle" / "test"])
    assert len(test.stored) >= 4 and test.refused == [] and test.duplicates == []


def test_a_missing_sample_folder_leaves_no_half_made_project(tmp_path) -> None:  # noqa: ANN001
    """The demo made the project, then found no samples: a rerun into the same folder
    was refused as "already holds a project"."""
    import pytest

    from inspector.errors import UserError
    from inspector.services.sample import create_sample_project

    with pytest.raises(UserError, match="sample images not found"):
        create_sample_project(tmp_path / "demo", samples=tmp_path / "nowhere")
    assert not (tmp_path / "demo").exists()
