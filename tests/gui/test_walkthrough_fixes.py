"""What a first-day walk through the GUI found: hot-folder verdicts that never reached
Inspect, a cancelled batch whose judged parts were not shown, a folder's green banner
after NG parts, the keyboard left in a QA setting when training started, and a stray wheel
turn changing it."""

from __future__ import annotations

import shutil
import time

import pytest
from gui_helpers import sign_in_as, wait_for_job
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication
from trained_disc import trained_disc

from inspector.services import inspection

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def trained(tmp_path_factory):  # noqa: ANN001, ANN201
    made = trained_disc(tmp_path_factory, goods=5, defects=0, test_goods=4)
    yield made
    made.project.close()


@pytest.fixture
def project(trained):  # noqa: ANN001, ANN201 - overrides the empty project of tests/conftest
    return trained.project


@pytest.fixture
def disc(window):  # noqa: ANN001, ANN201
    window.state.set_product("disc")
    return window


def test_a_hot_folder_verdict_shows_on_inspect(disc, trained, tmp_path, qtbot) -> None:  # noqa: ANN001
    said: list[str] = []
    disc.state.status_message.connect(said.append)
    sign_in_as(disc, "op")
    inspect = disc.pages["inspect"]
    panel = disc.pages["capture"].hot_folder
    hot = tmp_path / "hot"
    hot.mkdir()
    assert panel.start(hot, stable_ms=100)
    shutil.copy(trained.bad[0], hot / "part.png")
    qtbot.waitUntil(lambda: panel.count == 1, timeout=20_000)
    panel.stop()
    judged = inspect.current
    assert judged is not None and judged.image_name == "part.png"
    assert inspect.banner.verdict == judged.final_verdict
    assert inspect.recent.count() == 1
    assert inspect.recent.payloads()[0].id == judged.id
    if judged.final_verdict != "ok":  # said on whatever page is open
        assert any(m.startswith("Hot folder: part.png") for m in said)
        assert panel.log.property("role") == "warning"


def test_a_cancelled_batch_shows_the_parts_it_judged(disc, trained, tmp_path, qtbot,  # noqa: ANN001
                                                     monkeypatch) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    for n, src in enumerate(trained.good * 2):
        shutil.copy(src, folder / f"p{n}.png")
    real = inspection.inspect_image

    def slow(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        time.sleep(0.3)
        return real(*args, **kwargs)

    monkeypatch.setattr(inspection, "inspect_image", slow)
    sign_in_as(disc, "op")
    disc.show_page("inspect")
    page = disc.pages["inspect"]
    job = page.inspect_paths([folder])
    job.progress.connect(lambda _f, m: m.startswith("Inspected 2/") and job.cancel())
    wait_for_job(qtbot, job, 60_000)
    judged = page.recent.count()
    assert 2 <= judged < 8
    assert page.batch_note.text().startswith(f"Inspection cancelled after {judged} part(s)")
    assert page.current is not None and page.current.image_name is not None
    assert page.banner.verdict != "none"
    assert page.banner.detail.text().startswith(f"cancelled: {judged} parts")
    disc.show_page("history")
    disc.show_page("inspect")
    assert page.banner.detail.text() != "No inspection yet"


def test_a_folder_with_a_defect_does_not_end_on_a_green_banner(disc, trained, tmp_path,  # noqa: ANN001
                                                               qtbot) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(trained.bad[0], folder / "a_bad.png")
    shutil.copy(trained.good[0], folder / "b_good.png")  # the last file, likely OK
    sign_in_as(disc, "op")
    disc.show_page("inspect")
    page = disc.pages["inspect"]
    wait_for_job(qtbot, page.inspect_paths([folder]), 60_000)
    verdicts = [p.final_verdict for p in page.recent.payloads()]
    ng = verdicts.count("ng")
    assert ng, verdicts  # the fixture's defect is found
    assert page.banner.verdict == "ng" and page.banner.word.text() == f"{ng} NG"
    assert page.banner.detail.text().startswith("2 parts")
    assert page.detail.text().startswith("Last part: ")
    page.show_recent(page.recent.payloads()[0])  # one part chosen: its own verdict
    assert page.banner.word.text() in ("OK", "NG", "UNCERTAIN")


def test_starting_training_leaves_the_keyboard_on_cancel(disc, qtbot) -> None:  # noqa: ANN001
    """Start training was turned off under the keyboard, and Qt gave the keyboard to the
    false-reject target: one Up arrow changed a QA setting."""
    sign_in_as(disc, "lead")
    disc.show_page("train")
    page = disc.pages["train"]
    page.train_button.setFocus()
    qtbot.waitUntil(page.train_button.hasFocus, timeout=2000)
    job = page.start_training()
    focus = QApplication.focusWidget()
    assert focus is page.progress.cancel_button
    job.cancel()
    qtbot.waitUntil(lambda: page.job is None, timeout=60_000)


def test_a_wheel_over_a_setting_without_the_keyboard_changes_nothing(disc, qtbot) -> None:  # noqa: ANN001
    sign_in_as(disc, "lead")
    disc.show_page("train")
    target = disc.pages["train"].calibration.target
    before = target.value()

    def turn() -> None:
        event = QWheelEvent(QPointF(5, 5), QPointF(target.mapToGlobal(QPoint(5, 5))),
                            QPoint(0, 0), QPoint(0, 120), Qt.MouseButton.NoButton,
                            Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase,
                            False)
        QApplication.sendEvent(target, event)

    disc.pages["train"].train_button.setFocus()
    turn()
    assert target.value() == before
    target.setFocus()
    qtbot.waitUntil(target.hasFocus, timeout=2000)
    turn()  # with the keyboard there, the wheel is the person's intent
    assert target.value() != before
    target.setValue(before)


def test_the_next_operator_starts_clean(disc, qtbot) -> None:  # noqa: ANN001
    """After a sign-out the next operator saw the last one's cancel note, training
    outcome and brush."""
    sign_in_as(disc, "lead")
    inspect, train, label = (disc.pages[k] for k in ("inspect", "train", "label"))
    inspect._set_batch_note("Inspection cancelled after 4 part(s)", warn=True)
    train.result.setText("Model v9 trained, active.")
    label.brush_button.setChecked(True)
    sign_in_as(disc, "op")
    assert inspect.batch_note.text() == "" and not inspect.batch_note.isVisibleTo(inspect)
    assert train.result.text() == ""
    assert not label.brush_button.isChecked()


def test_label_buttons_stay_put_for_a_long_file_name(disc, qtbot) -> None:  # noqa: ANN001
    import dataclasses

    sign_in_as(disc, "lead")
    disc.show_page("label")
    page = disc.pages["label"]
    qtbot.waitUntil(lambda: page.current is not None, timeout=10_000)
    short = page.current
    qtbot.wait(50)
    y = page.good_button.mapTo(page, QPoint(0, 0)).y()
    page.show_image(dataclasses.replace(short, original_name="a very long file name " * 8))
    qtbot.wait(50)
    assert page.good_button.mapTo(page, QPoint(0, 0)).y() == y
    assert "a very long file name" in page.info.toolTip()  # all of it, where it is cut
