"""Windows refuses to replace or move a file another program holds open: ``os.replace``
raises PermissionError (WinError 5 / 32, errno 13). Simulated here by making
``os.replace`` fail that way for the held file: a short hold is waited out, a long one
is a clear message, and nothing is lost either way."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import numpy as np
import pytest
from reports_data import make_db

from inspector import fileio
from inspector.errors import UserError
from inspector.fileio import atomic_write
from inspector.reports import ReportFilters, output
from inspector.reports.csv_export import export_csv
from inspector.services.backups import restore_backup
from inspector.services.importing import import_array
from inspector.services.project import Project, init_project
from inspector.services.session import sign_in
from inspector.store import migrate

REAL_REPLACE = os.replace


def _hold(monkeypatch, held: Path, times: int | None = None) -> list[int]:  # noqa: ANN001
    """``os.replace`` onto or away from ``held`` fails like on Windows, ``times`` times
    (None: always); returns a list that counts the refusals."""
    refused: list[int] = []

    def replace(src, dst):  # noqa: ANN001, ANN202
        if held in (Path(src), Path(dst)) and (times is None or len(refused) < times):
            refused.append(1)
            raise PermissionError(13, "Access is denied", str(src), None, str(dst))
        return REAL_REPLACE(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(fileio, "REPLACE_RETRY_DELAYS_S", (0.0, 0.0, 0.0))
    return refused


def test_a_file_held_for_a_moment_is_written_after_a_retry(tmp_path, monkeypatch) -> None:
    target = tmp_path / "model.bin"
    target.write_bytes(b"old")
    refused = _hold(monkeypatch, target, times=2)  # e.g. an antivirus scanning it
    atomic_write(target, b"new")
    assert target.read_bytes() == b"new" and len(refused) == 2
    assert [p.name for p in tmp_path.iterdir()] == ["model.bin"]


def test_a_file_held_for_good_keeps_its_content_and_leaves_no_temp(tmp_path, monkeypatch):
    target = tmp_path / "model.bin"
    target.write_bytes(b"old")
    refused = _hold(monkeypatch, target)
    with pytest.raises(PermissionError):
        atomic_write(target, b"new")
    assert len(refused) == 4  # the first try and three retries
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["model.bin"]


def test_no_retries_where_a_permission_error_is_a_real_one(tmp_path, monkeypatch) -> None:
    refused = _hold(monkeypatch, tmp_path / "f.bin")
    monkeypatch.setattr(fileio, "REPLACE_RETRY_DELAYS_S", ())  # Linux, macOS
    with pytest.raises(PermissionError):
        atomic_write(tmp_path / "f.bin", b"x")
    assert len(refused) == 1


def _export_over_a_held_report(tmp_path: Path, monkeypatch, windows: bool) -> str:  # noqa: ANN001
    """Export March's CSV over a report.csv whose replace is refused; the error text."""
    db = make_db(tmp_path / "r.db")
    out = tmp_path / "report.csv"
    out.write_bytes(b"yesterday's report")
    _hold(monkeypatch, out)  # Excel holds report.csv
    monkeypatch.setattr(output, "OPEN_FILES_BLOCK_REPLACE", windows)
    march = ReportFilters.for_days(dt.date(2024, 3, 1), dt.date(2024, 3, 31), tz="UTC")
    try:
        with pytest.raises(UserError, match="cannot write") as err:
            export_csv(db, march, out)
    finally:
        db.dispose()
    assert out.read_bytes() == b"yesterday's report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.db", "report.csv"]
    return str(err.value)


def test_a_report_open_in_another_program_says_close_it(tmp_path, monkeypatch) -> None:
    message = _export_over_a_held_report(tmp_path, monkeypatch, windows=True)
    assert "open in another program" in message
    assert "Close report.csv there and try again" in message


def test_elsewhere_a_refused_report_is_a_permission_problem(tmp_path, monkeypatch) -> None:
    """Linux and macOS never refuse a replace because a viewer has the file open: telling
    the user to close it there would send them looking for a program that is not it."""
    message = _export_over_a_held_report(tmp_path, monkeypatch, windows=False)
    assert "open in another program" not in message


@pytest.fixture
def backed_up(tmp_path):  # noqa: ANN001, ANN201
    """A project of 2 images with a backup taken after the first."""
    root = tmp_path / "line1"
    with init_project(root, "admin") as project:
        admin = sign_in(project, "admin")
        import_array(project, admin, np.zeros((16, 16, 3), np.uint8), source="file")
        backup = root / "backups" / "inspector-20261127-120000-rev0004.db"
        migrate.backup_sqlite(project.db_path, backup)
        import_array(project, admin, np.ones((16, 16, 3), np.uint8), source="file")
    return root, backup


