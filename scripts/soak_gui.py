"""Soak test of the GUI: a simulated shift, as fast as it goes, printing resource counts.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/soak_gui.py [--minutes 10] [--every 30]

A Qt binding release once crashed the window only after minutes of use, and a slow leak
shows only over a shift, so short tests never see either. This drives the real main window
on the sample project (signed in as the QA lead) through a loop of: live-camera inspection
(Space, a fake 2592x1944 camera), page switches with Ctrl+N, labelling with keys on the
Label page, selecting rows on History, a Reports refresh now and then, and sign-out /
sign-in. Every ``--every`` seconds it prints one line: elapsed s, inspections done, RSS MB,
Python objects (after gc.collect()), live QWidgets, open file descriptors, threads and
sys.getrefcount(None). Read the columns for growth that does not level off; the first
samples are warm-up (caches, the model, Qt's glyph and style caches).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from PySide6.QtCore import QSettings, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget  # noqa: E402

FRAME_SIZE = (1944, 2592)  # h, w: a 5 MP industrial camera
COLUMNS = ("elapsed_s", "inspections", "rss_mb", "py_objects", "qwidgets", "fds", "threads",
           "os_threads", "refs_None")


def pump(seconds: float = 0.0) -> None:
    """Run the event loop for ``seconds`` (at least one pass)."""
    end = time.monotonic() + seconds
    while True:
        QApplication.processEvents()
        if time.monotonic() >= end:
            return
        time.sleep(0.005)


def wait(condition: Callable[[], bool], timeout: float = 60.0) -> bool:
    """Run the event loop until ``condition()`` holds; False on timeout (the soak goes on)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        pump(0.01)
    return True


def rss_mb() -> float:
    """Resident set size from /proc (Linux), in MB."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def sample(elapsed: float, inspections: int) -> tuple[float, ...]:
    """One row of the table; objects are counted after a full collection."""
    gc.collect()
    return (round(elapsed), inspections, round(rss_mb(), 1), len(gc.get_objects()),
            len(QApplication.allWidgets()), len(os.listdir("/proc/self/fd")),
            threading.active_count(), len(os.listdir("/proc/self/task")),
            sys.getrefcount(None))


def type_counts() -> Counter[str]:
    """Live objects per type name (garbage collected first), to name what grows."""
    gc.collect()
    return Counter(type(o).__qualname__ for o in gc.get_objects())


def key(widget: QWidget, k: Qt.Key, mods: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
        ) -> None:
    """Press a key on the focused widget (as a person would), falling back to ``widget``."""
    QTest.keyClick(QApplication.focusWidget() or widget, k, mods)
    pump()


def camera_frames() -> list[np.ndarray]:
    """Four large frames from the sample's test pictures (so the model sees bottles)."""
    import cv2

    from inspector.imaging.decode import decode_file

    test_dir = REPO / "sample_images" / "bottle" / "test"
    files = sorted((test_dir / "good").iterdir())[:2] + sorted(
        (test_dir / "broken_large").iterdir())[:2]
    return [cv2.resize(decode_file(p).rgb, FRAME_SIZE[::-1]) for p in files]


