"""Ctrl+Z on the Label page: the label an image had before a change, appended again.

The label history is append-only, so undo records a new row equal to the previous one.
A painted region is kept as the id of the label row that holds it (rows are never
changed): no pixels held for a shift of relabelling 12 MP pictures, and none decoded
before a label key acts (about 60 ms at 12 MP); undo reads them back.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from inspector.errors import UserError
from inspector.services import labeling
from inspector.services.dto import ImageInfo, LabelInfo
from ui.dialogs import show_error

UNDO_DEPTH = 100  # label changes Ctrl+Z can take back; the oldest are forgotten beyond


@dataclass(frozen=True)
class LabelUndo:
    """One image's label before a change (``verdict`` "unlabelled": it had none)."""

    image_id: int
    verdict: str
    defect_type: str | None
    severity: str | None
    mask_label_id: int | None = None
    # (verdict, type, severity) the change set (``made``): undo checks it is still so
    made_label: tuple[str, str | None, str | None] | None = None

    @classmethod
    def before_change(cls, project: Any, info: ImageInfo) -> LabelUndo:
        """What ``info`` is labelled now, to be put back by ``restore``."""
        if info.state == "unlabelled":
            return cls(info.id, "unlabelled", None, None)
        label_id = labeling.current_label_id(project, info.id) if info.has_mask else None
        return cls(info.id, info.state, info.defect_type, info.severity, label_id)

    def made(self, label: LabelInfo) -> LabelUndo:
        """This entry, knowing the label the change set."""
        return replace(self, made_label=(label.verdict, label.defect_type, label.severity))

    def restore(self, project: Any, actor: Any) -> None:
        """Append this label again (raises UserError as labelling does). Refused when the
        image was relabelled since, at another station: undo would overwrite that. (The
        label is compared, not its row: undoing two changes of one image in turn appends
        a row equal to the first change's.)"""
        now = labeling.get_image(project, self.image_id)
        if self.made_label is not None and (now.state, now.defect_type,
                                            now.severity) != self.made_label:
            raise UserError(f"Image #{self.image_id} was relabelled since (another station "
                            "or page); undo leaves it as it is now")
        mask = (None if self.mask_label_id is None
                else labeling.label_mask(project, self.mask_label_id))
        labeling.label_image(project, actor, self.image_id, self.verdict,
                             defect_type=self.defect_type, severity=self.severity, mask=mask)


def undo_last(page: Any) -> None:
    """The Label page's Ctrl+Z: the last brush stroke; with none left, the previous label
    appended again (the label history is append-only)."""
    if page.view.undo_stroke():
        page.state.say("Brush stroke undone")
        return
    if not page.undo_stack:
        page.state.say("Nothing to undo")
        return
    entry = page.undo_stack.pop()
    if entry.verdict == "unlabelled":
        page.state.say("That image had no label before; label history is append-only, "
                       "so relabel it instead")
        return
    try:
        entry.restore(page.state.project, page.state.actor)
    except UserError as exc:
        show_error(page, exc)
        return
    row = page.model.row_of(entry.image_id)
    if row >= 0:
        page.select_row(row)
    page._after_label(entry.image_id)
    if page.current is not None and page.current.id == entry.image_id:
        page.show_image(page.current)
    page.state.say(f"Label of image #{entry.image_id} restored to {entry.verdict}")
