"""One action used by the Inspect and History pages: an inspected part as a good example.

A false reject, or an unfamiliar but good variant, becomes a training label with one
key. A part the machine rejected, or one a person labelled defective, is only labelled
after an explicit Yes (default No): a defective part labelled good would teach the next
model to pass that defect.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from inspector.errors import UserError
from inspector.services import labeling
from inspector.services.results import InspectionInfo
from inspector.store import roles
from ui.dialogs import show_error
from ui.state import AppState


def label_inspected_good(parent: QWidget, state: AppState, info: InspectionInfo | None) -> bool:
    """Label the inspected image good (asking first when it was judged NG)."""
    if info is None or not state.may(roles.LABEL):
        return False
    try:
        labelled = labeling.get_image(state.project, info.image_id)
    except UserError as exc:
        show_error(parent, exc)
        return False
    why = None
    if labelled.state == "defective":  # someone found a defect the machine missed
        why = (f"This part is labelled defective ({labelled.defect_type or 'no type'}, by "
               f"{labelled.labelled_by or 'someone'}). Replace that label with good?")
    elif info.final_verdict == "ng":
        why = ("This part was judged NG. Label it as a good example for the next training "
               "anyway? Only do this when you are sure the part is good.")
    if why is not None:
        answer = QMessageBox.question(
            parent, "Label this part good?", why,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return False
    try:
        labeling.label_image(state.project, state.actor, info.image_id, "good")
    except UserError as exc:
        show_error(parent, exc)
        return False
    state.notify("labels")
    state.say(f"Image #{info.image_id} labelled good: retrain to use it")
    return True
