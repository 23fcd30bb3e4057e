"""The verdict override, used by the Inspect and History pages: ask for the new verdict
and its reason, store it (the service checks the role and audits), say what failed.

A QA lead often finds a wrong verdict later, reading History, not while the part is on
screen: both pages offer the same dialog and key (O).
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from inspector.services import inspection
from inspector.services.results import InspectionInfo
from ui.dialogs import attempt, disposed
from ui.state import AppState
from ui.widgets.override_dialog import OverrideDialog

OVERRIDE_KEY = "O"
OVERRIDE_TEXT = f"Override…  [{OVERRIDE_KEY}]"
OVERRIDE_TIP = "Set the verdict that counts, with a reason (QA lead)"


def ask_override(parent: QWidget, info: InspectionInfo) -> tuple[str, str] | None:
    """(verdict, reason) from the dialog, or None when it was cancelled."""
    with disposed(OverrideDialog(info.verdict, parent, current=info.final_verdict)) as dialog:
        if dialog.exec() != OverrideDialog.DialogCode.Accepted:
            return None
        return dialog.verdict(), dialog.reason()


def store_override(
    parent: QWidget, state: AppState, inspection_id: int, verdict: str, reason: str
) -> InspectionInfo | None:
    """The stored inspection with its new verdict; None (after a message) if refused."""
    info = attempt(
        parent,
        inspection.override_verdict,
        state.project,
        state.actor,
        inspection_id,
        verdict,
        reason,
    )
    if info is None:
        return None
    state.notify("inspections")
    state.say(f"Inspection #{info.id} overridden to {verdict.upper()}")
    return info
