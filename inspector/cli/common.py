"""Options and helpers shared by every CLI command."""

from __future__ import annotations

import argparse
import getpass
import json
import math
import os
import sys
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from inspector.errors import PermissionDenied, UserError


def count(minimum: int) -> Any:
    """An argparse type: a whole number from ``minimum`` up to SQLite's integer range, so
    an id or limit typed with too many digits is a usage error, not a crash."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if not minimum <= value < 2**63:
            raise argparse.ArgumentTypeError(f"must be a whole number >= {minimum}, not {text}")
        return value

    return parse


ID = count(1)  # image ids, model versions
ANY_COUNT = count(0)  # limits, shots (0 has a meaning where they take it)


# As inspector.services.project's, which is not imported here: it loads the ORM and
# Alembic, which --help and the commands without a project do not need.
DATABASE_URL_ENV = "INSPECTOR_DATABASE_URL"


def add_common(parser: argparse.ArgumentParser) -> None:
    """--project, --database-url, --operator (env fallbacks) and --json, on every
    subcommand."""
    parser.add_argument(
        "--project",
        type=Path,
        default=None,
        help="project folder (default: $INSPECTOR_PROJECT or the user data folder)",
    )
    add_database_url(parser)
    parser.add_argument(
        "--operator", default=None, help="operator name (default: $INSPECTOR_OPERATOR)"
    )
    parser.add_argument(
        "--pin", default=None,
        help="operator PIN, where one is set (default: $INSPECTOR_PIN; at a terminal, "
             "asked for without echo, which keeps it out of the shell history)")
    parser.add_argument("--json", action="store_true", help="machine-readable JSON output")


def add_database_url(parser: argparse.ArgumentParser) -> None:
    """--database-url: a line of stations shares one folder and one database server."""
    parser.add_argument(
        "--database-url",
        default=None,
        metavar="URL",
        help="the project's database on a server, e.g. postgresql+psycopg://inspector@dbhost"
        f"/line1, for a line of stations sharing the project folder (default: ${DATABASE_URL_ENV};"
        " '' for the folder's own inspector.db)",
    )


def add_station(parser: argparse.ArgumentParser) -> None:
    """--station on the commands that record work at a station (import, label, inspect)."""
    parser.add_argument("--station", default=None,
                        help="station recorded with this work (default: $INSPECTOR_STATION)")


def project_dir(args: argparse.Namespace) -> Path:
    from inspector.services.project import default_project_dir

    # "~" expanded as the GUI does: init made the folder there but reported a path
    # that does not exist, and backups / restore looked in the wrong place.
    if args.project is not None:
        return Path(args.project).expanduser()
    env = os.environ.get("INSPECTOR_PROJECT")
    return Path(env).expanduser() if env else default_project_dir()


def database_url(args: argparse.Namespace) -> str | None:
    """--database-url, else $INSPECTOR_DATABASE_URL; None for the folder's own inspector.db."""
    from inspector.services.project import database_url_from

    return database_url_from(getattr(args, "database_url", None))


def open_project(args: argparse.Namespace):  # -> Project
    from inspector.services.project import Project

    return Project.open(project_dir(args), database_url=database_url(args))


def _at_a_terminal() -> bool:
    """Whether someone can be asked at the keyboard. The windowed Windows program
    (``Inspector.exe cli ...``) has no stdin at all: None, not a closed file."""
    return sys.stdin is not None and sys.stdin.isatty()


def actor_for(args: argparse.Namespace, project: Any):  # -> Actor
    from inspector.services.session import pin_required, sign_in

    name = args.operator or os.environ.get("INSPECTOR_OPERATOR")
    if not name:
        raise UserError("no operator given: use --operator NAME or set INSPECTOR_OPERATOR")
    pin = args.pin or os.environ.get("INSPECTOR_PIN")
    if not pin and _at_a_terminal() and pin_required(project, name):
        try:
            pin = getpass.getpass(f"PIN for {name.strip()}: ")  # not echoed, not in history
        except EOFError:  # Ctrl+D (Ctrl+Z on Windows): the user gave up, not a crash
            raise UserError(f"no PIN given for {name.strip()}") from None
    station = getattr(args, "station", None) or os.environ.get("INSPECTOR_STATION")
    try:
        return sign_in(project, name, pin=pin, station=station)
    except PermissionDenied as exc:  # the service's words suit the GUI too; the hint is ours
        if pin or not str(exc).startswith("PIN missing"):
            raise
        raise PermissionDenied(f"{exc} (use --pin or INSPECTOR_PIN)") from None


