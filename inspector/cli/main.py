"""Argument parsing and exit codes for the ``inspector`` command.

Exit codes: 0 success, 1 user error or refused input (message, no traceback),
2 bad command-line usage (argparse), 3 internal error (traceback to the log file),
130 cancelled / interrupted. Each command group lives in its own module with a
``register(subparsers)`` function; the handler it sets gets the parsed args.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.util
import io
import logging
import logging.handlers
import os
import sys
from collections.abc import Sequence

from inspector.cli.common import emit_error, end_progress_line, new_run
from inspector.errors import Cancelled, UserError
from inspector.store.problems import db_problem

# One module per command group; each defines register(subparsers).
COMMAND_MODULES: list[str] = [
    "inspector.cli.cmd_project",
    "inspector.cli.cmd_operators",
    "inspector.cli.cmd_images",
    "inspector.cli.cmd_audit",
    "inspector.cli.cmd_train",
    "inspector.cli.cmd_inspect",
    "inspector.cli.cmd_model",
    "inspector.cli.cmd_benchmark",
    "inspector.cli.cmd_report",
    "inspector.cli.cmd_demo",
    "inspector.cli.cmd_data",
    "inspector.cli.cmd_check",
    "inspector.cli.cmd_backups",
]

EXIT_OK, EXIT_USER, EXIT_USAGE, EXIT_INTERNAL, EXIT_CANCELLED = 0, 1, 2, 3, 130
# What Ctrl+C left behind; a command whose steps differ sets ``interrupted`` in its defaults.
INTERRUPTED = ("interrupted: steps that had finished are kept (a model saved before Ctrl+C "
               "stays in `inspector model list`)")

log = logging.getLogger("inspector.cli")


class _VersionAction(argparse.Action):
    """Prints versions lazily, so plain commands do not pay for importing the engine."""

    def __call__(self, parser, namespace, values, option_string=None):  # noqa: ANN001
        from inspector.services.about import app_info

        info = app_info()
        print(f"Inspector {info.version} (model file format {info.model_format_version})")
        parser.exit(0)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="inspector", description="Inspector: few-shot visual quality inspection."
    )
    parser.add_argument("--version", action=_VersionAction, nargs=0,
                        help="show the app and model-file format versions and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        if importlib.util.find_spec(name) is None:  # a command group not written yet
            log.warning("command module %s is missing; its commands are unavailable", name)
            continue
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and return its exit code (also used by tests)."""
    from inspector.logging_setup import setup_logging

    setup_logging()
    parser = build_parser()
    new_run()  # before parsing: a usage error with --json writes its own document
    args = _parse(parser, list(sys.argv[1:] if argv is None else argv))
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        result = args.handler(args)
        return EXIT_OK if result is None else int(result)
    except UserError as exc:
        end_progress_line()
        emit_error(args, f"error: {exc}", EXIT_USER)
        return EXIT_USER
    except BrokenPipeError:  # `inspector report | head`: the reader has gone, say nothing
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the exit's flush does not fail again
        return EXIT_USER
    except Cancelled:
        end_progress_line()
        emit_error(args, "cancelled", EXIT_CANCELLED)
        return EXIT_CANCELLED
    except KeyboardInterrupt:  # Ctrl+C may land after a step was saved: do not say "undone"
        end_progress_line()
        emit_error(args, getattr(args, "interrupted", INTERRUPTED), EXIT_CANCELLED)
        return EXIT_CANCELLED
    except Exception as exc:  # noqa: BLE001 - the top level must log every failure
        if (problem := db_problem(exc)) is not None:  # locked, damaged, a race: say so
            log.warning("command %s: %s (%r)", args.command, problem, exc)
            end_progress_line()
            emit_error(args, f"error: {problem}", EXIT_USER)
            return EXIT_USER
        log.exception("internal error in command %s", args.command)
        end_progress_line()
        emit_error(args, f"internal error: {exc!r} ({_where_logged()})", EXIT_INTERNAL)
        return EXIT_INTERNAL


def _parse(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    """Parse; with --json a usage error (exit 2) also writes ``{"error", "exit_code"}`` to
    stdout, as every other failing command does (a script read nothing before)."""
    if "--json" not in argv:
        return parser.parse_args(argv)
    said = io.StringIO()
    try:
        with contextlib.redirect_stderr(said):
            return parser.parse_args(argv)
    except SystemExit as exc:
        lines = said.getvalue().rstrip("\n").splitlines()
        if exc.code != EXIT_USAGE or not lines:
            sys.stderr.write(said.getvalue())
            raise
        sys.stderr.write("".join(line + "\n" for line in lines[:-1]))  # the usage lines
        emit_error(argparse.Namespace(json=True), lines[-1], EXIT_USAGE)  # stderr + JSON
        raise


def _where_logged() -> str:
    """Name the log file, so whoever reports the error knows which file to send."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.handlers.RotatingFileHandler):  # setup_logging's
            return f"details in the log file {handler.baseFilename}"
    return "details above: the log file could not be written"  # the stderr fallback


def entry() -> None:
    sys.exit(main())