class Shift:
    """The window and what one operator does with it, step by step."""

    def __init__(self, window, frames: list[np.ndarray]) -> None:  # noqa: ANN001
        self.window, self.frames = window, frames
        self.inspections = 0
        self.errors: list[str] = []

    def go(self, index: int) -> None:
        """Ctrl+index: the page shortcut."""
        key(self.window, Qt.Key(Qt.Key.Key_0 + index), Qt.KeyboardModifier.ControlModifier)

    def sign_in(self, name: str = "qa") -> None:
        page = self.window.pages["signin"]
        if page.operator_box.findText(name) < 0:
            page.refresh()
        page.operator_box.setCurrentText(name)
        page.product_box.setCurrentText("bottle")
        page.sign_in_button.click()
        pump()
        if self.window.state.actor is None:
            raise RuntimeError("sign-in failed")

    def sign_out(self) -> None:
        self.go(1)
        self.window.pages["signin"].sign_out_button.click()
        pump(0.1)

    def inspect(self, count: int) -> None:
        from inspector.imaging.camera import FakeCamera

        self.go(5)
        page = self.window.pages["inspect"]
        if not page.camera_button.isChecked():
            key(self.window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
        if not page.camera.running:
            page.camera.start(FakeCamera(self.frames, name="soak camera"))
            wait(lambda: page.camera.last_frame is not None, 10)
        for _ in range(count):
            serial = page.camera.frame_serial
            wait(lambda s=serial: page.camera.frame_serial != s, 5)  # a new frame
            page.view.setFocus()
            key(page, Qt.Key.Key_Space)
            if page.job is None:
                self.errors.append("Space started no inspection")
                continue
            if wait(lambda: page.job is None, 60):
                self.inspections += 1
            else:
                self.errors.append("an inspection took over 60 s")
        wait(lambda: not page.picture_pending(), 10)

    def label(self) -> None:
        self.go(3)
        page = self.window.pages["label"]
        wait(lambda: page.model.rowCount() > 0, 10)
        page.gallery.setFocus()
        for k in (Qt.Key.Key_Right, Qt.Key.Key_G, Qt.Key.Key_Left, Qt.Key.Key_D,
                  Qt.Key.Key_2, Qt.Key.Key_Right, Qt.Key.Key_Right):
            # Keys on a picture still loading are refused: look first, as a person does.
            if not wait(lambda: not page.picture_pending(), 10):
                self.errors.append("a Label picture took over 10 s")
            key(page, k)

    def history(self) -> None:
        self.go(6)
        page = self.window.pages["history"]
        wait(lambda: page.table.rowCount() > 0, 10)
        for row in range(min(4, page.table.rowCount())):
            page.table.selectRow(row)
            wait(lambda: not page.picture_pending(), 10)

    def reports(self) -> None:
        self.go(7)
        page = self.window.pages.get("reports")
        if page is None:
            return
        page.refresh()
        pump(0.05)
        wait(lambda: page.summary_job is None and page.charts.job is None, 60)


def build(tmp: Path):  # noqa: ANN201
    """Application, sample project (preset fast) and the shown main window."""
    from inspector.services.sample import create_sample_project
    from ui.app import make_application
    from ui.main_window import MainWindow
    from ui.state import AppState

    app = make_application(sys.argv[:1])
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp / "qs"))
    for kind in ("warning", "critical", "information"):  # a box must not stop the shift
        setattr(QMessageBox, kind, lambda _p, _t, text, *_a, _k=kind, **_kw: print(
            f"[{_k}] {text}", flush=True) or QMessageBox.StandardButton.Ok)
    QMessageBox.question = lambda *_a, **_kw: QMessageBox.StandardButton.Yes
    project = create_sample_project(tmp / "project", preset="fast")
    window = MainWindow(AppState(project))
    window.show()
    window.activateWindow()
    wait(window.isVisible)
    return app, project, window


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=10.0, help="length of the shift")
    ap.add_argument("--every", type=float, default=30.0, help="seconds between samples")
    ap.add_argument("--reports-every", type=float, default=45.0, help="seconds")
    ap.add_argument("--sign-out-every", type=float, default=60.0, help="seconds")
    ap.add_argument("--types", type=int, default=0,
                    help="with each sample, the N object types that grew most since the last")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="inspector-soak-"))
    print("building the sample project…", flush=True)
    app, project, window = build(tmp)
    shift = Shift(window, camera_frames())
    shift.sign_in()
    print(" ".join(f"{c:>11}" for c in COLUMNS), flush=True)
    start = time.monotonic()
    next_sample = next_reports = next_sign_out = start
    rows = []
    types = type_counts() if args.types else Counter()
    while True:
        now = time.monotonic()
        if now >= next_sample:
            rows.append(sample(now - start, shift.inspections))
            print(" ".join(f"{v:>11}" for v in rows[-1]), flush=True)
            if args.types:
                now_types = type_counts()
                grown = (now_types - types).most_common(args.types)
                print("    grew: " + ", ".join(f"{n} +{c}" for n, c in grown), flush=True)
                types = now_types
            next_sample += args.every
        if now - start >= args.minutes * 60:
            break
        shift.inspect(3)
        shift.label()
        shift.history()
        if now >= next_reports:
            shift.reports()
            next_reports = now + args.reports_every
        if now >= next_sign_out:
            shift.sign_out()
            shift.sign_in()
            next_sign_out = now + args.sign_out_every
    first, last = rows[min(1, len(rows) - 1)], rows[-1]  # from the second sample: warmed up
    span = max(1, (last[0] - first[0]) / 60)
    print("growth per minute after warm-up: " + ", ".join(
        f"{c} {(b - a) / span:+.1f}" for c, a, b in zip(COLUMNS[2:], first[2:], last[2:],
                                                        strict=True)), flush=True)
    print(f"{len(shift.errors)} problems" + (f": {sorted(set(shift.errors))}"
                                               if shift.errors else ""), flush=True)
    window.close()
    from ui.worker import stop_all

    stop_all()
    project.close()
    app.quit()


if __name__ == "__main__":
    main()
