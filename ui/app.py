"""GUI entry point: logging, crash handlers, style, project opening, main window.

``inspector-gui [--project DIR] [--database-url URL]`` or ``python -m ui``. With a
database URL (the option, else ``$INSPECTOR_DATABASE_URL``) the folder is a line's shared
project whose database is on a server. Unexpected exceptions anywhere
(GUI thread or worker threads) are logged with their traceback and shown once in a
dialog; the application keeps running.
"""

from __future__ import annotations

import argparse
import errno
import logging
import os
import sys
import threading
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox, QSplashScreen
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from inspector.errors import NotFoundError, UserError
from inspector.logging_setup import setup_logging
from inspector.services.project import (
    DATABASE_URL_ENV,
    Project,
    database_url_from,
    default_project_dir,
)
from inspector.store.problems import db_problem, storage_problem

log = logging.getLogger("ui")


def known_problem(exc: BaseException) -> str | None:
    """What an exception that escaped to the excepthook means for the person at the
    station, when it is a database or storage problem (a server gone, the project busy,
    a full disk) rather than a bug; None for a bug. Only clashes of unique names count as
    a race between stations (a NOT NULL failure is a bug), and only a full disk among
    file errors (a refused file elsewhere is no "project folder not writable")."""
    if isinstance(exc, IntegrityError):
        text = str(exc.orig or exc).lower()
        return db_problem(exc) if "unique" in text or "duplicate key" in text else None
    if isinstance(exc, SQLAlchemyError):
        return db_problem(exc)
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return storage_problem(exc)
    return None


class CrashReporter(QObject):
    """Receives unexpected exceptions from any thread and shows each kind of bug once.

    A known database or storage problem (say the line's database server went down while
    a page read from it) is no bug: it is said as what it is, each time it stops
    something (one dialog at a time), because the next try may well work. It was shown
    once as "This is a bug", and every later failure was silent.
    """

    crashed = Signal(str, str)
    problem = Signal(str)

    def __init__(self, log_file: Path | None = None) -> None:
        super().__init__()
        self.log_file = log_file  # None: no log file could be written (only the details)
        self.seen: set[str] = set()
        self.problem_open = False
        self.crashed.connect(self._show, Qt.ConnectionType.QueuedConnection)
        self.problem.connect(self._show_problem, Qt.ConnectionType.QueuedConnection)

    def excepthook(
        self, etype: type[BaseException], value: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(etype, KeyboardInterrupt):
            sys.__excepthook__(etype, value, tb)
            return
        if (reason := known_problem(value)) is not None:
            log.warning("%s (%r)", reason, value, exc_info=(etype, value, tb))
            self.problem.emit(reason)
            return
        text = "".join(traceback.format_exception(etype, value, tb))
        log.error("unexpected exception:\n%s", text)
        self.crashed.emit(f"{etype.__name__}: {value}", text)

    def thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        self.excepthook(args.exc_type, args.exc_value, args.exc_traceback)

    def install(self) -> None:
        sys.excepthook = self.excepthook
        threading.excepthook = self.thread_excepthook

    def _show_problem(self, reason: str) -> None:
        if self.problem_open:  # a burst of failures (a refresh timer too): one dialog
            return
        self.problem_open = True
        try:
            QMessageBox.warning(None, "Cannot do that", reason[0].upper() + reason[1:] + ".")
        finally:
            self.problem_open = False

    def _show(self, summary: str, details: str) -> None:
        if summary in self.seen:
            return
        self.seen.add(summary)
        box = QMessageBox(QMessageBox.Icon.Critical, "Unexpected error", summary)
        where = (f"It was written to the log file {self.log_file}" if self.log_file
                 else "The log file could not be written: the details are below")
        box.setInformativeText(f"This is a bug, not something you did. {where}; the "
                               "application keeps running.")
        box.setDetailedText(details)
        box.exec()


def startup_failed(exc: BaseException, log_file: Any) -> int:
    """The window could not open: a read-only or full project folder, a database another
    program holds, a bug. Said in a dialog (the excepthook's dialog needs the event loop,
    which never ran: the GUI quit without a word); 1 for a known problem, 3 for a bug."""
    reason = db_problem(exc) if isinstance(exc, SQLAlchemyError) else storage_problem(exc)
    if reason is not None:
        log.warning("cannot open the project: %s (%r)", reason, exc)
        QMessageBox.critical(None, "Cannot open project", reason[0].upper() + reason[1:] + ".")
        return 1
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    log.error("the window could not open:\n%s", text)
    box = QMessageBox(QMessageBox.Icon.Critical, "Inspector could not start",
                      f"{type(exc).__name__}: {exc}")
    box.setInformativeText(f"This is a bug, not something you did. The details are in "
                           f"{log_file}.")
    box.setDetailedText(text)
    box.exec()
    return 3


PROJECT_ENV = "INSPECTOR_PROJECT"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="inspector-gui", description="Inspector operator GUI")
    parser.add_argument("--project", type=Path, default=None,
                        help=f"project folder (default: ${PROJECT_ENV} or the user data folder)")
    parser.add_argument(
        "--database-url", default=None, metavar="URL",
        help="the project's database on a server (postgresql+psycopg://...), for a line of "
        f"stations sharing the project folder (default: ${DATABASE_URL_ENV}; '' for the "
        "folder's own inspector.db)")
    parser.add_argument("--sample-project", action="store_true",
                        help="open the bundled sample project (created on first use)")
    args = parser.parse_args(argv)
    if args.project is None and not args.sample_project and os.environ.get(PROJECT_ENV):
        # as the CLI does: IT sets one station-wide folder for every Windows account
        args.project = Path(os.environ[PROJECT_ENV]).expanduser()
    if args.sample_project and args.database_url:
        parser.error("--sample-project keeps its own database: leave out --database-url")
    return args


