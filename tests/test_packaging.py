"""The packaging recipes (packaging/), checked without building a bundle.

packaging/test_bundle.sh builds and checks the real bundle; it is too slow for the normal
test run. These tests run the parts of the recipes that can run here: the launcher's
offline set-up, the spec with PyInstaller replaced by recorders, and the dependency lists
of the Linux and Windows build scripts.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
PACKAGING = REPO_ROOT / "packaging"
sys.path.insert(0, str(PACKAGING))
from bundle_licenses import licence_entries, top_level_names  # noqa: E402


def test_the_bundle_asks_no_server_anything_when_it_trains() -> None:
    """albumentations (imported by every training) asks pypi.org for updates unless the
    launcher switches that off: the shop PC is offline."""
    _run_without_network(
        "import runpy, sys\n"
        f"launcher = runpy.run_path({str(PACKAGING / 'launcher.py')!r})\n"
        "sys.argv = ['Inspector', '--version']\n"
        "assert launcher['main']() == 0\n"
        "import inspector.engine.synthetic\n"
    )


def _run_without_network(code: str) -> None:
    """Run ``code`` in a fresh Python whose name lookups fail and are recorded, with the
    offline switch unset; fail if anything looked a host up."""
    prologue = (
        "import socket\n"
        "asked = []\n"
        "def refuse(host, *args, **kwargs):\n"
        "    asked.append(host)\n"
        "    raise OSError('offline')\n"
        "socket.getaddrinfo = refuse\n"
    )
    epilogue = "import time; time.sleep(0.5)  # a background check is done by now\n" \
               "assert asked == [], asked\n"
    env = {k: v for k, v in os.environ.items() if k != "NO_ALBUMENTATIONS_UPDATE"}
    proc = subprocess.run([sys.executable, "-c", prologue + code + epilogue],
                          capture_output=True, text=True, cwd=REPO_ROOT, env=env, timeout=180)
    assert proc.returncode == 0, proc.stderr


class _Recorder:
    """Stands in for PyInstaller's Analysis/PYZ/EXE/COLLECT and keeps what it was given."""

    made: list[_Recorder] = []

    def __init__(self, *args: object, **kwargs: object) -> None:
        self.args, self.kwargs = args, kwargs
        _Recorder.made.append(self)


class _FakeAnalysis(_Recorder):
    """What a PyInstaller analysis of the app finds, in miniature."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.pure = [("torch.nn", "torch/nn/__init__.py", "PYMODULE"),
                     ("cv2", "cv2/__init__.py", "PYMODULE"), ("json", "json.py", "PYMODULE")]
        self.binaries = [
            ("torch/lib/libtorch_cpu.so", "x", "BINARY"),
            ("nvidia/cudnn/lib/libcudnn_ops.so.9", "x", "BINARY"),
            ("PySide6/Qt/plugins/platforms/libqxcb.so", "x", "BINARY"),
            ("PySide6/Qt/plugins/multimedia/libffmpegmediaplugin.so", "x", "BINARY"),
        ]
        self.datas = list(kwargs["datas"]) + [("scipy/tests/data.txt", "x", "DATA")]
        self.scripts: list = []


def _run_spec(monkeypatch: pytest.MonkeyPatch) -> tuple[_FakeAnalysis, list[tuple]]:
    """Execute packaging/inspector.spec with PyInstaller's names replaced by recorders."""
    hooks = types.ModuleType("PyInstaller.utils.hooks")
    hooks.collect_data_files = lambda pkg, includes=None: [(f"/site/{pkg}/w.pth", pkg)]
    hooks.collect_submodules = lambda pkg, filter=None: [pkg]
    for name in ("PyInstaller", "PyInstaller.utils"):
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    monkeypatch.setitem(sys.modules, "PyInstaller.utils.hooks", hooks)
    monkeypatch.setattr(_Recorder, "made", [])
    names = {"SPECPATH": str(PACKAGING), "Analysis": _FakeAnalysis, "PYZ": _Recorder,
             "EXE": _Recorder, "COLLECT": _Recorder, "__name__": "__main__"}
    spec = PACKAGING / "inspector.spec"
    exec(compile(spec.read_text(encoding="utf-8"), str(spec), "exec"), names)  # noqa: S102
    collect = _Recorder.made[-1]
    analysis = next(r for r in _Recorder.made if isinstance(r, _FakeAnalysis))
    return analysis, [entry for part in collect.args if isinstance(part, list) for entry in part]


