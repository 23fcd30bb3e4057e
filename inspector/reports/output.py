"""Atomic output files and progress helpers shared by the exporters."""

from __future__ import annotations

import errno
import glob
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from inspector.errors import UserError
from inspector.fileio import replace_file

_FULL = {errno.ENOSPC, errno.EDQUOT}
_WRITE_ERRNOS = _FULL | {errno.EROFS, errno.EACCES, errno.EPERM}


def _about_output(exc: OSError, tmp: Path, path: Path) -> bool:
    """Whether the error is about writing the export (a full disk, a read-only or vanished
    share), not about reading the project, which would be a different story."""
    named = {str(tmp), str(path)}
    return exc.errno in _WRITE_ERRNOS or exc.filename in named or exc.filename2 in named


STALE_SECONDS = 3600  # an export killed this long ago is not coming back


def _remove_stale_temps(path: Path) -> None:
    """Temp files of earlier exports of ``path`` that were killed (power cut, SIGKILL)."""
    for old in path.parent.glob(f".{glob.escape(path.name[:100])}.*.tmp"):
        try:
            if time.time() - old.stat().st_mtime > STALE_SECONDS:
                old.unlink()
        except OSError:  # gone meanwhile, or not ours to remove: leave it
            continue


def output_path(path: Path) -> Path:
    """``path`` through its links, or a UserError if no file can be written there. Called
    before long work too: a bad --out or --json was found only after it (a benchmark's
    hour), or after a workbook had been started (which then printed a traceback)."""
    given = Path(path)
    path = Path(os.path.realpath(path))  # through a link to its file, never over the link
    if given.is_symlink() and not _own_link(given, path):
        raise UserError(f"{given} is a link to {path}; an export follows a link only to a "
                        f"file of the same type in the same folder (or below it). Give "
                        "that file's own path, or another name")
    if not path.parent.is_dir():
        raise UserError(f"folder does not exist: {path.parent}")
    if path.is_dir():
        raise UserError(f"{path} is a folder; give a file name")
    if path.exists() and not path.is_file():
        raise UserError(f"{path} is not a regular file (a device or a pipe); give a file name")
    if not os.access(path.parent, os.W_OK):
        raise UserError(f"cannot write in {path.parent} (read-only, or no permission)")
    return path


def _own_link(link: Path, target: Path) -> bool:
    """A link in a shared export folder may have been planted by anyone who can write
    there: "report.csv" pointing at a settings file had that file overwritten by the CSV.
    A link such as latest.csv -> 2026/11.csv, same type and below its folder, is followed."""
    folder = Path(os.path.realpath(link.parent))
    return (target.suffix.casefold() == link.suffix.casefold()
            and target.is_relative_to(folder))


@contextmanager
def atomic_output(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success fsync it and move it into place.

    A failed or cancelled export removes the temporary file and leaves any existing
    ``path`` untouched, so a half-written report never appears.
    """
    path = output_path(path)
    _remove_stale_temps(path)
    # A short name of its own: the file name plus 14 characters passed the system's limit
    # of 255 for a legal name of 242 or more.
    tmp = path.with_name(f".{path.name[:100]}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        _move_into_place(tmp, path)
    except BaseException as exc:
        with suppress(OSError):  # its own error would hide the real one
            tmp.unlink(missing_ok=True)
        if isinstance(exc, HeldOpenError):
            raise
        write_error = _write_error_behind(exc, tmp, path)
        if write_error is None:
            raise
        why = (
            "the disk is full"
            if write_error.errno in _FULL
            else (write_error.strerror or str(write_error))
        )
        raise UserError(f"cannot write {path}: {why}") from exc


# Only Windows refuses to replace a file because a program has it open; elsewhere a
# PermissionError is a real permission problem and is reported as one.
OPEN_FILES_BLOCK_REPLACE = os.name == "nt"


class HeldOpenError(UserError):
    """The report file is open in another program, which Windows will not let be replaced."""


def _move_into_place(tmp: Path, path: Path) -> None:
    """Windows refuses to replace a file a program holds open (a PDF viewer, Excel), with
    PermissionError: that is a matter of closing it there, not of permissions."""
    try:
        replace_file(tmp, path)
    except PermissionError as exc:
        if not OPEN_FILES_BLOCK_REPLACE or not path.exists():
            raise
        raise HeldOpenError(
            f"cannot write {path}: the file is open in another program (a PDF viewer or "
            f"Excel?). Close {path.name} there and try again; the old file was left as it was"
        ) from exc


def _write_error_behind(exc: BaseException, tmp: Path, path: Path) -> OSError | None:
    """The failed write of the export behind ``exc``, if any. A library cleaning up
    after a full disk may fail again in its own way (matplotlib's PDF writer then
    raises a zlib "inconsistent stream state"), which would hide the real cause."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and _about_output(current, tmp, path):
            return current
        if not isinstance(current, Exception):  # Ctrl+C, cancel: never a disk error
            return None
        current = current.__cause__ or current.__context__
    return None
