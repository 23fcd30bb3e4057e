"""A project: one folder with ``inspector.db``, ``images/``, ``models/``, ``artefacts/``.

Opening a project migrates an older database to the current schema after copying it to
``backups/``; a database written by a newer Inspector is refused without touching it.

``database_url`` (``Project.open`` / ``init_project``) puts the database on a server
(PostgreSQL) instead of ``inspector.db``, for a line of stations sharing one project: the
folder then keeps the files only, marked by ``SERVER_DATABASE.txt`` so that the SQLite-only
entry points (CLI and GUI opening by folder, backups, restore) refuse it clearly.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import re
import shutil
import sqlite3
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import platformdirs
from sqlalchemy import URL, inspect, make_url, select, text
from sqlalchemy.exc import ArgumentError, DBAPIError, InterfaceError, OperationalError
from sqlalchemy.schema import DropTable

from inspector.errors import DamagedProject, NotFoundError, UserError
from inspector.fileio import atomic_write
from inspector.services.names import clean_name
from inspector.services.settings_rules import (  # DEFAULT_SETTINGS: also read from here
    DEFAULT_SETTINGS,
    RATE_KEYS,
    VALIDATORS,
    check_rates,
    checked,
    stored_problem,
)
from inspector.store import audit, migrate, roles
from inspector.store.db import Database, serialise, sqlite_url
from inspector.store.image_store import ImageStore, join_stored
from inspector.store.models import Base, Operator, Setting, utcnow
from inspector.store.open_lock import OpenLock
from inspector.store.pins import hash_pin

DB_NAME = "inspector.db"
APP_NAME = "Inspector"
# In the folder of a project whose database is on a server (no credentials in it).
SERVER_MARKER = "SERVER_DATABASE.txt"
# Where the CLI and the GUI of a station take that server's database URL from.
DATABASE_URL_ENV = "INSPECTOR_DATABASE_URL"

log = logging.getLogger(__name__)
_WARNED: set[tuple[str, str]] = set()  # refused stored settings already logged


def default_project_dir() -> Path:
    """``<user data dir>/Inspector/default`` (platform specific)."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "default"


def database_url_from(option: str | None, environ: Mapping[str, str] | None = None) -> str | None:
    """The database URL a station opens its project with: ``option`` (a command-line
    argument) wins over $INSPECTOR_DATABASE_URL even when empty, so one command can open a
    local project at a station set up for the line; None (or blank) is the folder's own
    inspector.db. Taken from the command line or the environment, never from saved
    settings: it may hold a password."""
    env = os.environ if environ is None else environ
    url = option if option is not None else env.get(DATABASE_URL_ENV)
    return (url or "").strip() or None


