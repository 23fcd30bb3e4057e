"""`inspector delete-image`: remove a stored image (QA lead / admin, audited)."""

from __future__ import annotations

import argparse

from inspector.cli.common import ID, actor_for, add_common, emit, open_project


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("delete-image", help="delete a stored image and its labels (QA lead)")
    add_common(p)
    p.add_argument("image_id", type=ID, metavar="IMAGE_ID")
    p.add_argument("--force", action="store_true",
                   help="also delete the image's inspections from the QA record")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from inspector.services.data import delete_image

    project = open_project(args)
    details = delete_image(project, actor_for(args, project), args.image_id, force=args.force)
    emit(args, details, f"deleted image {args.image_id} ({details['labels']} label(s), "
         f"{len(details['inspections'])} inspection(s))")
    return 0
