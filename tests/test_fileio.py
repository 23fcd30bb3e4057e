"""Atomic writes: all or nothing, no temp files left, symlinks written through."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from inspector.fileio import atomic_write


def test_write_replace_and_no_leftovers(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "f.bin"
    atomic_write(target, b"one")
    atomic_write(target, b"two")
    assert target.read_bytes() == b"two"
    assert sorted(p.name for p in target.parent.iterdir()) == ["f.bin"]


def test_failed_write_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "f.bin"
    target.write_bytes(b"old")

    def full_disk(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("inspector.fileio.os.fsync", full_disk)
    with pytest.raises(OSError):
        atomic_write(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.bin"]


def test_symlink_is_written_through_not_replaced(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text("{}")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    atomic_write(link, b'{"a": 1}')
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_bytes() == b'{"a": 1}'


@pytest.mark.skipif(not hasattr(os, "fchmod"), reason="no POSIX permission bits")
def test_written_files_get_the_usual_permissions(tmp_path: Path) -> None:
    """Not the temp file's private 0600: the other stations' users of a shared project
    folder must be able to read its images and models."""
    umask = os.umask(0o022)
    os.umask(umask)
    new = tmp_path / "model.bin"
    atomic_write(new, b"one")
    assert new.stat().st_mode & 0o777 == 0o666 & ~umask
    kept = tmp_path / "report.pdf"
    kept.write_bytes(b"old")
    kept.chmod(0o640)  # a file someone restricted keeps its permissions
    atomic_write(kept, b"new")
    assert kept.stat().st_mode & 0o777 == 0o640


def test_the_folder_is_synced_after_the_rename(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               ) -> None:
    """After a power cut the database could name a model whose new name was not on disk
    yet: the folder holding the rename is synced too (POSIX)."""
    import os
    import stat

    if os.name == "nt":
        pytest.skip("Windows cannot open a folder to sync it; NTFS journals renames")
    synced: list[str] = []
    real = os.fsync

    def fsync(fd: int) -> None:
        synced.append("folder" if stat.S_ISDIR(os.fstat(fd).st_mode) else "file")
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    atomic_write(tmp_path / "m.bin", b"model")
    assert synced == ["file", "folder"]
