"""Who has a SQLite project open: every process holds a shared lock on one file in the
project folder while it has the project open, and a restore takes the lock exclusively.

Why: a restore moves the database aside and puts the backup in its place. On Linux a
process that still had the old file open went on writing to it (inspections, labels,
audit rows) in the folder where nobody looks; Windows refuses the move instead. With the
lock, the restore is refused while anything else has the project open.

POSIX ``flock`` only; where it does not exist (Windows) or the file system does not
support it (some network shares), nothing is locked and the restore relies on the
operating system refusing to move an open file.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from pathlib import Path

from inspector.errors import UserError

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

LOCK_NAME = ".inspector-open.lock"


def _open(root: Path) -> int | None:
    """The lock file's descriptor (made if missing; read-only where the folder is), or
    None where it cannot be opened at all."""
    path = Path(root) / LOCK_NAME
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError:
        try:
            return os.open(path, os.O_RDONLY)  # flock works on a read-only descriptor
        except OSError as exc:
            log.debug("no open lock for %s: %s", root, exc)
            return None


class OpenLock:
    """A shared lock on the project's lock file, held while the project is open."""

    def __init__(self, root: Path) -> None:
        self._fd: int | None = None
        if fcntl is None:
            return
        fd = _open(root)
        if fd is None:
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise UserError(f"a backup is being restored into {root} right now: open the "
                            "project again when it is done") from None
        except OSError as exc:  # no locks on this file system (some network shares):
            os.close(fd)  # a guard that cannot be set must not stop the project opening
            log.debug("file locks not supported in %s: %s", root, exc)
            return
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the lock
            self._fd = None


@contextlib.contextmanager
def sole_user(root: Path) -> Iterator[bool]:
    """Hold the lock file exclusively for the block; yields False when another process
    (or another open project in this one) has the project open. True also where locks
    are not supported: there the caller cannot tell and goes on."""
    if fcntl is None:
        yield True
        return
    fd = _open(root)
    if fd is None:
        yield True
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        except OSError as exc:  # no locks here: the caller cannot tell, and goes on
            log.debug("file locks not supported in %s: %s", root, exc)
        yield True
    finally:
        os.close(fd)
