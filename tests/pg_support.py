"""A throwaway PostgreSQL server for the tests marked ``postgres``.

The architecture promises that the data layer runs on PostgreSQL (a line of stations
sharing one server); these tests prove it against a real server. The fixtures in
``conftest.py`` use this module:

* ``INSPECTOR_TEST_POSTGRES_URL`` set (a SQLAlchemy URL of a server where that role may
  create databases): that server is used.
* Otherwise, with ``psycopg`` importable and ``initdb`` / ``pg_ctl`` on PATH, a private
  cluster is made in a temporary folder: trust authentication, no TCP port (it listens
  only on a Unix socket inside that folder), durability off for speed. It is stopped and
  removed when the test session ends. PostgreSQL refuses to run as root; under root the
  server runs as ``INSPECTOR_TEST_PG_OS_USER`` (default ``postgres``) through ``runuser``.
* Otherwise the tests are skipped, with the reason.

Each test gets a new, empty database on that server.
"""

from __future__ import annotations

import importlib.util
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

from sqlalchemy import URL, create_engine, make_url, text

ROLE = "inspector_test"
START_TIMEOUT_S = 60


def unavailable_reason() -> str | None:
    """Why no PostgreSQL server can be had for the tests, or None when one can."""
    if importlib.util.find_spec("psycopg") is None:
        return "psycopg is not installed (pip install -e '.[postgres]' installs it)"
    if os.environ.get("INSPECTOR_TEST_POSTGRES_URL"):
        return None
    missing = [tool for tool in ("initdb", "pg_ctl") if shutil.which(tool) is None]
    if missing:
        return (
            f"{' and '.join(missing)} not found on PATH (install the PostgreSQL server "
            "binaries, or set INSPECTOR_TEST_POSTGRES_URL to a server)"
        )
    if os.geteuid() == 0:
        user = os.environ.get("INSPECTOR_TEST_PG_OS_USER", "postgres")
        try:
            pwd.getpwnam(user)
        except KeyError:
            return (
                f"running as root, and PostgreSQL refuses root: no OS user '{user}' to "
                "run it as (set INSPECTOR_TEST_PG_OS_USER)"
            )
        if shutil.which("runuser") is None:
            return "running as root, and runuser (to start PostgreSQL as another user) is missing"
    return None


class PgServer:
    """A server the tests may create databases on; ``database()`` makes a fresh one."""

    def __init__(self, admin_url: URL, cluster: _Cluster | None = None) -> None:
        self.admin_url = admin_url
        self._cluster = cluster
        self._names = itertools.count(1)
        self._admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")

    def database(self) -> URL:
        """Create a new empty database and return its URL."""
        name = f"inspector_test_{os.getpid()}_{next(self._names)}"
        with self._admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0"))
        return self.admin_url.set(database=name)

    def drop(self, url: URL) -> None:
        """Drop a database made by ``database()`` (connections still open are ended)."""
        with self._admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))

    def close(self) -> None:
        self._admin.dispose()
        if self._cluster is not None:
            self._cluster.stop()


class _Cluster:
    """initdb + pg_ctl in a temporary folder; ``stop()`` removes everything."""

    def __init__(self) -> None:
        # Not pytest's tmp_path: the socket path must stay short (about 100 bytes), and
        # when the server runs as another user it must be able to enter the folder.
        self.base = Path(tempfile.mkdtemp(prefix="inspector-pg-"))
        self.data = self.base / "data"
        self.run_as = (
            os.environ.get("INSPECTOR_TEST_PG_OS_USER", "postgres") if os.geteuid() == 0 else None
        )
        self.started = False

    def _cmd(self, *args: str) -> list[str]:
        return ["runuser", "-u", self.run_as, "--", *args] if self.run_as else list(args)

    def _run(self, *args: str) -> None:
        proc = subprocess.run(
            self._cmd(*args), capture_output=True, text=True, check=False, timeout=START_TIMEOUT_S
        )
        if proc.returncode != 0:
            raise RuntimeError(
                f"{' '.join(args[:2])} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
            )

    def start(self) -> URL:
        if self.run_as:
            entry = pwd.getpwnam(self.run_as)
            os.chown(self.base, entry.pw_uid, entry.pw_gid)
        # --no-locale: byte order and ASCII-only lower(), the strictest case for the code
        self._run(
            shutil.which("initdb") or "initdb",
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            ROLE,
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        )
        settings = {
            "listen_addresses": "''",  # no TCP port: nothing outside can connect
            "unix_socket_directories": f"'{self.base}'",
            "fsync": "off",  # a throwaway server: speed over durability
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "max_connections": "60",
            "shared_buffers": "32MB",
            "timezone": "'Europe/Berlin'",  # not UTC, so a hidden local-time use would show
        }
        with (self.data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write("\n# inspector tests\n")
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
        self._run(
            shutil.which("pg_ctl") or "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.base / "server.log"),
            "-w",
            "-t",
            str(START_TIMEOUT_S),
            "start",
        )
        self.started = True
        return URL.create(
            "postgresql+psycopg", username=ROLE, database="postgres", query={"host": str(self.base)}
        )

    def log_tail(self) -> str:
        try:
            return (self.base / "server.log").read_text(errors="replace")[-3000:]
        except OSError as exc:
            return f"(no server log: {exc})"

    def stop(self) -> None:
        try:
            if self.started:
                self._run(
                    shutil.which("pg_ctl") or "pg_ctl",
                    "-D",
                    str(self.data),
                    "-m",
                    "immediate",
                    "-w",
                    "stop",
                )
        finally:
            shutil.rmtree(self.base, ignore_errors=True)


def start_server() -> PgServer:
    """The server named by INSPECTOR_TEST_POSTGRES_URL, else a new private cluster."""
    given = os.environ.get("INSPECTOR_TEST_POSTGRES_URL")
    if given:
        return PgServer(make_url(given))
    cluster = _Cluster()
    try:
        url = cluster.start()
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
        log = cluster.log_tail()
        cluster.stop()
        raise RuntimeError(
            f"could not start a PostgreSQL server for the tests: {exc}\n{log}"
        ) from exc
    return PgServer(url, cluster)
