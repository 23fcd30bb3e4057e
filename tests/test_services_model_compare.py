"""A version re-judges the line's recent parts before a QA lead activates it."""

from __future__ import annotations

import pytest
from engine_fixtures import write_parts

from inspector.errors import Cancelled, PermissionDenied
from inspector.progress import CancelToken
from inspector.services import inspection, models, training
from inspector.services.importing import import_paths
from inspector.services.model_compare import compare_on_recent
from inspector.services.operators import add_operator
from inspector.services.products import add_product
from inspector.services.project import init_project
from inspector.services.session import sign_in


@pytest.fixture(scope="module")
def line(tmp_path_factory):  # noqa: ANN001, ANN201
    """Model v1 inspected 3 good and 3 defective parts; v2 is the same model, untouched."""
    root, data = tmp_path_factory.mktemp("proj"), tmp_path_factory.mktemp("data")
    project = init_project(root / "p", "admin")
    admin = sign_in(project, "admin")
    add_operator(project, admin, "olga", role="operator")
    add_product(project, admin, "disc")
    write_parts(data / "train" / "good", 6, 0)
    write_parts(data / "train" / "scratch", 1, 500, defect=True)
    import_paths(project, admin, [data / "train"], product="disc", labels_from_folders=True)
    v1 = training.train(project, admin, product="disc", preset="fast")
    good = write_parts(data / "test" / "good", 3, 100)
    bad = write_parts(data / "test" / "bad", 3, 600, defect=True)
    batch = inspection.inspect_paths(project, admin, good + bad, product="disc")
    v2 = training.train(project, admin, product="disc", preset="fast")
    models.activate_model(project, admin, v1.version)
    yield project, admin, v1, v2, batch
    project.close()


def test_the_same_model_agrees_with_its_own_verdicts(line) -> None:  # noqa: ANN001
    project, admin, v1, _, batch = line
    steps = []
    result = compare_on_recent(project, admin, v1.version, progress=steps.append)
    assert result.parts == 6 and result.agree == 6
    assert not (result.newly_rejected or result.newly_passed or result.other_changes)
    assert steps[-1].fraction == 1.0
    assert "agrees with 6" in result.describe()
    assert {i.verdict for i in batch.inspections} == {"ok", "ng"}  # a real mix to compare


def test_a_stricter_or_looser_version_names_the_parts_that_change(line) -> None:  # noqa: ANN001
    project, admin, v1, v2, batch = line
    rejected = [i for i in batch.inspections if i.verdict == "ng"]
    passed = [i for i in batch.inspections if i.verdict == "ok"]
    models.set_threshold(project, admin, v2.version, 1e9, None)  # passes everything
    looser = compare_on_recent(project, admin, v2.version)
    assert {c.inspection_id for c in looser.newly_passed} == {i.id for i in rejected}
    assert looser.agree == len(passed) and not looser.newly_rejected
    assert f"would pass {len(rejected)} that were rejected" in looser.describe()
    assert rejected[0].image_name in looser.describe()

    models.set_threshold(project, admin, v2.version, 1e-9, None)  # rejects everything
    inspection.override_verdict(project, admin, rejected[0].id, "ok", "dust, wiped off")
    stricter = compare_on_recent(project, admin, v2.version)
    assert {c.inspection_id for c in stricter.newly_rejected} == (
        {i.id for i in passed} | {rejected[0].id})  # the person's OK is what counts
    assert (stricter.person_set, stricter.person_agreed) == (1, 0)
    assert "Of 1 verdict(s) a QA lead set, it agrees with 0." in stricter.describe()
    models.set_threshold(project, admin, v2.version, v1.threshold, None)
    assert compare_on_recent(project, admin, v2.version, parts=2).parts == 2


def test_a_damaged_picture_is_skipped_and_said(line) -> None:  # noqa: ANN001
    from inspector.store.models import Image

    project, admin, v1, _, _ = line
    newest = inspection.list_inspections(project, limit=1)[0]
    with project.db.session() as s:
        path = project.images.path(s.get(Image, newest.image_id).store_path)
    saved = path.read_bytes()
    try:
        path.write_bytes(saved[:-10] + b"0123456789")
        result = compare_on_recent(project, admin, v1.version)
        assert result.parts == 5 and len(result.skipped) == 1
        assert "damaged" in result.skipped[0] and "1 part(s) skipped" in result.describe()
    finally:
        path.write_bytes(saved)


def test_a_part_the_version_cannot_judge_is_skipped_not_the_end(line,
                                                                  monkeypatch) -> None:  # noqa: ANN001
    """A version whose region leaves under 8 px of a small picture raised ImageError from
    predict, which stopped the whole comparison."""
    from inspector.engine import DefectModel
    from inspector.errors import ImageError

    project, admin, v1, _, _ = line
    real, calls = DefectModel.predict, []

    def predict(self, rgb, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        calls.append(1)
        if len(calls) == 1:
            raise ImageError("image must be RGB HxWx3 and at least 8x8 px, got (6, 6, 3)")
        return real(self, rgb, *args, **kwargs)

    monkeypatch.setattr(DefectModel, "predict", predict)
    result = compare_on_recent(project, admin, v1.version)
    assert result.parts == 5 and len(result.skipped) == 1
    assert "at least 8x8 px" in result.skipped[0]


def test_only_qa_leads_compare_and_cancel_stops_it(line) -> None:  # noqa: ANN001
    project, _, v1, _, _ = line
    with pytest.raises(PermissionDenied):
        compare_on_recent(project, sign_in(project, "olga"), v1.version)
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        compare_on_recent(project, line[1], v1.version, cancel=token)
