"""Key D on Inspect and History: an inspected part becomes a labelled defect, with the
machine's type and severity preselected, a brushed region kept, and a note when the
machine had passed the part."""

from __future__ import annotations

import numpy as np
import pytest
from gui_helpers import sign_in_as
from PySide6.QtCore import Qt

import ui.label_actions as label_actions
from inspector.services import inspection, labeling
from inspector.services.importing import import_array
from inspector.store.models import Inspection
from ui.widgets.defect_label_dialog import NO_SEVERITY, NO_TYPE, DefectLabelDialog

pytestmark = pytest.mark.gui
RGB = np.full((48, 48, 3), 120, np.uint8)


def inspected(project, admin, verdict: str, defect_type: str | None = None,  # noqa: ANN001
              severity: str | None = None, seed: int = 0):  # noqa: ANN201
    """A stored part and its inspection, as the Inspect and History pages receive them."""
    rgb = RGB.copy()
    rgb[0, 0] = seed  # a picture of its own (imports skip duplicates)
    img = import_array(project, admin, rgb, source="file", name=f"part_{seed}.png")
    with project.db.session() as s:
        s.add(Inspection(image_id=img.id, score=30.0, threshold=17.0, verdict=verdict,
                         defect_type=defect_type, severity=severity))
    return inspection.list_inspections(project, limit=1)[0]


def showing(window, who: str, info):  # noqa: ANN001, ANN201
    """``who`` signed in, on Inspect, with ``info`` as the part on screen."""
    sign_in_as(window, who)
    window.show_page("inspect")
    page = window.pages["inspect"]
    page.show_result(info, RGB)
    return page


@pytest.fixture
def asked(monkeypatch):  # noqa: ANN001, ANN201
    """The dialog's questions, answered with ``asked.answer`` (None = Cancel)."""

    class Asked(list):
        answer: tuple | None = None

    record = Asked()

    def ask(_parent, types, suggested, severity, note, allow_new):  # noqa: ANN001, ANN202
        record.append({"types": types, "suggested": suggested, "severity": severity,
                       "note": note, "allow_new": allow_new})
        return record.answer

    monkeypatch.setattr(label_actions, "ask_defect_label", ask)
    return record


@pytest.fixture
def types(project, admin):  # noqa: ANN001, ANN201
    for name in ("crack", "scratch"):
        labeling.add_defect_type(project, admin, name)


def test_d_on_inspect_labels_the_part_with_the_machines_guesses(
        window, project, admin, types, asked, qtbot) -> None:  # noqa: ANN001
    info = inspected(project, admin, "ng", "crack", "major")
    page = showing(window, "admin", info)
    assert page.label_defective_button.isEnabled() and "[D]" in page.label_defective_button.text()
    asked.answer = ("crack", "critical")
    qtbot.keyClick(page, Qt.Key.Key_D)
    assert asked == [{"types": ["crack", "scratch"], "suggested": "crack",
                      "severity": "major", "note": None, "allow_new": True}]
    label = labeling.get_image(project, info.image_id)
    assert (label.state, label.defect_type, label.severity) == ("defective", "crack",
                                                               "critical")


def test_a_passed_part_gets_a_note_and_cancel_changes_nothing(
        window, project, admin, types, asked) -> None:  # noqa: ANN001
    info = inspected(project, admin, "ok")
    page = showing(window, "admin", info)
    assert page.label_defective() is False  # asked.answer is None: Cancel
    assert "judged this part OK" in asked[0]["note"]
    assert labeling.get_image(project, info.image_id).state == "unlabelled"
    labeling.label_image(project, admin, info.image_id, "good")
    page.label_defective()
    assert "labelled good" in asked[1]["note"]  # replacing a person's label: said
    assert labeling.get_image(project, info.image_id).state == "good"