def test_spec_ships_samples_with_notices_and_drops_unused_parts(monkeypatch) -> None:  # noqa: ANN001
    analysis, collected = _run_spec(monkeypatch)
    datas = analysis.kwargs["datas"]
    assert (str(REPO_ROOT / "sample_images"), "sample_images") in datas
    for notice in ("ATTRIBUTION.md", "LICENSE.md"):
        assert (REPO_ROOT / "sample_images" / notice).is_file()
    names = {entry[0] for entry in collected}
    assert "torch/lib/libtorch_cpu.so" in names
    assert "PySide6/Qt/plugins/platforms/libqxcb.so" in names
    assert not {"nvidia/cudnn/lib/libcudnn_ops.so.9", "scipy/tests/data.txt",
                "PySide6/Qt/plugins/multimedia/libffmpegmediaplugin.so"} & names
    assert "readline" in analysis.kwargs["excludes"]  # GNU readline is GPL-3


def test_spec_ships_the_licences_of_what_it_bundles(monkeypatch) -> None:  # noqa: ANN001
    _, collected = _run_spec(monkeypatch)
    licences = {entry[0]: Path(entry[1]) for entry in collected
                if entry[0].startswith("licenses/")}
    assert "licenses/torch/LICENSE" in licences
    assert any(name.startswith("licenses/opencv-python-headless/") for name in licences)
    assert all(path.is_file() for path in licences.values())
    assert "Copyright" in licences["licenses/torch/LICENSE"].read_text(encoding="utf-8",
                                                                        errors="replace")


def test_licence_entries_fall_back_to_the_metadata_that_names_the_licence() -> None:
    """PySide6 (LGPL) installs no licence file; its METADATA says which licence applies."""
    entries = licence_entries(["PySide6", "not_a_module"])
    names = [name for name, _, kind in entries if kind == "DATA"]
    pyside = [name for name in names if name.startswith("licenses/PySide6")]
    assert pyside and pyside[0].endswith("/METADATA")
    text = Path(dict((n, s) for n, s, _ in entries)[pyside[0]]).read_text(encoding="utf-8")
    assert "LGPL" in text


def test_top_level_names_of_modules_and_bundle_paths() -> None:
    tocs = ([("torch.nn.functional", "", "")], [("cv2/cv2.abi3.so", "", "")],
            [("PySide6\\Qt\\lib\\x.dll", "", "")])
    assert top_level_names(*tocs) == {"torch", "cv2", "PySide6"}


def _build_sh_requirements() -> list[str]:
    script = (PACKAGING / "build.sh").read_text(encoding="utf-8")
    code = re.search(r"<<'EOF'\n(.*?)\nEOF\n", script, re.S)
    assert code, "build.sh: the requirements snippet moved"
    proc = subprocess.run([sys.executable, "-"], input=code.group(1), capture_output=True,
                          text=True, cwd=REPO_ROOT, check=True)
    return proc.stdout.split()


def _build_ps1_requirements(out: Path) -> list[str]:
    script = (PACKAGING / "windows" / "build.ps1").read_text(encoding="utf-8")
    code = re.search(r'@"\n(.*?)\n"@', script, re.S)
    assert code, "build.ps1: the requirements snippet moved"
    subprocess.run([sys.executable, "-c", code.group(1).replace("$Req", str(out))],
                   cwd=REPO_ROOT, check=True)
    return out.read_text(encoding="utf-8").split()


def test_windows_and_linux_builds_bundle_the_same_dependencies(tmp_path: Path) -> None:
    linux = _build_sh_requirements()
    assert any(req.startswith("psycopg") for req in linux)  # a line's database server
    assert not [req for req in linux if re.match(r"torch(vision)?\b", req)]
    assert _build_ps1_requirements(tmp_path / "req.txt") == linux


def test_the_core_itself_never_asks_the_network_at_import() -> None:
    """Not only the bundle's launcher: `inspector train` from a plain install, and the
    GUI started with run.sh, import albumentations through the core too."""
    _run_without_network("import inspector.engine.synthetic\n")


def test_the_version_is_told_without_loading_torch() -> None:
    """`Inspector --version` took 3.6-6 s in the bundle: it imported torch for a number."""
    code = ("import sys; sys.path.insert(0, 'packaging'); from launcher import version_text; "
            "print(version_text()); print('torch' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=REPO_ROOT, timeout=120, check=True)
    text, loaded = proc.stdout.splitlines()
    assert re.fullmatch(r"Inspector \S+ \(model file format \d+\)", text) and loaded == "False"


def test_the_bundle_keeps_matplotlib_s_font_list(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    """PyInstaller's hook points matplotlib at a new temporary folder per process: every
    report listed the PC's fonts again. The bundle keeps them in the user's cache."""
    from launcher import keep_matplotlib_cache

    monkeypatch.setenv("MPLCONFIGDIR", str(tmp_path / "pyi-temp"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    keep_matplotlib_cache(frozen=False)  # a plain install: matplotlib's own default
    assert os.environ["MPLCONFIGDIR"] == str(tmp_path / "pyi-temp")
    keep_matplotlib_cache(frozen=True)
    kept = Path(os.environ["MPLCONFIGDIR"])
    assert kept.is_dir() and kept.name == "matplotlib" and str(kept).startswith(
        str(tmp_path / "cache")) or sys.platform != "linux"
