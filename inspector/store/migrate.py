"""Run the packaged Alembic migrations programmatically.

``script_location`` points into this package, so installs (and the frozen app) need no
alembic.ini. SQLite databases are inspected read-only before anything is changed, so a
database from a newer Inspector is refused untouched; a server database (PostgreSQL) is
read with ``database_revision`` and upgraded in one transaction.
"""

from __future__ import annotations

import sqlite3
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Engine, insert, text

from inspector.errors import UserError
from inspector.fileio import sync_folder

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:  # the option goes through configparser, where "%" starts an interpolation
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def is_known_revision(rev: str) -> bool:
    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(rev) is not None
    except CommandError:
        return False


def sqlite_read_only(path: Path, immutable: bool = False) -> sqlite3.Connection:
    """Open a SQLite file read-only. ``immutable`` for a file nothing writes to (a
    backup): SQLite then leaves no ``-shm``/``-wal`` files beside it."""
    return sqlite3.connect(sqlite_file_uri(Path(path).resolve().as_posix(), immutable),
                           uri=True)


def sqlite_file_uri(posix_path: str, immutable: bool = False) -> str:
    """A read-only SQLite URI for an absolute path. A Windows share (a UNC path, or a
    mapped drive, which resolves to one) is "//files/line1/..." as a POSIX path, and
    "file://files/..." would name "files" as the URI's authority, which SQLite refuses:
    its path goes after an empty authority ("file:////files/...")."""
    uri_path = quote(posix_path, safe="/:")  # "%", "?" and "#" too
    if uri_path.startswith("//"):
        uri_path = "//" + uri_path
    return f"file:{uri_path}?mode=ro{'&immutable=1' if immutable else ''}"


def sqlite_revision(path: Path, immutable: bool = False) -> str | None:
    """The alembic revision stored in a SQLite file (None if never migrated); read-only."""
    conn = sqlite_read_only(path, immutable)
    try:
        has = conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name='alembic_version'"
        ).fetchone()
        if not has:
            return None
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        return row[0] if row else None
    finally:
        conn.close()


def database_revision(engine: Engine) -> str | None:
    """The alembic revision of any database (None if never migrated); reads only."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


# Any fixed number: the key of the PostgreSQL advisory lock that serialises upgrades.
_UPGRADE_LOCK_KEY = 0x1A5_7EC7


def upgrade(engine: Engine, revision: str = "head",
            note: dict[str, Any] | None = None) -> None:
    """Migrate the database behind ``engine`` to ``revision`` (default: head). An upgrade
    of an existing database to head is audited (``database.upgrade``: from, to and
    ``note``, e.g. the backup), in its own transaction: of two stations opening an older
    project at once, only the one that upgraded records it."""
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Stations sharing a server may start at the same time: SQLite's file lock
            # makes a second upgrader wait, PostgreSQL does not. The lock lasts until this
            # transaction ends; the waiting station then finds the schema at head (alembic
            # reads the revision after the lock) and changes nothing. PostgreSQL's DDL is
            # transactional, so a failed upgrade leaves the database as it was.
            # An upgrade of a large database may take longer than the stations' lock
            # timeout: a station starting meanwhile waits for it rather than fail.
            conn.execute(text("SET LOCAL lock_timeout = 0"))
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _UPGRADE_LOCK_KEY})
        elif conn.dialect.name == "sqlite":
            # The driver opens no transaction before a SELECT or DDL, so two stations
            # opening an older project at once both read the old revision and both ran
            # ALTER TABLE ("duplicate column"). The write lock first (a second upgrader
            # waits up to the busy timeout), then alembic reads the revision under it.
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        cfg.attributes["connection"] = conn
        before = MigrationContext.configure(conn).get_current_revision()
        command.upgrade(cfg, revision)
        after = MigrationContext.configure(conn).get_current_revision()
        if before is not None and before != after and revision == "head":
            _audit_upgrade(conn, before, after, note or {})


def _audit_upgrade(conn: Any, before: str, after: str | None, note: dict[str, Any]) -> None:
    from inspector.store.models import AuditEntry, utcnow  # the schema as it is now: head

    conn.execute(insert(AuditEntry.__table__).values(
        at=utcnow(), action="database.upgrade", entity="database", allowed=True,
        details={"from": before, "to": after, **note}))


def _remove_stale_partials(folder: Path, min_age_s: float = 3600.0) -> None:
    """Half-written backups of upgrades killed more than an hour ago (each is as large as
    the database); a younger one may belong to another station upgrading right now."""
    now = time.time()
    for path in list(folder.glob("*.partial")) + list(folder.glob("*.partial-journal")):
        try:
            if now - path.stat().st_mtime >= min_age_s:
                path.unlink()
        except OSError:
            continue  # gone meanwhile, or not ours to remove


def backup_sqlite(src: Path, dest: Path) -> Path:
    """Copy a live SQLite database consistently with the SQLite backup API; returns the
    copy's path: ``dest``, or beside it when a copy of that name exists (two stations
    opening an old project in the same second wrote one name, the second over the
    first)."""
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as exc:  # as for images/, models/
        raise UserError(f"the project folder is damaged: {dest.parent} is a file, not a "
                        "folder; move that file away and try again") from exc
    _remove_stale_partials(dest.parent)
    tmp = dest.with_name(f"{dest.stem}.{uuid.uuid4().hex[:8]}.partial")  # two openers at once
    source = sqlite3.connect(str(src))
    target = sqlite3.connect(str(tmp))
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    if dest.exists():
        dest = dest.with_name(f"{dest.stem}-{uuid.uuid4().hex[:6]}{dest.suffix}")
    tmp.replace(dest)
    sync_folder(dest.parent)  # the backup's new name survives a power cut
    return dest
