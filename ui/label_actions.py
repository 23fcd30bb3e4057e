"""Two actions used by the Inspect and History pages: an inspected part as a training
example, good (key G) or defective (key D).

A false reject, or an unfamiliar but good variant, becomes a training label with one
key. A part the machine rejected, or one a person labelled defective, is only labelled
after an explicit Yes (default No): a defective part labelled good would teach the next
model to pass that defect. A defect caught on the line becomes a labelled defect with its
type and severity (the machine's guesses preselected), so the model gets better as parts
are inspected.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from inspector.errors import UserError
from inspector.services import labeling
from inspector.services.results import InspectionInfo
from inspector.store import roles
from ui.dialogs import disposed, show_error
from ui.state import AppState
from ui.widgets.defect_label_dialog import DefectLabelDialog

LABEL_DEFECTIVE_KEY = "D"
LABEL_DEFECTIVE_TEXT = f"Label defective…  [{LABEL_DEFECTIVE_KEY}]"
LABEL_GOOD_TEXT = "Label good  [G]"
# where the column is narrow and short (a camera beside it on a 1024x600 panel): the key
# hints stay whole, the tooltips say the rest
SHORT_LABEL_TEXTS = ("Good  [G]", f"Defective…  [{LABEL_DEFECTIVE_KEY}]")
LABEL_DEFECTIVE_TIP = ("Add this part to the defective training images, with its defect type "
                       "and severity (used from the next training)")


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


def ask_defect_label(parent: QWidget, types: list[str], suggested: str | None,
                     severity: str | None, note: str | None, allow_new: bool) -> tuple | None:
    """(defect type, severity) from the dialog, or None when it was cancelled."""
    with disposed(DefectLabelDialog(types, suggested, severity, note, parent,
                                    allow_new)) as dialog:
        if dialog.exec() != DefectLabelDialog.DialogCode.Accepted:
            return None
        return dialog.choice()


def label_inspected_defective(parent: QWidget, state: AppState,
                              info: InspectionInfo | None) -> bool:
    """Label the inspected image defective, with the type and severity the dialog gives
    (the machine's guesses preselected, or the person's label where there is one). A
    region brushed on the Label page is kept."""
    if info is None or not state.may(roles.LABEL):
        return False
    try:
        labelled = labeling.get_image(state.project, info.image_id)
        types = labeling.list_defect_types(state.project)
    except UserError as exc:
        show_error(parent, exc)
        return False
    note = None
    if labelled.state == "good":
        note = (f"This part is labelled good (by {labelled.labelled_by or 'someone'}): the "
                "new label replaces it.")
    elif info.final_verdict == "ok":
        note = ("The machine judged this part OK. Label it defective only when you can "
                "see the defect: the next model learns to reject it.")
    is_defective = labelled.state == "defective"
    if is_defective and labelled.defect_type and labelled.defect_type not in types:
        types = [*types, labelled.defect_type]  # a removed type stays on labels that have it
    suggested = labelled.defect_type if is_defective else info.defect_type
    severity = labelled.severity if is_defective else info.severity
    allow_new = state.may(roles.MANAGE_DEFECT_TYPES)
    answer = ask_defect_label(parent, types, suggested, severity, note, allow_new)
    if answer is None:
        return False
    defect_type, severity = answer
    try:
        if defect_type and defect_type.casefold() not in {t.casefold() for t in types}:
            defect_type = labeling.add_defect_type(state.project, state.actor, defect_type)
        mask = labeling.load_mask(state.project, info.image_id) if labelled.has_mask else None
        labeling.label_image(state.project, state.actor, info.image_id, "defective",
                             defect_type, severity, mask)
    except UserError as exc:
        show_error(parent, exc)
        return False
    state.notify("labels")
    state.say(f"Image #{info.image_id} labelled defective"
              f"{f' ({defect_type})' if defect_type else ''}: retrain to use it")
    return True
