"""`inspector check`: verify the project's data against its database (read-only), and
optionally remove files that nothing refers to (QA lead / admin, audited)."""

from __future__ import annotations

import argparse
import dataclasses

from inspector.cli.common import actor_for, add_common, emit, open_project, print_progress


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "check", help="check stored images, masks, models and heat maps against the database")
    add_common(p)
    p.add_argument("--remove-orphans", action="store_true",
                   help="delete files no record refers to, older than an hour (QA lead)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from inspector.services.integrity import check_project

    project = open_project(args)
    rep = check_project(project, actor_for(args, project), remove_orphans=args.remove_orphans,
                        progress=None if args.json else print_progress)
    data = dataclasses.asdict(rep) | {"ok": rep.ok}
    emit(args, data, rep.summary())
    return 0 if rep.ok else 1
