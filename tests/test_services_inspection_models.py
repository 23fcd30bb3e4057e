"""Which model judges a part: never another product's, and one model for a whole batch."""

from __future__ import annotations

import pytest
from engine_fixtures import write_parts
from sqlalchemy import select

from inspector.errors import UserError
from inspector.services import inspection, models, training
from inspector.services.importing import import_paths
from inspector.services.products import add_product
from inspector.services.project import init_project
from inspector.services.session import sign_in
from inspector.store.models import ModelRecord, Product


@pytest.fixture(scope="module")
def two_products(tmp_path_factory):
    """'disc' with a trained model (v1); 'cap' with its own active version (v2)."""
    root = tmp_path_factory.mktemp("proj")
    data = tmp_path_factory.mktemp("data")
    project = init_project(root / "p", "admin")
    admin = sign_in(project, "admin")
    add_product(project, admin, "disc")
    add_product(project, admin, "cap")
    write_parts(data / "train" / "good", 6, 0)
    import_paths(project, admin, [data / "train"], product="disc", labels_from_folders=True)
    v1 = training.train(project, admin, product="disc", preset="fast")
    with project.db.session() as s:  # cap's model: the same file, its own threshold
        v1_rec = s.scalars(select(ModelRecord).where(ModelRecord.version == 1)).one()
        cap = s.scalars(select(Product).where(Product.name == "cap")).one()
        s.add(ModelRecord(version=2, product_id=cap.id, backbone=v1_rec.backbone,
                          preset=v1_rec.preset, threshold=v1.threshold / 100,
                          file_path=v1_rec.file_path, file_sha256=v1_rec.file_sha256,
                          active=True, training_set={}, metrics={}))
    parts = write_parts(data / "test", 3, 100)
    yield project, admin, parts
    project.close()


def test_without_a_product_another_products_model_is_never_used(two_products) -> None:  # noqa: ANN001
    project, admin, parts = two_products
    before = len(inspection.list_inspections(project))
    with pytest.raises(UserError, match=r"Several products.*cap.*disc.*choose the product"):
        inspection.inspect_paths(project, admin, parts[:1])
    assert len(inspection.list_inspections(project)) == before  # nothing judged
    batch = inspection.inspect_paths(project, admin, parts[:1], product="disc")
    assert [(i.model_version, i.product) for i in batch.inspections] == [(1, "disc")]


