"""Two stations act on the same model version at once: a version is never left both
active and deleted, with the product lacking a usable model."""

from __future__ import annotations

from pathlib import Path

import pytest
from engine_fixtures import write_parts

from inspector.errors import UserError
from inspector.services import models, training
from inspector.services.importing import import_paths
from inspector.services.project import Project


@pytest.fixture
def two_versions(project, admin, tmp_path: Path):  # noqa: ANN001, ANN201
    from inspector.services.model_records import make_only_active
    from inspector.store.models import ModelRecord

    import_paths(project, admin, write_parts(tmp_path / "good", 5, 0, size=96),
                 labels_from_folders=True)
    training.train(project, admin, preset="fast")
    with project.db.session() as s:  # v2: the same file retrained, active; v1 waits
        v1 = s.query(ModelRecord).one()
        fields = {c.name: getattr(v1, c.name) for c in ModelRecord.__table__.columns
                  if c.name not in ("id", "version", "active")}
        v2 = ModelRecord(**fields, version=2, active=False)
        s.add(v2)
        s.flush()
        make_only_active(s, v2)
    return project


def _states(project) -> list[tuple[int, bool, bool]]:  # noqa: ANN001
    from inspector.store.models import ModelRecord

    with project.db.session() as s:
        return sorted((r.version, r.active, r.deleted) for r in s.query(ModelRecord))


def test_a_delete_that_an_activation_overtook_is_refused(two_versions, admin,
                                                         monkeypatch) -> None:  # noqa: ANN001
    project = two_versions
    other = Project.open(project.root)  # the second station
    real = models.record_by_version
    done: list[int] = []

    def read_then_activate_elsewhere(session, version):  # noqa: ANN001, ANN202
        rec = real(session, version)  # station 1 has read v1, inactive...
        if not done:  # ...and station 2 activates it before station 1 writes
            done.append(0)
            done[0] = models.activate_model(other, admin, 1).version
        return rec

    monkeypatch.setattr(models, "record_by_version", read_then_activate_elsewhere)
    with pytest.raises(UserError, match="is active"):
        models.delete_model(project, admin, 1)
    other.close()
    assert done == [1] and _states(project) == [(1, True, False), (2, False, False)]


def test_an_activation_that_a_delete_overtook_is_refused(two_versions, admin) -> None:  # noqa: ANN001
    from inspector.services.model_records import make_only_active, record_by_version

    project = two_versions
    with project.db.session() as s:
        rec = record_by_version(s, 1)  # station 2 read v1, not deleted...
        models.delete_model(Project.open(project.root), admin, 1)  # ...station 1 deletes
        with pytest.raises(UserError, match="deleted meanwhile"):
            make_only_active(s, rec)
        s.rollback()
    assert _states(project) == [(1, False, True), (2, True, False)]


def test_a_qa_lead_demoted_since_sign_in_trains_a_waiting_version(project, admin,
                                                                  tmp_path: Path) -> None:  # noqa: ANN001
    """The GUI keeps one sign-in a shift: the role read then decided whether a new
    version went live, so a demoted QA lead still replaced the line's model."""
    from inspector.services.operators import add_operator, set_role
    from inspector.services.session import sign_in

    import_paths(project, admin, write_parts(tmp_path / "good", 5, 0, size=96),
                 labels_from_folders=True)
    training.train(project, admin, preset="fast")
    add_operator(project, admin, "lena", "qa_lead")
    lena = sign_in(project, "lena")
    set_role(project, admin, "lena", "operator")
    v2 = training.train(project, lena, preset="fast")
    assert not v2.active and _states(project) == [(1, True, False), (2, False, False)]
