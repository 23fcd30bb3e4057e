"""Restoring an automatic backup after a crash: the leftover write-ahead log must not be
replayed onto the restored database (that mixed two states and broke an index)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time

import numpy as np
import pytest

from inspector.cli.main import main
from inspector.errors import PermissionDenied, UserError
from inspector.services.backups import list_backups, restore_backup
from inspector.services.importing import import_array
from inspector.services.labeling import list_images
from inspector.services.project import Project, init_project
from inspector.services.session import sign_in
from inspector.store import migrate

CRASH = """
import os, sqlite3, sys
con = sqlite3.connect(sys.argv[1])
con.execute("PRAGMA journal_mode=WAL")
con.execute("INSERT INTO settings (key, value, updated_at) "
            "VALUES ('hot_folder', '\\"/line/after\\"', '2026-11-27 12:00:00')")
con.commit()
os._exit(0)  # a power cut: no checkpoint, inspector.db-wal keeps the change
"""


@pytest.fixture
def crashed(tmp_path):
    """A project with a backup of 2 images, then 3 more images and a crash after a write."""
    root = tmp_path / "line1"
    project = init_project(root, "admin")
    admin = sign_in(project, "admin")
    for i in range(2):
        import_array(project, admin, np.full((16, 16, 3), i, np.uint8), source="file")
    backup = root / "backups" / "inspector-20261127-120000-rev0004.db"
    migrate.backup_sqlite(project.db_path, backup)
    for i in range(2, 5):
        import_array(project, admin, np.full((16, 16, 3), i, np.uint8), source="file")
    project.close()
    subprocess.run([sys.executable, "-c", CRASH, str(root / "inspector.db")], check=True)
    assert (root / "inspector.db-wal").stat().st_size > 0
    return root, backup


def _admin(project):  # noqa: ANN001, ANN202
    return sign_in(project, "admin")


def test_restore_brings_back_exactly_the_backup_and_keeps_the_replaced_files(crashed):
    root, backup = crashed
    aside = restore_backup(root, backup, sign_in=_admin)
    assert "inspector.db" in {p.name for p in aside.iterdir()}
    with Project.open(root) as project:
        assert len(list_images(project)) == 2
        assert project.get_setting("hot_folder") in (None, "")  # written after the backup
        with project.db.session() as s:
            from sqlalchemy import text

            assert s.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
            actions = [r[0] for r in s.execute(text("SELECT action FROM audit_log"))]
            detail, by = s.execute(text("SELECT details, operator_name FROM audit_log "
                                        "WHERE action = 'project.restore'")).one()
        assert "project.restore" in actions and by == "admin"  # shown as who, not "-"
        assert '"signed_in": "admin"' in detail and '"computer"' in detail
    # nothing was lost: the replaced state opens on its own, with its log replayed
    con = sqlite3.connect(aside / "inspector.db")
    try:
        assert con.execute("SELECT count(*) FROM images").fetchone()[0] == 5
    finally:
        con.close()


def test_backups_are_listed_and_bad_ones_refused(crashed, tmp_path):
    root, backup = crashed
    assert [b.path for b in list_backups(root)] == [backup]
    assert list_backups(root)[0].revision == migrate.head_revision()
    junk = root / "backups" / "inspector-junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(UserError, match="not a readable"):
        restore_backup(root, junk, sign_in=_admin)
    empty = root / "backups" / "inspector-empty.db"
    empty.write_bytes(b"")  # reads as an empty database: restoring it wiped the project
    other = root / "backups" / "inspector-other.db"
    with sqlite3.connect(other) as con:  # a database, but not an Inspector project
        con.execute("CREATE TABLE notes (text)")
    con.close()
    for path in (empty, other):
        with pytest.raises(UserError, match="holds no Inspector project"):
            restore_backup(root, path, sign_in=_admin)
    with pytest.raises(UserError, match="no backup file"):
        restore_backup(root, root / "backups" / "missing.db", sign_in=_admin)
    stick = tmp_path / "usb" / backup.name  # a file from elsewhere: copied in by hand first
    stick.parent.mkdir()
    stick.write_bytes(backup.read_bytes())
    with pytest.raises(UserError, match="only backups in"):
        restore_backup(root, stick, sign_in=_admin)
    with pytest.raises(UserError, match="an admin must sign in"):
        restore_backup(root, backup)  # the project still opens: a choice, not a rescue
    with Project.open(root) as project:
        from inspector.services.operators import add_operator

        add_operator(project, sign_in(project, "admin"), "olga", role="qa_lead")
    with pytest.raises(PermissionDenied):
        restore_backup(root, backup, sign_in=lambda p: sign_in(p, "olga"))
    with Project.open(root) as project:  # a refused restore moved nothing
        assert len(list_images(project)) == 5
    # reading the backups left nothing beside them (SQLite's -shm / -wal files)
    assert sorted(p.name for p in (root / "backups").iterdir()) == sorted(
        p.name for p in (backup, junk, empty, other))


def test_cli_restore_and_the_damaged_database_hint(crashed, capsys):
    root, backup = crashed
    (root / "inspector.db").write_bytes(b"")  # emptied by a failing disk
    assert main(["images", "--project", str(root), "--operator", "admin"]) == 1
    err = capsys.readouterr().err
    assert "inspector restore" in err and backup.name in err
    assert main(["restore", str(backup), "--project", str(root)]) == 0
    assert "restored" in capsys.readouterr().out
    assert main(["images", "--project", str(root), "--operator", "admin", "--json"]) == 0


def test_stale_half_written_backups_are_removed(tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    old, fresh = folder / "inspector-x.1234.partial", folder / "inspector-y.5678.partial"
    for path in (old, fresh):
        path.write_bytes(b"half")
    past = time.time() - 7200
    os.utime(old, (past, past))
    project = init_project(tmp_path / "p", "admin")
    project.close()
    migrate.backup_sqlite(tmp_path / "p" / "inspector.db", folder / "inspector-new.db")
    assert not old.exists() and fresh.exists() and (folder / "inspector-new.db").exists()


def test_two_restores_in_one_second_keep_both_replaced_databases(crashed):
    """The folder for the replaced database was named to the second and reused: the
    second restore overwrote the only copy of the latest data the first had kept."""
    root, backup = crashed
    first = restore_backup(root, backup, sign_in=_admin)
    second = restore_backup(root, backup, sign_in=_admin)
    assert first != second and first.parent == second.parent
    counts = []
    for aside in (first, second):
        con = sqlite3.connect(aside / "inspector.db")
        try:
            counts.append(con.execute("SELECT count(*) FROM images").fetchone()[0])
        finally:
            con.close()
    assert counts == [5, 2]  # the crashed state, then the restored one


def test_a_database_damaged_inside_a_table_is_rescued_without_a_sign_in(crashed):
    """Opening reads only the schema version, so a damaged operators table still
    opened, and restore asked for an admin sign-in that the damage made impossible."""
    root, backup = crashed
    db = root / "inspector.db"
    con = sqlite3.connect(db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page = con.execute("SELECT rootpage FROM sqlite_master WHERE name = 'operators'"
                       ).fetchone()[0]
    size = con.execute("PRAGMA page_size").fetchone()[0]
    con.close()
    with open(db, "r+b") as f:
        f.seek((page - 1) * size)
        f.write(b"\xde\xad" * (size // 2))
    Project.open(root).close()  # it still opens: the damage is inside a table

    def cannot_sign_in(_project):  # noqa: ANN001, ANN202
        raise AssertionError("a damaged database must not ask for a sign-in")

    aside = restore_backup(root, backup, sign_in=cannot_sign_in)
    assert (aside / "inspector.db").is_file()
    with Project.open(root) as project:
        assert len(list_images(project)) == 2


def test_a_busy_database_is_busy_not_damaged_and_is_not_restored_over(crashed):
    """Another station held the database (rollback journal, as on a network share): it
    was reported as damaged, with the advice to restore, and the restore then ran with no
    sign-in while that station was writing."""
    root, backup = crashed
    Project.open(root).close()  # the crash's log replayed
    holder = sqlite3.connect(root / "inspector.db", isolation_level=None)
    holder.execute("PRAGMA journal_mode=DELETE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(UserError, match="is busy") as opened:
            Project.open(root)
        assert "restore" not in str(opened.value)
        with pytest.raises(UserError, match="is busy"):
            restore_backup(root, backup)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert not list((root / "backups").glob("replaced-*"))  # nothing was moved aside
    with Project.open(root) as project:
        assert len(list_images(project)) == 5


def test_a_database_from_a_newer_inspector_is_not_restored_without_an_admin(crashed):
    root, backup = crashed
    Project.open(root).close()
    con = sqlite3.connect(root / "inspector.db")
    con.execute("UPDATE alembic_version SET version_num = 'f00d'")  # written by a newer one
    con.commit()
    con.close()
    with pytest.raises(UserError, match="newer Inspector"):
        restore_backup(root, backup)
    assert not list((root / "backups").glob("replaced-*"))


def test_a_project_open_elsewhere_is_not_restored_over(crashed):
    """On Linux a process that had the project open went on writing into the database
    moved aside (its inspections and audit rows where nobody looks): refused instead."""
    root, backup = crashed
    holder = Project.open(root)  # a GUI or hot folder left running on this station
    try:
        with pytest.raises(UserError, match="open elsewhere"):
            restore_backup(root, backup, sign_in=_admin)
        assert len(list_images(holder)) == 5  # nothing moved: its work goes on in place
        assert not [p for p in (root / "backups").iterdir() if p.name.startswith("replaced")]
    finally:
        holder.close()
    restore_backup(root, backup, sign_in=_admin)  # closed: the restore goes ahead
    with Project.open(root) as project:
        assert len(list_images(project)) == 2


def test_a_file_system_without_locks_still_opens_and_restores(crashed, monkeypatch):
    """The open-lock is a guard: where the share refuses file locks (any error), the
    project opens and a restore goes on, as before the guard existed."""
    from inspector.store import open_lock

    def no_locks(_fd, _how):  # noqa: ANN001, ANN202
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(open_lock.fcntl, "flock", no_locks)
    root, backup = crashed
    with Project.open(root):
        pass
    restore_backup(root, backup, sign_in=_admin)


def test_the_data_check_leaves_nothing_beside_the_backups(crashed):
    """Reading which files a backup needs opened it read-write: -wal and -shm files
    appeared beside every backup after `inspector check`."""
    from inspector.services.integrity import check_project

    root, backup = crashed
    with Project.open(root) as project:
        check_project(project, _admin(project))
    assert sorted(p.name for p in backup.parent.iterdir()) == [backup.name]
