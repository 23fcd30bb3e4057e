"""Is a path on a network file system (an SMB/CIFS or NFS share)?

SQLite's write-ahead log (WAL) keeps its index in shared memory, which only processes on
one computer can share: two stations opening the same ``inspector.db`` on a share in WAL
mode each see their own index and can corrupt the database (SQLite's "WAL does not work
over a network filesystem"). The store asks this module before choosing a journal mode.
Detection is best effort: an unknown answer counts as local.
"""

from __future__ import annotations

import ctypes
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

# Linux file-system types (``/proc/mounts``) whose files live on another computer.
NETWORK_FS_TYPES = frozenset(
    {
        "cifs",
        "smb3",
        "smbfs",
        "nfs",
        "nfs4",
        "ncpfs",
        "afs",
        "ceph",
        "glusterfs",
        "davfs",
        "fuse.sshfs",
        "fuse.glusterfs",
        "fuse.rclone",
        "fuse.davfs2",
        "fuse.cephfs",
    }
)
DRIVE_REMOTE = 4  # GetDriveTypeW's answer for a mapped network drive


def network_share(path: Path) -> str | None:
    """A short description of the share ``path`` lies on (e.g. ``SMB share
    \\\\server\\line1`` or ``cifs mount /mnt/share``), or None where it is local or unknown."""
    try:
        # Resolved: a project folder reached through a link (Linux) or a mapped drive
        # is judged by where its file really lies.
        text = os.path.realpath(path)
        if sys.platform == "win32":
            return windows_share(text, _drive_type)
        if sys.platform.startswith("linux"):
            with open("/proc/mounts", encoding="utf-8", errors="replace") as fh:
                return linux_share(text, fh.read())
    except (OSError, ValueError, AttributeError) as exc:  # no /proc, no kernel32
        log.debug("cannot tell whether %s is on a network share: %s", path, exc)
    return None


def windows_share(path: str, drive_type: Callable[[str], int]) -> str | None:
    """UNC paths (``\\\\server\\share``, ``\\\\?\\UNC\\server\\share``) and mapped network
    drives (``drive_type("Z:\\\\") == DRIVE_REMOTE``); ``\\\\?\\C:\\`` is a local drive."""
    text = path.replace("/", "\\")
    if text.startswith(("\\\\?\\", "\\\\.\\")):
        text = text[4:]
        if text[:4].upper() == "UNC\\":
            return f"SMB share \\\\{_server_and_share(text[4:])}"
    elif text.startswith("\\\\"):
        return f"SMB share \\\\{_server_and_share(text[2:])}"
    if len(text) >= 2 and text[1] == ":" and text[0].isalpha():
        drive = text[0].upper() + ":"
        if drive_type(drive + "\\") == DRIVE_REMOTE:
            return f"network drive {drive}"
    return None


def _server_and_share(rest: str) -> str:
    return "\\".join(rest.split("\\")[:2])


def _drive_type(root: str) -> int:
    return int(ctypes.windll.kernel32.GetDriveTypeW(root))  # type: ignore[attr-defined]


def linux_share(path: str, mounts: str) -> str | None:
    """The file system of the longest mount point holding ``path`` (``mounts`` is the text
    of ``/proc/mounts``), if it is a network one."""
    best, best_type = "", ""
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        point = _unescape(fields[1])
        inside = path == point or path.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):  # a later mount over the same point wins
            best, best_type = point, fields[2]
    if best_type in NETWORK_FS_TYPES or best_type.startswith("nfs"):
        return f"{best_type} mount {best}"
    return None


def _unescape(field: str) -> str:
    """/proc/mounts writes space, tab, newline and backslash in octal (``\\040``)."""
    for code, char in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        field = field.replace(code, char)
    return field
