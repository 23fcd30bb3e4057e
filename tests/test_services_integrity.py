"""Project data check: damaged or missing files are named, leftovers found and removed."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from inspector.cli.main import main
from inspector.errors import PermissionDenied
from inspector.fileio import sha256_file
from inspector.services.importing import import_array
from inspector.services.integrity import ORPHAN_MIN_AGE_S, check_project
from inspector.services.labeling import label_image
from inspector.store.models import AuditEntry, Inspection, ModelRecord, utcnow


def _image(project, actor, seed=0):
    rgb = np.random.default_rng(seed).integers(0, 255, (32, 32, 3), dtype=np.uint8)
    return import_array(project, actor, rgb, source="file", name=f"img{seed}.png")


def _age(path, seconds=ORPHAN_MIN_AGE_S + 60):
    old = time.time() - seconds
    os.utime(path, (old, old))


@pytest.fixture
def filled(project, admin):
    """Two images (one with a mask), a model file, an inspection with a heat map."""
    a, b = _image(project, admin, 1), _image(project, admin, 2)
    mask = np.zeros((32, 32), bool)
    mask[2:9, 2:9] = True
    label_image(project, admin, b.id, "defective", mask=mask)
    model = project.models_dir / "model-v0001-test.inspector-model"
    model.write_bytes(b"model bytes")
    heat = project.root / "artefacts" / "heatmaps" / "2026" / "11" / "h1.jpg"
    heat.parent.mkdir(parents=True)
    heat.write_bytes(b"jpeg")
    with project.db.session() as s:
        rec = ModelRecord(version=1, backbone="lite0", threshold=1.0,
                          file_path="models/model-v0001-test.inspector-model",
                          file_sha256=sha256_file(model))
        s.add(rec)
        s.flush()
        s.add(Inspection(image_id=a.id, model_id=rec.id, score=0.5, threshold=1.0,
                         verdict="ok", inspected_at=utcnow(),
                         heatmap_path="artefacts/heatmaps/2026/11/h1.jpg"))
    return a, b, model, heat


def test_a_healthy_project_passes(project, admin, filled):
    rep = check_project(project, admin)
    assert rep.ok and rep.orphans == [] and rep.problems == []
    assert rep.checked == {"images": 2, "masks": 1, "models": 1, "heat maps": 1}


def test_damaged_and_missing_files_are_each_named(project, admin, filled):
    a, b, model, heat = filled
    with Path(a.path).open("ab") as f:
        f.write(b"!")  # still there, but not the picture that was stored
    Path(b.path).unlink()
    model.write_bytes(b"another model")
    heat.unlink()
    rep = check_project(project, admin)
    assert not rep.ok
    found = {(p.kind, p.what.split(" (")[0]) for p in rep.problems}
    assert found == {("image", f"image #{a.id}"), ("image", f"image #{b.id}"),
                     ("model", "model v1"), ("heatmap", "inspection #1")}
    details = {p.what.split(" (")[0]: p.detail for p in rep.problems}
    assert "checksum" in details[f"image #{a.id}"] and "missing" in details[f"image #{b.id}"]


def test_leftover_files_are_found_and_removed_only_by_a_lead(project, admin, actor, filled):
    leftover = project.images.root / "ff" / f"{'f' * 64}.png"
    leftover.parent.mkdir(parents=True, exist_ok=True)
    leftover.write_bytes(b"from an import killed before it was recorded")
    temp = project.models_dir / ".model-v0002.inspector-model.abc.tmp"
    temp.write_bytes(b"half a model")
    fresh = project.root / "artefacts" / "heatmaps" / "new.jpg"
    fresh.write_bytes(b"being written by another station")
    day_heat = project.root / "artefacts" / "heatmaps" / "2026" / "11" / "28" / "101010-ab.jpg"
    day_heat.parent.mkdir(parents=True)
    day_heat.write_bytes(b"a heat map whose inspection was never recorded")
    for path in (leftover, temp, day_heat):
        _age(path)
    rep = check_project(project, actor)
    assert rep.ok  # leftovers are not damage
    assert sorted(rep.orphans) == ["artefacts/heatmaps/2026/11/28/101010-ab.jpg",
                                   f"images/ff/{'f' * 64}.png",
                                   "models/.model-v0002.inspector-model.abc.tmp"]
    with pytest.raises(PermissionDenied):
        check_project(project, actor, remove_orphans=True)
    assert leftover.exists()
    rep = check_project(project, admin, remove_orphans=True)
    assert sorted(rep.removed) == sorted(rep.orphans)
    assert not leftover.exists() and not temp.exists() and fresh.exists()
    assert not day_heat.exists()
    assert check_project(project, admin).ok  # the referenced files are all still there
    with project.db.session() as s:
        entry = s.scalars(select(AuditEntry).where(
            AuditEntry.action == "project.remove_orphans")).one()
    assert entry.details["files"] == 3


def test_heat_maps_go_into_a_folder_a_day(project) -> None:  # noqa: ANN001
    """A month's folder of a line judging a part every 3 s held 860,000 files."""
    import re

    from inspector.services.inspection import _save_overlay

    rel = _save_overlay(project, np.zeros((8, 8, 3), np.uint8))
    assert re.fullmatch(r"artefacts/heatmaps/\d{4}/\d{2}/\d{2}/\d{6}-[0-9a-f]{10}\.jpg", rel)
    assert (project.root / rel).is_file()


