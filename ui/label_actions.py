"""One action used by the Inspect and History pages: an inspected part as a good example.

A false reject, or an unfamiliar but good variant, becomes a training label with one
key. A part the machine rejected is only labelled after an explicit Yes (default No):
a defective part labelled good would teach the next model to pass that defect.
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
    if info.final_verdict == "ng":
        answer = QMessageBox.question(
            parent, "Label a rejected part good?",
            "This part was judged NG. Label it as a good example for the next training "
            "anyway? Only do this when you are sure the part is good.",
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
