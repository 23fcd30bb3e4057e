"""Deleting images: permissions, the QA record guard, files and the audit log."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import select

from inspector.cli.main import main
from inspector.errors import PermissionDenied, UserError
from inspector.services.data import delete_image
from inspector.services.importing import import_array
from inspector.services.labeling import label_image, list_images
from inspector.store.models import AuditEntry, Inspection, utcnow


def _image(project, actor, seed=0):
    rgb = np.random.default_rng(seed).integers(0, 255, (32, 32, 3), dtype=np.uint8)
    return import_array(project, actor, rgb, source="file", name=f"img{seed}.png")


def test_operator_may_not_delete_and_refusal_is_audited(project, actor):
    img = _image(project, actor)
    with pytest.raises(PermissionDenied):
        delete_image(project, actor, img.id)
    with project.db.session() as s:
        assert s.scalars(select(AuditEntry).where(AuditEntry.allowed.is_(False))).first()
    assert [i.id for i in list_images(project)] == [img.id]


def test_delete_removes_row_labels_and_files(project, admin):
    img = _image(project, admin)
    mask = np.zeros((32, 32), bool)
    mask[4:10, 4:10] = True
    label_image(project, admin, img.id, "defective", defect_type=None, mask=mask)
    stored = list(project.images.root.rglob("*.png"))
    assert len(stored) == 2  # image + mask
    details = delete_image(project, admin, img.id)
    assert details["labels"] == 1
    assert list_images(project) == []
    assert list(project.images.root.rglob("*.png")) == []
    with project.db.session() as s:
        actions = [e.action for e in s.scalars(select(AuditEntry))]
    assert "image.delete" in actions


def test_inspected_image_needs_force(project, admin, capsys, monkeypatch):
    img = _image(project, admin)
    with project.db.session() as s:
        s.add(Inspection(image_id=img.id, score=1.0, threshold=0.5, verdict="ng",
                         inspected_at=utcnow()))
    with pytest.raises(UserError, match="--force"):
        delete_image(project, admin, img.id)
    monkeypatch.setenv("INSPECTOR_PROJECT", str(project.root))
    assert main(["delete-image", str(img.id), "--force", "--operator", "admin"]) == 1
    assert "--reason" in capsys.readouterr().err  # the QA record goes only with a reason
    assert main(["delete-image", str(img.id), "--force", "--reason", "test shot",
                 "--operator", "admin"]) == 0
    with project.db.session() as s:
        assert s.scalars(select(Inspection)).first() is None


def test_the_audit_keeps_a_copy_of_the_deleted_qa_record(project, admin, actor):
    """After the delete nothing else says what the part's inspections were: the audit
    entry must (verdict, score, who, when, any override), with the reason."""
    img = _image(project, actor)
    label_image(project, actor, img.id, "defective", defect_type=None)
    with project.db.session() as s:
        s.add(Inspection(image_id=img.id, score=3.5, threshold=1.25, verdict="ng",
                         severity="critical", defect_type="crack", station="st2",
                         operator_id=actor.operator_id, inspected_at=utcnow(),
                         override_verdict="ok", override_reason="film",
                         override_by_id=admin.operator_id, override_at=utcnow()))
    with pytest.raises(UserError, match="reason"):
        delete_image(project, admin, img.id, force=True, reason="  ")
    delete_image(project, admin, img.id, force=True, reason="photo of the wrong part")
    with project.db.session() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "image.delete")).one()
        details = entry.details
    assert details["reason"] == "photo of the wrong part"
    (record,) = details["inspection_records"]
    assert (record["verdict"], record["score"], record["threshold"], record["severity"],
            record["defect_type"], record["station"]) == ("ng", 3.5, 1.25, "critical",
                                                          "crack", "st2")
    assert record["operator"] == actor.name and record["override_by"] == admin.name
    assert (record["override_verdict"], record["override_reason"]) == ("ok", "film")
    assert record["inspected_at"] is not None
    (lab,) = details["label_records"]
    assert (lab["verdict"], lab["operator"]) == ("defective", actor.name)


def test_a_delete_reason_is_cleaned_like_an_override_reason(project, admin) -> None:  # noqa: ANN001
    img = _image(project, admin, seed=4)
    with project.db.session() as s:
        s.add(Inspection(image_id=img.id, score=1.0, threshold=0.5, verdict="ng",
                         inspected_at=utcnow()))
    with pytest.raises(UserError, match="control characters"):
        delete_image(project, admin, img.id, force=True, reason="wrong \u202epart")