def test_files_inspector_did_not_write_are_never_removed(project, admin, filled):
    """A project created in a folder that already had an images/ of someone's pictures:
    --remove-orphans took them for leftovers of killed jobs and deleted them."""
    own = [project.images.root / "line 3" / "IMG_0041.JPG", project.images.root / "notes.txt",
           project.models_dir / "supplier_spec.pdf"]
    for path in own:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"someone's own file")
        _age(path)
    rep = check_project(project, admin, remove_orphans=True)
    assert rep.ok and rep.orphans == [] and rep.removed == []
    assert all(path.exists() for path in own)
    assert any("3 file(s) that Inspector did not write are left alone" in n for n in rep.notes)


def test_a_damaged_database_is_reported(project, admin, monkeypatch):
    from inspector.services import integrity

    def broken(_project, rep):
        rep.problems.append(integrity.Problem("database", "inspector.db", "page 3: bad"))

    monkeypatch.setattr(integrity, "_check_database", broken)
    assert [p.kind for p in check_project(project, admin).problems] == ["database"]


def test_sqlite_quick_check_runs(project, admin):
    from inspector.services.integrity import IntegrityReport, _check_database

    rep = IntegrityReport()
    _check_database(project, rep)
    assert rep.problems == []


def test_cli_check_exit_codes_and_json(project, admin, filled, monkeypatch, capsys):
    import json

    a, *_ = filled
    monkeypatch.setenv("INSPECTOR_PROJECT", str(project.root))
    assert main(["check", "--operator", "admin"]) == 0
    assert "project data OK" in capsys.readouterr().out
    Path(a.path).unlink()
    assert main(["check", "--operator", "admin", "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is False and data["problems"][0]["kind"] == "image"


def test_a_leftover_that_an_import_takes_back_meanwhile_is_kept(project, admin,
                                                                 monkeypatch):
    """The check reads the database once at its start and can run for minutes; a station
    that imports the same picture reuses the leftover file for its new row, which the
    check then removed, leaving the new image without its picture."""
    from inspector.services import integrity
    from inspector.services.labeling import load_image
    from inspector.store.models import Image

    first = _image(project, admin, 7)
    stored = Path(first.path)
    with project.db.session() as s:  # the row goes, the file stays: a leftover
        s.delete(s.get(Image, first.id))
    _age(stored)
    again = {}
    real_files = integrity._project_files

    def files_then_an_import(root):  # noqa: ANN001, ANN202
        found = list(real_files(root))
        again["image"] = _image(project, admin, 7)  # another station, the same picture
        return found

    monkeypatch.setattr(integrity, "_project_files", files_then_an_import)
    rep = check_project(project, admin, remove_orphans=True)
    assert rep.orphans == [f"images/{stored.parent.name}/{stored.name}"] and not rep.removed
    assert stored.is_file()
    assert load_image(project, again["image"].id).shape == (32, 32, 3)
    with project.db.session() as s:  # a leftover again, reused by an import:
        s.delete(s.get(Image, again["image"].id))
    _age(stored)
    _image(project, admin, 7)  # the reused file is fresh again for the next check
    assert time.time() - stored.stat().st_mtime < 60


def test_files_a_backup_database_needs_are_kept(project, admin, filled):
    """After a restore the replaced database (and the automatic backups) still refer to
    the newer pictures, model and heat maps: --remove-orphans deleted them, and putting
    the kept data back found them missing."""
    from inspector.store import migrate
    from inspector.store.models import Image, Label

    a, b, model, heat = filled
    aside = project.root / "backups" / "replaced-20261128-070000"
    aside.mkdir(parents=True)
    migrate.backup_sqlite(project.db_path, aside / "inspector.db")  # the data a restore kept
    with project.db.session() as s:  # the restored (older) database knows none of it
        for table in (Inspection, ModelRecord, Label, Image):
            s.query(table).delete()
    files = [Path(a.path), Path(b.path), model, heat]
    for path in (p for p in (project.root / "images").rglob("*") if p.is_file()):
        _age(path)
    for path in files:
        _age(path)
    rep = check_project(project, admin, remove_orphans=True)
    assert all(path.is_file() for path in files) and rep.removed == []
    assert any("only a database in backups/ refers to" in note for note in rep.notes)


def test_a_heat_map_row_leading_outside_or_written_on_windows(project, admin, filled) -> None:  # noqa: ANN001
    """A row naming ../outside.jpg passed the check although it stops every purge; one
    written on Windows (backslashes) was reported missing although it is there."""
    a, _, _, heat = filled
    outside = project.root.parent / "outside.jpg"
    outside.write_bytes(b"jpeg")
    with project.db.session() as s:
        s.add(Inspection(image_id=a.id, score=0.5, threshold=1.0, verdict="ok",
                         inspected_at=utcnow(), heatmap_path="../outside.jpg"))
        s.add(Inspection(image_id=a.id, score=0.5, threshold=1.0, verdict="ok",
                         inspected_at=utcnow(),
                         heatmap_path="artefacts\\heatmaps\\2026\\11\\h1.jpg"))
    problems = check_project(project, admin).problems
    assert [(p.kind, p.detail) for p in problems] == [
        ("heatmap", "invalid stored artefact path: ../outside.jpg")]