class Project:
    """Handles to one project's database and folders; cheap to open, close when done."""

    def __init__(self, root: Path, db: Database) -> None:
        self.root = Path(root)
        self.db = db
        self._open_lock: OpenLock | None = None  # SQLite projects opened by Project.open
        self.images = ImageStore(self.root / "images")
        self.models_dir = self.root / "models"
        self.artefacts_dir = self.root / "artefacts"
        self.backups_dir = self.root / "backups"

    def artefact_path(self, relpath: str) -> Path:
        """Absolute path of a heat map or other artefact named by the database."""
        return join_stored(self.root, relpath, "artefact")

    @property
    def db_path(self) -> Path:
        if not self.db.is_sqlite:
            raise UserError(f"this project's database is on a server ({self.db.describe()}), "
                            f"not in {DB_NAME}")
        return self.root / DB_NAME

    @classmethod
    def open(cls, root: Path, database_url: str | URL | None = None) -> Project:
        """Open an existing project, migrating (after a backup) if its schema is older.

        ``database_url``: the project's database is on that server (see the module doc);
        without it the database is ``inspector.db`` in ``root``.
        """
        root = Path(root).expanduser()
        if database_url is not None:
            return cls._open_server(root, database_url)
        require_sqlite_folder(root, "opening a project by its folder")
        db_path = root / DB_NAME
        if not db_path.is_file():
            raise NotFoundError(
                f"no Inspector project in {root} (create one with 'inspector init')"
            )
        if db_path.stat().st_size == 0:  # SQLite would take it as a new, empty project
            raise DamagedProject(f"{db_path} is empty (damaged){_backup_hint(root)}")
        try:
            current = migrate.sqlite_revision(db_path)
        except sqlite3.Error as exc:
            raise _unreadable(db_path, exc) from exc
        head = migrate.head_revision()
        _refuse_newer(current)
        note: dict[str, Any] = {}
        if current != head:
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
            backup = migrate.backup_sqlite(
                db_path, root / "backups" / f"inspector-{stamp}-rev{current or 'base'}.db")
            if migrate.sqlite_revision(backup, immutable=True) != current:
                backup.unlink()  # another station upgraded it meanwhile (and kept a copy)
            note["backup"] = f"backups/{backup.name}"
        lock = OpenLock(root)  # a restore now waits for this project to be closed
        try:
            project = cls(root, Database(sqlite_url(db_path)))
            project._open_lock = lock
            if current != head:
                migrate.upgrade(project.db.engine, note=note)
            project._ensure_folders()
        except BaseException:
            lock.release()
            raise
        return project

    @classmethod
    def _open_server(cls, root: Path, database_url: str | URL) -> Project:
        """A project whose folder holds the files and whose database is on a server."""
        if not (root / SERVER_MARKER).is_file() and (root / DB_NAME).is_file():
            # e.g. INSPECTOR_DATABASE_URL set for the line, and a local project opened
            raise UserError(f"the project in {root} keeps its database in its own {DB_NAME}, "
                            "not on a database server: open it without a database URL")
        if not (root / SERVER_MARKER).is_file():
            raise NotFoundError(
                f"no Inspector project folder for a server database in {root} ({SERVER_MARKER}"
                " is missing: is the shared folder mounted?)")
        db = _server_database(database_url)
        try:
            current = _server_revision(db)
            if current is None:
                raise NotFoundError(f"the database {db.describe()} holds no Inspector project "
                                    "(create one with `inspector init --database-url URL`)")
            _refuse_newer(current)
            if current != migrate.head_revision():
                # SQLite projects are copied to backups/ first; a server database cannot be
                # copied from here. The upgrade is one transaction (all or nothing), but
                # going back to the older Inspector needs the server's own backup.
                log.warning("upgrading the database %s from revision %s; no automatic backup "
                            "of a server database (take one with its tools, e.g. pg_dump)",
                            db.describe(), current)
                try:
                    migrate.upgrade(db.engine)
                except DBAPIError as exc:  # e.g. this role may not alter the tables
                    raise UserError(_unreachable(db, exc)) from exc
            _check_same_project(root, db)
        except BaseException:
            db.dispose()
            raise
        project = cls(root, db)
        try:
            project._ensure_folders()
        except BaseException:
            db.dispose()
            raise
        return project

    def _ensure_folders(self) -> None:
        """Recreate a missing images/, models/ or artefacts/ folder. A file in a folder's
        place (a sync tool's conflict copy, a mistaken copy) is a message that says which,
        not an internal error."""
        _make_folders(self.root)

    def close(self) -> None:
        self.db.dispose()
        if self._open_lock is not None:
            self._open_lock.release()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def require(self, actor: Any, permission: str, **kwargs: Any) -> None:
        """Shorthand for ``roles.require(self, actor, permission)``."""
        roles.require(self, actor, permission, **kwargs)

    # -- settings ---------------------------------------------------------------------
    def get_setting(self, key: str, default: Any = None) -> Any:
        """The stored value, else ``default``, else the built-in default (or None). A value
        an older version stored that today's rules refuse counts as not set (it stopped
        every report, or training with an internal error); `inspector check` and
        `inspector settings` name it."""
        with self.db.session() as session:
            row = session.get(Setting, key)
            stored = None if row is None else row.value
        if row is not None:
            try:
                return checked(key, stored)
            except UserError as exc:
                if (key, repr(stored)) not in _WARNED:  # once: severity_bands is read at
                    _WARNED.add((key, repr(stored)))  # every inspection
                    log.warning("stored setting %s = %r is refused, the default is used: %s",
                                key, stored, exc)
        return default if default is not None else DEFAULT_SETTINGS.get(key)

    def raw_setting(self, key: str) -> Any:
        """The stored value as it is, unchecked, else the built-in default: for a setting
        whose own reader must refuse a value it cannot use (sensor_bits: read with the
        default instead, every 16-bit picture would be scaled otherwise, silently)."""
        with self.db.session() as session:
            row = session.get(Setting, key)
            return DEFAULT_SETTINGS.get(key) if row is None else row.value

    def stored_setting_keys(self) -> list[str]:
        """Every key stored, those an older version used included."""
        with self.db.session() as session:
            return list(session.scalars(select(Setting.key)))

    def setting_problems(self) -> dict[str, str]:
        """Stored settings today's rules refuse, with why and what is used instead."""
        with self.db.session() as session:
            rows = [(row.key, row.value) for row in session.scalars(select(Setting))]
        return {key: why for key, value in rows
                if (why := stored_problem(key, value)) is not None}

    def set_setting(self, actor: Any, key: str, value: Any) -> None:
        """Change a setting (needs EDIT_SETTINGS); the old and new values are audited."""
        self.require(actor, roles.EDIT_SETTINGS, entity="setting", entity_id=key)
        validator = VALIDATORS.get(key)
        if key == SERVER_ID_KEY:  # not a setting: it ties the shared folder to its database
            raise UserError(f"'{key}' is not a setting and cannot be changed")
        if validator is None and value is None and self._forget_setting(actor, key):
            return  # a key an older version stored: `settings KEY null` removes it
        if validator is None:  # a typo would otherwise be stored and silently ignored
            raise UserError(f"unknown setting '{key}'; the settings are: "
                            + ", ".join(sorted(VALIDATORS)))
        value = validator(key, value)
        with self.db.session() as session:
            if key in RATE_KEYS:  # checked against the other rate as it is at commit
                serialise(session, "settings.rates")
                check_rates(session, key, value)
            row = session.get(Setting, key)
            old = row.value if row is not None else DEFAULT_SETTINGS.get(key)
            if row is None:
                session.add(Setting(key=key, value=value, updated_at=utcnow()))
            else:
                row.value = value
                row.updated_at = utcnow()
            audit.record(session, actor, "setting.set", "setting", key, {"old": old, "new": value})

    def _forget_setting(self, actor: Any, key: str) -> bool:
        """Delete a stored key this version does not know (audited); False if none."""
        with self.db.session() as session:
            row = session.get(Setting, key)
            if row is None:
                return False
            audit.record(session, actor, "setting.remove", "setting", key, {"old": row.value})
            session.delete(row)
        return True

    def all_settings(self) -> dict[str, Any]:
        """Defaults overlaid with the stored values this version uses (a key an older
        version stored is left out: it does nothing, and `settings KEY null` removes it)."""
        values = dict(DEFAULT_SETTINGS)
        with self.db.session() as session:
            rows = [(row.key, row.value) for row in session.scalars(select(Setting))
                    if row.key in VALIDATORS or row.key in DEFAULT_SETTINGS]
        for key, value in rows:
            with contextlib.suppress(UserError):  # refused: the default, as get_setting
                values[key] = checked(key, value)
        return values


