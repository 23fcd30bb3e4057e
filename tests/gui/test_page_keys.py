"""Every main action of Capture, Inspect and Train has a key, named in its tooltip, that
works wherever the focus is on the page (they had none: mouse or Tab only)."""

from __future__ import annotations

import pytest
from gui_helpers import sign_in_as
from PySide6.QtCore import Qt

pytestmark = pytest.mark.gui
CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier


def _press(window, qtbot, page_key: str, key: Qt.Key, modifiers) -> None:  # noqa: ANN001
    page = window.pages[page_key]
    target = page.focus_target if hasattr(page, "focus_target") else page
    target.setFocus()
    qtbot.keyClick(target, key, modifiers)


def _file_keys(window, qtbot, monkeypatch, module, files: str, nothing) -> list[str]:  # noqa: ANN001
    """Press Ctrl+O and Ctrl+Shift+O on ``module``'s page: the file dialogs they opened."""
    asked: list[str] = []
    for name, chosen in ((files, (nothing, "")), ("getExistingDirectory", "")):
        monkeypatch.setattr(
            module.QFileDialog, name, lambda *_a, n=name, c=chosen, **_k: asked.append(n) or c
        )
    key = module.__name__.rsplit(".", 1)[1].removesuffix("_page")
    _press(window, qtbot, key, Qt.Key.Key_O, CTRL)
    _press(window, qtbot, key, Qt.Key.Key_O, CTRL | SHIFT)
    return asked


def test_capture_import_keys(window, qtbot, admin, monkeypatch) -> None:  # noqa: ANN001
    import ui.pages.capture_page as capture_page

    sign_in_as(window, "admin")
    window.show_page("capture")
    assert _file_keys(window, qtbot, monkeypatch, capture_page, "getOpenFileNames", []) == [
        "getOpenFileNames",
        "getExistingDirectory",
    ]


def test_inspect_source_keys(window, qtbot, admin, monkeypatch) -> None:  # noqa: ANN001
    import ui.pages.inspect_page as inspect_page

    monkeypatch.setattr(inspect_page, "model_step", lambda *_a: None)  # a model is ready
    sign_in_as(window, "admin")
    window.show_page("inspect")
    page = window.pages["inspect"]
    assert _file_keys(window, qtbot, monkeypatch, inspect_page, "getOpenFileName", "") == [
        "getOpenFileName",
        "getExistingDirectory",
    ]
    _press(window, qtbot, "inspect", Qt.Key.Key_L, CTRL)
    assert page.camera_button.isChecked() and page.camera_pane.isVisibleTo(page)
    assert "Ctrl+L" in page.camera_button.toolTip()
    _press(window, qtbot, "inspect", Qt.Key.Key_L, CTRL)
    assert not page.camera_button.isChecked()


def test_train_keys_and_a_disabled_button_stays_unpressed(
    window, qtbot, admin, monkeypatch, image_dir
) -> None:  # noqa: ANN001
    from inspector.services.importing import import_paths

    import_paths(window.state.project, admin, [image_dir / "good"], labels_from_folders=True)
    sign_in_as(window, "admin")
    window.show_page("train")
    page = window.pages["train"]
    started = []
    monkeypatch.setattr(page, "start_training", lambda: started.append("train"))
    monkeypatch.setattr(page, "load_examples", lambda: started.append("examples"))
    page.train_button.clicked.disconnect()
    page.train_button.clicked.connect(page.start_training)
    page.examples_button.clicked.disconnect()
    page.examples_button.clicked.connect(page.load_examples)
    _press(window, qtbot, "train", Qt.Key.Key_T, CTRL)
    _press(window, qtbot, "train", Qt.Key.Key_E, CTRL)
    assert started == ["train", "examples"] and "Ctrl+T" in page.train_button.toolTip()
    page.train_button.setEnabled(False)  # as while a training runs: the key does nothing
    _press(window, qtbot, "train", Qt.Key.Key_T, CTRL)
    assert started == ["train", "examples"]


def test_one_press_keys_do_not_repeat_on_any_page(window, admin) -> None:  # noqa: ANN001
    """Inspect and History made their G, D, H and O with plain shortcuts, which repeat
    when held; the Label page's defect-type keys repeated too (five identical labels)."""
    from PySide6.QtGui import QKeySequence, QShortcut

    from inspector.services import labeling

    labeling.add_defect_type(window.state.project, admin, "scratch", "S")
    window.pages["label"].reload_types()
    for name in ("inspect", "history", "label"):
        keys = {s.key().toString(): s.autoRepeat()
                for s in window.pages[name].findChildren(QShortcut) if s.isEnabled()}
        for key in ("G", "D") + (("H", "O") if name != "label" else ("S",)):
            assert keys.get(QKeySequence(key).toString()) is False, (name, key)
