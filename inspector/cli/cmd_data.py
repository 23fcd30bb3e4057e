"""`inspector delete-image`: remove a stored image (QA lead / admin, audited);
`inspector purge`: the retention policy (old pictures go, inspection records stay)."""

from __future__ import annotations

import argparse

from inspector.cli.common import (
    ID,
    actor_for,
    add_common,
    emit,
    open_project,
    print_progress,
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("delete-image", help="delete a stored image and its labels (QA lead)")
    add_common(p)
    p.add_argument("image_id", type=ID, metavar="IMAGE_ID")
    p.add_argument("--force", action="store_true",
                   help="also delete the image's inspections from the QA record "
                        "(needs --reason)")
    p.add_argument("--reason", metavar="TEXT",
                   help="why, kept in the audit log with a copy of the deleted records")
    p.set_defaults(handler=run)
    p = sub.add_parser("purge", help="free disk space: remove old pictures of inspected "
                                     "parts, keep their records (QA lead)")
    add_common(p)
    p.add_argument("--older-than", type=ID, required=True, metavar="DAYS",  # 1 or more
                   help="pictures whose last inspection is older than this many days")
    p.add_argument("--include-ng", action="store_true",
                   help="also parts that were NG or uncertain, by the machine or by an "
                        "override (kept by default as evidence)")
    p.add_argument("--dry-run", action="store_true", help="only say what would be removed")
    p.set_defaults(handler=run_purge)


def run(args: argparse.Namespace) -> int:
    from inspector.services.data import delete_image

    project = open_project(args)
    details = delete_image(project, actor_for(args, project), args.image_id, force=args.force,
                           reason=args.reason)
    emit(args, details, f"deleted image {args.image_id} ({details['labels']} label(s), "
         f"{len(details['inspections'])} inspection(s))")
    return 0


def run_purge(args: argparse.Namespace) -> int:
    from inspector.services.retention import purge_images

    project = open_project(args)
    rep = purge_images(project, actor_for(args, project), args.older_than,
                       include_ng=args.include_ng, dry_run=args.dry_run,
                       progress=None if args.json else print_progress)
    emit(args, rep, rep.summary())
    return 0
