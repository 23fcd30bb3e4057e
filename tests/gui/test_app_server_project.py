"""The GUI at a station of a line: ``$INSPECTOR_DATABASE_URL`` (or ``--database-url``) opens
the shared project folder with its database on a PostgreSQL server.

``ui.app.main`` is run for real up to the event loop, whose ``exec`` is replaced by a
check of the window it opened.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import URL

from inspector.services.project import SERVER_MARKER, database_url_from, init_project

pytestmark = pytest.mark.gui

SECRET = "s3cret-pw"


@pytest.fixture
def run_main(monkeypatch: pytest.MonkeyPatch, qtbot):  # noqa: ANN001, ANN201
    """``run_main(argv, while_open)`` -> exit code of ``ui.app.main``; ``while_open(window)``
    runs where the event loop would, then the window is closed."""
    from ui.main_window import MainWindow

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # main installs its own
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)

    def run(argv: list[str], while_open=None) -> int:  # noqa: ANN001
        from ui.app import main

        def event_loop(_app: QApplication) -> int:
            windows = [w for w in QApplication.topLevelWidgets()
                       if isinstance(w, MainWindow) and w.isVisible()]
            assert len(windows) == 1
            try:
                if while_open is not None:
                    while_open(windows[0])
            finally:
                windows[0].close()
                windows[0].deleteLater()
            return 0

        monkeypatch.setattr(QApplication, "exec", event_loop)
        return main(argv)

    return run


def _saved_settings() -> str:
    settings = QSettings()
    return " ".join(f"{key}={settings.value(key)}" for key in settings.allKeys())


def test_the_database_url_comes_from_the_option_then_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ui.app import parse_args

    env = {"INSPECTOR_DATABASE_URL": " postgresql+psycopg://station@dbhost/line1 "}
    assert database_url_from(parse_args([]).database_url, env) == (
        "postgresql+psycopg://station@dbhost/line1")
    assert database_url_from(parse_args(["--database-url", "postgresql://x@y/z"]).database_url,
                             env) == "postgresql://x@y/z"
    # '' opens the folder's own inspector.db at a station set up for the line
    assert database_url_from(parse_args(["--database-url", ""]).database_url, env) is None
    assert database_url_from(None, {}) is None
    assert database_url_from(None, {"INSPECTOR_DATABASE_URL": ""}) is None
    monkeypatch.setenv("INSPECTOR_DATABASE_URL", "postgresql://from@env/db")
    assert database_url_from(None) == "postgresql://from@env/db"
    with pytest.raises(SystemExit):  # the sample project keeps its own database
        parse_args(["--sample-project", "--database-url", "postgresql://x@y/z"])


def test_the_app_opens_the_line_project_named_by_the_environment(
    tmp_path: Path, pg_url: URL, monkeypatch: pytest.MonkeyPatch, run_main,  # noqa: ANN001
    dialogs: list[tuple[str, str]], caplog: pytest.LogCaptureFixture,
) -> None:
    from gui_helpers import sign_in_as

    share = tmp_path / "share" / "line1"
    init_project(share, "boss", database_url=pg_url).close()
    monkeypatch.setenv("INSPECTOR_DATABASE_URL",
                       pg_url.set(password=SECRET).render_as_string(hide_password=False))
    opened = []

    def while_open(window) -> None:  # noqa: ANN001
        project = window.state.project
        opened.append((project.root, project.db.engine.dialect.name))
        sign_in_as(window, "boss")  # the operators come from the server's database
        window.state.set_station("Station A")

    assert run_main(["--project", str(share)], while_open) == 0
    assert opened == [(share, "postgresql")]
    assert dialogs == []
    assert not (share / "inspector.db").exists()
    saved = _saved_settings()
    assert "Station A" in saved  # the settings are written as before ...
    assert "postgresql" not in saved and SECRET not in saved  # ... never the URL
    assert "opened project" in caplog.text and SECRET not in caplog.text


def test_an_unreachable_server_is_a_dialog_not_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_main,  # noqa: ANN001
    dialogs: list[tuple[str, str]],
) -> None:
    pytest.importorskip("psycopg")
    share = tmp_path / "share"
    share.mkdir()
    (share / SERVER_MARKER).write_text("a line's project folder")
    nowhere = URL.create("postgresql+psycopg", username="station", password=SECRET,
                         database="line1", query={"host": str(tmp_path / "no-server")})
    recorded = QMessageBox.critical  # the dialogs fixture's recorder
    cursors = []

    def critical(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        cursors.append(QApplication.overrideCursor())
        return recorded(*args, **kwargs)

    monkeypatch.setattr(QMessageBox, "critical", critical)
    assert run_main(["--project", str(share), "--database-url",
                     nowhere.render_as_string(hide_password=False)]) == 1
    assert len(dialogs) == 1
    kind, text = dialogs[0]
    assert kind == "critical" and "cannot reach the database" in text
    assert "station:***@" in text and SECRET not in text
    assert cursors == [None]  # the wait cursor went before the dialog came


def test_a_server_lost_while_opening_is_a_dialog(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_main,  # noqa: ANN001
    dialogs: list[tuple[str, str]],
) -> None:
    """Past the first connection (e.g. during an upgrade) the driver's own error comes
    through: said as the CLI says it, not an "unexpected error"."""
    from sqlalchemy.exc import OperationalError

    from inspector.services.project import Project

    def lost(*_args, **_kwargs):  # noqa: ANN002, ANN003, ANN202
        raise OperationalError("ALTER TABLE", {},
                               Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(Project, "open", lost)
    assert run_main(["--project", str(tmp_path), "--database-url",
                     "postgresql+psycopg://station@dbhost/line1"]) == 1
    assert dialogs == [("critical", "The database server cannot be reached (network, or "
                                    "the server is down). Try again in a moment.")]


def test_a_missing_share_is_explained_not_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_main,  # noqa: ANN001
    dialogs: list[tuple[str, str]],
) -> None:
    """No "create project" dialog: a station that cannot see the share must not start a
    second project; the line's project is created once, with `inspector init`."""
    from ui.widgets.create_project_dialog import CreateProjectDialog

    def no_dialog(_dialog: CreateProjectDialog) -> int:
        raise AssertionError("the create-project dialog must not open for a server project")

    monkeypatch.setattr(CreateProjectDialog, "exec", no_dialog)
    monkeypatch.setenv("INSPECTOR_DATABASE_URL",
                       f"postgresql+psycopg://station:{SECRET}@db.invalid/line1")
    missing = tmp_path / "not-mounted"
    assert run_main(["--project", str(missing)]) == 1
    assert len(dialogs) == 1
    kind, text = dialogs[0]
    assert kind == "critical" and "mounted" in text and "inspector init" in text
    assert not missing.exists()
    # a local project at that station: the URL is refused for it, clearly
    local = tmp_path / "local"
    init_project(local, "admin").close()
    assert run_main(["--project", str(local)]) == 1
    assert "keeps its database in its own inspector.db" in dialogs[1][1]
    # and --database-url '' opens it as before
    assert run_main(["--project", str(local), "--database-url", ""]) == 0
    assert len(dialogs) == 2
