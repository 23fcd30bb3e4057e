"""`inspector model list|activate|threshold|delete`: manage model versions."""

from __future__ import annotations

import argparse

from inspector.cli.common import ID, actor_for, add_common, emit, open_project, print_progress


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("model", help="list, compare, activate (roll back), re-threshold or "
                       "delete models")
    msub = p.add_subparsers(dest="model_command", metavar="ACTION", required=True)
    lst = msub.add_parser("list", help="list model versions")
    add_common(lst)
    lst.add_argument("--product")
    lst.set_defaults(handler=run_list)
    act = msub.add_parser("activate", help="make a version active (QA lead / admin)")
    add_common(act)
    act.add_argument("version", type=ID)
    act.set_defaults(handler=run_activate)
    thr = msub.add_parser("threshold", help="set a version's threshold (QA lead / admin)")
    add_common(thr)
    thr.add_argument("version", type=ID)
    thr.add_argument("threshold", type=float)
    band = thr.add_mutually_exclusive_group()
    band.add_argument("--uncertain-low", type=float, default=None,
                      help="where the uncertain band starts (default: the band keeps its "
                           "relative width)")
    band.add_argument("--no-uncertain", action="store_true", help="remove the uncertain band")
    thr.set_defaults(handler=run_threshold)
    cmp_ = msub.add_parser(
        "compare", help="re-judge the recent inspected parts with a version before "
        "activating it: which verdicts would change (QA lead / admin; nothing is stored)")
    add_common(cmp_)
    cmp_.add_argument("version", type=ID)
    cmp_.add_argument("--parts", type=ID, default=200,
                      help="how many of the newest inspected parts (default 200)")
    cmp_.set_defaults(handler=run_compare)
    dele = msub.add_parser("delete", help="delete an inactive version (QA lead / admin)")
    add_common(dele)
    dele.add_argument("version", type=ID)
    dele.set_defaults(handler=run_delete)


def run_list(args: argparse.Namespace) -> int:
    from inspector.cli.common import to_jsonable
    from inspector.services.labels_since import labels_since_active_model
    from inspector.services.models import list_models

    project = open_project(args)
    models = list_models(project, args.product)
    lines = [f"{'ver':>4} {'active':6} {'product':15} {'preset':8} {'threshold':>9}  trained"]
    for m in models:
        lines.append(
            f"{m.version:>4} {'*' if m.active else '':6} {(m.product or '-'):15} {m.preset:8} "
            f"{m.threshold:>9.4f}  {m.trained_at.astimezone():%Y-%m-%d %H:%M %Z} "  # local
            f"by {m.trained_by or '-'}"
        )
    data = to_jsonable(models)
    for product in sorted({m.product or "" for m in models if m.active}):
        since = labels_since_active_model(project, product or None)  # a retrain is due
        if since is not None:
            lines.append(f"{product + ': ' if product else ''}{since.describe()}")
        for row in data:  # --json says it too, on the active model's record
            if row["active"] and (row["product"] or "") == product:
                row["labelled_since"] = None if since is None else {
                    **to_jsonable(since), "text": since.describe()}
    if not models:
        lines = ["no models yet: run `inspector train`"]
    emit(args, data, "\n".join(lines))
    return 0


def run_activate(args: argparse.Namespace) -> int:
    from inspector.services.models import activate_model

    project = open_project(args)
    info = activate_model(project, actor_for(args, project), args.version)
    emit(args, info, f"model version {info.version} is now active")
    return 0


def run_threshold(args: argparse.Namespace) -> int:
    from inspector.services.models import KEEP_BAND, set_threshold

    project = open_project(args)
    band = None if args.no_uncertain else (
        KEEP_BAND if args.uncertain_low is None else args.uncertain_low)
    info = set_threshold(project, actor_for(args, project), args.version, args.threshold, band)
    emit(args, info, f"model version {info.version}: threshold {info.threshold:.4f}")
    return 0


def run_compare(args: argparse.Namespace) -> int:
    from inspector.services.model_compare import compare_on_recent

    project = open_project(args)
    result = compare_on_recent(project, actor_for(args, project), args.version,
                               parts=args.parts,
                               progress=None if args.json else print_progress)
    emit(args, result, result.describe())
    return 0


def run_delete(args: argparse.Namespace) -> int:
    from inspector.services.models import delete_model

    project = open_project(args)
    delete_model(project, actor_for(args, project), args.version)
    emit(args, {"deleted": args.version}, f"model version {args.version} deleted")
    return 0
