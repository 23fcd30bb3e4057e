"""The CLI for a line of stations: one project folder (a share) and one database on a
PostgreSQL server, named by ``--database-url`` or ``$INSPECTOR_DATABASE_URL``.

The tests with ``pg_url`` run on a real server (skipped without one, see pg_support); the
others need no server: a missing share, an unreachable or silent server, a wrong URL and a
local project at a station set up for the line must each be one line and exit code 1.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import URL, func, select

from inspector.cli.main import main
from inspector.services.project import SERVER_MARKER, Project
from inspector.store.models import Image

SECRET = "s3cret-pw"  # in every URL below; no output may show it

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Iterator[Run]:
    """``run(*argv)`` -> (exit code, stdout, stderr); asserts afterwards that no output of
    the test showed the password."""
    seen: list[str] = []

    def _run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        out = capsys.readouterr()
        seen.extend((out.out, out.err))
        return code, out.out, out.err

    yield _run
    assert not [text for text in seen if SECRET in text]


def _with_password(url: URL) -> str:
    """The URL as a user types it, with a password (the test server trusts local
    connections, so it is not checked, but every message must hide it)."""
    return url.set(password=SECRET).render_as_string(hide_password=False)


def _one_line_error(err: str, *words: str) -> None:
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    for word in words:
        assert word in err, (word, err)


def test_a_line_of_stations_shares_a_server_project(
    tmp_path: Path, pg_url: URL, image_dir: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    share = tmp_path / "share" / "line1"
    url = _with_password(pg_url)
    # Created once, from one station, with the option ...
    code, out, err = run("init", "--project", str(share), "--database-url", url,
                         "--admin", "boss", "--admin-pin", "2468")
    assert code == 0, err
    assert "Database on the server: postgresql+psycopg://inspector_test:***@" in out
    assert (share / SERVER_MARKER).is_file() and not (share / "inspector.db").exists()
    code, _, err = run("init", "--project", str(share), "--database-url", url)
    _one_line_error(err, "already exists")
    # ... then every station names the server in its environment
    monkeypatch.setenv("INSPECTOR_DATABASE_URL", url)
    monkeypatch.setenv("INSPECTOR_PROJECT", str(share))
    signed = ("--operator", "boss", "--pin", "2468")
    code, out, err = run("import", str(image_dir), "--labels-from-folders",
                         "--station", "Station A", *signed)
    assert code == 0 and "Imported 8 image(s)" in out, err
    code, out, err = run("images", "--json")
    assert code == 0, err
    images = json.loads(out)
    assert len(images) == 8 and {i["station"] for i in images} == {"Station A"}
    target = next(i["id"] for i in images if i["state"] == "good")
    code, out, err = run("label", str(target), "--defective", "--type", "dent",
                         "--severity", "minor", "--station", "Station B", *signed)
    assert code == 0 and "labelled defective (dent, minor" in out, err
    code, out, _ = run("images", "--type", "dent", "--json")
    assert target in {i["id"] for i in json.loads(out)}
    # the records are on the server (no inspector.db appeared in the folder)
    assert not (share / "inspector.db").exists()
    with Project.open(share, database_url=pg_url) as project, project.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Image)) == 8
    # the files are checked; the server database is left to the server's tools, and says so
    code, out, err = run("check", "--json", *signed)
    assert code == 0, err
    report = json.loads(out)
    assert report["ok"] and report["checked"]["images"] == 8
    assert any("not checked from here" in note for note in report["notes"])
    # backups and restore copy SQLite files: refused clearly, with the server's way instead
    code, _, err = run("backups")
    assert code == 1
    _one_line_error(err, "listing database backups works only", "pg_dump")
    code, _, err = run("restore", str(share / "backups" / "inspector-1-rev0001.db"),
                       "--database-url", "", *signed)
    assert code == 1
    _one_line_error(err, "restoring a database backup works only", "pg_dump")
    # the folder alone (the option overriding the environment) is refused, not a new project
    code, _, err = run("images", "--database-url", "")
    assert code == 1
    _one_line_error(err, "opening a project by its folder works only")
    assert not (share / "inspector.db").exists()


def test_a_local_project_at_a_station_set_up_for_the_line(
    tmp_path: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """$INSPECTOR_DATABASE_URL names the line's server; --database-url '' opens the
    folder's own inspector.db instead (no server needed for any of this)."""
    local = tmp_path / "local"
    monkeypatch.setenv("INSPECTOR_DATABASE_URL",
                       f"postgresql+psycopg://inspector:{SECRET}@db.invalid/line1")
    code, out, err = run("init", "--project", str(local), "--database-url", "")
    assert code == 0 and "Database on the server" not in out, err
    assert (local / "inspector.db").is_file() and not (local / SERVER_MARKER).exists()
    code, _, err = run("products", "list", "--project", str(local))
    assert code == 1
    _one_line_error(err, "keeps its database in its own inspector.db",
                    "without a database URL")
    code, out, err = run("products", "list", "--project", str(local), "--database-url", "")
    assert code == 0 and "No products yet." in out, err
    code, _, err = run("backups", "--project", str(local))
    assert code == 1
    _one_line_error(err, "listing database backups works only", "INSPECTOR_DATABASE_URL",
                    "--database-url ''")
    code, out, err = run("backups", "--project", str(local), "--database-url", "")
    assert code == 0 and "no backups yet" in out, err


