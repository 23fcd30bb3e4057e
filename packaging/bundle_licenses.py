"""Third-party licence texts for the bundle (used by packaging/inspector.spec).

Most of what the bundle ships (torch, SciPy, NumPy, OpenCV, ...) is under licences that
ask binary redistributions to carry their copyright notice and licence text, and Qt
(PySide6) is LGPL. PyInstaller copies code, not licences, so the spec adds, under
``licenses/<distribution>/`` in the bundle, the licence files each distribution installs
in its ``.dist-info`` (its METADATA where it installs none, which names the licence),
plus Python's own ``LICENSE.txt``.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path, PurePosixPath

LICENCE_NAME = re.compile(r"licen[cs]e|copying|notice|authors|copyright", re.IGNORECASE)
BUNDLE_FOLDER = "licenses"

TocEntry = tuple[str, str, str]  # (name in the bundle, source path, PyInstaller type code)


def top_level_names(*tocs: Iterable[tuple]) -> set[str]:
    """First component of every module name or bundle path in PyInstaller TOC lists."""
    names = set()
    for toc in tocs:
        for entry in toc:
            first = re.split(r"[./\\]", str(entry[0]), maxsplit=1)[0]
            if first:
                names.add(first)
    return names


def _dist_info_files(dist: metadata.Distribution) -> list[tuple[PurePosixPath, Path]]:
    """(path inside the .dist-info folder, file on disk) for each file of that folder."""
    found = []
    for rel in dist.files or []:
        parts = PurePosixPath(str(rel)).parts
        if len(parts) >= 2 and parts[0].endswith(".dist-info"):
            found.append((PurePosixPath(*parts[1:]), Path(str(dist.locate_file(rel)))))
    return found


def _licence_files(dist: metadata.Distribution) -> list[tuple[PurePosixPath, Path]]:
    """The distribution's notices: everything in ``licenses/`` (PEP 639) and any file
    named like a licence; its METADATA (which names the licence) when there are none."""
    info = [(inner, src) for inner, src in _dist_info_files(dist) if src.is_file()]
    found = []
    for inner, src in info:
        if inner.parts[0] == "licenses" and len(inner.parts) > 1:
            found.append((PurePosixPath(*inner.parts[1:]), src))
        elif LICENCE_NAME.search(inner.name):
            found.append((inner, src))
    return found or [(inner, src) for inner, src in info if str(inner) == "METADATA"]


def python_licence() -> Path | None:
    """The running Python's LICENSE.txt (Windows: beside python.exe; else lib/pythonX.Y)."""
    base = Path(sys.base_prefix)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for candidate in (base / "LICENSE.txt", base / "lib" / version / "LICENSE.txt"):
        if candidate.is_file():
            return candidate
    return None


def licence_entries(top_names: Iterable[str],
                    providers: Mapping[str, list[str]] | None = None) -> list[TocEntry]:
    """DATA entries for ``licenses/<distribution>/...`` covering every installed
    distribution that provides one of ``top_names`` (import names such as ``torch``,
    ``cv2``, ``PySide6``), plus ``licenses/python/LICENSE.txt``."""
    providers = metadata.packages_distributions() if providers is None else providers
    dist_names = sorted({dist for name in top_names for dist in providers.get(name, [])},
                        key=str.lower)
    entries: list[TocEntry] = []
    for dist_name in dist_names:
        try:
            dist = metadata.distribution(dist_name)
        except metadata.PackageNotFoundError:
            continue
        folder = PurePosixPath(BUNDLE_FOLDER, dist.metadata["Name"] or dist_name)
        files = _licence_files(dist)  # PySide6: only METADATA names its licence
        entries += [(str(folder / inner), str(src), "DATA") for inner, src in files]
    python = python_licence()
    if python is not None:
        entries.append((f"{BUNDLE_FOLDER}/python/LICENSE.txt", str(python), "DATA"))
    return entries
