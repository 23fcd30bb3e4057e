"""Atomic file writes shared by every layer (image store, model files, artefacts, JSON),
and ``replace_file`` for moving a file into place where Windows may briefly refuse it.

A crash or a full disk mid-write must never leave a half-written file where a good one
was expected: write a temp file in the same folder, fsync, then ``os.replace``.
"""

from __future__ import annotations

import hashlib
import logging
import os
import stat
import tempfile
import time
from pathlib import Path

log = logging.getLogger(__name__)

# On Windows a file another program has open (an antivirus scanning the new temp file, the
# search indexer, a viewer) cannot be replaced or moved: os.replace raises PermissionError
# (WinError 5 or 32) until it lets go, usually within a second, so retrying briefly is the
# norm there. Elsewhere a PermissionError is a real permission problem: no retries.
REPLACE_RETRY_DELAYS_S: tuple[float, ...] = (0.05, 0.1, 0.2, 0.4, 0.8) if os.name == "nt" else ()


def replace_file(src: Path | str, dst: Path | str) -> None:
    """``os.replace``, retried briefly while another program holds either file (Windows);
    the last PermissionError propagates, with both files as they were."""
    for delay in REPLACE_RETRY_DELAYS_S:
        try:
            os.replace(src, dst)
            return
        except PermissionError as exc:
            log.debug("%s is held by another program, retrying: %s", dst, exc)
            time.sleep(delay)
    os.replace(src, dst)


def _read_umask() -> int:
    """The process umask. Read once, at import: os.umask can only be read by setting it,
    and a file another thread created in that moment would get the wrong permissions."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _read_umask()


def _mode_for(path: Path) -> int:
    """The permissions the written file gets: those of the file it replaces, else what a
    plain open() would give. mkstemp's temp file is private (0600), and a model, image or
    report left so could not be read by the other stations' users of a shared project
    folder, nor by a backup job running as another user."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return 0o666 & ~_UMASK


def _set_mode(fd: int, mode: int) -> None:
    """Best effort: a FAT USB stick or an SMB share may refuse permission changes (EPERM),
    and the data matters more than its bits there. Windows files have no such bits."""
    if not hasattr(os, "fchmod"):
        return
    try:
        os.fchmod(fd, mode)
    except OSError as exc:
        log.debug("cannot set permissions %o on a new file: %s", mode, exc)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temp file + fsync + replace; cleans up on failure."""
    path = Path(os.path.realpath(path))  # a symlink is written through, not replaced
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = _mode_for(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        _set_mode(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        replace_file(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    sync_folder(path.parent)


def sync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX): after a power cut the database could
    name a model or picture whose new name was not on disk yet. Windows cannot open a
    folder for this (NTFS journals renames), and a share may refuse: best effort."""
    if os.name == "nt":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError as exc:
        log.debug("cannot open %s to sync it: %s", folder, exc)
        return
    try:
        os.fsync(fd)
    except OSError as exc:
        log.debug("cannot sync %s: %s", folder, exc)
    finally:
        os.close(fd)


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB chunks (model files can be large)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
