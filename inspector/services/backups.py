"""Use case: list the automatic database backups and put one back safely.

Copying a backup over ``inspector.db`` by hand is not enough: after a crash SQLite's
write-ahead log (``inspector.db-wal``) still holds later changes, and the next open
replays them onto the copied file, which mixes two states of the project and can corrupt
its indexes. Restoring therefore moves the current database *and* its ``-wal`` / ``-shm``
files aside (nothing is deleted) before the backup is copied in. It works on a project
that no longer opens, so it needs no sign-in: it does what anyone with access to the
folder could do by hand, and records itself in the restored audit log.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from inspector.errors import UserError
from inspector.store import audit, migrate

DB_NAME = "inspector.db"
SIDE_FILES = ("-wal", "-shm", "-journal")


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    size: int
    modified: dt.datetime
    revision: str | None


def list_backups(root: Path) -> list[BackupInfo]:
    """The project's automatic backups (made before each database upgrade), newest first."""
    out = []
    for path in sorted((Path(root) / "backups").glob("inspector-*.db"), reverse=True):
        st = path.stat()
        try:
            revision = migrate.sqlite_revision(path)
        except sqlite3.Error:
            revision = "unreadable"
        out.append(BackupInfo(path, st.st_size,
                              dt.datetime.fromtimestamp(st.st_mtime, dt.UTC), revision))
    return out


def restore_backup(root: Path, backup: Path) -> Path:
    """Put ``backup`` in place of the project's database; returns the folder that now
    holds the replaced database and its log files. Close Inspector on every station first."""
    root, backup = Path(root), Path(backup)
    _check_backup(backup)
    aside = root / "backups" / f"replaced-{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S}"
    aside.mkdir(parents=True, exist_ok=True)
    db = root / DB_NAME
    moved = []
    try:
        for path in [db, *(db.with_name(DB_NAME + s) for s in SIDE_FILES)]:
            if path.exists():
                os.replace(path, aside / path.name)
                moved.append(path)
        tmp = db.with_name(f".{DB_NAME}.{uuid.uuid4().hex[:8]}.restore")
        shutil.copyfile(backup, tmp)
        os.replace(tmp, db)
    except OSError as exc:
        for path in moved:  # put back what was moved: the project stays as it was
            os.replace(aside / path.name, path)
        raise UserError(f"cannot restore {backup.name}: {exc.strerror or exc} (close "
                        "Inspector on every station that uses this project first)") from exc
    _record(root, backup, aside)
    return aside


def _check_backup(backup: Path) -> None:
    if not backup.is_file():
        raise UserError(f"no backup file {backup}")
    try:
        revision = migrate.sqlite_revision(backup)
        uri = quote(backup.resolve().as_posix(), safe="/:")
        conn = sqlite3.connect(f"file:{uri}?mode=ro", uri=True)
        try:
            ok = conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise UserError(f"{backup.name} is not a readable Inspector database: {exc}") from exc
    if not ok:
        raise UserError(f"{backup.name} is damaged itself (SQLite's check failed)")
    if revision is not None and not migrate.is_known_revision(revision):
        raise UserError(f"{backup.name} was written by a newer Inspector")


def _record(root: Path, backup: Path, aside: Path) -> None:
    """The restored project's audit log says what happened (it is upgraded on open)."""
    from inspector.services.project import Project

    with Project.open(root) as project, project.db.session() as s:
        audit.record(s, None, "project.restore", "project", None,
                     {"backup": backup.name, "replaced_kept_in": str(aside.relative_to(root))})