def init_project(root: Path, admin_name: str = "admin", admin_pin: str | None = None, *,
                 database_url: str | URL | None = None) -> Project:
    """Create a new project folder with an up-to-date database and its first admin.

    ``database_url``: an empty database on a server (PostgreSQL) holds the project's data
    instead of ``inspector.db``; the folder keeps images, models and heat maps.
    """
    root = Path(root).expanduser()
    admin_name = clean_name(admin_name, "the first admin's name", 200)
    if (root / DB_NAME).exists() or (root / SERVER_MARKER).exists():
        raise UserError(f"a project already exists in {root}")
    pin_hash = hash_pin(admin_pin) if admin_pin is not None else None  # "": a mistake
    server_id = uuid.uuid4().hex  # ties the folder to its database (see _check_same_project)
    db = None if database_url is None else _empty_server_database(database_url)
    try:  # the server is checked first: a refusal there left empty folders behind
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserError(f"cannot create project folder {root}: {exc.strerror or exc}"
                            ) from exc
        _make_folders(root)  # before the database: a failure here leaves no half project
        _probe_writable(root)
    except BaseException:
        if db is not None:
            db.dispose()
        raise
    if db is None:
        db = Database(sqlite_url(root / DB_NAME))
        migrate.upgrade(db.engine)
    else:
        try:
            migrate.upgrade(db.engine)  # one transaction: a refusal leaves it empty
        except DBAPIError as exc:  # e.g. a role that may not create tables
            db.dispose()
            raise UserError(_unreachable(db, exc)) from exc
    try:
        with db.session() as session:
            admin = Operator(name=admin_name, role="admin", pin_hash=pin_hash)
            session.add(admin)
            session.flush()
            audit.record(session, None, "project.init", "project", None,
                         {"admin": admin_name, "admin_id": admin.id})
            if database_url is not None:
                session.add(Setting(key=SERVER_ID_KEY, value=server_id, updated_at=utcnow()))
        if database_url is not None:  # last: a folder with the marker is a complete project
            atomic_write(root / SERVER_MARKER, _SERVER_MARKER_TEXT.format(
                backend=db.engine.dialect.name, server_id=server_id).encode())
    except BaseException:
        _undo_new_database(db, root, database_url is not None)
        raise
    project = Project(root, db)
    if database_url is None:
        project._open_lock = OpenLock(root)
    return project


