"""Hot-folder cases from real lines: a camera that always writes "last.bmp", a file no
one may read, and a copy that stalls for seconds at a time."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from polling import wait_for

from inspector.imaging import hot_folder
from inspector.imaging.hot_folder import HotFolderWatcher, file_away


def test_the_same_name_size_and_time_again_is_a_new_shot(tmp_path: Path) -> None:
    """A camera writes every shot as last.bmp, of one size, on a share whose times are
    whole seconds: the second shot, after the first was filed away, was skipped."""
    shots: list[bytes] = []

    def handle(path: Path) -> None:
        shots.append(path.read_bytes())
        file_away(path, "done")

    stamp = time.time() - 30
    with HotFolderWatcher(tmp_path, handle, stable_ms=100, poll_s=0.05):
        for shot in (b"SHOT-1", b"SHOT-2"):
            last = tmp_path / "last.bmp"
            last.write_bytes(shot)
            os.utime(last, (stamp, stamp))  # same size, same whole-second time
            assert wait_for(lambda shot=shot: shot in shots)
    assert shots == [b"SHOT-1", b"SHOT-2"]


def test_a_file_that_cannot_be_opened_is_handed_over_in_the_end(tmp_path: Path,
                                                               monkeypatch) -> None:  # noqa: ANN001
    """No read permission, or held by another program: it was polled forever without a
    word; after a while it is handed over, so the import refuses it with its reason.
    (Root's tests cannot take a permission away: the open is refused as it would be.)"""
    locked = tmp_path / "locked.png"
    locked.write_bytes(b"\x89PNG" + b"x" * 200)
    real = hot_folder._openable
    monkeypatch.setattr(hot_folder, "_openable", lambda path: path != locked and real(path))
    got: list[Path] = []
    watcher = HotFolderWatcher(tmp_path, got.append, stable_ms=50, poll_s=0.02,
                               include_existing=True)
    watcher.unopenable_s = 0.6
    with watcher:
        (tmp_path / "ok.png").write_bytes(b"y" * 100)
        assert wait_for(lambda: tmp_path / "ok.png" in got)
        assert locked not in got  # not at once: it may be a copy that holds it open
        assert wait_for(lambda: locked in got)


def test_a_copy_that_stalls_is_checked_again_for_as_long_as_it_is_fresh(
        project, actor, tmp_path, make_image) -> None:  # noqa: ANN001
    """Three quick retries gave up after about 2 s and filed a picture still being
    written under refused/; the file's age decides now."""
    from inspector.services.hot_folder import STILL_WRITING_S, handle_hot_file

    good = make_image(tmp_path / "hot" / "src.png", seed=3)
    half = tmp_path / "hot" / "half.png"
    half.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    out = handle_hot_file(project, actor, half, product=None, inspect=True, move=True,
                          tries=10)
    assert out.retry and half.exists()
    past = time.time() - STILL_WRITING_S - 1
    os.utime(half, (past, past))
    out = handle_hot_file(project, actor, half, product=None, inspect=True, move=True,
                          tries=10)
    assert not out.retry and out.moved_to == tmp_path / "hot" / "refused" / "half.png"


@pytest.fixture(autouse=True)
def _quick(monkeypatch) -> None:  # noqa: ANN001
    """Nothing here waits for the real ten-second floor."""
    monkeypatch.setattr(hot_folder, "UNOPENABLE_S", 0.0, raising=False)


def test_files_handled_and_moved_away_are_forgotten(tmp_path: Path) -> None:
    """One entry was kept per file ever handled: 0.8 KB a part, gigabytes after a year on
    a busy line. Files filed away are forgotten; one still in the folder is remembered,
    so an event on it does not hand it over twice."""
    got: list[Path] = []

    def handle(path: Path) -> None:
        got.append(path)
        if path.name != "stays.png":
            file_away(path, "done")

    with HotFolderWatcher(tmp_path, handle, stable_ms=50, poll_s=0.02,
                          forget_s=0.2) as watcher:
        (tmp_path / "stays.png").write_bytes(b"kept")
        for n in range(20):
            (tmp_path / f"part{n}.png").write_bytes(b"x" * (n + 1))
        assert wait_for(lambda: len(got) == 21)
        assert wait_for(lambda: list(watcher._done) == [tmp_path / "stays.png"])
        watcher.notice(tmp_path / "stays.png")
        time.sleep(0.3)
    assert len(got) == 21
