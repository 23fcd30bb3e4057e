"""`inspector inspect PATH...`: inspect files or folders and record the results."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from inspector.cli.common import (
    actor_for,
    add_common,
    add_station,
    emit,
    end_progress_line,
    open_project,
    print_progress,
    to_jsonable,
)

if TYPE_CHECKING:
    from inspector.services.inspection import BatchInspection


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "inspect",
        help="inspect image files or folders with the active model",
        description="Inspect images; exit 0 when all were inspected, 1 when any was refused. "
        "Other files in the folders are listed as ignored (--json: \"ignored\").",
    )
    add_common(p)
    add_station(p)
    p.add_argument("paths", nargs="+", help="image files or folders (recursive)")
    p.add_argument("--product", help="product of the parts (selects its active model)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from inspector.services.inspection import (
        InspectionInterrupted,
        InspectionStopped,
        inspect_paths,
    )

    project = open_project(args)
    actor = actor_for(args, project)
    try:
        batch = inspect_paths(
            project, actor, args.paths, product=args.product,
            progress=None if args.json else print_progress,
        )
    except InspectionInterrupted as stop:  # Ctrl+C: still say which parts were judged
        end_progress_line()
        _print_batch(args, stop.batch, stop.not_inspected)
        raise
    except InspectionStopped as stop:  # a server gone, a full disk: the same, then why
        end_progress_line()
        if args.json:  # one object: the judged parts with the error and its exit code
            _print_batch(args, stop.batch, stop.not_inspected, stopped=str(stop))
            return 1
        _print_batch(args, stop.batch, stop.not_inspected, stopped=str(stop))
        raise  # the error line on stderr, exit 1
    _print_batch(args, batch)
    return 1 if batch.refused else 0


def _print_batch(args: argparse.Namespace, batch: BatchInspection,
                 not_inspected: list[str] | None = None, stopped: str | None = None) -> None:
    """The results as text or JSON; ``not_inspected``: the files a Ctrl+C (or, with
    ``stopped``, the error it names) left."""
    lines = []
    for r, path in zip(batch.inspections, batch.files, strict=True):
        extra = ""
        if r.verdict != "ok":
            extra = f"  severity={r.severity or '-'} type={r.defect_type or '-'}"
            if r.type_confidence is not None:
                extra += f" ({r.type_confidence:.0%})"
        if r.unfamiliar:
            extra += "  UNFAMILIAR"
        lines.append(
            f"{r.verdict.upper():9s} score={r.score:.4f} thr={r.threshold:.4f}{extra}  "
            f"{_shown(path)} (image #{r.image_id})"
        )
    for path, reason in batch.refused:
        lines.append(f"REFUSED   {_shown(path)}: {reason}")
    if batch.ignored:
        lines.append(f"{len(batch.ignored)} other file(s) in the folders are not images of a "
                     f"supported type and were not inspected, such as "
                     f"{_shown(batch.ignored[0])}")
    ng = sum(r.verdict == "ng" for r in batch.inspections)
    odd = sum(r.unfamiliar for r in batch.inspections)
    if odd:
        lines.append(f"{odd} image(s) marked UNFAMILIAR look unlike the training images as a "
                     "whole (a large defect, or a changed camera, lighting or product): "
                     "check before trusting them.")
    lines += [f"Note: {note}" for note in batch.notes]
    lines.append(
        f"{len(batch.inspections)} inspected, {ng} NG, "
        f"{sum(r.verdict == 'uncertain' for r in batch.inspections)} uncertain, "
        f"{len(batch.refused)} refused"
    )
    if not_inspected is not None:
        why = "Stopped" if stopped else "Interrupted"
        lines.append(f"{why}: {len(not_inspected)} file(s) were not inspected, such as "
                     f"{_shown(not_inspected[0])}" if not_inspected else
                     f"{why} after the last file.")
    data = {  # each inspection names the file it was given, as import --json does
        "inspections": [{**to_jsonable(r), "file": path}
                        for r, path in zip(batch.inspections, batch.files, strict=True)],
        "refused": [{"path": path, "reason": reason} for path, reason in batch.refused],
        "ignored": batch.ignored,
        "notes": batch.notes,
    }
    if stopped is not None:
        data.update(error=stopped, not_inspected=not_inspected, exit_code=1)
    elif not_inspected is not None:
        data.update(interrupted=True, not_inspected=not_inspected, exit_code=130)
    emit(args, data, "\n".join(lines))


def _shown(path: object) -> str:
    """A path on one line of text output: a line break (or an escape sequence) in a file
    name split a result line in two for whatever reads the lines (--json keeps it)."""
    from inspector.services.names import printable_file_name

    return printable_file_name(str(path), max_len=10_000) or ""