def _make_folders(root: Path) -> None:
    """images/, models/ and artefacts/ in ``root``, made where missing."""
    for folder in (root / "images", root / "models", root / "artefacts"):
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError) as exc:
            raise UserError(f"the project folder is damaged: {folder} is a file, not a "
                            "folder; move that file away and try again") from exc
        except OSError as exc:
            raise UserError(f"cannot create {folder}: {exc.strerror or exc} (check the "
                            "permissions or the share)") from exc


def _probe_writable(root: Path) -> None:
    """The server marker is written last; a read-only shared folder found only then left
    a server database with a project and a folder without it, and a retry was refused."""
    probe = root / f".inspector-probe-{uuid.uuid4().hex[:8]}"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise UserError(f"cannot write in {root}: {exc.strerror or exc} (the project "
                        "folder must be writable by every station)") from exc


def _undo_new_database(db: Database, root: Path, server: bool) -> None:
    """A project whose creation failed half-way is taken back, so that the retry the
    message asks for is not refused with "a project already exists"."""
    db.dispose()
    if not server:
        for name in (DB_NAME, DB_NAME + "-wal", DB_NAME + "-shm", DB_NAME + "-journal"):
            (root / name).unlink(missing_ok=True)
        return
    try:  # the empty database it was given, as it was
        with db.engine.begin() as conn:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(DropTable(table, if_exists=True))
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    except DBAPIError:
        log.exception("could not empty the database %s after a failed init", db.describe())
    finally:
        db.dispose()


_SERVER_MARKER_TEXT = """\
This Inspector project keeps its database on a database server ({backend}), not in
inspector.db: open it with that server's database URL. This folder holds the project's
images, models and heat maps, shared by every station of the line.
project id: {server_id}
"""
# The settings row that holds the same id in the database; not a user setting.
SERVER_ID_KEY = "server_project_id"


def _check_same_project(root: Path, db: Database) -> None:
    """The folder and the database must be one project: opened with another line's URL,
    the folder's images would look like leftovers of killed jobs to `check
    --remove-orphans`, and new records would point at files of another project."""
    marker = (root / SERVER_MARKER).read_text(encoding="utf-8", errors="replace")
    found = re.search(r"^project id: ([0-9a-f]+)\s*$", marker, re.MULTILINE)
    with db.session() as session:
        row = session.get(Setting, SERVER_ID_KEY)
    if found is None and row is None:  # made before projects had ids: not refused for good
        _adopt_project_id(root, db)
        return
    if found is None or row is None or row.value != found.group(1):
        raise UserError(f"the folder {root} and the database {db.describe()} are not the same "
                        f"project (the project id in {SERVER_MARKER} does not match the "
                        "database's): check the database URL and the shared folder")


def _adopt_project_id(root: Path, db: Database) -> None:
    """A server project created before the folder and the database carried a project id
    (neither has one) gets one in both, so that it opens again after the upgrade. Two
    stations doing this at once: the database's key is unique, the loser takes the
    winner's id."""
    log.warning("the project in %s and the database %s have no project id (an older "
                "Inspector made them): giving them one", root, db.describe())
    try:
        with db.session() as session:
            session.add(Setting(key=SERVER_ID_KEY, value=uuid.uuid4().hex, updated_at=utcnow()))
    except DBAPIError:
        log.info("another station gave the project its id first")
    with db.session() as session:
        server_id = session.get(Setting, SERVER_ID_KEY).value
    try:
        atomic_write(root / SERVER_MARKER, _SERVER_MARKER_TEXT.format(
            backend=db.engine.dialect.name, server_id=server_id).encode())
    except OSError as exc:
        raise UserError(f"cannot write the project id into {root / SERVER_MARKER}: "
                        f"{exc.strerror or exc}") from exc


