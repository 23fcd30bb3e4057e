"""The model file is checked where it matters: a rollback from the station that still
holds the old version in memory, a share that answers with an I/O error, and a file
swapped between its checksum and its load."""

from __future__ import annotations

import errno
import pathlib
from pathlib import Path

import pytest
from engine_fixtures import write_parts

from inspector.errors import ModelFileError
from inspector.services import inspection, models, training
from inspector.services.importing import import_paths
from inspector.services.model_records import load_model, record_by_version
from inspector.services.products import add_product


@pytest.fixture
def two_versions(project, admin, tmp_path: Path):  # noqa: ANN001, ANN201
    add_product(project, admin, "disc")
    goods = write_parts(tmp_path / "good", 5, 0, size=96)
    import_paths(project, admin, goods, product="disc", labels_from_folders=True)
    first = training.train(project, admin, product="disc", preset="fast")
    project.set_setting(admin, "target_false_reject_rate", 0.2)  # another threshold
    second = training.train(project, admin, product="disc", preset="fast")
    assert second.threshold != pytest.approx(first.threshold)
    return first, second


def _record(project, version: int):  # noqa: ANN001, ANN202
    with project.db.session() as s:
        rec = record_by_version(s, version)
        s.expunge(rec)
    return rec


def test_a_rollback_checks_the_file_even_when_the_model_is_in_memory(
        project, admin, two_versions, tmp_path) -> None:  # noqa: ANN001
    first, second = two_versions
    models.activate_model(project, admin, first.version)
    (part,) = write_parts(tmp_path / "new", 1, 100, size=96)
    inspection.inspect_paths(project, admin, [part], product="disc")  # v1 now in memory
    models.activate_model(project, admin, second.version)
    path = project.root / first.file_path
    path.write_bytes(path.read_bytes()[:1000])  # damaged on the share meanwhile
    with pytest.raises(ModelFileError, match="checksum"):
        models.activate_model(project, admin, first.version)
    assert [m.version for m in models.list_models(project, "disc") if m.active] == [
        second.version]


def test_a_model_file_the_share_cannot_read_is_a_clear_error(
        project, admin, two_versions, monkeypatch) -> None:  # noqa: ANN001
    first, _ = two_versions
    rec = _record(project, first.version)
    real_open = open

    def failing_open(file, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        if str(file).endswith(Path(first.file_path).name):
            raise OSError(errno.EIO, "Input/output error")
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", failing_open)
    real_read = pathlib.Path.read_bytes
    monkeypatch.setattr(pathlib.Path, "read_bytes", lambda self: (
        failing_open(self) if self.name == Path(first.file_path).name else real_read(self)))
    with pytest.raises(ModelFileError, match="cannot be read .*Input/output error"):
        load_model(project.root, rec)


def test_a_file_swapped_after_its_checksum_is_never_used_under_that_version(
        project, admin, two_versions, monkeypatch) -> None:  # noqa: ANN001
    """Hashed, then read again to load: the other version's banks and threshold were
    cached under this version's name for the life of the process."""
    first, second = two_versions
    rec = _record(project, first.version)
    other = (project.root / second.file_path).read_bytes()
    real_read = pathlib.Path.read_bytes
    monkeypatch.setattr(pathlib.Path, "read_bytes", lambda self: (
        other if self.name == Path(first.file_path).name else real_read(self)))
    try:
        model = load_model(project.root, rec)
    except ModelFileError:
        return  # refused: the bytes read are not the file recorded
    assert model.threshold == pytest.approx(first.threshold)
