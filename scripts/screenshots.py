"""Screenshots of every GUI page on a demo project, for the docs.

    Xvfb :99 -screen 0 1366x768x24 &  DISPLAY=:99 python scripts/screenshots.py [OUT_DIR [WxH]]

WxH (default 1366x740) is the window size, e.g. 1024x560 for a small panel PC's screen.

Builds the sample project (sample_images/, preset "fast") in a temporary folder, signs in
as the QA lead, drives each page to a typical state and saves docs/screenshots/<page>.png
(palette-reduced when a full-colour PNG would exceed 300 KB).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from PIL import Image  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

MAX_BYTES = 300_000


def wait(condition: Callable[[], bool], timeout: float = 300.0) -> None:
    """Run the event loop until ``condition()`` holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        QApplication.processEvents()
        time.sleep(0.02)
        if time.monotonic() > deadline:
            raise TimeoutError("page did not reach the expected state")
    for _ in range(20):
        QApplication.processEvents()
        time.sleep(0.01)


def thumbnails_shown(label) -> bool:  # noqa: ANN001
    """The gallery has its images and as many thumbnails are loaded as it shows, at least
    one (a short window shows one: waiting for two never ended). What it shows is what
    the page's scroll area leaves visible: only those are painted, and so loaded."""
    gallery, model = label.gallery, label.model
    area = gallery.viewport().visibleRegion().boundingRect()
    in_view = sum(gallery.visualRect(model.index(row)).intersects(area)
                  for row in range(model.rowCount()))
    rows = model.rowCount()
    return rows > 0 and model.cached_count() >= min(max(1, in_view), rows)


def chart_settled(reports) -> Callable[[], bool]:  # noqa: ANN001
    """A condition for ``wait``: the report is computed, its charts are drawn and no redraw
    followed for 0.6 s (a resize redraws them 0.3 s later, at the new size)."""
    charts = reports.charts
    last = {"count": -1, "at": 0.0}

    def settled() -> bool:
        if reports.summary_job is not None or charts.job is not None or charts.rendered == 0:
            last["count"] = -1
            return False
        if charts.rendered != last["count"]:
            last.update(count=charts.rendered, at=time.monotonic())
        return time.monotonic() - last["at"] > 0.6

    return settled


def save(window, name: str, out: Path) -> None:  # noqa: ANN001
    path = out / f"{name}.png"
    window.grab().save(str(path))
    if path.stat().st_size > MAX_BYTES:
        Image.open(path).convert("RGB").quantize(colors=256, dither=Image.Dither.NONE).save(
            path, optimize=True)
    print(f"{path} {path.stat().st_size // 1024} KB")


def main(out: Path, size: tuple[int, int] = (1366, 740)) -> None:
    from inspector.imaging.camera import FakeCamera
    from inspector.imaging.decode import decode_file
    from inspector.services.sample import create_sample_project
    from ui.app import make_application
    from ui.main_window import MainWindow
    from ui.state import AppState

    app = make_application(sys.argv[:1])
    tmp = Path(tempfile.mkdtemp(prefix="inspector-shots-"))
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp / "qs"))
    print("building the sample project…")
    project = create_sample_project(tmp / "project", preset="fast")
    out.mkdir(parents=True, exist_ok=True)
    window = MainWindow(AppState(project))
    window.resize(*size)
    window.show()
    wait(window.isVisible)
    save(window, "sign_in", out)
    signin = window.pages["signin"]
    signin.operator_box.setCurrentText("qa")
    signin.station_edit.setText("Line 1 / Station A")
    signin.product_box.setCurrentText("bottle")
    signin.sign_in()
    wait(lambda: window.state.actor is not None)

    assert window.width() <= size[0], window.width()
    window.show_page("capture")
    capture = window.pages["capture"]
    test_dir = REPO / "sample_images" / "bottle" / "test"
    frame = decode_file(next((test_dir / "good").iterdir())).rgb
    capture.camera.start(FakeCamera([frame]))
    job = capture.import_paths([str(test_dir)])
    wait(lambda: capture.import_job is None and capture.camera.last_frame is not None)
    save(window, "capture", out)
    capture.camera.stop()

    window.show_page("label")
    label = window.pages["label"]
    label.state_filter.setCurrentText("defective")
    wait(lambda: thumbnails_shown(label))
    save(window, "label", out)

    from inspector.services import labeling  # two good parts labelled after training
    unlabelled = labeling.list_images(project, state="unlabelled")
    for info in [i for i in unlabelled if (i.original_name or "").startswith("test_")][:2]:
        labeling.label_image(project, window.state.actor, info.id, "good")
    window.show_page("train")
    train = window.pages["train"]
    job = train.load_examples()
    wait(lambda: not job.running)
    save(window, "train", out)

    window.show_page("inspect")
    inspect = window.pages["inspect"]
    bad = sorted((test_dir / "broken_large").iterdir())
    good = sorted((test_dir / "good").iterdir())
    job = inspect.inspect_paths([str(p) for p in good[:3] + bad[:2]])
    wait(lambda: job is not None and not job.running)
    save(window, "inspect", out)
    import cv2  # the setup check: the same bottle, out of focus

    blurred = tmp / "out_of_focus.png"
    cv2.imwrite(str(blurred), cv2.GaussianBlur(cv2.imread(str(good[3])), (0, 0), 4))
    job = inspect.inspect_paths([str(blurred)])
    wait(lambda: job is not None and not job.running)
    save(window, "inspect_unfamiliar", out)

    window.show_page("history")
    wait(lambda: window.pages["history"].table.rowCount() > 0)
    save(window, "history", out)
    window.show_page("train")  # before activating a version: what would it change?
    train.start_comparison(train.models.selected().version)
    wait(lambda: train.job is None and train.models.comparison.isVisible())
    save(window, "train_compare", out)
    if "reports" in window.pages:
        window.show_page("reports")
        wait(chart_settled(window.pages["reports"]))
        save(window, "reports", out)
    print("window", window.width(), "x", window.height())
    window.close()
    from ui.worker import stop_all

    stop_all()  # as the app does at exit: no worker may outlive the window
    project.close()
    app.quit()
    shutil.rmtree(tmp)  # the demo project (4 MB a run) was left in the temp folder


if __name__ == "__main__":
    size = tuple(int(v) for v in sys.argv[2].split("x")) if len(sys.argv) > 2 else (1366, 740)
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "docs" / "screenshots", size)