def to_jsonable(value: Any) -> Any:
    """Dataclasses, paths and datetimes to JSON-friendly values. Arrays become null: every
    record keeps the same keys (a batch's last inspection, the one with its arrays still
    in memory, lacked "heatmap" and "overlay", and a strict schema check failed)."""
    if is_dataclass(value) and not isinstance(value, type):
        # field by field, not asdict(): its deep copy of every record (heat maps too)
        # took 30 of the 41 s that `images --json` needed for 163,000 images
        return {f.name: None if _is_array(v := getattr(value, f.name)) else to_jsonable(v)
                for f in fields(value)}
    if isinstance(value, dict):
        return {str(k): None if _is_array(v) else to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None  # JSON has no inf / nan; other tools would choke on them
    return value


def _is_array(value: Any) -> bool:
    return type(value).__name__ == "ndarray"


def emit(args: argparse.Namespace, data: Any, human: str) -> None:
    """Print JSON with --json, else the human text. Text the output's encoding cannot hold
    (a file name with bytes that are not UTF-8, a console on a legacy code page) must not
    end a finished command with an internal error, nor make the JSON unreadable: JSON
    then falls back to ASCII escapes (still valid JSON, the same strings once read), the
    human text to backslash escapes."""
    global _json_written
    if getattr(args, "json", False):
        _write_json(to_jsonable(data))
        _json_written = True
    else:
        encoding = sys.stdout.encoding or "utf-8"
        if not _encodable(human):
            human = human.encode(encoding, "backslashreplace").decode(encoding)
        print(human)


def _write_json(value: Any) -> None:
    text = json.dumps(value, indent=2, ensure_ascii=False, allow_nan=False)
    if not _encodable(text):
        text = json.dumps(value, indent=2, ensure_ascii=True, allow_nan=False)
    sys.stdout.write(text + "\n")


_json_written = False  # whether this run's --json document is out (see emit_error)


def new_run() -> None:
    """Forget the previous command's output (tests run many commands in one process)."""
    global _json_written
    _json_written = False


def emit_error(args: argparse.Namespace, message: str, exit_code: int) -> None:
    """With --json, a command that fails before its document is out writes one saying so
    (``{"error", "exit_code"}``), so a script reading stdout gets JSON, not nothing; the
    message also goes to stderr, as without --json."""
    print(message, file=sys.stderr)
    if getattr(args, "json", False) and not _json_written:
        _write_json({"error": message.removeprefix("error: "), "exit_code": exit_code})


def _encodable(text: str) -> bool:
    """Whether stdout's encoding holds ``text`` as it is (lone surrogates never are)."""
    try:
        text.encode(sys.stdout.encoding or "utf-8")
    except UnicodeEncodeError:
        return False
    return True


_progress_line_open = False
_last_logged_step: int | None = None


def print_progress(p: Any) -> None:
    """A progress callback for the terminal (stderr, so --json output stays clean).

    Into a file or pipe (a scheduled job's log) carriage returns would pile up as one
    endless line, so there it writes a line per 10 % instead."""
    global _progress_line_open, _last_logged_step
    percent = int(p.fraction * 100)
    if not sys.stderr.isatty():
        step = percent // 10
        if step != _last_logged_step:
            _last_logged_step = step
            sys.stderr.write(f"{percent:3d}% {p.message[:70]}\n")
            sys.stderr.flush()
        if p.fraction >= 1.0:
            _last_logged_step = None  # the next job logs from its start
        return
    sys.stderr.write(f"\r{percent:3d}% {p.message[:70]:<70}")
    _progress_line_open = p.fraction < 1.0
    if not _progress_line_open:
        sys.stderr.write("\n")
    sys.stderr.flush()


def end_progress_line() -> None:
    """Before a message: finish a progress line cut short, so the message gets its own."""
    global _progress_line_open
    if _progress_line_open:
        sys.stderr.write("\n")
        _progress_line_open = False
