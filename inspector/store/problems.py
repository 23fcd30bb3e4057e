"""What an error from the disk or the database means for the person at the station.

One place for both, so the CLI, the GUI and the services tell a full disk, a read-only
share, a busy or damaged database, an unreachable database server and a race between
stations apart the same way.
"""

from __future__ import annotations

import errno

from sqlalchemy.exc import IntegrityError

# How libpq / psycopg (PostgreSQL) word a server that is down, unreachable or went away.
_SERVER_GONE = ("connection to server", "connection failed", "connection is bad",
                "server closed the connection", "connection is lost", "connection is closed",
                "terminating connection", "could not connect")


def storage_problem(exc: BaseException) -> str | None:
    """"the disk is full" / "... not writable" when ``exc`` (a file or SQLite error) says
    so; None for anything else, which stays an internal error with its traceback."""
    errno_ = getattr(exc, "errno", None)
    text = str(getattr(exc, "orig", None) or exc).lower()
    if errno_ in (errno.ENOSPC, errno.EDQUOT) or "disk is full" in text:
        return "the disk is full"
    if errno_ in (errno.EACCES, errno.EPERM, errno.EROFS) or "readonly database" in text:
        return "the project folder is not writable"
    return None


def db_problem(exc: BaseException) -> str | None:
    """What a database error means for the person at the station, or None when it is
    not one of the expected ones (those stay internal errors, with a traceback logged)."""
    if (problem := storage_problem(exc)) is not None:
        return f"cannot write to the project: {problem}"
    text = str(getattr(exc, "orig", None) or exc).lower()
    # SQLite says "locked"; PostgreSQL ends one of two clashing writers with a deadlock
    # or serialization error, or a waiting one with its lock timeout: the same advice holds.
    if any(m in text for m in ("database is locked", "database is busy", "deadlock detected",
                               "could not serialize access", "lock timeout")):
        return ("the project is busy: another program or station is writing to it. Try "
                "again in a moment")
    if any(m in text for m in _SERVER_GONE):
        return ("the database server cannot be reached (network, or the server is down). "
                "Try again in a moment")
    if "malformed" in text or "file is not a database" in text:
        return ("the project database is damaged. Restore inspector.db from the newest file "
                "in the project's backups/ folder")
    if isinstance(exc, IntegrityError):
        return "another station changed the same data at the same moment. Try again"
    return None
