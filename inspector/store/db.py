"""Database engine and sessions.

SQLite (the embedded default) runs in WAL mode with foreign keys on, so a GUI reading
while a worker writes does not block; any other SQLAlchemy URL (PostgreSQL) works too.
A database file on a network share gets SQLite's rollback journal instead: WAL needs
memory shared by every process using the file, which stations on different computers
do not have (see ``store.shares``).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Engine, create_engine, event, make_url, text
from sqlalchemy.orm import Session, sessionmaker

from inspector.store.shares import network_share

log = logging.getLogger(__name__)
SQLITE_BUSY_S = 30  # how long a write waits for another station's (or program's) lock

# Seconds to wait for a database server to answer a new connection (a URL's own
# connect_timeout, or $PGCONNECT_TIMEOUT, wins).
SERVER_CONNECT_TIMEOUT_S = 10
# Seconds a statement waits for a row or table another station holds before it gives up
# with "busy" (SQLite's busy timeout is 30 s too), and seconds a connection may sit
# inside an open transaction before the server ends it: a station that hangs or loses
# power mid-transaction must not hold its locks against the whole line. A URL's own
# ``options``, or $PGOPTIONS, replaces both.
SERVER_LOCK_TIMEOUT_S = 30
SERVER_IDLE_IN_TRANSACTION_S = 600


def serialise(session: Session, name: str) -> None:
    """Make this session's transaction the only one doing ``name`` until it ends: call it
    first in the session. A check that reads one row and writes another (two settings that
    must stay in order) is otherwise a race between stations: on PostgreSQL both read the
    old values and both writes went in. SQLite takes its write lock now (a second writer
    waits, up to the busy timeout); PostgreSQL a transaction-scoped advisory lock."""
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                     {"key": zlib.crc32(name.encode())})
    elif conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def sqlite_url(path: Path) -> URL:
    """A URL object, not a string: a folder named "Jürgen" or "50%" must not be
    percent-decoded (or mangled) by URL parsing."""
    return URL.create("sqlite", database=str(Path(path).resolve()))


def sqlite_share(url: str | URL) -> str | None:
    """The network share a SQLite database file lies on (see ``store.shares``), else None
    (a local file, an in-memory database, or not SQLite at all)."""
    parsed = make_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    return network_share(Path(database))


def make_engine(url: str | URL) -> Engine:
    """Create an engine; for SQLite turn on WAL (a rollback journal on a network share),
    foreign keys and a busy timeout, for PostgreSQL connect, lock and idle-in-transaction
    timeouts."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, sqlite_share(parsed))
    connect_args: dict[str, Any] = {}
    if parsed.get_backend_name() == "postgresql":
        if "connect_timeout" not in parsed.query and not os.environ.get("PGCONNECT_TIMEOUT"):
            # libpq waits for the OS (minutes) on a server whose packets are dropped: a
            # station starting while the network is down should say so in seconds instead
            connect_args["connect_timeout"] = SERVER_CONNECT_TIMEOUT_S
        if "options" not in parsed.query and not os.environ.get("PGOPTIONS"):
            connect_args["options"] = (
                f"-c lock_timeout={SERVER_LOCK_TIMEOUT_S * 1000}"
                f" -c idle_in_transaction_session_timeout={SERVER_IDLE_IN_TRANSACTION_S * 1000}")
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args)


def _sqlite_engine(url: str | URL, share: str | None) -> Engine:
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_S,
                                              "check_same_thread": False})
    # A rollback journal is safe only with every write synced (FULL); WAL is with NORMAL.
    journal, synchronous = ("DELETE", "FULL") if share else ("WAL", "NORMAL")
    if share:
        log.warning("the project database is on a network share (%s): SQLite's rollback "
                    "journal is used instead of WAL. Open it from one station at a time; "
                    "a line of stations shares a PostgreSQL server", share)

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        try:
            mode = cur.execute(f"PRAGMA journal_mode={journal}").fetchone()[0]
        except sqlite3.OperationalError as exc:  # leaving WAL needs the file to itself
            mode = f"unchanged ({exc})"
        if mode.upper() != journal:  # e.g. a process on the file server holds it in WAL
            log.warning("SQLite kept journal mode %s instead of %s for %s: another program "
                        "has the database open", mode, journal, url)
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA synchronous={synchronous}")
        cur.close()

    return engine


class Database:
    """An engine plus a session factory; ``session()`` commits or rolls back as a unit."""

    def __init__(self, url: str | URL) -> None:
        self.url = url
        self.engine = make_engine(url)
        # The share a SQLite file lies on (rollback journal, one station at a time), or None
        self.network_share = sqlite_share(url)
        self._factory = sessionmaker(self.engine, expire_on_commit=False)
        self._brief: tuple[int, float] | None = None  # (thread ident, seconds)
        event.listen(self.engine, "checkout", self._set_busy_wait)

    def wait_briefly_on_this_thread(self, seconds: float) -> None:
        """Calls on this thread (the GUI's) wait at most ``seconds`` for a database that
        another program or station holds, then say "busy"; the others wait the full 30 s.
        A label key on a busy database froze the whole window for 30 s."""
        self._brief = (threading.get_ident(), seconds)

    def _set_busy_wait(self, dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        """The lock wait for the thread that takes this pooled connection now: SQLite's
        busy timeout, PostgreSQL's lock_timeout (set for the session, committed, so a
        later rollback does not undo it)."""
        brief = self._brief
        mine = brief is not None and brief[0] == threading.get_ident()
        if self.is_sqlite:
            wait = brief[1] if mine else SQLITE_BUSY_S
            if record.info.get("busy_wait") != wait:
                dbapi_conn.execute(f"PRAGMA busy_timeout = {int(wait * 1000)}")
                record.info["busy_wait"] = wait
        elif self.engine.dialect.name == "postgresql" and (mine or "lock_default" in
                                                           record.info):
            cursor = dbapi_conn.cursor()
            if "lock_default" not in record.info:  # as connected (the URL's own wins)
                cursor.execute("SHOW lock_timeout")
                record.info["lock_default"] = cursor.fetchone()[0]
            value = f"{int(brief[1] * 1000)}ms" if mine else record.info["lock_default"]
            if record.info.get("busy_wait") != value:
                cursor.execute("SELECT set_config('lock_timeout', %s, false)", (value,))
                dbapi_conn.commit()  # a later rollback must not undo it
                record.info["busy_wait"] = value
            cursor.close()

    @property
    def is_sqlite(self) -> bool:
        """True for the embedded SQLite file; False for a database server (PostgreSQL)."""
        return self.engine.dialect.name == "sqlite"

    def describe(self) -> str:
        """The URL for messages and logs, password hidden."""
        url = make_url(self.url)
        # libpq also takes the password as ?password=... (and a key's as ?sslpassword=...)
        secret = {key: "hidden" for key in url.query if "password" in key.lower()}
        return (url.update_query_dict(secret) if secret else url).render_as_string(
            hide_password=True)

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

