"""`inspector import`, `inspector label`, `inspector images`, `inspector defect-types`."""

from __future__ import annotations

import argparse
from pathlib import Path

from inspector.cli.common import (
    ID,
    actor_for,
    add_common,
    add_station,
    emit,
    open_project,
    print_progress,
)
from inspector.store.models import SEVERITIES

IMPORT_HELP = """Import image files and folders (recursively): PNG, JPEG, BMP, TIFF (8/16-bit)
and WebP. Identical files are recognised as duplicates and stored once. Files that cannot
be used are refused with a reason; the rest are imported anyway. In folders, files with
other extensions (.txt, .csv...) are ignored.

Exit status: 0 when every file was imported or was a duplicate, 1 when any file was
refused (the others are still imported; --json lists everything)."""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("import", help="import image files or folders",
                       description=IMPORT_HELP,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common(p)
    add_station(p)
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    p.add_argument("--labels-from-folders", action="store_true",
                   help="label by the name of the folder a file is in: good, ok, pass -> "
                   "good; defective, defect, bad, ng, fail, reject -> defective, no type; "
                   "train, test, val, validation, images, img, imgs, unlabelled, unlabeled "
                   "-> no label; any other name -> defective of that type (MVTec layout "
                   "test/<type>); files directly in PATH (or given one by one) are labelled "
                   "only by those good and defective names or an existing defect type; a "
                   "copy of a stored image under another label is reported, not relabelled")
    p.add_argument("--product", help="product the images belong to")
    p.add_argument("--lot", help="production lot recorded with the images (found again with "
                   "images --lot)")
    p.add_argument("--serial", help="serial number recorded with the images (found again "
                   "with images --serial)")
    p.set_defaults(handler=run_import)

    lab = sub.add_parser("label", help="label an image good or defective")
    add_common(lab)
    add_station(lab)
    lab.add_argument("image_id", type=ID, metavar="IMAGE_ID")
    verdict = lab.add_mutually_exclusive_group(required=True)
    verdict.add_argument("--good", dest="verdict", action="store_const", const="good",
                         help="a good example")
    verdict.add_argument("--defective", dest="verdict", action="store_const",
                         const="defective", help="a defective part (--type, --severity, "
                                                 "--mask describe it)")
    lab.add_argument("--type", dest="defect_type", help="defect type (see 'defect-types')")
    lab.add_argument("--severity", choices=SEVERITIES)
    lab.add_argument("--mask", type=Path, help="mask image, same size, white = defect")
    lab.set_defaults(handler=run_label)

    ls = sub.add_parser("images", help="list stored images with their current label")
    add_common(ls)
    ls.add_argument("--product", help="only this product's images")
    ls.add_argument("--state", choices=["unlabelled", "good", "defective"],
                    help="only images with this label state")
    ls.add_argument("--type", dest="defect_type", help="only this defect type")
    ls.add_argument("--lot", help="only images imported with this lot")
    ls.add_argument("--serial", help="only images imported with this serial number")
    ls.add_argument("--limit", type=ID, default=None, help="at most this many")
    ls.set_defaults(handler=run_images)

    dt = sub.add_parser("defect-types", help="list, add or remove defect types")
    dsub = dt.add_subparsers(dest="defect_types_command", metavar="ACTION", required=True)
    dl = dsub.add_parser("list", help="list defect types")
    add_common(dl)
    dl.set_defaults(handler=run_types_list)
    da = dsub.add_parser("add", help="add a defect type (QA lead or admin)")
    add_common(da)
    da.add_argument("name")
    da.add_argument("--shortcut", help="labelling key, e.g. s")
    da.set_defaults(handler=run_types_add)
    dr = dsub.add_parser("remove", help="remove a defect type (labels keep their text)")
    add_common(dr)
    dr.add_argument("name")
    dr.set_defaults(handler=run_types_remove)


def run_import(args: argparse.Namespace) -> int:
    from inspector.services.importing import import_paths

    with open_project(args) as project:
        rep = import_paths(
            project, actor_for(args, project), args.paths, product=args.product,
            labels_from_folders=args.labels_from_folders, lot=args.lot, serial=args.serial,
            progress=None if args.json else print_progress,
        )
    lines = [f"Imported {len(rep.stored)} image(s); {len(rep.duplicates)} duplicate(s) "
             f"already stored; {len(rep.refused)} refused; {len(rep.ignored)} other file(s) "
             "ignored."]
    if not (rep.stored or rep.duplicates or rep.refused):
        lines.append("No image files (PNG, JPEG, BMP, TIFF, WebP) were found in the given "
                     "path(s).")
    if rep.new_defect_types:
        lines.append(f"New defect types: {', '.join(rep.new_defect_types)}")
    lines += [f"  duplicate: {p} (image {i})" for p, i in rep.duplicates]
    lines += [f"  refused: {p}: {reason}" for p, reason in rep.refused]
    lines += [f"  label conflict: {p}: {why}" for p, why in rep.label_conflicts]
    lines += [f"  product: {p}: {what}" for p, what in rep.product_notes]
    lines += [f"Note: {note}" for note in rep.notes]
    data = {"stored": rep.stored, "duplicates": [{"path": p, "image_id": i}
                                                 for p, i in rep.duplicates],
            "refused": [{"path": p, "reason": r} for p, r in rep.refused],
            "ignored": rep.ignored, "new_defect_types": rep.new_defect_types,
            "label_conflicts": [{"path": p, "reason": r} for p, r in rep.label_conflicts],
            "product_notes": [{"path": p, "note": n} for p, n in rep.product_notes],
            "notes": rep.notes}
    emit(args, data, "\n".join(lines))
    return 1 if rep.refused else 0


WHOLE_PICTURE = 0.9  # a mask marking this share or more: most likely inverted


def run_label(args: argparse.Namespace) -> int:
    from inspector.imaging.decode import decode_file
    from inspector.services.labeling import label_image

    mask = None
    if args.mask is not None:
        mask = decode_file(args.mask, max_pixels=None).rgb.max(axis=2) > 127
    with open_project(args) as project:
        info = label_image(project, actor_for(args, project), args.image_id, args.verdict,
                           args.defect_type, args.severity, mask)
    extra = ", ".join(x for x in (info.defect_type, info.severity,
                                  "with mask" if info.has_mask else None) if x)
    text = f"Image {info.image_id} labelled {info.verdict}" + (f" ({extra})" if extra else "")
    if mask is not None and not mask.any():
        text += "\nnote: the mask has no white pixel, so no defect region was stored"
    elif mask is not None and mask.mean() >= WHOLE_PICTURE:
        text += (f"\nnote: the mask marks {mask.mean():.0%} of the picture as defect; if your "
                 "masks mark defects black, invert them (white = defect)")
    emit(args, info, text)
    return 0


def run_images(args: argparse.Namespace) -> int:
    from inspector.services.labeling import list_images

    with open_project(args) as project:
        items = list_images(project, product=args.product, state=args.state,
                            defect_type=args.defect_type, limit=args.limit, lot=args.lot,
                            serial=args.serial)
    lines = [f"{i.id:>6}  {i.state:<10} {i.defect_type or '':<16} {i.width}x{i.height} "
             f"{i.format:<5} {i.product or '-':<12} {i.original_name or ''}" for i in items]
    emit(args, items, "\n".join(lines) if lines else "No images match.")
    return 0


def run_types_list(args: argparse.Namespace) -> int:
    from inspector.services.labeling import list_defect_type_infos

    with open_project(args) as project:
        items = list_defect_type_infos(project)
    lines = [f"{t.name}" + (f"  [{t.shortcut}]" if t.shortcut else "") for t in items]
    emit(args, items, "\n".join(lines) if lines else "No defect types yet.")
    return 0


def run_types_add(args: argparse.Namespace) -> int:
    from inspector.services.labeling import add_defect_type

    with open_project(args) as project:
        name = add_defect_type(project, actor_for(args, project), args.name, args.shortcut)
    emit(args, {"name": name}, f"Added defect type {name}")
    return 0


def run_types_remove(args: argparse.Namespace) -> int:
    from inspector.services.labeling import remove_defect_type

    with open_project(args) as project:
        remove_defect_type(project, actor_for(args, project), args.name)
    emit(args, {"removed": args.name}, f"Removed defect type {args.name}")
    return 0