def _server_database(database_url: str | URL) -> Database:
    """A Database for a server URL; a clear UserError for a SQLite URL or a missing driver."""
    try:
        url = make_url(database_url)
    except (ArgumentError, ValueError) as exc:  # ValueError: a port that is not a number
        raise UserError(f"not a database URL: {exc}") from exc
    if url.get_backend_name() == "sqlite":
        raise UserError(f"the embedded SQLite database is the project's {DB_NAME}; "
                        "database_url is for a database server (postgresql+psycopg://...)")
    try:
        return Database(url)
    except ImportError as exc:  # the driver is an optional extra
        if url.get_backend_name() != "postgresql":  # only PostgreSQL is made for
            raise UserError(f"Inspector keeps a line's data on a PostgreSQL server "
                            f"(postgresql+psycopg://...), not {url.get_backend_name()}") from exc
        raise UserError(f"the database driver for {url.drivername} is not installed "
                        f"(pip install 'inspector[postgres]'): {exc}") from exc
    except ArgumentError as exc:  # NoSuchModuleError: a misspelt postgresql+psycopg://
        raise UserError(f"unknown kind of database {url.drivername!r} (a PostgreSQL "
                        "server is postgresql+psycopg://...)") from exc


def _empty_server_database(database_url: str | URL) -> Database:
    """The server database a new project goes into: reachable and empty (never mix a
    project into, or migrate, someone else's tables)."""
    db = _server_database(database_url)
    try:
        tables = inspect(db.engine).get_table_names()
    except DBAPIError as exc:
        db.dispose()
        raise UserError(_unreachable(db, exc)) from exc
    if tables:
        db.dispose()
        raise UserError(f"the database {db.describe()} is not empty: a project needs an "
                        "empty database of its own")
    return db


def _server_revision(db: Database) -> str | None:
    try:
        return migrate.database_revision(db.engine)
    except DBAPIError as exc:
        raise UserError(_unreachable(db, exc)) from exc


def _unreachable(db: Database, exc: DBAPIError) -> str:
    """Down or unreachable: "cannot reach"; reached but refused (no rights, a wrong option
    in the URL): the server's own words."""
    reason = " ".join(str(exc.orig or exc).split())
    if isinstance(exc, OperationalError | InterfaceError) and not _refused(reason):
        return f"cannot reach the database {db.describe()}: {reason}"
    return f"the database {db.describe()} refused: {reason}"


def _refused(reason: str) -> bool:
    """The server answered and said no (a wrong password is not "cannot reach")."""
    return any(m in reason.lower() for m in ("permission denied", "invalid", "unrecognized",
                                              "must be owner", "authentication failed",
                                              "no password supplied", "does not exist"))


def _refuse_newer(current: str | None) -> None:
    if current is not None and not migrate.is_known_revision(current):
        raise UserError(
            f"this project was written by a newer Inspector (database revision "
            f"{current}); install a newer version to open it"
        )


def require_sqlite_folder(root: Path, what: str) -> None:
    """The SQLite-only entry points (opening by folder, backups, restore) on a folder whose
    database is on a server: a clear UserError, instead of "no project" or a stray new
    inspector.db beside the server's data."""
    if (Path(root) / SERVER_MARKER).is_file():
        advice = ("open it with the server's database URL (--database-url or "
                  f"{DATABASE_URL_ENV})" if what.startswith("opening") else
                  "back the server up and restore it with its own tools (e.g. pg_dump and "
                  "pg_restore)")
        raise UserError(f"{what} works only for a project with its own {DB_NAME}; the project "
                        f"in {root} keeps its database on a database server (see "
                        f"{SERVER_MARKER}): {advice}")


def _backup_hint(root: Path) -> str:
    """Where the newest automatic database backup is, if there is one."""
    backups = sorted((root / "backups").glob("inspector-*.db"))
    return (f"; the newest backup is {backups[-1]} (put it back with "
            f"`inspector restore \"{backups[-1]}\"`)" if backups
            else "; restore inspector.db from your own backup")


def _unreadable(db_path: Path, exc: sqlite3.Error) -> UserError:
    """Tell a busy database, a full disk or a read-only folder apart from a damaged file:
    a busy one was called damaged, with the advice to restore a backup over it, and a
    restore skips the admin's sign-in only for a damaged database."""
    folder = db_path.parent
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return UserError(f"the project in {folder} is busy: another station or program "
                         "holds its database; try again in a moment (if it stays busy, "
                         "close Inspector on the other stations)")
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        free = None
    if free is not None and free < 1_000_000:
        return UserError(f"cannot open the project in {folder}: the disk is full")
    if not os.access(folder, os.W_OK) or not os.access(db_path, os.R_OK | os.W_OK):
        return UserError(f"cannot open the project in {folder}: the folder or inspector.db "
                         "is read-only (check the permissions or the share)")
    return DamagedProject(f"{db_path} is not a readable Inspector database: {exc}"
                          f"{_backup_hint(folder)}")