def test_a_missing_share_or_a_wrong_url_is_one_line(tmp_path: Path, run: Run) -> None:
    url = f"postgresql+psycopg://inspector:{SECRET}@db.invalid/line1"
    code, _, err = run("images", "--project", str(tmp_path / "not-mounted"),
                       "--database-url", url)
    assert code == 1
    _one_line_error(err, "SERVER_DATABASE.txt is missing", "mounted")
    share = tmp_path / "share"
    share.mkdir()
    (share / SERVER_MARKER).write_text("a line's project folder")
    for bad, words in (
        ("no url at all", ("not a database URL",)),
        (f"postgresql+psycopg://inspector:{SECRET}@dbhost:port/line1", ("not a database URL",)),
        (f"sqlite:///{tmp_path / 'x.db'}", ("embedded SQLite",)),
        (f"postgresql+nodriver://inspector:{SECRET}@dbhost/line1",
         ("unknown kind of database", "postgresql+psycopg://")),
    ):
        code, _, err = run("images", "--project", str(share), "--database-url", bad)
        assert code == 1, bad
        _one_line_error(err, *words)


def test_an_unreachable_server_is_one_line_not_a_traceback(tmp_path: Path, run: Run) -> None:
    pytest.importorskip("psycopg")
    nowhere = URL.create("postgresql+psycopg", username="inspector", password=SECRET,
                         database="line1", query={"host": str(tmp_path / "no-server")})
    url = nowhere.render_as_string(hide_password=False)
    share = tmp_path / "share"
    share.mkdir()
    (share / SERVER_MARKER).write_text("a line's project folder")
    for argv in (["images"], ["operators", "list", "--operator", "boss"],
                 ["check", "--operator", "boss"]):
        code, out, err = run(*argv, "--project", str(share), "--database-url", url)
        assert (code, out) == (1, ""), argv
        _one_line_error(err, "cannot reach the database postgresql+psycopg://inspector:***@",
                        "no-server")
    code, _, err = run("init", "--project", str(tmp_path / "new"), "--database-url", url)
    assert code == 1
    _one_line_error(err, "cannot reach the database")
    assert not (tmp_path / "new" / SERVER_MARKER).exists()


def test_a_server_that_never_answers_is_given_up_on(
    tmp_path: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A station starting while the network drops its packets says so within seconds
    (libpq alone would wait for the operating system, minutes)."""
    pytest.importorskip("psycopg")
    monkeypatch.setattr("inspector.store.db.SERVER_CONNECT_TIMEOUT_S", 1)
    monkeypatch.delenv("PGCONNECT_TIMEOUT", raising=False)
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    done = threading.Event()


    def accept_and_stay_silent() -> None:
        """Until the test is over; after 20 s it hangs up, so that a client without a
        timeout fails the test instead of hanging it."""
        held: list[socket.socket] = []
        deadline = time.monotonic() + 20
        listener.settimeout(0.1)
        while not done.is_set() and time.monotonic() < deadline:
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue
        for conn in held:
            conn.close()

    thread = threading.Thread(target=accept_and_stay_silent, daemon=True)
    thread.start()
    share = tmp_path / "share"
    share.mkdir()
    (share / SERVER_MARKER).write_text("a line's project folder")
    started = time.monotonic()
    try:
        code, _, err = run("images", "--project", str(share), "--database-url",
                           f"postgresql+psycopg://inspector:{SECRET}@127.0.0.1:{port}/line1")
    finally:
        done.set()
        thread.join(5)
        listener.close()
    assert time.monotonic() - started < 15
    assert code == 1
    _one_line_error(err, "cannot reach the database", "timeout")


def test_every_project_command_takes_the_option(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["images"], ["init"], ["report"], ["check"], ["backups"], ["restore"],
                 ["products", "list"], ["model", "list"]):
        with pytest.raises(SystemExit) as exc:
            main([*argv, "--help"])
        assert exc.value.code == 0
        assert "--database-url" in capsys.readouterr().out, argv
