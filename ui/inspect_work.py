"""What the Inspect page runs in the background and how it words a result (no widgets).

The worker bodies take the project and the operator as they were when the job started,
so the parts are recorded under whoever started them.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

from inspector.errors import InspectorError
from inspector.services import inspection, labeling
from inspector.services.hot_folder import handle_hot_file
from inspector.services.results import InspectionInfo
from ui.widgets.recent_strip import thumbnail_source

log = logging.getLogger(__name__)

RECENT = 10  # parts in the recent strip


def inspect_files(project, actor, paths, product, progress=None, cancel=None):  # noqa: ANN001, ANN201
    """Worker body: inspect files/folders; load the last few images for the recent strip
    (the last one whole, to be shown; the others only as big as their thumbnails)."""
    try:
        batch = inspection.inspect_paths(project, actor, paths, product=product,
                                         progress=progress, cancel=cancel)
    except inspection.InspectionCancelled as exc:  # the parts judged before Esc are shown
        batch = exc.batch
    last = batch.inspections[-RECENT:]
    shown = [(without_arrays(info), thumbnail_source(labeling.load_image(project, info.image_id)))
             for info in last[:-1]]
    shown += [(info, labeling.load_image(project, info.image_id)) for info in last[-1:]]
    return batch, shown


def hot_file_for_screen(project, actor, path, *, product, inspect, move, tries=0):  # noqa: ANN001, ANN201
    """Worker body of the hot folder: handle the file (services.hot_folder) and load the
    judged part's thumbnail for the Inspect page's recent strip; (outcome, thumbnail or
    None)."""
    outcome = handle_hot_file(project, actor, path, product=product, inspect=inspect,
                              move=move, tries=tries)
    judged = getattr(outcome.result, "inspections", None)
    thumb = None
    if judged:
        try:
            thumb = thumbnail_source(labeling.load_image(project, judged[-1].image_id))
        except InspectorError as exc:  # the verdict still counts; the strip shows none
            log.warning("no thumbnail for %s: %s", path, exc)
    return outcome, thumb


def inspect_frame(project, actor, rgb, product):  # noqa: ANN001, ANN201
    """Worker body: store and inspect one camera frame."""
    return inspection.inspect_array(project, actor, rgb, product=product), rgb


def without_arrays(info: InspectionInfo) -> InspectionInfo:
    """The record without its full-size heat map and overlay (84 MB at 12 MP): what the
    recent strip keeps; shown again, it takes the stored overlay as History does."""
    return dataclasses.replace(info, heatmap=None, overlay=None)


def verdict_of(info: InspectionInfo) -> tuple:
    """What an override changes: a record shown with another of these is out of date."""
    return info.final_verdict, info.override_verdict, info.override_reason, info.override_by


def verdict_counts(done: list[InspectionInfo]) -> dict[str, int]:
    """How many parts had each final verdict ("ok", "ng", "uncertain")."""
    return {v: sum(i.final_verdict == v for i in done) for v in ("ok", "ng", "uncertain")}


def batch_summary(batch) -> str:  # noqa: ANN001 - services.results.BatchInspection
    """Counts of a file/folder inspection, and the files that could not be inspected."""
    done = batch.inspections
    counts = verdict_counts(done)
    odd = [i.image_name or f"image #{i.image_id}" for i in done if i.unfamiliar]
    text = (f"{len(done)} inspected: {counts['ng']} NG, {counts['ok']} OK, "
            f"{counts['uncertain']} uncertain"
            + (f", {len(odd)} unlike the training images ({_names(odd)}: check the setup, "
               "or whether it is another product)" if odd else ""))
    if batch.refused:
        first, why = batch.refused[0]
        more = f" (and {len(batch.refused) - 1} more)" if len(batch.refused) > 1 else ""
        text += (f"\n⚠ {len(batch.refused)} file(s) NOT inspected: "
                 f"{Path(str(first)).name}: {why}{more}")
    ignored = getattr(batch, "ignored", [])
    if ignored:  # the command line names them too: nothing is left out without a word
        text += (f"\n{len(ignored)} other file(s) there are not pictures and were skipped: "
                 f"{_names([Path(str(p)).name for p in ignored])}")
    for note in getattr(batch, "notes", []):  # a 12-bit camera's files (sensor_bits)
        text += f"\n⚠ {note}"
    return text


def batch_banner(batch) -> tuple[str, str, str]:  # noqa: ANN001 - BatchInspection
    """Verdict colour, word and detail line for the banner after a batch of several
    parts: the last file's green OK read as "all good" after a folder with 6 NG."""
    done = batch.inspections
    counts = verdict_counts(done)
    if counts["ng"]:
        key, word = "ng", f"{counts['ng']} NG"
    elif counts["uncertain"]:  # the count is in the detail: "3 UNCERTAIN" is too wide
        key, word = "uncertain", "UNCERTAIN"
    elif batch.refused:  # not judged is not good: someone must look at them
        key, word = "uncertain", "NOT INSPECTED"
    else:
        key, word = "ok", "ALL OK"
    detail = (("cancelled: " if getattr(batch, "cancelled", False) else "")
              + f"{len(done)} parts · {counts['ng']} NG · {counts['ok']} OK · "
              f"{counts['uncertain']} uncertain"
              + (f" · {len(batch.refused)} not inspected" if batch.refused else ""))
    return key, word, detail


def _names(names: list[str], shown: int = 3) -> str:
    return ", ".join(names[:shown]) + (f" and {len(names) - shown} more" if len(names) > shown
                                       else "")


def result_detail(info: InspectionInfo) -> str:
    """Score against threshold, severity and defect type in one line."""
    parts = [f"score {info.score:.3g} / threshold {info.threshold:.3g}"]
    if info.severity:
        parts.append(f"severity {info.severity}")
    if info.type_text:
        parts.append(info.type_text)
    if info.override_verdict:
        parts.append(f"overridden by {info.override_by} (machine: {info.verdict.upper()})")
    return " · ".join(parts)
