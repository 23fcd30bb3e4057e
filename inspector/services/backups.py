"""Use case: list the automatic database backups and put one back safely.

Copying a backup over ``inspector.db`` by hand is not enough: after a crash SQLite's
write-ahead log (``inspector.db-wal``) still holds later changes, and the next open
replays them onto the copied file, which mixes two states of the project and can corrupt
its indexes. Restoring therefore moves the current database *and* its ``-wal`` / ``-shm``
files aside (nothing is deleted) before the backup is copied in. It works on a project
that no longer opens, so then it needs no sign-in: it does what anyone with access to
the folder could do by hand. While the database still opens, an admin must sign in.
Only files in the project's ``backups/`` folder are taken (a file from a USB stick has
to be put there by hand first), and the restored audit log records who did it, from
which computer and account, and from which file.
"""

from __future__ import annotations

import datetime as dt
import getpass
import logging
import os
import shutil
import socket
import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from inspector.errors import DamagedProject, UserError
from inspector.fileio import replace_file, sync_folder
from inspector.store import audit, migrate, roles
from inspector.store.open_lock import sole_user

log = logging.getLogger(__name__)

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
    from inspector.services.project import require_sqlite_folder

    require_sqlite_folder(root, "listing database backups")  # SQLite files only
    out = []
    for path in sorted((Path(root) / "backups").glob("inspector-*.db"), reverse=True):
        st = path.stat()
        try:
            revision = migrate.sqlite_revision(path, immutable=True)
        except sqlite3.Error:
            revision = "unreadable"
        out.append(BackupInfo(path, st.st_size,
                              dt.datetime.fromtimestamp(st.st_mtime, dt.UTC), revision))
    return out


def restore_backup(root: Path, backup: Path, sign_in: Callable[[Any], Any] | None = None
                   ) -> Path:
    """Put ``backup`` in place of the project's database; returns the folder that now
    holds the replaced database and its log files. Close Inspector on every station first.
    ``sign_in(project)`` returns the actor; it is asked for only while the current
    database still opens, and that actor must be an admin."""
    from inspector.services.project import require_sqlite_folder

    root, backup = Path(root), Path(backup)
    require_sqlite_folder(root, "restoring a database backup")  # a SQLite file over inspector.db
    folder = (root / "backups").resolve()
    if backup.resolve().parent != folder:
        raise UserError(f"only backups in {root / 'backups'} can be restored; copy the file "
                        "there first")
    _check_backup(backup)
    who = _admin_if_the_project_opens(root, sign_in)
    with sole_user(root) as alone:
        if not alone:  # its later work would go on into the file moved aside
            raise UserError("Inspector has this project open elsewhere (a window, a hot "
                            "folder or a command, on this computer or a station sharing "
                            "the folder): close it there first, then restore")
        aside = _replace_database(root, backup)
    _record(root, backup, aside, who)
    return aside


def _replace_database(root: Path, backup: Path) -> Path:
    """Move the database and its side files aside and copy the backup in; on failure,
    put them back. Returns the folder that holds the replaced files."""
    aside = _new_aside_folder(root / "backups")
    db = root / DB_NAME
    moved = []
    tmp = db.with_name(f".{DB_NAME}.{uuid.uuid4().hex[:8]}.restore")
    try:
        for path in [db, *(db.with_name(DB_NAME + s) for s in SIDE_FILES)]:
            if path.exists():  # Windows refuses while a station has it open
                replace_file(path, aside / path.name)
                moved.append(path)
        shutil.copyfile(backup, tmp)
        with open(tmp, "rb+") as fh:  # on disk before it takes the database's name
            os.fsync(fh.fileno())
        replace_file(tmp, db)
        sync_folder(db.parent)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        stuck = _put_back(moved, aside)
        raise UserError(f"cannot restore {backup.name}: {exc.strerror or exc} (close "
                        "Inspector on every station that uses this project first)"
                        + (f"; put {', '.join(stuck)} back from {aside} by hand" if stuck
                           else "")) from exc
    return aside


def _new_aside_folder(backups: Path) -> Path:
    """A folder of its own for the replaced database: two restores in one second shared
    one, and the second overwrote the only copy of the latest data the first had kept."""
    stamp = f"replaced-{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S}"
    backups.mkdir(parents=True, exist_ok=True)
    for n in range(1, 1000):
        aside = backups / (stamp if n == 1 else f"{stamp}-{n}")
        try:
            aside.mkdir()
            return aside
        except FileExistsError:
            continue
    raise UserError(f"too many restores in one second in {backups}")


