"""Train / activate / threshold / inspect / override use cases, end to end on a project."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from engine_fixtures import write_parts
from sqlalchemy import func, select

from inspector.errors import Cancelled, ModelFileError, PermissionDenied, UserError
from inspector.progress import CancelToken
from inspector.services import inspection, models, training
from inspector.services.importing import import_paths
from inspector.services.operators import add_operator
from inspector.services.products import add_product
from inspector.services.project import init_project
from inspector.services.session import sign_in
from inspector.store.models import AuditEntry, Label, ModelRecord


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A project with one product, 6 good + 1 defective labelled, and model v1 active."""
    root = tmp_path_factory.mktemp("proj")
    data = tmp_path_factory.mktemp("data")
    project = init_project(root / "p", "admin")
    admin = sign_in(project, "admin", station="S1")
    add_operator(project, admin, "olga", role="operator")
    add_operator(project, admin, "quinn", role="qa_lead")
    add_product(project, admin, "disc")
    write_parts(data / "train" / "good", 6, 0)
    write_parts(data / "train" / "scratch", 1, 500, defect=True)
    rep = import_paths(project, admin, [data / "train"], product="disc",
                       labels_from_folders=True)
    assert not rep.refused and len(rep.stored) == 7
    info = training.train(project, admin, product="disc", preset="fast")
    test_good = write_parts(data / "test" / "good", 2, 100)
    test_bad = write_parts(data / "test" / "bad", 2, 600, defect=True)
    yield project, info, test_good, test_bad
    project.close()


def test_first_model_is_recorded_and_active(trained):
    project, info, _, _ = trained
    assert info.version == 1 and info.active
    assert (project.root / info.file_path).is_file()
    assert info.training_set["good"] == 6 and info.training_set["defective"] == 1
    with project.db.session() as s:  # what "labelled since this model" is counted from
        newest = s.execute(select(func.max(Label.id))).scalar_one()
    assert info.training_set["last_label_id"] == newest
    listed = models.list_models(project)
    assert [m.version for m in listed] == [1]
    dist = models.score_distribution(project, 1)
    assert dist.good_scores, "calibration scores of held-out good images are kept"


def test_defective_parts_score_higher_and_results_are_stored(trained):
    project, info, good, bad = trained
    actor = sign_in(project, "olga", station="S2")
    batch = inspection.inspect_paths(project, actor, good + bad, product="disc")
    assert len(batch.inspections) == 4 and not batch.refused
    scores = {r.image_name: r.score for r in batch.inspections}
    assert min(scores[p.name] for p in bad) > max(scores[p.name] for p in good)
    assert all(r.verdict == "ng" for r in batch.inspections if r.image_name in
               {p.name for p in bad})
    first = batch.inspections[0]
    assert first.operator == "olga" and first.station == "S2" and first.model_version == 1
    assert batch.inspections[-1].overlay.ndim == 3  # the last keeps its arrays for a screen
    assert first.overlay is None and inspection.overlay_path(project, first).is_file()
    stored = inspection.list_inspections(project, operator="olga")
    assert {r.id for r in stored} >= {r.id for r in batch.inspections}


def test_unfamiliar_images_are_flagged_and_remembered(trained):
    project, _, good, _ = trained
    actor = sign_in(project, "olga", station="S2")
    stripes = np.zeros((128, 128, 3), np.uint8)
    stripes[:, ::16] = (40, 200, 230)  # another product on the fixture
    odd = inspection.inspect_array(project, actor, stripes, product="disc")
    usual = inspection.inspect_paths(project, actor, good[:1], product="disc").inspections[0]
    assert odd.unfamiliar and not usual.unfamiliar
    stored = {r.id: r.unfamiliar for r in inspection.list_inspections(project)}
    assert stored[odd.id] is True and stored[usual.id] is False


