"""The hot folder on a network share that drops for a moment: an I/O error instead of
"not found", and the folder coming back with the files it had."""

from __future__ import annotations

import errno
import os
import pathlib
import time
from pathlib import Path

import pytest
from polling import wait_for

from inspector.imaging.hot_folder import HotFolderWatcher


@pytest.fixture
def broken_share(monkeypatch: pytest.MonkeyPatch):
    """While ``broken["on"]`` is set, every stat below ``broken["root"]`` fails as a
    dropped share fails (ESTALE), not with "not found"."""
    broken: dict[str, object] = {"on": False, "root": None}
    real_stat = pathlib.Path.stat

    def stat(self: Path, *args, **kwargs):
        if broken["on"] and str(self).startswith(str(broken["root"])):
            raise OSError(errno.ESTALE, "Stale file handle", str(self))
        return real_stat(self, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "stat", stat)
    return broken


def test_an_io_error_of_the_share_is_lost_then_back_not_the_end(
        tmp_path: Path, broken_share: dict) -> None:
    """Path.is_dir() raises ESTALE / EIO (only "not found" reads as False): the error
    ended the watcher's thread, and the panel still said "Watching"."""
    folder = tmp_path / "hot"
    folder.mkdir()
    got, states = [], []
    broken_share["root"] = folder
    with HotFolderWatcher(folder, got.append, stable_ms=50, poll_s=0.02,
                          check_folder_s=0.05, on_state=states.append) as watcher:
        broken_share["on"] = True
        assert wait_for(lambda: states == ["lost"])
        time.sleep(0.2)
        assert watcher.running
        broken_share["on"] = False
        assert wait_for(lambda: states == ["lost", "back"])
        (folder / "after.png").write_bytes(b"x" * 10)
        assert wait_for(lambda: [p.name for p in got] == ["after.png"])
        assert watcher.running


def test_forgetting_handled_files_survives_an_io_error(
        tmp_path: Path, broken_share: dict) -> None:
    """The minute's check for handled files that are gone asked Path.exists(), which
    raises on ESTALE too. A file it cannot see is not forgotten either: it may be there."""
    got: list[Path] = []
    with HotFolderWatcher(tmp_path, got.append, stable_ms=50, poll_s=0.02,
                          forget_s=0.05, check_folder_s=60) as watcher:
        (tmp_path / "stays.png").write_bytes(b"kept")
        assert wait_for(lambda: len(got) == 1)
        broken_share["root"] = tmp_path / "stays.png"
        broken_share["on"] = True
        time.sleep(0.3)
        assert watcher.running
        assert list(watcher._done) == [tmp_path / "stays.png"]
        broken_share["on"] = False
        watcher.notice(tmp_path / "stays.png")  # an event for it: handled already
        time.sleep(0.3)
    assert len(got) == 1


def test_a_share_that_comes_back_hands_over_only_what_is_new(tmp_path: Path) -> None:
    """Back after a drop, the watcher forgot every file it had handled and took the whole
    folder again: with files left in place, every part was judged and recorded twice, and
    a file that was there before Start (which a Start without moving leaves alone) too."""
    folder = tmp_path / "hot"
    folder.mkdir()
    old = folder / "before_start.png"
    old.write_bytes(b"old")
    past = time.time() - 600
    os.utime(old, (past, past))
    time.sleep(2.1)  # its inode change time (a copy's mark) is older than the Start too
    got, states = [], []
    with HotFolderWatcher(folder, got.append, stable_ms=50, poll_s=0.02,
                          check_folder_s=0.05, on_state=states.append):
        for name in ("one.png", "two.png"):
            (folder / name).write_bytes(name.encode())
        assert wait_for(lambda: len(got) == 2)
        folder.rename(tmp_path / "away")  # the share drops...
        assert wait_for(lambda: states == ["lost"])
        (tmp_path / "away" / "meanwhile.png").write_bytes(b"new part")
        (tmp_path / "away").rename(folder)  # ...and comes back with what it had
        assert wait_for(lambda: states == ["lost", "back"])
        assert wait_for(lambda: len(got) >= 3)
        time.sleep(0.3)
    assert sorted(p.name for p in got) == ["meanwhile.png", "one.png", "two.png"]


def test_with_existing_files_taken_a_changed_file_is_new_after_the_drop(
        tmp_path: Path) -> None:
    """Size and time decide after a drop (a share may number files anew): a handled file
    rewritten while the share was away is a new picture and is handed over again."""
    folder = tmp_path / "hot"
    folder.mkdir()
    (folder / "same.png").write_bytes(b"same")
    (folder / "rewritten.png").write_bytes(b"first")
    got, states = [], []
    with HotFolderWatcher(folder, got.append, stable_ms=50, poll_s=0.02,
                          check_folder_s=0.05, include_existing=True,
                          on_state=states.append):
        assert wait_for(lambda: len(got) == 2)
        folder.rename(tmp_path / "away")
        assert wait_for(lambda: states == ["lost"])
        (tmp_path / "away" / "rewritten.png").write_bytes(b"second shot")
        (tmp_path / "away").rename(folder)
        assert wait_for(lambda: states == ["lost", "back"])
        assert wait_for(lambda: len(got) == 3)
        time.sleep(0.3)
    assert sorted(p.name for p in got) == ["rewritten.png", "rewritten.png", "same.png"]


def test_after_a_drop_a_copied_file_and_a_file_handed_back_are_not_lost(
        tmp_path: Path) -> None:
    """Without moving: a file copied in while the share was away kept its old time (a
    copy that keeps it), and a file handed back for another try just before the drop
    was older than the newest one handled: neither was ever taken."""
    folder = tmp_path / "hot"
    folder.mkdir()
    got, states = [], []
    with HotFolderWatcher(folder, got.append, stable_ms=300, poll_s=0.02,
                          check_folder_s=0.05, on_state=states.append) as watcher:
        (folder / "older.png").write_bytes(b"older")
        time.sleep(0.05)
        (folder / "newer.png").write_bytes(b"newer")
        assert wait_for(lambda: len(got) == 2)
        watcher.retry(folder / "older.png")  # its handling failed: try it again
        folder.rename(tmp_path / "away")
        assert wait_for(lambda: states == ["lost"])
        copied = tmp_path / "away" / "copied.png"
        copied.write_bytes(b"copied with its time")
        past = time.time() - 3600
        os.utime(copied, (past, past))
        (tmp_path / "away").rename(folder)
        assert wait_for(lambda: states == ["lost", "back"])
        assert wait_for(lambda: len(got) == 4)
        time.sleep(0.5)
    assert sorted(p.name for p in got) == ["copied.png", "newer.png", "older.png",
                                           "older.png"]
