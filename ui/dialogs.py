"""Error reporting for the GUI: user errors as a clear message, bugs once with a hint."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from PySide6.QtWidgets import QDialog, QMessageBox, QWidget
from sqlalchemy.exc import SQLAlchemyError

from inspector.errors import Cancelled, UserError
from inspector.store.problems import db_problem

log = logging.getLogger(__name__)
T = TypeVar("T")
D = TypeVar("D", bound=QDialog)


def show_error(parent: QWidget | None, exc: BaseException, title: str = "Cannot do that") -> None:
    """A modal dialog: the message of a ``UserError``, or a short note for a bug."""
    if isinstance(exc, Cancelled):
        return
    if isinstance(exc, UserError):
        QMessageBox.warning(parent, title, str(exc))
        return
    if (problem := db_problem(exc)) is not None:  # busy, damaged, a race with a station
        log.warning("%s (%r)", problem, exc)
        QMessageBox.warning(parent, title, problem[0].upper() + problem[1:] + ".")
        return
    log.error("unexpected error shown to the user: %r", exc)
    QMessageBox.critical(
        parent,
        "Unexpected error",
        f"Something went wrong: {exc!r}\n\nThe details are in the log file. "
        "The application keeps running.",
    )


def error_text(exc: BaseException) -> str:
    """One line for a status or log line: a ``UserError``'s message, what a database or
    disk problem means (never the SQL behind it), else the error's first line."""
    if isinstance(exc, UserError):
        return str(exc)
    if isinstance(exc, SQLAlchemyError) and (problem := db_problem(exc)) is not None:
        return problem[0].upper() + problem[1:]
    if isinstance(exc, OSError) and exc.strerror:  # the file's own problem, not the project's
        return f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"


def attempt(parent: QWidget | None, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
    """``fn(*args, **kwargs)``, or None after showing why a ``UserError`` refused it."""
    try:
        return fn(*args, **kwargs)
    except UserError as exc:
        show_error(parent, exc)
        return None


def succeeded(parent: QWidget | None, fn: Callable[..., Any], *args: Any) -> bool:
    """``fn(*args)`` for its effect; False after showing why a ``UserError`` refused it
    (for calls that return nothing, where ``attempt``'s None would say nothing)."""
    try:
        fn(*args)
    except UserError as exc:
        show_error(parent, exc)
        return False
    return True


@contextmanager
def disposed(dialog: D) -> Iterator[D]:
    """``dialog`` for ``exec()`` and reading its answer, deleted afterwards. A dialog made
    with a parent otherwise lives, hidden, as long as the main window: every F1, override or
    Region… would leave one behind (the region dialog with its photo)."""
    try:
        yield dialog
    finally:
        dialog.deleteLater()