def open_sample(root: Path, before_dialog: Callable[[], None] = lambda: None
                ) -> Project | None:
    """Open or build the sample project, with a progress dialog while it trains (after
    a second: opening the built one is quicker, and shows no dialog)."""
    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QProgressDialog

    from inspector.services.sample import open_or_create_sample_project
    from ui.dialogs import show_error
    from ui.worker import Job

    title = "Preparing the sample project (first start only)"
    dialog = QProgressDialog(f"{title}…", "Cancel", 0, 1000)
    dialog.setWindowTitle("Inspector")
    dialog.setMinimumWidth(520)
    dialog.setMinimumDuration(1000)
    job = Job(open_or_create_sample_project, root)
    loop = QEventLoop()

    def progress(fraction: float, message: str) -> None:
        dialog.setValue(int(fraction * 1000))  # shows the dialog once a second has passed
        dialog.setLabelText(f"{title}\n{message}")
        if dialog.isVisible():
            before_dialog()

    job.progress.connect(progress)
    job.failed.connect(lambda exc: (before_dialog(),
                                    show_error(None, exc, "Cannot prepare the sample project")))
    job.done.connect(loop.quit)
    dialog.canceled.connect(job.cancel)
    job.start()
    loop.exec()
    dialog.close()
    return job.result


def open_or_create(root: Path, database_url: str | None = None,
                   before_dialog: Callable[[], None] = lambda: None) -> Project | None:
    """Open the project; offer to create it (with a first admin) when it does not exist.

    With ``database_url`` the project is a line's, on a database server: see
    ``open_server_project``.
    """
    from ui.widgets.create_project_dialog import CreateProjectDialog

    if database_url is not None:
        return open_server_project(root, database_url, before_dialog)
    while True:
        try:
            return Project.open(root)
        except NotFoundError:
            before_dialog()
            dialog = CreateProjectDialog(root)
            if dialog.exec() != CreateProjectDialog.DialogCode.Accepted:
                return None
            return dialog.project
        except UserError as exc:
            before_dialog()
            QMessageBox.critical(None, "Cannot open project", str(exc))
            return None


def open_server_project(root: Path, database_url: str,
                        before_dialog: Callable[[], None] = lambda: None) -> Project | None:
    """Open a line's project (shared folder, database on a server), or say why not.

    No creation dialog: a station that cannot see the share or the server must not start a
    second project; the line's project is created once, with ``inspector init``.
    """
    project: Project | None = None
    problem = ""
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)  # a far server: seconds
    try:
        project = Project.open(root, database_url=database_url)
    except NotFoundError as exc:
        problem = (f"{exc}\n\nA project whose database is on a server is created once, "
                   "from one station: inspector init --project FOLDER --database-url URL")
    except UserError as exc:  # unreachable server, wrong URL, a local project (password hidden)
        problem = str(exc)
    except SQLAlchemyError as exc:  # e.g. the server went away during an upgrade
        reason = db_problem(exc)
        if reason is None:
            raise
        log.warning("opening %s: %s (%r)", root, reason, exc)
        problem = reason[0].upper() + reason[1:] + "."
    finally:
        QGuiApplication.restoreOverrideCursor()  # before any dialog
    if project is None:
        before_dialog()
        QMessageBox.critical(None, "Cannot open project", problem)
        return None
    log.info("opened project %s with the database %s", root, project.db.describe())
    return project


def make_application(argv: Sequence[str]) -> QApplication:
    """The QApplication with names (for QSettings) and the shop-floor style."""
    from ui import gc_guard
    from ui.style import apply_style

    app = QApplication.instance() or QApplication(list(argv))
    app.setOrganizationName("Inspector")
    app.setApplicationName("Inspector")
    apply_style(app)
    gc_guard.install(app)  # garbage with Qt objects must never be freed in a worker
    return app


def main(argv: Sequence[str] | None = None, splash: QSplashScreen | None = None) -> int:
    """Open the GUI on a project (default: the user's default project). ``splash``
    (``ui.launch``) stays up until the window shows, or goes before a dialog."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    log_file = setup_logging()
    app = make_application([sys.argv[0]])
    reporter = CrashReporter(log_file)
    reporter.install()
    log.info("GUI starting (log file %s)", log_file)

    def splash_off() -> None:  # a dialog must not open behind it
        if splash is not None:
            splash.close()

    try:  # before the event loop runs: the crash reporter's dialog would never show
        project = (open_sample(args.project or default_project_dir().parent / "sample",
                               splash_off)
                   if args.sample_project  # its own database, whatever the URL says
                   else open_or_create(args.project or default_project_dir(),
                                       database_url_from(args.database_url), splash_off))
        if project is None:
            splash_off()
            return 1
        from ui.main_window import MainWindow
        from ui.state import AppState

        window = MainWindow(AppState(project))
    except Exception as exc:  # noqa: BLE001 - said in a dialog and logged, never silent
        splash_off()
        return startup_failed(exc, log_file)
    window.show()
    if splash is not None:
        splash.finish(window)
    from ui.gc_guard import MainThreadCollector

    QTimer.singleShot(0, MainThreadCollector.freeze_survivors)
    # torch's objects (~200,000) come after that freeze, with the engine loading in the
    # background: each full collection then walked them all (~125 ms on the GUI thread)
    window.engine_job.finished.connect(lambda _result: MainThreadCollector.freeze_survivors())
    code = app.exec()
    from ui.worker import stop_all

    if not stop_all():
        log.warning("background jobs still running at exit")
    project.close()
    return code


if __name__ == "__main__":
    sys.exit(main())
