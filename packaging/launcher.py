"""Entry point of the packaged app: one ``Inspector`` executable, several jobs.

``Inspector``                 the GUI (extra arguments go to it, e.g. ``--project DIR``)
``Inspector --self-test``     headless self-test of the installation (exit 0 = passed)
``Inspector --version``       app version and model file format version
``Inspector cli ARGS...``     the ``inspector`` command line (``Inspector cli --help``)

Qt is imported only on the GUI path, so the headless jobs work without a display. On
Windows the executable is a windowed (GUI) program without a console; the headless jobs
attach to the console of the shell that started them so their output is visible there.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

Job = Callable[[list[str]], int]

# Libraries that go online unless told not to. The shop-floor PC has no internet: left on,
# albumentations asks pypi.org for a newer version each time it is imported (every run that
# trains: a DNS lookup, up to 2 s of waiting where packets are dropped, then a warning).
OFFLINE_ENVIRONMENT = {"NO_ALBUMENTATIONS_UPDATE": "1"}


def version_text() -> str:
    """``Inspector X.Y.Z (model file format N)``, as the About box shows it."""
    import inspector

    try:
        from inspector.services.about import app_info

        return (f"Inspector {inspector.__version__} "
                f"(model file format {app_info().model_format_version})")
    except (ImportError, RuntimeError, OSError) as exc:  # broken install: say what we know
        return f"Inspector {inspector.__version__} (model file format unknown: {exc})"


def _gui(argv: list[str]) -> int:
    from ui.launch import main as gui_main  # a splash first, then the window

    return int(gui_main(argv) or 0)


def _cli(argv: list[str]) -> int:
    from inspector.cli.main import main as cli_main

    return int(cli_main(argv))


def _self_test(argv: list[str]) -> int:
    from inspector.logging_setup import setup_logging
    from inspector.selftest import main as self_test_main

    setup_logging()
    return int(self_test_main())


def _version(argv: list[str]) -> int:
    print(version_text())
    return 0


@dataclass(frozen=True)
class Jobs:
    """What each mode runs; tests replace some with fakes."""

    gui: Job = _gui
    cli: Job = _cli
    self_test: Job = _self_test
    version: Job = _version


def choose(argv: Sequence[str]) -> tuple[str, list[str]]:
    """(mode, remaining arguments) for the command line (without the program name)."""
    args = list(argv)
    if not args:
        return "gui", []
    first, rest = args[0], args[1:]
    if first == "--self-test":
        return "self_test", rest
    if first in ("--version", "-V"):
        return "version", rest
    if first == "cli":
        return "cli", rest
    return "gui", args


def dispatch(argv: Sequence[str], jobs: Jobs | None = None) -> int:
    """Run the job the command line asks for and return its exit code."""
    mode, rest = choose(argv)
    return getattr(jobs or Jobs(), mode)(rest)


def _attach_console() -> None:
    """Windows GUI executable run from a shell: send output to that shell's console."""
    if sys.platform != "win32" or sys.stdout is not None:
        return
    import ctypes

    if ctypes.windll.kernel32.AttachConsole(-1):  # ATTACH_PARENT_PROCESS
        sys.stdout = open("CONOUT$", "w", encoding="utf-8", errors="replace")
        sys.stderr = sys.stdout


def keep_matplotlib_cache(frozen: bool | None = None) -> None:
    """PyInstaller's run-time hook gives matplotlib a new temporary folder in every
    process (a one-file build's paths change each run), so every process that drew a
    report chart first listed the PC's fonts again: 0.5 s here, seconds on a PC with many
    fonts. This bundle is one folder with fixed paths, and matplotlib lists them again by
    itself when a font moved (an upgrade installed elsewhere)."""
    if not (getattr(sys, "frozen", False) if frozen is None else frozen):
        return
    import platformdirs

    folder = Path(platformdirs.user_cache_dir("Inspector", appauthor=False)) / "matplotlib"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return  # the temporary folder still works, only slower
    os.environ["MPLCONFIGDIR"] = str(folder)


def main() -> int:
    import multiprocessing

    os.environ.update(OFFLINE_ENVIRONMENT)  # before any library is imported
    keep_matplotlib_cache()

    multiprocessing.freeze_support()
    argv = sys.argv[1:]
    if choose(argv)[0] != "gui":
        _attach_console()
    # A windowed Windows executable has no stdout/stderr; libraries that write to them
    # directly would crash the GUI, so give them a sink.
    if sys.stdout is None:
        sys.stdout = open(os.devnull, "w", encoding="utf-8")
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")
    return dispatch(argv)


if __name__ == "__main__":
    sys.exit(main())