def test_relabelling_keeps_the_brushed_region(window, project, admin, types, asked) -> None:  # noqa: ANN001
    info = inspected(project, admin, "ng", "crack", "minor")
    mask = np.zeros((48, 48), bool)
    mask[10:20, 5:30] = True
    labeling.label_image(project, admin, info.image_id, "defective", "scratch", "major", mask)
    page = showing(window, "admin", info)
    asked.answer = ("scratch", "critical")
    assert page.label_defective()
    assert asked[0]["suggested"] == "scratch" and asked[0]["severity"] == "major"  # the
    # person's label, not the machine's guess
    kept = labeling.load_mask(project, info.image_id)
    assert kept is not None and np.array_equal(kept > 0, mask)
    assert labeling.get_image(project, info.image_id).severity == "critical"
    labeling.remove_defect_type(project, admin, "scratch")  # the label keeps its type...
    page.label_defective()
    assert asked[1]["types"] == ["crack", "scratch"]  # ...and the dialog still offers it
    assert asked[1]["suggested"] == "scratch"


def test_d_on_history_labels_the_selected_inspection(window, project, admin, types,
                                                    asked, qtbot) -> None:  # noqa: ANN001
    inspected(project, admin, "ng", "scratch", "minor", seed=1)
    newest = inspected(project, admin, "ng", None, None, seed=2)
    sign_in_as(window, "admin")
    window.show_page("history")
    page = window.pages["history"]
    assert page.selected_info().id == newest.id
    asked.answer = (None, None)
    qtbot.keyClick(page.table, Qt.Key.Key_D)
    label = labeling.get_image(project, newest.image_id)
    assert (label.state, label.defect_type, label.severity) == ("defective", None, None)
    page.table.clearSelection()
    assert not page.label_defective_button.isEnabled() and not page.label_defective()


def test_operators_label_defects_too(window, project, admin, actor, types, asked) -> None:  # noqa: ANN001
    info = inspected(project, admin, "ng", "crack")
    page = showing(window, "op", info)
    assert page.label_defective_button.isVisible()
    asked.answer = ("crack", None)
    assert page.label_defective()
    assert labeling.get_image(project, info.image_id).labelled_by == "op"
    assert asked[0]["allow_new"] is False  # defect types are a QA lead's to add


def test_a_qa_lead_names_a_new_defect_type_in_the_dialog(window, project, admin, types,
                                                        asked) -> None:  # noqa: ANN001
    info = inspected(project, admin, "ng", "crack")
    page = showing(window, "admin", info)
    asked.answer = ("Blowhole", "minor")
    assert page.label_defective()
    assert "Blowhole" in labeling.list_defect_types(project)
    assert labeling.get_image(project, info.image_id).defect_type == "Blowhole"
    asked.answer = ("blowhole", None)  # the same type in other letters: no second one
    assert page.label_defective()
    assert [t for t in labeling.list_defect_types(project) if t.lower() == "blowhole"] == [
        "Blowhole"]


def test_dialog_preselects_confirms_with_enter_and_cancels_with_escape(qtbot) -> None:  # noqa: ANN001
    dialog = DefectLabelDialog(["crack", "scratch"], "scratch", "major")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitActive(dialog)
    assert dialog.choice() == ("scratch", "major")
    qtbot.keyClick(dialog.types, Qt.Key.Key_Up)
    qtbot.keyClick(dialog.types, Qt.Key.Key_Return)
    assert dialog.result() == DefectLabelDialog.DialogCode.Accepted
    assert dialog.choice() == ("crack", "major")

    typed = DefectLabelDialog(["crack"], "crack", None, allow_new=True)
    qtbot.addWidget(typed)
    typed.show()
    qtbot.waitActive(typed)
    qtbot.keyClicks(typed.new_type, "  pinhole ")
    qtbot.keyClick(typed.new_type, Qt.Key.Key_Return)  # Enter in the field confirms too
    assert typed.result() == DefectLabelDialog.DialogCode.Accepted and not typed.isVisible()
    assert typed.choice() == ("pinhole", None)  # a typed name wins over the list

    other = DefectLabelDialog([], "rust", "worst")  # nothing known: no type, no severity
    qtbot.addWidget(other)
    other.show()
    qtbot.waitActive(other)
    assert other.choice() == (None, None)
    assert other.types.currentItem().text() == NO_TYPE
    assert other.severity.currentText() == NO_SEVERITY
    qtbot.keyClick(other.types, Qt.Key.Key_Escape)
    assert other.result() == DefectLabelDialog.DialogCode.Rejected
