"""Retention: old pictures of good inspected parts go, their records and the training set
stay, NG evidence stays unless asked, and importing the picture again brings it back."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest
from interrupts import ctrl_c_at
from sqlalchemy import select

from inspector.cli.main import main
from inspector.errors import ImageError, PermissionDenied, UserError
from inspector.imaging.decode import encode_png
from inspector.services import labeling
from inspector.services.importing import import_array, import_paths
from inspector.services.inspection import count_inspections
from inspector.services.integrity import check_project
from inspector.services.labeling import label_image, load_image
from inspector.services.retention import purge_images
from inspector.store.models import AuditEntry, Image, Inspection, Label, utcnow

OLD = dt.timedelta(days=100)


def _rgb(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 255, (24, 24, 3), dtype=np.uint8)


@pytest.fixture
def line(project, admin):
    """a: labelled; b: old OK; c: old NG; d: inspected today; e: old, then again today;
    f: imported long ago, never inspected."""
    ids = {k: import_array(project, admin, _rgb(i), source="camera", name=f"{k}.png").id
           for i, k in enumerate("abcdef")}
    label_image(project, admin, ids["a"], "good")
    now = utcnow()
    heat = project.root / "artefacts" / "heatmaps" / "b.jpg"
    heat.parent.mkdir(parents=True, exist_ok=True)
    heat.write_bytes(b"jpeg")
    plan = {"a": [("ok", OLD)], "b": [("ok", OLD)], "c": [("ng", OLD)],
            "d": [("ok", dt.timedelta(0))], "e": [("ok", OLD), ("ok", dt.timedelta(0))]}
    with project.db.session() as s:
        for img in s.scalars(select(Image)):
            img.imported_at = now - OLD - dt.timedelta(days=1)
        for key, rows in plan.items():
            for verdict, age in rows:
                s.add(Inspection(image_id=ids[key], score=1.0, threshold=2.0, verdict=verdict,
                                 inspected_at=now - age,
                                 heatmap_path="artefacts/heatmaps/b.jpg" if key == "b"
                                 else None))
    return ids, heat


def test_dry_run_then_purge_keeps_records_training_set_and_evidence(project, admin, line):
    ids, heat = line
    before = count_inspections(project)
    dry = purge_images(project, admin, 30, dry_run=True)
    assert dry.image_ids == [ids["b"]] and dry.kept_flagged == 1 and dry.heatmaps == 1
    assert load_image(project, ids["b"]).shape == (24, 24, 3)  # nothing removed yet
    rep = purge_images(project, admin, 30)
    assert rep.image_ids == [ids["b"]] and rep.bytes_freed > 0 and not heat.exists()
    with pytest.raises(ImageError, match="retention policy"):
        load_image(project, ids["b"])
    for key in "acdef":  # labelled, NG, recent, re-inspected recently, never inspected
        assert load_image(project, ids[key]).shape == (24, 24, 3)
    assert count_inspections(project) == before  # the QA record is whole
    assert check_project(project, admin).ok  # removed on purpose: not reported as damage
    with project.db.session() as s:
        assert s.scalars(select(AuditEntry).where(AuditEntry.action == "images.purge")).one()
        assert s.get(Image, ids["b"]).purged_at is not None
    assert purge_images(project, admin, 30).images == 0  # nothing left to do
    assert purge_images(project, admin, 30, include_ng=True).image_ids == [ids["c"]]


def test_importing_the_picture_again_restores_it(project, admin, line, tmp_path):
    ids, _ = line
    purge_images(project, admin, 30)
    again = tmp_path / "again.png"
    again.write_bytes(encode_png(_rgb(1)))  # b's pixels; PNG encoding is deterministic
    report = import_paths(project, admin, [again])
    assert [image_id for _, image_id in report.accepted] == [ids["b"]]  # the same picture
    with project.db.session() as s:
        assert s.get(Image, ids["b"]).purged_at is None
    assert np.array_equal(load_image(project, ids["b"]), _rgb(1))


def test_only_a_lead_purges_and_never_today(project, admin, actor, line):
    with pytest.raises(PermissionDenied):
        purge_images(project, actor, 30)
    with pytest.raises(UserError, match="at least 1 day"):
        purge_images(project, admin, 0)


def test_cli_purge(project, admin, line, monkeypatch, capsys):
    ids, _ = line
    monkeypatch.setenv("INSPECTOR_PROJECT", str(project.root))
    assert main(["purge", "--older-than", "30", "--dry-run", "--json",
                 "--operator", "admin"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["image_ids"] == [ids["b"]] and data["dry_run"] is True
    assert main(["purge", "--older-than", "30", "--operator", "admin"]) == 0
    assert "removed the pictures of 1 image(s) inspected before " in capsys.readouterr().out
    assert Path(project.root).is_dir()


def test_a_part_labelled_or_inspected_while_the_purge_runs_keeps_its_picture(
        project, admin, line):
    """The purge read its list once, then removed one picture after another without
    looking again: a part labelled meanwhile at another station (the training set) or
    judged NG again lost its picture."""
    ids, _ = line
    g = import_array(project, admin, _rgb(40), source="camera", name="g.png").id
    now = utcnow()
    with project.db.session() as s:
        s.get(Image, g).imported_at = now - OLD - dt.timedelta(days=1)
        s.add(Inspection(image_id=g, score=1.0, threshold=2.0, verdict="ok",
                         inspected_at=now - OLD))
    done = []

    def meanwhile(_step) -> None:  # noqa: ANN001 - at the first progress report
        if not done:
            label_image(project, admin, ids["b"], "good")
            with project.db.session() as s:
                s.add(Inspection(image_id=g, score=9.0, threshold=2.0, verdict="ng",
                                 inspected_at=now - OLD))
            done.append(True)

    rep = purge_images(project, admin, 30, progress=meanwhile)  # b and g were on its list
    assert done and rep.images == 0 and rep.image_ids == []
    for key in (ids["b"], g):
        assert load_image(project, key).shape == (24, 24, 3)


def test_a_purged_image_cannot_be_labelled(project, admin, line):
    """Labelled, it made every later training stop on its missing picture."""
    ids, _ = line
    purge_images(project, admin, 30)
    with pytest.raises(UserError, match="import the picture again to label it"):
        label_image(project, admin, ids["b"], "good")


def test_a_large_purge_goes_in_chunks_and_its_audit_row_stays_small(project, admin, line,
                                                                    monkeypatch):
    """One transaction per image took 9 minutes for 100,000; the audit row listed every
    id (750 KB). Chunks of two here, and more ids than are listed: first and last stay."""
    from inspector.services import retention

    ids, _ = line
    monkeypatch.setattr(retention, "CHUNK", 2)
    monkeypatch.setattr(retention, "AUDITED_IDS", 1)
    rep = purge_images(project, admin, 30, include_ng=True)
    assert sorted(rep.image_ids) == sorted([ids["b"], ids["c"]])
    with project.db.session() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "images.purge")).one()
        details = entry.details
    assert "image_ids" not in details and details["images"] == 2
    assert (details["first_image_id"], details["last_image_id"]) == (ids["b"], ids["c"])


def test_ctrl_c_in_the_middle_of_a_chunk_keeps_the_marks_of_what_went(project, admin, line,
                                                                      monkeypatch):
    """The marks were committed with the whole chunk: Ctrl+C after two pictures had gone
    rolled them back, and the data check called those pictures missing."""
    from inspector.services import retention

    ids, _ = line
    ctrl_c_at(monkeypatch, retention, "_purge_files", 2)
    with pytest.raises(KeyboardInterrupt):
        purge_images(project, admin, 30, include_ng=True)  # b and c, one chunk
    with project.db.session() as s:
        marked = {key: s.get(Image, ids[key]).purged_at is not None for key in "bc"}
    assert marked == {"b": True, "c": False}
    with project.db.session() as s:  # what went is audited all the same
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "images.purge")).one()
        assert entry.details["image_ids"] == [ids["b"]] and entry.details["interrupted"]
    assert check_project(project, admin).ok  # nothing "missing"
    with pytest.raises(ImageError, match="retention policy"):
        load_image(project, ids["b"])
    assert load_image(project, ids["c"]).shape == (24, 24, 3)


def test_a_machine_ng_overridden_to_ok_keeps_its_picture(project, admin, line):
    """The override is disputed evidence: an auditor asks for the picture the machine
    rejected and a person passed, so only --include-ng removes it."""
    ids, _ = line
    with project.db.session() as s:
        ng = s.scalars(select(Inspection).where(Inspection.image_id == ids["c"])).one()
        ng.override_verdict, ng.override_reason = "ok", "scratch is on the film"
        ok = s.scalars(select(Inspection).where(Inspection.image_id == ids["b"])).one()
        ok.override_verdict, ok.override_reason = "ng", "missed dent"
    rep = purge_images(project, admin, 30, dry_run=True)
    assert rep.image_ids == [] and rep.kept_flagged == 2
    assert sorted(purge_images(project, admin, 30, include_ng=True, dry_run=True).image_ids) \
        == sorted([ids["b"], ids["c"]])


def test_a_picture_that_is_also_a_labels_mask_stays(project, admin, line, tmp_path):
    """The store is content-addressed: an imported copy of a stored mask (a folder of
    exported masks) is the mask's own file. Purging that picture removed the mask, and
    every later training of the product stopped at the missing file."""
    ids, _ = line
    mask = np.zeros((24, 24), np.uint8)
    mask[4:9, 4:12] = 255
    label_image(project, admin, ids["f"], "defective", mask=mask)
    with project.db.session() as s:
        mask_path = s.scalars(select(Label.mask_path).where(Label.image_id == ids["f"])).one()
    copy = tmp_path / "exported_mask.png"
    copy.write_bytes(project.images.path(mask_path).read_bytes())
    import_paths(project, admin, [copy])
    with project.db.session() as s:
        twin = s.scalars(select(Image).where(Image.store_path == mask_path)).one()
        twin.imported_at = utcnow() - OLD - dt.timedelta(days=1)
        s.add(Inspection(image_id=twin.id, score=1.0, threshold=2.0, verdict="ok",
                         inspected_at=utcnow() - OLD))
        twin_id = twin.id
    rep = purge_images(project, admin, 30, include_ng=True)
    assert twin_id not in rep.image_ids and ids["b"] in rep.image_ids
    assert project.images.path(mask_path).is_file()
    assert labeling.load_mask(project, ids["f"])[5, 5]
    assert not [p for p in check_project(project, admin).problems if p.kind == "mask"]


def test_a_heat_map_row_naming_a_file_outside_the_project_removes_nothing(
        project, admin, line, tmp_path):
    """A row on a shared server that names ../../elsewhere must not make a purge delete
    that file: the path is refused and the purge says so."""
    ids, _ = line
    outside = tmp_path / "precious.txt"
    outside.write_text("keep me")
    rel = "/".join([".."] * len(project.root.resolve().parts)) + outside.resolve().as_posix()
    with project.db.session() as s:
        row = s.scalars(select(Inspection).where(Inspection.image_id == ids["b"])).one()
        row.heatmap_path = rel
    with pytest.raises(UserError, match="invalid stored artefact path"):
        purge_images(project, admin, 30)
    assert outside.read_text() == "keep me"


def test_the_summary_says_the_cut_off(project, admin, line, monkeypatch) -> None:  # noqa: ANN001
    """A purging station whose clock ran 40 days ahead removed the pictures of parts
    inspected minutes before, and nothing said from when it counted: the dry run now
    shows the cut-off, where a wrong clock shows."""
    import inspector.services.retention as retention

    ahead = utcnow() + dt.timedelta(days=40)
    monkeypatch.setattr(retention, "utcnow", lambda: ahead)
    rep = purge_images(project, admin, 30, dry_run=True)
    cutoff = (ahead - dt.timedelta(days=30)).astimezone()
    assert f"inspected before {cutoff:%Y-%m-%d %H:%M}" in rep.summary()