def _images(root: Path) -> int:
    with Project.open(root) as project, project.db.session() as s:
        from sqlalchemy import text

        return s.execute(text("SELECT count(*) FROM images")).scalar_one()


def test_a_restore_refused_by_a_station_holding_the_database_changes_nothing(
    backed_up, monkeypatch
) -> None:
    root, backup = backed_up
    _hold(monkeypatch, root / "inspector.db")
    with pytest.raises(UserError, match="close Inspector on every station") as err:
        restore_backup(root, backup, sign_in=lambda p: sign_in(p, "admin"))
    assert "by hand" not in str(err.value)
    assert not list(root.glob(".inspector.db.*"))
    monkeypatch.undo()
    assert _images(root) == 2


def test_a_restore_that_cannot_put_the_database_back_says_where_it_is(
    backed_up, monkeypatch
) -> None:
    """Moved aside, then the copy cannot take its place and the original cannot go back
    either (a station grabbed the name meanwhile): the message says where it lies."""
    root, backup = backed_up
    db = root / "inspector.db"
    refused: list[int] = []

    def replace(src, dst):  # noqa: ANN001, ANN202
        if Path(dst) == db:
            refused.append(1)
            raise PermissionError(13, "Access is denied", str(src), None, str(dst))
        return REAL_REPLACE(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(fileio, "REPLACE_RETRY_DELAYS_S", ())
    with pytest.raises(UserError, match="put inspector.db back from .*replaced-.* by hand"):
        restore_backup(root, backup, sign_in=lambda p: sign_in(p, "admin"))
    assert len(refused) == 2 and not db.exists()
    assert not list(root.glob(".inspector.db.*"))


def _hold_unlink(monkeypatch, held: Path) -> None:  # noqa: ANN001
    """Deleting ``held`` fails like on Windows while a viewer has it open."""
    real = Path.unlink

    def unlink(self, missing_ok=False):  # noqa: ANN001, ANN202
        if self == held:
            raise PermissionError(13, "Access is denied", str(self))
        return real(self, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", unlink)


def test_deleting_an_image_whose_file_is_open_elsewhere_still_deletes_it(
    project, admin, monkeypatch
) -> None:
    """The record goes (the deletion is audited already); the file is a leftover that
    ``inspector check --remove-orphans`` removes later, not a traceback."""
    from inspector.services.data import delete_image
    from inspector.services.labeling import list_images
    from inspector.store.models import Image

    info = import_array(project, admin, np.full((16, 16, 3), 7, np.uint8), source="file")
    with project.db.session() as s:
        rel = s.get(Image, info.id).store_path
    stored = project.images.path(rel)
    _hold_unlink(monkeypatch, stored)
    details = delete_image(project, admin, info.id)
    assert details["files_left"] == [rel]
    assert list_images(project) == [] and stored.exists()


def test_a_purge_keeps_a_picture_open_elsewhere_for_next_time(project, admin, monkeypatch) -> None:
    from sqlalchemy import select

    from inspector.services.retention import purge_images
    from inspector.store.models import Image, Inspection, utcnow

    old = utcnow() - dt.timedelta(days=100)
    ids = [
        import_array(project, admin, np.full((16, 16, 3), i, np.uint8), source="camera").id
        for i in range(2)
    ]
    with project.db.session() as s:
        for image_id in ids:
            s.get(Image, image_id).imported_at = old
            s.add(
                Inspection(
                    image_id=image_id, score=1.0, threshold=2.0, verdict="ok", inspected_at=old
                )
            )
        paths = {i: project.images.path(s.get(Image, i).store_path) for i in ids}
    _hold_unlink(monkeypatch, paths[ids[0]])
    rep = purge_images(project, admin, 30)
    assert rep.image_ids == [ids[1]] and rep.held == [ids[0]]
    assert "1 picture(s) open in another program were kept" in rep.summary()
    assert paths[ids[0]].exists() and not paths[ids[1]].exists()
    with project.db.session() as s:
        assert s.get(Image, ids[0]).purged_at is None
    monkeypatch.undo()
    assert purge_images(project, admin, 30).image_ids == [ids[0]]  # next time it goes
    with project.db.session() as s:
        assert s.scalars(select(Image).where(Image.purged_at.is_(None))).all() == []