def test_a_batch_keeps_the_model_it_started_with(two_products, monkeypatch) -> None:  # noqa: ANN001
    project, admin, parts = two_products
    real = inspection.inspect_image
    calls = []

    def inspect_then_roll_back(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        out = real(*args, **kwargs)
        calls.append(out.model_version)
        if len(calls) == 1:  # a QA lead activates another disc version mid-batch
            with project.db.session() as s:
                v1 = s.scalars(select(ModelRecord).where(ModelRecord.version == 1)).one()
                s.add(ModelRecord(version=3, product_id=v1.product_id, backbone=v1.backbone,
                                  preset=v1.preset, threshold=v1.threshold * 2,
                                  file_path=v1.file_path, file_sha256=v1.file_sha256,
                                  training_set={}, metrics={}))
            models.activate_model(project, admin, 3)
        return out

    monkeypatch.setattr(inspection, "inspect_image", inspect_then_roll_back)
    batch = inspection.inspect_paths(project, admin, parts, product="disc")
    assert [i.model_version for i in batch.inspections] == [1, 1, 1]
    monkeypatch.undo()
    later = inspection.inspect_paths(project, admin, parts[:1], product="disc")
    assert later.inspections[0].model_version == 3  # the next batch uses the new one


def test_a_batch_holds_full_size_arrays_for_its_last_part_only(two_products) -> None:  # noqa: ANN001
    """A folder of 12 MP parts: each heat map (48 MB) and overlay (36 MB) is on disk once
    the next part is judged; only the last stays in memory, for the screen."""
    project, admin, parts = two_products
    batch = inspection.inspect_paths(project, admin, parts, product="disc")
    assert len(batch.inspections) == 3
    *older, last = batch.inspections
    assert all(i.heatmap is None and i.overlay is None for i in older)
    assert last.heatmap is not None and last.overlay is not None
    for info in older:  # nothing lost: their heat maps were stored
        path = inspection.overlay_path(project, info)
        assert path is not None and path.is_file()


def test_cancel_stops_a_batch_between_parts_and_keeps_what_was_judged(two_products) -> None:  # noqa: ANN001
    """Cancel after the first part: the second is not judged, the first stays recorded."""
    from inspector.errors import Cancelled
    from inspector.progress import CancelToken

    project, admin, parts = two_products
    before = len(inspection.list_inspections(project))
    token = CancelToken()

    def cancel_after_first(p) -> None:  # noqa: ANN001
        if p.message.startswith("Inspected 1/"):
            token.cancel()

    with pytest.raises(Cancelled):
        inspection.inspect_paths(project, admin, parts, product="disc",
                                 progress=cancel_after_first, cancel=token)
    assert len(inspection.list_inspections(project)) == before + 1


def test_warm_up_loads_the_active_model_before_the_first_part(two_products) -> None:  # noqa: ANN001
    from inspector.services import model_records

    project, _, _ = two_products
    model_records._cache.clear()
    assert inspection.warm_up(project, None) is None  # two products, none chosen: nothing
    version = inspection.warm_up(project, "disc")
    assert version is not None and len(model_records._cache) == 1


def test_the_audit_trail_can_tell_the_whole_story(two_products) -> None:  # noqa: ANN001
    """A second override keeps the first reason in the log; a refused rollback names the
    version; a deleted version's facts stay in the log."""
    from inspector.errors import PermissionDenied
    from inspector.services.operators import add_operator
    from inspector.store.models import AuditEntry

    project, admin, parts = two_products
    inspected = inspection.inspect_paths(project, admin, parts[:1], product="disc")
    first = inspected.inspections[0].id
    corrected = "ok" if inspected.inspections[0].verdict != "ok" else "ng"
    inspection.override_verdict(project, admin, first, corrected, "burr seen by eye")
    inspection.override_verdict(project, admin, first, "ng" if corrected == "ok" else "ok",
                                "burr was dust")
    add_operator(project, admin, "olga")
    olga = sign_in(project, "olga")
    with pytest.raises(PermissionDenied):
        models.activate_model(project, olga, 2)
    with project.db.session() as s:
        overrides = list(s.scalars(select(AuditEntry).where(
            AuditEntry.action == "inspection.override").order_by(AuditEntry.id)))
        refused = s.scalars(select(AuditEntry).where(
            AuditEntry.action == "denied:manage_models")).one()
    assert overrides[-1].details["replaces_reason"] == "burr seen by eye"
    assert overrides[-1].details["machine"] == inspected.inspections[0].verdict
    assert refused.entity == "model" and refused.entity_id == "2"


def test_a_new_threshold_keeps_the_uncertain_band_unless_told(two_products) -> None:  # noqa: ANN001
    project, admin, _ = two_products
    models.set_threshold(project, admin, 2, 10.0, 8.0)
    assert models.get_model(project, 2).uncertain_low == 8.0
    info = models.set_threshold(project, admin, 2, 20.0)  # the band keeps its width
    assert (info.threshold, info.uncertain_low) == (20.0, pytest.approx(16.0))
    assert models.set_threshold(project, admin, 2, 20.0, None).uncertain_low is None


def test_training_without_a_product_refuses_to_blend_products(two_products, tmp_path) -> None:  # noqa: ANN001
    project, admin, _ = two_products
    write_parts(tmp_path / "cap" / "good", 6, 300)
    import_paths(project, admin, [tmp_path / "cap"], product="cap", labels_from_folders=True)
    with pytest.raises(UserError, match=r"several products \(cap, disc\)"):
        training.train(project, admin, preset="fast")


def test_a_long_thin_image_is_inspected_and_gets_a_heat_map(two_products, tmp_path) -> None:  # noqa: ANN001
    """A strip from a line-scan camera, 12000 x 8 px: the heat map's thumbnail came out 0
    px high, and OpenCV's refusal ended the whole batch with an internal error."""
    import numpy as np
    from PIL import Image

    project, admin, parts = two_products
    strip = tmp_path / "strip.png"
    Image.fromarray(np.full((8, 12000, 3), 120, np.uint8)).save(strip)
    batch = inspection.inspect_paths(project, admin, [strip, parts[0]], product="disc")
    assert batch.refused == [] and batch.files == [str(strip), str(parts[0])]
    heat_map = inspection.overlay_path(project, batch.inspections[0])
    assert heat_map is not None
    assert Image.open(heat_map).size == (640, 1)


def test_an_override_reason_with_hidden_controls_is_refused(two_products) -> None:  # noqa: ANN001
    """U+202E turned the rest of a reason around in the PDF ("RTL override txt.exe" read
    "exe.txt edirrevo LTR"); NUL and ESC printed as boxes. Line breaks stay."""
    project, admin, parts = two_products
    judged = inspection.inspect_paths(project, admin, parts[:1], product="disc").inspections[0]
    first, other = judged.id, "ng" if judged.verdict == "ok" else "ok"
    for reason in ("RTL override \u202etxt.exe", "dust\x00", "\x1b[2J wiped"):
        with pytest.raises(UserError, match="control characters"):
            inspection.override_verdict(project, admin, first, other, reason)
    done = inspection.override_verdict(project, admin, first, other, " dust,\r\nwiped off\t ")
    assert done.override_reason == "dust,\nwiped off"


def test_a_purge_at_another_station_mid_batch_does_not_refuse_the_files_given(
        two_products, monkeypatch) -> None:  # noqa: ANN001
    """The batch imports its files (old duplicates keep their old dates), another station
    purges old pictures, then the batch refused 36 of 40 parts as "removed by the
    retention policy" although the operator had just handed them over."""
    from inspector.store.models import Image, utcnow

    project, admin, parts = two_products
    real_import = inspection.import_paths

    def import_then_purged_elsewhere(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        report = real_import(*args, **kwargs)
        if len(args[2]) > 1:  # the batch's own import, not the single file brought back
            with project.db.session() as s:
                for _path, image_id in report.accepted:
                    img = s.get(Image, image_id)
                    project.images.remove(img.store_path)
                    img.purged_at = utcnow()
        return report

    monkeypatch.setattr(inspection, "import_paths", import_then_purged_elsewhere)
    batch = inspection.inspect_paths(project, admin, parts, product="disc")
    assert batch.refused == [] and len(batch.inspections) == len(parts)
    with project.db.session() as s:
        assert all(s.get(Image, i.image_id).purged_at is None for i in batch.inspections)


@pytest.mark.parametrize("json_out", [False, True])
def test_a_server_lost_mid_batch_still_names_the_parts_judged(two_products, monkeypatch,
                                                              capsys, json_out) -> None:  # noqa: ANN001
    """The CLI printed "Inspected 9/30" and then only the error: a rerun judged those
    nine parts twice. Now it lists them and the files left, as after Ctrl+C."""
    import json

    from sqlalchemy.exc import OperationalError

    from inspector.cli.main import main

    project, _admin, parts = two_products
    _fail_at(monkeypatch, "inspect_image", 2, OperationalError("INSERT", {}, Exception(
        "server closed the connection unexpectedly")))
    code = main(["inspect", *map(str, parts), "--product", "disc", "--project",
                 str(project.root), "--operator", "admin"] + (["--json"] if json_out else []))
    out, err = capsys.readouterr()
    assert code == 1
    if json_out:
        data = json.loads(out)
        assert [i["file"] for i in data["inspections"]] == [str(parts[0])]
        assert data["not_inspected"] == [str(p) for p in parts[1:]]
        assert "database server cannot be reached" in data["error"]
    else:
        assert str(parts[0].name) in out and "Stopped: 2 file(s) were not inspected" in out
        assert "database server cannot be reached" in err


def test_an_override_decides_and_changes_something(two_products) -> None:  # noqa: ANN001
    """"uncertain" was accepted as a person's verdict, and an override to the verdict the
    part already had marked it "overridden" in every report."""
    project, admin, parts = two_products
    judged = inspection.inspect_paths(project, admin, parts[:1], product="disc").inspections[0]
    with pytest.raises(UserError, match="OK or NG"):
        inspection.override_verdict(project, admin, judged.id, "uncertain", "cannot tell")
    if judged.verdict != "uncertain":
        with pytest.raises(UserError, match="already"):
            inspection.override_verdict(project, admin, judged.id, judged.verdict, "same")
    assert inspection.list_inspections(project, limit=1)[0].override_verdict is None


def test_a_full_disk_mid_batch_still_names_the_parts_judged(two_products, monkeypatch,
                                                            capsys) -> None:  # noqa: ANN001
    """The heat map of the third part finds the disk full: the CLI said only "cannot
    record the inspection: the disk is full", though two parts were recorded."""
    import errno

    from inspector.cli.main import main

    project, _admin, parts = two_products
    _fail_at(monkeypatch, "_save_overlay", 3, OSError(errno.ENOSPC, "No space left on device"))
    code = main(["inspect", *map(str, parts), "--product", "disc", "--project",
                 str(project.root), "--operator", "admin"])
    out, err = capsys.readouterr()
    assert code == 1
    assert parts[0].name in out and parts[1].name in out
    assert "Stopped: 1 file(s) were not inspected" in out and "disk is full" in err


def _fail_at(monkeypatch, name: str, nth: int, exc: BaseException) -> None:  # noqa: ANN001
    """``inspection.<name>`` raises ``exc`` on its ``nth`` call (a server lost, a disk
    filled up part-way through a batch) and works otherwise."""
    real, calls = getattr(inspection, name), []

    def failing(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        calls.append(1)
        if len(calls) == nth:
            raise exc
        return real(*args, **kwargs)

    monkeypatch.setattr(inspection, name, failing)
