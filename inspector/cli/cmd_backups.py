"""`inspector backups` / `inspector restore BACKUP`: the automatic database backups made
before each upgrade, and putting one back (the database's log files are moved aside too).
SQLite projects only: a database on a server is backed up with the server's own tools."""

from __future__ import annotations

import argparse
from pathlib import Path

from inspector.cli.common import (
    DATABASE_URL_ENV,
    actor_for,
    add_database_url,
    database_url,
    emit,
    project_dir,
)
from inspector.errors import UserError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("backups", help="list the automatic database backups")
    _common(p)
    p.set_defaults(handler=run_list)
    p = sub.add_parser(
        "restore", help="put a database backup back (close Inspector on every station first)")
    _common(p)
    p.add_argument("backup", type=Path, metavar="BACKUP", help="a file listed by `backups`")
    p.add_argument("--operator", default=None,
                   help="an admin (default: $INSPECTOR_OPERATOR); not needed when the "
                        "database no longer opens")
    p.add_argument("--pin", default=None,
                   help="the admin's PIN, where one is set (asked for at a terminal)")
    p.set_defaults(handler=run_restore)


def _common(p: argparse.ArgumentParser) -> None:
    """No sign-in: these work on a project whose database no longer opens."""
    p.add_argument("--project", type=Path, default=None,
                   help="project folder (default: $INSPECTOR_PROJECT or the user data folder)")
    add_database_url(p)  # accepted like everywhere, and refused: see _sqlite_folder
    p.add_argument("--json", action="store_true", help="machine-readable JSON output")


def run_list(args: argparse.Namespace) -> int:
    from inspector.services.backups import list_backups

    backups = list_backups(_sqlite_folder(args, "listing database backups"))
    lines = [f"{b.modified:%Y-%m-%d %H:%M} UTC  {b.size / 1e6:8.1f} MB  "
             f"revision {b.revision or 'base'}  {b.path}" for b in backups]
    emit(args, backups, "\n".join(lines) or "no backups yet (one is made before each "
                                            "database upgrade)")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    from inspector.services.backups import restore_backup

    aside = restore_backup(_sqlite_folder(args, "restoring a database backup"), args.backup,
                           sign_in=lambda project: actor_for(args, project))
    emit(args, {"restored": str(args.backup), "replaced_kept_in": str(aside)},
         f"restored {args.backup.name}; the replaced database and its log files are kept "
         f"in {aside}")
    return 0


def _sqlite_folder(args: argparse.Namespace, what: str) -> Path:
    """The project folder, refused when the database is on a server: these commands copy
    SQLite files, and a server database is backed up with the server's own tools."""
    from inspector.services.project import DB_NAME, require_sqlite_folder

    root = project_dir(args)
    if not root.is_dir():  # a typo or a file: not "no backups yet" with exit 0
        raise UserError(f"no project folder {root}")
    require_sqlite_folder(root, what)  # a server project's folder: the core's message
    if database_url(args) is not None:
        raise UserError(f"{what} works only for a project with its own {DB_NAME}, not for "
                        f"a database on a server (--database-url or ${DATABASE_URL_ENV}): "
                        "back the server up with its own tools (e.g. pg_dump); for a "
                        "project with its own database, give --database-url ''")
    return root
