"""Database engine and sessions.

SQLite (the embedded default) runs in WAL mode with foreign keys on, so a GUI reading
while a worker writes does not block; any other SQLAlchemy URL (PostgreSQL) works too.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Engine, create_engine, event, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker


def sqlite_url(path: Path) -> URL:
    """A URL object, not a string: a folder named "Jürgen" or "50%" must not be
    percent-decoded (or mangled) by URL parsing."""
    return URL.create("sqlite", database=str(Path(path).resolve()))


def make_engine(url: str | URL) -> Engine:
    """Create an engine; for SQLite turn on WAL, foreign keys and a busy timeout."""
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


class Database:
    """An engine plus a session factory; ``session()`` commits or rolls back as a unit."""

    def __init__(self, url: str | URL) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._factory = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        session = self._factory()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()


def db_problem(exc: BaseException) -> str | None:
    """What a database error means for the person at the station, or None when it is
    not one of the expected ones (those stay internal errors, with a traceback logged)."""
    text = str(getattr(exc, "orig", None) or exc).lower()
    if "database is locked" in text or "database is busy" in text:
        return ("the project is busy: another program or station is writing to it. Try "
                "again in a moment")
    if "malformed" in text or "file is not a database" in text:
        return ("the project database is damaged. Restore inspector.db from the newest file "
                "in the project's backups/ folder")
    if isinstance(exc, IntegrityError):
        return "another station changed the same data at the same moment. Try again"
    return None
