"""Watch a folder and report new image files once they have finished being written.

A file is handed to the callback only when its size and modification time have stayed
the same for ``stable_ms`` and it can be opened for reading, so a camera or network copy
that is still writing is never imported half-done. A writer that pauses longer than that
can still be caught mid-file: the caller hands such a file back with ``retry`` when it
was changed moments ago. Only regular files are opened (a pipe would block the watcher
for good). If the folder disappears (deleted, renamed, a network share dropped),
``on_state("lost")`` is called and the watcher waits for it; when it is back, watching
resumes, the files that arrived meanwhile are taken (not a handled file still there
unchanged, nor, without ``include_existing``, one that was there before the start), and
``on_state("back")`` is called. An I/O error of a dropping share counts as "gone"; no
error ends watching.
``file_away`` moves a handled file to ``done/`` or ``refused/`` beside it, so what is
left in the folder is exactly what has not been handled. Qt-free: the callbacks run on
the watcher's own thread.
"""

from __future__ import annotations

import logging
import stat
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path

from watchdog.events import (
    EVENT_TYPE_CLOSED,
    EVENT_TYPE_CREATED,
    EVENT_TYPE_MODIFIED,
    EVENT_TYPE_MOVED,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer

from inspector.errors import UserError
from inspector.fileio import replace_file
from inspector.imaging.decode import SUPPORTED_EXTENSIONS

log = logging.getLogger(__name__)
UNOPENABLE_S = 10.0
# (size, modification time, file id): the file id tells a camera's new "last.bmp" of the
# same size from the one just filed away, where the file system keeps whole seconds.
_Signature = tuple[int, float, int]
_UNSEEN: _Signature = (-1, -1.0, -1)
# Events that mean a file was written or arrived. Opening and closing a file without
# writing also raise events (inotify): the watcher's own check that a file can be read,
# and the import reading it, put every file back in the queue, so a folder of 2,000
# handled files kept about 30 % of a core busy while nothing arrived.
_WRITE_EVENTS = frozenset({EVENT_TYPE_CREATED, EVENT_TYPE_MODIFIED, EVENT_TYPE_MOVED,
                           EVENT_TYPE_CLOSED})


class _Handler(FileSystemEventHandler):
    def __init__(self, watcher: HotFolderWatcher) -> None:
        self._watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory or event.event_type not in _WRITE_EVENTS:
            return
        path = getattr(event, "dest_path", "") or event.src_path
        self._watcher.notice(Path(str(path)))


class HotFolderWatcher:
    """``start()`` watching ``folder``; ``on_file(path)`` is called once per finished file."""

    def __init__(self, folder: Path, on_file: Callable[[Path], None], *,
                 stable_ms: int = 500, poll_s: float = 0.1, recursive: bool = False,
                 extensions: Iterable[str] = SUPPORTED_EXTENSIONS,
                 include_existing: bool = False,
                 on_error: Callable[[Path, BaseException], None] | None = None,
                 on_state: Callable[[str], None] | None = None,
                 check_folder_s: float = 1.0, forget_s: float = 60.0) -> None:
        self.folder = Path(folder)
        self.on_file = on_file
        self.stable_s = stable_ms / 1000.0
        self.poll_s = poll_s
        self.recursive = recursive
        self.extensions = {e.lower() for e in extensions}
        self.include_existing = include_existing
        self.on_error = on_error
        self.on_state = on_state
        self.check_folder_s = check_folder_s
        self.forget_s = forget_s  # how often the files handled and gone are forgotten
        self.lost = False
        # Unopenable that long although unchanged (no read permission, locked by another
        # program): handed over anyway, so it is refused with its reason, not polled forever.
        self.unopenable_s = max(UNOPENABLE_S, 20 * self.stable_s)
        self._pending: dict[Path, tuple[_Signature, float]] = {}
        self._started_wall = time.time()
        self._newest_mtime: float | None = None  # of the files handed over (share's clock)
        self._waiting_when_lost: set[Path] = set()  # queued when the folder went
        self._done: dict[Path, _Signature] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._observer: Observer | None = None
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.running:
            return
        if not self.folder.is_dir():
            raise UserError(f"hot folder {self.folder} does not exist or is not a folder")
        self._stop.clear()
        self._started_wall = time.time()
        if self.include_existing:
            self._scan()
        self._observe()
        self._thread = threading.Thread(target=self._loop, name="hot-folder", daemon=True)
        self._thread.start()

    def _scan(self, since: float | None = None) -> None:
        """Queue the files in the folder; with ``since``, only those modified after it."""
        pattern = "**/*" if self.recursive else "*"
        for path in sorted(self.folder.glob(pattern)):
            if since is not None:  # a copy that keeps the file's time: a new ctime
                try:
                    st = path.stat()
                except OSError:
                    continue
                if max(st.st_mtime, st.st_ctime) < since:
                    continue
            self.notice(path)

    def _since_lost(self) -> float | None:
        """Which files a rescan after the folder came back takes: all when the files already
        there at start were taken; else those newer than the newest file handled (the
        share's own clock), or than the start, with 2 s for coarse file times (FAT)."""
        if self.include_existing:
            return None
        newest = self._newest_mtime if self._newest_mtime is not None else self._started_wall
        return newest - 2.0

    def _observe(self) -> None:
        observer = Observer()
        observer.schedule(_Handler(self), str(self.folder), recursive=self.recursive)
        observer.daemon = True
        observer.start()
        self._observer = observer

    def _unobserve(self, timeout: float = 5.0) -> None:
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout)
            self._observer = None

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._unobserve(timeout)
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def __enter__(self) -> HotFolderWatcher:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def notice(self, path: Path) -> None:
        """Queue a path seen by an event (or a scan) for the stability check."""
        if path.suffix.lower() not in self.extensions or path.name.startswith("."):
            return
        with self._lock:
            self._pending.setdefault(path, (_UNSEEN, time.monotonic()))

    def retry(self, path: Path) -> None:
        """Check a reported file again (it was handed over while still being written)."""
        with self._lock:
            self._done.pop(path, None)
            self._pending[path] = (_UNSEEN, time.monotonic())

    def _folder_ok(self) -> bool:
        """False while the folder is gone; re-arms the watcher when it comes back."""
        present = _is_dir(self.folder)
        if not present and not self.lost:
            self.lost = True
            self._unobserve()
            with self._lock:  # waiting ones are taken up again when the folder is back
                self._waiting_when_lost |= set(self._pending)
                self._pending.clear()
            self._tell("lost")
        elif present and self.lost:
            try:
                self._observe()
            except OSError:
                return False  # half there (a share reconnecting): try again next time
            self.lost = False
            self._keep_unchanged()
            with self._lock:
                waiting, self._waiting_when_lost = self._waiting_when_lost, set()
            for path in sorted(waiting):
                self.notice(path)
            try:  # files that arrived while it was gone raised no event
                self._scan(self._since_lost())
            except OSError as exc:
                log.warning("hot folder %s: cannot list it yet (%s)", self.folder, exc)
            self._tell("back")
        return present

    def _keep_unchanged(self) -> None:
        """After the folder was gone: a handled file that is still there unchanged (a share
        that dropped and came back; handled files not moved away) is not handed over again,
        whereas every file of a recreated folder is new. A share may number its files anew
        after a reconnect, so size and modification time decide, not the file id. A file
        that cannot be looked at yet is kept as it was; one handed back meanwhile
        (``retry``) stays handed back."""
        with self._lock:
            done = dict(self._done)
        checked: dict[Path, _Signature | None] = {}
        for path, sig in done.items():
            try:
                st = path.stat()
            except (FileNotFoundError, NotADirectoryError):
                checked[path] = None
                continue
            except OSError:
                continue  # a share half back: says nothing about the file
            same = (st.st_size, st.st_mtime) == sig[:2]
            checked[path] = (st.st_size, st.st_mtime, st.st_ino) if same else None
        with self._lock:
            for path, new in checked.items():
                if self._done.get(path) != done[path]:
                    continue  # handed back or handled again meanwhile
                if new is None:
                    del self._done[path]
                else:
                    self._done[path] = new

    def _tell(self, state: str) -> None:
        log.warning("hot folder %s: %s", self.folder, state)
        if self.on_state is not None:
            try:
                self.on_state(state)
            except Exception:  # noqa: BLE001 - a display problem must not stop watching
                log.exception("hot folder state callback failed")

    def _forget_gone(self) -> None:
        """Drop the handled files that are no longer there (moved to done/, deleted): one
        entry was kept per file ever handled, and a station judging a part every 3 s
        would have held millions after a year."""
        with self._lock:
            paths = list(self._done)
        gone = [path for path in paths if _gone(path)]
        with self._lock:
            for path in gone:
                self._done.pop(path, None)

    def _loop(self) -> None:
        """Runs until stop(): an unexpected error is logged and the loop goes on after a
        pause, so one bad moment of a share never ends watching while the panel still
        says "Watching"."""
        while not self._stop.is_set():
            try:
                self._run()
            except Exception:  # noqa: BLE001 - watching must survive whatever a share does
                log.exception("hot folder %s: watching hit an error; going on", self.folder)
                self._stop.wait(max(self.check_folder_s, self.poll_s))

    def _run(self) -> None:
        last_check = last_forget = 0.0
        while not self._stop.wait(self.poll_s):
            if time.monotonic() - last_forget >= self.forget_s:
                last_forget = time.monotonic()
                self._forget_gone()
            if time.monotonic() - last_check >= self.check_folder_s:
                last_check = time.monotonic()
                if not self._folder_ok():
                    continue
            if self.lost:
                continue
            for path in self._ready():
                try:
                    self.on_file(path)
                except Exception as exc:  # noqa: BLE001 - one bad file must not stop watching
                    log.exception("hot folder callback failed for %s", path)
                    if self.on_error is not None:
                        self.on_error(path, exc)

    def _ready(self) -> list[Path]:
        now = time.monotonic()
        ready: list[Path] = []
        with self._lock:
            items = list(self._pending.items())
        for path, (sig, since) in items:
            try:
                st = path.stat()
            except FileNotFoundError:
                with self._lock:
                    self._pending.pop(path, None)
                    self._done.pop(path, None)  # a file of that name later is a new one
                continue
            except OSError:
                continue
            new_sig = (st.st_size, st.st_mtime, st.st_ino)
            if new_sig != sig:
                with self._lock:
                    self._pending[path] = (new_sig, now)
                continue
            wait = self.stable_s * (5 if st.st_size == 0 else 1)  # empty: maybe not begun yet
            if now - since < wait:
                continue
            if not _openable(path) and (now - since < self.unopenable_s
                                        or not stat.S_ISREG(st.st_mode)):
                continue
            with self._lock:
                self._pending.pop(path, None)
                if self._done.get(path) == new_sig:
                    continue  # an event for a file already reported unchanged
                self._done[path] = new_sig
                self._newest_mtime = max(self._newest_mtime or new_sig[1], new_sig[1])
            ready.append(path)
        return ready


