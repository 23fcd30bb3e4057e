"""A project database on a network share: detected (Windows and Linux, simulated) and
opened with SQLite's rollback journal, because WAL corrupts across computers."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from inspector.services import integrity
from inspector.services.project import Project, init_project
from inspector.store import db as store_db
from inspector.store import shares
from inspector.store.shares import DRIVE_REMOTE, linux_share, windows_share

MOUNTS = """\
/dev/sda1 / ext4 rw,relatime 0 0
tmpfs /tmp tmpfs rw 0 0
//files/line1 /mnt/share cifs rw,vers=3.1.1 0 0
filer:/export /mnt/nfs nfs4 rw 0 0
bob@host:/data /mnt/ssh\\040dir fuse.sshfs rw 0 0
/dev/sdb1 /mnt/share/usb vfat rw 0 0
"""


def _drive(kinds: dict[str, int]):  # noqa: ANN202
    return lambda root: kinds.get(root, 3)  # 3: DRIVE_FIXED


@pytest.mark.parametrize(
    "path, expected",
    [
        (r"\\files\line1\project", r"SMB share \\files\line1"),
        (r"\\?\UNC\files\line1\project\inspector.db", r"SMB share \\files\line1"),
        ("//files/line1/project", r"SMB share \\files\line1"),
        (r"Z:\line1\inspector.db", "network drive Z:"),
        (r"z:\line1", "network drive Z:"),
        (r"\\?\Z:\line1", "network drive Z:"),
        (r"C:\Users\qa\Inspector\default\inspector.db", None),
        (r"\\?\C:\very\long\path", None),
    ],
)
def test_windows_unc_paths_and_mapped_drives_are_shares(path, expected) -> None:
    assert windows_share(path, _drive({"Z:\\": DRIVE_REMOTE})) == expected


@pytest.mark.parametrize(
    "path, expected",
    [
        ("/mnt/share/line1/inspector.db", "cifs mount /mnt/share"),
        ("/mnt/share", "cifs mount /mnt/share"),
        ("/mnt/nfs/p/inspector.db", "nfs4 mount /mnt/nfs"),
        ("/mnt/ssh dir/p", "fuse.sshfs mount /mnt/ssh dir"),
        ("/mnt/share/usb/p", None),  # a USB stick mounted inside the share is local
        ("/mnt/sharepoint/p", None),  # a prefix of the name is not the mount point
        ("/tmp/p/inspector.db", None),
        ("/home/qa/p", None),
    ],
)
def test_linux_network_file_systems_come_from_proc_mounts(path, expected) -> None:
    assert linux_share(path, MOUNTS) == expected


def test_no_answer_counts_as_local(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(shares.sys, "platform", "darwin")
    assert shares.network_share(tmp_path) is None


def _on_a_share(monkeypatch, root: Path) -> None:
    """Everything under ``root`` reads as a mapped network drive."""
    monkeypatch.setattr(
        store_db,
        "network_share",
        lambda p: "network drive Z:" if Path(p).is_relative_to(root) else None,
    )


def _journal(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        conn.close()


def test_a_project_on_a_share_uses_the_rollback_journal(monkeypatch, tmp_path, caplog):
    root = tmp_path / "share" / "line1"
    _on_a_share(monkeypatch, tmp_path / "share")
    with caplog.at_level(logging.WARNING, logger="inspector.store.db"):
        init_project(root, "boss").close()
    assert "network share (network drive Z:)" in caplog.text
    assert "one station at a time" in caplog.text
    assert _journal(root / "inspector.db") == "delete"
    with Project.open(root) as project:
        assert project.db.network_share == "network drive Z:"
        with project.db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert not (root / "inspector.db-wal").exists()


def test_a_local_project_moved_onto_a_share_leaves_wal(monkeypatch, tmp_path) -> None:
    root = tmp_path / "p"
    init_project(root, "boss").close()
    assert _journal(root / "inspector.db") == "wal"
    _on_a_share(monkeypatch, tmp_path)
    with Project.open(root) as project:
        with project.db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "delete"
        rep = integrity.check_project(project, None)
    assert any("network share (network drive Z:)" in n for n in rep.notes)
    assert _journal(root / "inspector.db") == "delete"


def test_a_project_held_open_in_wal_elsewhere_still_opens(monkeypatch, tmp_path, caplog):
    """A process on the file server holding the file in WAL: leaving WAL is impossible
    then; the station opens the project anyway and the log says why it stayed WAL."""
    root = tmp_path / "p"
    init_project(root, "boss").close()
    holder = sqlite3.connect(root / "inspector.db")
    holder.execute("BEGIN")
    holder.execute("SELECT count(*) FROM operators").fetchone()
    _on_a_share(monkeypatch, tmp_path)
    try:
        with caplog.at_level(logging.WARNING, logger="inspector.store.db"):
            with Project.open(root) as project, project.db.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        holder.close()
    assert "another program has the database open" in caplog.text


def test_a_local_project_keeps_wal(tmp_path) -> None:
    with init_project(tmp_path / "p", "boss") as project:
        assert project.db.network_share is None
    assert _journal(tmp_path / "p" / "inspector.db") == "wal"


def test_a_project_reached_through_a_link_is_judged_where_it_lies(monkeypatch, tmp_path):
    """A project folder that is a symbolic link into a share mount is on the share: the
    mount table names the real path, not the link's."""
    mount = tmp_path / "mnt" / "nfs"
    (mount / "project").mkdir(parents=True)
    link = tmp_path / "project"
    try:
        link.symlink_to(mount / "project", target_is_directory=True)
    except OSError:
        pytest.skip("symbolic links are not allowed here")
    monkeypatch.setattr(shares.sys, "platform", "linux")
    seen: list[str] = []
    monkeypatch.setattr(
        shares,
        "linux_share",
        lambda path, _mounts: (
            seen.append(path) or linux_share(path, f"filer:/export {mount} nfs4 rw 0 0\n")
        ),
    )
    assert shares.network_share(link / "inspector.db") == f"nfs4 mount {mount}"
    assert seen == [str(mount / "project" / "inspector.db")]
