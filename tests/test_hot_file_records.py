"""One record per hot-folder file: a file whose filing away failed is not judged again at
the next Start, a slow copy does not write an audit row per look, and without a product a
file is left alone while several products have an active model."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from engine_fixtures import write_parts
from sqlalchemy import func, select

from inspector.services import hot_folder, inspection, training
from inspector.services.hot_folder import handle_hot_file
from inspector.services.importing import import_paths
from inspector.services.products import add_product
from inspector.store.models import AuditEntry


@pytest.fixture
def trained_a(project, admin, tmp_path: Path):  # noqa: ANN001, ANN201
    add_product(project, admin, "A")
    goods = write_parts(tmp_path / "A" / "good", 5, 0, size=96)
    import_paths(project, admin, goods, product="A", labels_from_folders=True)
    training.train(project, admin, product="A", preset="fast")
    return project


def _judged(project) -> int:  # noqa: ANN001
    return len(inspection.list_inspections(project))


def test_a_file_that_could_not_be_moved_is_not_judged_again(trained_a, admin, tmp_path,
                                                           monkeypatch) -> None:  # noqa: ANN001
    project = trained_a
    (part,) = write_parts(tmp_path / "hot", 1, 100, size=96)
    ahead = time.time() + 90  # written by a share whose clock runs ahead of the station's
    os.utime(part, (ahead, ahead))

    def full_disk(path: Path, outcome: str) -> Path:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(hot_folder, "file_away", full_disk)
    first = handle_hot_file(project, admin, part, product="A", inspect=True, move=True)
    assert first.move_error and first.result.inspections and _judged(project) == 1
    # the next Start takes the files left in the folder: this one was judged already
    again = handle_hot_file(project, admin, part, product="A", inspect=True, move=True)
    assert again.result is None and again.judged_before and _judged(project) == 1
    verdict = first.result.inspections[0].final_verdict.upper()
    assert again.judged_before.endswith(verdict) and again.move_error
    monkeypatch.undo()
    moved = handle_hot_file(project, admin, part, product="A", inspect=True, move=True)
    assert moved.judged_before and moved.moved_to == part.parent / "done" / part.name
    assert _judged(project) == 1 and not part.exists()


def test_the_same_picture_written_again_is_judged_again(trained_a, admin, tmp_path,
                                                        monkeypatch) -> None:  # noqa: ANN001
    """A newer file with the same bytes is a new shot (a still part under a camera), even
    where the first one could not be moved away."""
    project = trained_a
    (part,) = write_parts(tmp_path / "src", 1, 100, size=96)
    hot = tmp_path / "hot"
    hot.mkdir()
    monkeypatch.setattr(hot_folder, "file_away", _refuse_move)
    first = handle_hot_file(project, admin, shutil.copy(part, hot / "a.png"), product="A",
                            inspect=True, move=True)
    assert first.move_error and _judged(project) == 1
    later = time.time() + 5
    os.utime(shutil.copy(part, hot / "a.png"), (later, later))  # the camera's next shot
    out = handle_hot_file(project, admin, hot / "a.png", product="A", inspect=True,
                          move=True)
    assert out.judged_before is None and out.result.inspections and _judged(project) == 2


def _refuse_move(path: Path, outcome: str) -> Path:
    raise OSError(30, "Read-only file system")


def test_a_slow_copy_writes_no_audit_row_per_look(trained_a, admin, tmp_path) -> None:  # noqa: ANN001
    project = trained_a
    (part,) = write_parts(tmp_path / "src", 1, 100, size=96)
    half = tmp_path / "hot" / "half.png"
    half.parent.mkdir()
    half.write_bytes(part.read_bytes()[: part.stat().st_size // 2])

    def rows() -> int:
        with project.db.session() as s:
            return s.scalar(select(func.count(AuditEntry.id)))

    first = handle_hot_file(project, admin, half, product="A", inspect=True, move=True)
    assert first.retry
    before = rows()
    for tries in range(1, 6):
        assert handle_hot_file(project, admin, half, product="A", inspect=True, move=True,
                               tries=tries).retry
    assert rows() == before
    half.write_bytes(part.read_bytes())  # the copy finished
    done = handle_hot_file(project, admin, half, product="A", inspect=True, move=True,
                           tries=6)
    assert done.result.inspections and done.moved_to is not None


def test_without_a_product_a_file_waits_while_several_products_have_a_model(
        trained_a, admin, tmp_path) -> None:  # noqa: ANN001
    """It was inspected, refused as ambiguous, and retried every five minutes for ever."""
    project = trained_a
    add_product(project, admin, "B")
    goods = write_parts(tmp_path / "B" / "good", 5, 300, size=96)
    import_paths(project, admin, goods, product="B", labels_from_folders=True)
    training.train(project, admin, product="B", preset="fast")
    (part,) = write_parts(tmp_path / "hot", 1, 100, size=96)
    out = handle_hot_file(project, admin, part, product=None, inspect=True, move=True)
    assert out.result is None and "A, B" in out.left_because and part.exists()
    assert _judged(project) == 0 and out.moved_to is None
    judged = handle_hot_file(project, admin, part, product="A", inspect=True, move=True)
    assert judged.result.inspections and _judged(project) == 1