def test_override_needs_qa_lead_and_a_reason(trained):
    project, _, good, _ = trained
    olga = sign_in(project, "olga")
    quinn = sign_in(project, "quinn")
    res = inspection.inspect_paths(project, olga, good[:1], product="disc").inspections[0]
    with pytest.raises(PermissionDenied):
        inspection.override_verdict(project, olga, res.id, "ng", "looks bad")
    with pytest.raises(UserError):
        inspection.override_verdict(project, quinn, res.id, "ng", "  ")
    out = inspection.override_verdict(project, quinn, res.id, "ng", "scratch seen by eye")
    assert out.final_verdict == "ng" and out.verdict == res.verdict
    assert out.override_by == "quinn"
    with project.db.session() as s:
        denied = s.scalars(select(AuditEntry).where(AuditEntry.allowed.is_(False))).all()
        assert any(e.operator_name == "olga" for e in denied)


def test_one_image_the_engine_cannot_use_does_not_stop_the_batch(trained, monkeypatch):
    """An image the engine refuses (say, cut by the region to a sliver) is listed as
    refused with its file, and the parts before and after it are still inspected."""
    from inspector.errors import ImageError

    project, _, good, bad = trained
    olga = sign_in(project, "olga")
    real = inspection.inspect_image
    refuse = inspection.inspect_paths(project, olga, good[1:2], product="disc")
    bad_id = refuse.inspections[0].image_id

    def picky(project, actor, image_id, **kw):  # noqa: ANN001, ANN003, ANN202
        if image_id == bad_id:
            raise ImageError("image must be RGB HxWx3 and at least 8x8 px")
        return real(project, actor, image_id, **kw)

    monkeypatch.setattr(inspection, "inspect_image", picky)
    batch = inspection.inspect_paths(project, olga, [good[0], good[1], bad[0]], product="disc")
    assert batch.files == [str(good[0]), str(bad[0])]
    assert [i.image_id != bad_id for i in batch.inspections] == [True, True]
    assert batch.refused == [(str(good[1]), "image must be RGB HxWx3 and at least 8x8 px")]


def test_full_disk_while_inspecting_is_a_message_and_leaves_no_heat_map(trained, monkeypatch):
    import sqlite3

    from sqlalchemy.exc import OperationalError

    project, _, good, _ = trained
    olga = sign_in(project, "olga")
    heatmaps = project.root / "artefacts" / "heatmaps"
    before = sorted(heatmaps.rglob("*.jpg"))

    def full(*_a, **_k):  # noqa: ANN002, ANN003, ANN202
        raise OperationalError("INSERT", {}, sqlite3.OperationalError("database or disk is full"))

    monkeypatch.setattr(inspection, "_record_row", full)
    with pytest.raises(UserError, match="cannot record the inspection: the disk is full"):
        inspection.inspect_paths(project, olga, good[:1], product="disc")
    assert sorted(heatmaps.rglob("*.jpg")) == before