def _is_dir(folder: Path) -> bool:
    """Path.is_dir() raises on a share that answers with an I/O error (EIO, ESTALE,
    EHOSTDOWN, EACCES) instead of "not found"; for the watcher both mean gone."""
    try:
        return folder.is_dir()
    except OSError:
        return False


def _gone(path: Path) -> bool:
    """Only a file known to be missing is forgotten: an I/O error on a dropping share
    says nothing about the file."""
    try:
        path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return True
    except OSError:
        return False
    return False


def _openable(path: Path) -> bool:
    """A regular file that can be read (a FIFO named part.png would block on open)."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            return False
        with path.open("rb") as fh:
            fh.read(1)
    except OSError:
        return False
    return True


def file_away(path: Path, outcome: str) -> Path:
    """Move a handled file to ``done/`` or ``refused/`` beside it (a free name if one is
    taken), so the hot folder holds only what has not been handled. OSError on failure."""
    if outcome not in ("done", "refused"):
        raise ValueError(outcome)
    folder = path.parent / outcome
    folder.mkdir(exist_ok=True)
    if folder.is_symlink() or not folder.is_dir():
        # anyone who may write to the camera share could point done/ anywhere the
        # station may write, and the station would drop files there
        raise OSError(f"{folder} is a link or not a folder: handled files are moved only "
                      "into a real folder of that name inside the hot folder")
    dest = folder / path.name
    if dest.exists():  # a camera that always writes last.png: a name of its own, at once
        # (counting up ~1, ~2, ... took 46 ms per file at the 5,000th, 1/4 s in a shift)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        dest = folder / f"{path.stem}~{stamp}-{uuid.uuid4().hex[:6]}{path.suffix}"
    replace_file(path, dest)  # a camera program that just closed it may still hold it
    return dest