def _put_back(moved: list[Path], aside: Path) -> list[str]:
    """Move the files a failed restore had moved aside back (the project stays as it
    was); the names of those that would not go back, for the message."""
    stuck = []
    for path in moved:
        try:
            replace_file(aside / path.name, path)
        except OSError:
            stuck.append(path.name)
    return stuck


def _admin_if_the_project_opens(root: Path, sign_in: Callable[[Any], Any] | None) -> Any:
    """An admin, while the database still opens (then a restore is a choice, not a
    rescue); None when it does not open (then nobody could sign in anyway)."""
    from inspector.services.project import Project

    try:
        project = Project.open(root)
    except DamagedProject:
        return None  # damaged or emptied: the rescue case
    # Busy (another station has it open), from a newer Inspector, read-only, disk full:
    # the UserError says why; a restore would move live or newer data aside unasked.
    with project:
        if not _intact(project):
            return None  # opens, but nobody could sign in to a damaged operators table
        if sign_in is None:
            raise UserError("the project still opens: an admin must sign in to restore it "
                            "(--operator)")
        actor = sign_in(project)
        roles.require(project, actor, roles.RESTORE_BACKUP, entity="project",
                      entity_id="restore")
        return actor


def _intact(project: Any) -> bool:
    """SQLite's own quick check of every page: opening reads only the schema version, so
    a database with damaged tables still opened, and restore then asked for a sign-in
    that the damage made impossible."""
    try:
        with project.db.engine.connect() as conn:
            result = [row[0] for row in conn.exec_driver_sql("PRAGMA quick_check")]
    except (SQLAlchemyError, sqlite3.DatabaseError, OSError) as exc:
        log.warning("the project database fails its quick check: %s", exc)
        return False
    return result == ["ok"]


def _check_backup(backup: Path) -> None:
    if not backup.is_file():
        raise UserError(f"no backup file {backup}")
    try:
        revision = migrate.sqlite_revision(backup, immutable=True)
        conn = migrate.sqlite_read_only(backup, immutable=True)
        try:
            ok = conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise UserError(f"{backup.name} is not a readable Inspector database: {exc}") from exc
    if not ok:
        raise UserError(f"{backup.name} is damaged itself (SQLite's check failed)")
    if revision is None:  # an empty file reads as an empty database: restoring it wiped
        raise UserError(f"{backup.name} holds no Inspector project"  # the project
                        + (" (it is empty)" if backup.stat().st_size == 0 else ""))
    if revision is not None and not migrate.is_known_revision(revision):
        raise UserError(f"{backup.name} was written by a newer Inspector")


def _record(root: Path, backup: Path, aside: Path, actor: Any) -> None:
    """The restored project's audit log says what happened (it is upgraded on open)."""
    from inspector.services.project import Project

    try:
        account = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container)
        account = None
    with Project.open(root) as project, project.db.session() as s:
        # The admin by name only: operator ids differ between the two databases.
        by = None if actor is None else SimpleNamespace(operator_id=None, name=actor.name)
        audit.record(s, by, "project.restore", "project", None, {
            "backup": str(backup.resolve()), "replaced_kept_in": str(aside.relative_to(root)),
            "os_account": account, "computer": socket.gethostname(),
            "signed_in": actor.name if actor is not None else None})


# (table, column, prefix that makes the value a path below the project folder)
_FILE_COLUMNS = (("images", "store_path", "images/"), ("labels", "mask_path", "images/"),
                 ("models", "file_path", ""), ("inspections", "heatmap_path", ""))


def files_backups_need(root: Path) -> tuple[set[str], list[str]]:
    """The project files (relative, with '/') that the databases in ``backups/`` refer to
    (automatic backups and the databases a restore put aside), and the backups that could
    not be read. Removing files "nothing refers to" after a restore deleted the pictures
    and models of the data the restore had kept: putting it back found them missing."""
    folder = Path(root) / "backups"
    files = sorted(folder.glob("inspector-*.db")) + sorted(folder.glob("replaced-*/" + DB_NAME))
    needed: set[str] = set()
    unreadable: list[str] = []
    for db in files:
        try:
            conn = migrate.sqlite_read_only(db, immutable=True)  # no -wal/-shm left beside it
        except sqlite3.Error:
            unreadable.append(db.name)
            continue
        try:
            for table, column, prefix in _FILE_COLUMNS:
                try:
                    rows = conn.execute(f"SELECT {column} FROM {table} "  # noqa: S608 - fixed names
                                        f"WHERE {column} IS NOT NULL")
                    needed |= {prefix + str(v).replace("\\", "/") for (v,) in rows}
                except sqlite3.Error:  # an older schema without the column, or damage
                    continue
        finally:
            conn.close()
    return needed, unreadable