def test_full_disk_while_saving_a_model_keeps_the_previous_one(trained, monkeypatch):
    import errno

    from inspector.engine.model import DefectModel

    project, _, _, _ = trained
    quinn = sign_in(project, "quinn")
    active = [m.version for m in models.list_models(project) if m.active]
    files = sorted((project.root / "models").iterdir())

    def full(self, path):  # noqa: ANN001, ANN202
        Path(path).write_bytes(b"partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(DefectModel, "save", full)
    with pytest.raises(UserError, match="disk is full.*previous model stays"):
        training.train(project, quinn, product="disc", preset="fast")
    assert [m.version for m in models.list_models(project) if m.active] == active
    assert sorted((project.root / "models").iterdir()) == files


def test_threshold_changes_need_qa_and_change_verdicts(trained):
    project, info, good, _ = trained
    olga = sign_in(project, "olga")
    quinn = sign_in(project, "quinn")
    with pytest.raises(PermissionDenied):
        models.set_threshold(project, olga, 1, 0.0)
    for bad in (0.0, -5.0, math.inf, math.nan):  # would pass or reject every part
        with pytest.raises(UserError, match="positive number"):
            models.set_threshold(project, quinn, 1, bad)
    with pytest.raises(UserError, match="positive number"):
        models.set_threshold(project, quinn, 1, 5.0, -1.0)
    assert models.get_model(project, 1).threshold == info.threshold
    try:
        models.set_threshold(project, quinn, 1, 1e-9)
        res = inspection.inspect_paths(project, olga, good[:1], product="disc").inspections[0]
        assert res.verdict == "ng" and res.threshold == 1e-9
    finally:
        models.set_threshold(project, quinn, 1, info.threshold, info.uncertain_low)


def test_operator_training_waits_for_qa_activation_and_rollback(trained):
    project, _, _, _ = trained
    olga = sign_in(project, "olga")
    quinn = sign_in(project, "quinn")
    steps = []
    v2 = training.train(project, olga, product="disc", preset="fast", progress=steps.append)
    assert v2.version == 2 and not v2.active
    # a progress bar or log ends at 100 % once the version is saved, not at "95 %"
    assert (steps[-1].fraction, steps[-1].message) == (1.0, "Saved model version 2")
    with pytest.raises(PermissionDenied):
        models.activate_model(project, olga, 2)
    models.activate_model(project, quinn, 2)
    assert [m.version for m in models.list_models(project) if m.active] == [2]
    models.activate_model(project, quinn, 1)  # roll back
    assert [m.version for m in models.list_models(project) if m.active] == [1]
    with pytest.raises(UserError):
        models.delete_model(project, quinn, 1)  # active one
    models.delete_model(project, quinn, 2)
    assert [m.version for m in models.list_models(project)] == [1]


def test_training_without_a_product_trains_the_one_product_there_is(trained):
    """Recorded as "no product", an operator's model went live beside disc's active one,
    and inspecting without a product then failed on every station."""
    project, _, _, test_bad = trained
    olga = sign_in(project, "olga")
    info = training.train(project, olga, preset="fast")
    assert info.product == "disc" and not info.active
    assert [(m.version, m.product) for m in models.list_models(project) if m.active] == [
        (1, "disc")]
    batch = inspection.inspect_paths(project, olga, test_bad[:1])  # no product given
    assert batch.inspections[0].model_version == 1
    models.delete_model(project, sign_in(project, "quinn"), info.version)


def test_cancel_mid_training_keeps_previous_model(trained):
    project, _, _, _ = trained
    admin = sign_in(project, "admin")
    token = CancelToken()

    def progress(p):
        if p.fraction > 0.15:
            token.cancel()

    before = {m.version: m.active for m in models.list_models(project)}
    files_before = sorted(p.name for p in (project.root / "models").iterdir())
    with pytest.raises(Cancelled):
        training.train(project, admin, product="disc", preset="fast",
                       progress=progress, cancel=token)
    assert {m.version: m.active for m in models.list_models(project)} == before
    assert sorted(p.name for p in (project.root / "models").iterdir()) == files_before


def test_damaged_model_file_is_refused_clearly(trained, tmp_path):
    project, info, good, _ = trained
    path = project.root / info.file_path
    original = path.read_bytes()
    try:
        path.write_bytes(original[: len(original) // 2])
        from inspector.services import model_records

        model_records._cache.clear()
        with pytest.raises(ModelFileError):
            inspection.inspect_paths(project, sign_in(project, "olga"), good[:1],
                                     product="disc")
    finally:
        path.write_bytes(original)
        model_records._cache.clear()


def test_training_summary_warns_and_synthetic_examples(trained):
    project, _, _, _ = trained
    summary = training.training_summary(project, "disc")
    assert summary.good == 6 and summary.defective == 1
    assert summary.defect_types == {"scratch": 1}
    assert any("rough guess" in w and "10 or more" in w for w in summary.warnings)
    examples = training.synthetic_examples(project, "disc", n=3)
    assert len(examples) == 3
    for image, mask in examples:
        assert image.shape[:2] == mask.shape[:2] and mask.any()


def test_project_severity_bands_apply_without_retraining(trained):
    project, _, _, bad = trained
    olga = sign_in(project, "olga")
    quinn = sign_in(project, "quinn")
    with pytest.raises(UserError):
        project.set_setting(quinn, "severity_bands", {"major_ratio": 3.0, "critical_ratio": 2.0})
    with pytest.raises(UserError):
        project.set_setting(quinn, "severity_bands", {"huge_ratio": 3.0})
    lenient = {"major_ratio": 1e6, "critical_ratio": 1e6, "major_area": 1.0,
               "critical_area": 1.0}
    project.set_setting(quinn, "severity_bands", lenient)
    try:
        res = inspection.inspect_paths(project, olga, bad[:1], product="disc").inspections[0]
        assert res.verdict == "ng" and res.severity == "minor"
        strict = {"major_ratio": 1.0, "critical_ratio": 1.0, "major_area": 0.0,
                  "critical_area": 0.0}
        project.set_setting(quinn, "severity_bands", strict)
        res = inspection.inspect_paths(project, olga, bad[:1], product="disc").inspections[0]
        assert res.severity == "critical"
    finally:
        project.set_setting(quinn, "severity_bands", {})


def test_failed_recording_removes_the_new_model_file(trained, monkeypatch):
    project, _, _, _ = trained
    admin = sign_in(project, "admin")
    before = sorted(p.name for p in (project.root / "models").iterdir())

    def broken_audit(*args, **kwargs):
        raise OSError("database disk image is malformed")

    monkeypatch.setattr(training.audit, "record", broken_audit)
    with pytest.raises(OSError):
        training.train(project, admin, product="disc", preset="fast")
    assert sorted(p.name for p in (project.root / "models").iterdir()) == before
    assert [m.version for m in models.list_models(project) if m.active] == [1]


def test_a_model_trained_while_the_database_is_busy_is_recorded_when_it_frees(trained,
                                                                              monkeypatch):
    """Another station held the database when the finished model was recorded: a
    minute of training was thrown away after one 30 s wait. It is tried again; when the
    database stays busy, nothing changes and the message says so."""
    import sqlite3

    from sqlalchemy.exc import OperationalError

    project, _, _, _ = trained
    admin = sign_in(project, "admin")
    real = training.audit.record
    busy = {"left": 2}

    def busy_twice(session, actor, action, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        if action == "model.train" and busy["left"]:
            busy["left"] -= 1
            raise OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked"))
        return real(session, actor, action, *args, **kwargs)

    monkeypatch.setattr(training.audit, "record", busy_twice)
    before = {m.version for m in models.list_models(project)}
    info = training.train(project, admin, product="disc", preset="fast")
    assert info.version not in before and busy["left"] == 0
    files = sorted(p.name for p in (project.root / "models").iterdir())
    busy["left"] = 99  # busy for good
    with pytest.raises(UserError, match="busy.*Nothing changed; the previous model stays"):
        training.train(project, admin, product="disc", preset="fast")
    assert sorted(p.name for p in (project.root / "models").iterdir()) == files


def test_false_reject_settings_set_the_threshold_and_the_uncertain_band(tmp_path):
    project = init_project(tmp_path / "p", "admin")
    admin = sign_in(project, "admin", station="S1")
    write_parts(tmp_path / "data" / "good", 6, 0)
    import_paths(project, admin, [tmp_path / "data"], labels_from_folders=True)
    assert project.get_setting("target_false_reject_rate") == 0.01
    assert project.get_setting("uncertain_false_reject_rate") is None
    strict = training.train(project, admin, preset="fast")
    assert strict.uncertain_low is None

    project.set_setting(admin, "target_false_reject_rate", 0.2)
    project.set_setting(admin, "uncertain_false_reject_rate", 0.4)
    loose = training.train(project, admin, preset="fast")
    assert loose.threshold < strict.threshold  # more good parts may be rejected
    assert loose.uncertain_low is not None and loose.uncertain_low < loose.threshold

    with pytest.raises(UserError, match="uncertain band"):  # below the target: refused
        project.set_setting(admin, "uncertain_false_reject_rate", 0.1)  # when it is set
    with pytest.raises(UserError, match="uncertain band"):
        project.set_setting(admin, "target_false_reject_rate", 0.45)  # either way round
    project.set_setting(admin, "uncertain_false_reject_rate", 0)  # 0 switches it off
    assert project.get_setting("uncertain_false_reject_rate") is None
    for bad in (0, 0.5, "often", -0.1):
        with pytest.raises(UserError):
            project.set_setting(admin, "target_false_reject_rate", bad)
    assert project.get_setting("target_false_reject_rate") == 0.2
    project.close()


def test_activation_leaves_exactly_one_active_model_and_checks_its_file(trained, tmp_path):
    """Even from a state two racing stations could leave (two active versions), one
    activation ends with exactly one; a version whose file is gone is not activated."""
    from inspector.store.models import ModelRecord

    project, _, _, _ = trained
    quinn = sign_in(project, "quinn")
    v_new = training.train(project, quinn, product="disc", preset="fast").version
    with project.db.session() as s:  # what the race used to leave behind
        for rec in s.scalars(select(ModelRecord).where(ModelRecord.version.in_([1, v_new]))):
            rec.active = True
    models.activate_model(project, quinn, 1)
    assert [m.version for m in models.list_models(project) if m.active] == [1]
    info = models.get_model(project, v_new)
    moved = tmp_path / "away.model"
    (project.root / info.file_path).rename(moved)
    try:
        with pytest.raises(ModelFileError, match="missing"):
            models.activate_model(project, quinn, v_new)
        assert [m.version for m in models.list_models(project) if m.active] == [1]
    finally:
        moved.rename(project.root / info.file_path)
    # A file a newer Inspector wrote (another station, shared project): its checksum is
    # right, but this Inspector cannot read it, so the line must not be switched to it.
    import json
    import struct

    from inspector.fileio import sha256_file

    path = project.root / info.file_path
    original = path.read_bytes()
    (n,) = struct.unpack("<Q", original[:8])
    header = json.loads(original[8 : 8 + n])
    meta = json.loads(header["__metadata__"]["inspector"])
    meta["format_version"] = 99
    header["__metadata__"]["inspector"] = json.dumps(meta)
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + original[8 + n :])
    with project.db.session() as s:
        rec = s.scalars(select(ModelRecord).where(ModelRecord.version == v_new)).one()
        old_sha, rec.file_sha256 = rec.file_sha256, sha256_file(path)
    try:
        with pytest.raises(ModelFileError, match="format version 99"):
            models.activate_model(project, quinn, v_new)
        assert [m.version for m in models.list_models(project) if m.active] == [1]
    finally:
        path.write_bytes(original)
        with project.db.session() as s:
            s.scalars(select(ModelRecord).where(ModelRecord.version == v_new)).one() \
                .file_sha256 = old_sha


def test_damaged_or_missing_stored_copy_is_refused_then_restored_by_importing_again(trained):
    """The store's copy is checked against its SHA-256 before inspection: a damaged or
    missing copy is refused (ImageError: a batch goes on without it), and importing the
    picture again (the same bytes) puts the copy back."""
    from inspector.errors import ImageError
    from inspector.services import labeling

    project, _, good, _ = trained
    olga = sign_in(project, "olga")
    ids = [i.image_id for i in inspection.inspect_paths(project, olga, good[:2],
                                                         product="disc").inspections]
    stored = [Path(labeling.get_image(project, i).path) for i in ids]
    data = stored[0].read_bytes()
    stored[0].write_bytes(data[: len(data) // 2] + bytes(len(data) - len(data) // 2))
    stored[1].unlink()
    with pytest.raises(ImageError, match="checksum mismatch"):
        inspection.inspect_image(project, olga, ids[0], product="disc")
    with pytest.raises(ImageError, match="missing"):
        inspection.inspect_image(project, olga, ids[1], product="disc")
    again = inspection.inspect_paths(project, olga, good[:2], product="disc")
    assert [i.image_id for i in again.inspections] == ids and not again.refused
    assert stored[0].read_bytes() == data and stored[1].is_file()


def test_a_product_with_many_labels_trains_on_a_spread_of_them(tmp_path, monkeypatch):
    """"Label good" gathers thousands of goods over months; a run takes at most MAX_GOOD
    of them (from the oldest to the newest), says so before it starts and records it."""
    from inspector.services import training_set

    monkeypatch.setattr(training_set, "MAX_GOOD", 4)
    project = init_project(tmp_path / "p", "admin")
    admin = sign_in(project, "admin", station="S1")
    write_parts(tmp_path / "data" / "good", 7, 0)
    rep = import_paths(project, admin, [tmp_path / "data"], labels_from_folders=True)
    summary = training.training_summary(project)
    assert summary.good == 7 and summary.left_out == 3
    assert any("3 of the 7 labelled images are left out" in w and "at most 4 good" in w
               for w in summary.warnings)
    info = training.train(project, admin, preset="fast")
    stored = [i.sha256 for i in rep.stored]  # import order = label order
    with project.db.session() as s:
        record = s.scalar(select(ModelRecord).where(ModelRecord.version == info.version))
        assert record.training_set["sha256"] == [stored[i] for i in (0, 2, 4, 6)]
    assert info.training_set["good"] == 4 and info.training_set["left_out"] == 3
    project.close()


def test_a_changed_sensor_bits_asks_for_retraining_before_judging_16_bit_parts(tmp_path):
    """Read at another depth than its training pictures, every 16-bit part would look
    unlike them and be rejected: the inspection says why instead. 8-bit parts do not
    depend on the setting and go on."""
    import cv2

    project = init_project(tmp_path / "p", "admin")
    admin = sign_in(project, "admin", station="S1")
    rng = np.random.default_rng(0)
    good = tmp_path / "data" / "good"
    good.mkdir(parents=True)
    for i in range(4):
        part = (rng.normal(2000, 150, (96, 96))).clip(0, 4095).astype(np.uint16)
        cv2.imwrite(str(good / f"g{i}.png"), part)
    import_paths(project, admin, [tmp_path / "data"], labels_from_folders=True)
    info = training.train(project, admin, preset="fast")
    assert info.training_set["sensor_bits"] == 16
    deep = import_paths(project, admin, [good / "g0.png"]).accepted[0][1]
    assert inspection.inspect_image(project, admin, deep).verdict in ("ok", "ng", "uncertain")
    flat = write_parts(tmp_path / "flat", 1, 900)[0]  # an 8-bit picture
    eight = import_paths(project, admin, [flat]).accepted[0][1]
    project.set_setting(admin, "sensor_bits", 12)
    with pytest.raises(UserError, match="retrain the model, or set sensor_bits back to 16"):
        inspection.inspect_image(project, admin, deep)
    assert inspection.inspect_image(project, admin, eight).score > 0
    # in a batch the 16-bit part is refused on its own; the 8-bit ones around it are judged
    batch = inspection.inspect_paths(project, admin, [flat, good / "g0.png", flat])
    assert len(batch.inspections) == 2 and len(batch.refused) == 1
    assert "retrain the model" in batch.refused[0][1]
    project.set_setting(admin, "sensor_bits", 16)
    assert inspection.inspect_image(project, admin, deep).score > 0
    project.close()
