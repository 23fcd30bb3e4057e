"""Shared fixtures: a fresh project with an admin, actors of each role, synthetic images.

Everything lives in ``tmp_path``; logs go to a temporary folder, and INSPECTOR_* variables
from the developer's shell are cleared so tests never touch a real project.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

REPO_ROOT = Path(__file__).resolve().parents[1]
DATASETS = REPO_ROOT.parent / "shared" / "datasets"
_OWN_LOG_DIR = pytest.StashKey[str]()
if str(REPO_ROOT) not in sys.path:  # run from a checkout without installing the package
    sys.path.insert(0, str(REPO_ROOT))


def pytest_configure(config: pytest.Config) -> None:
    for var in ("INSPECTOR_PROJECT", "INSPECTOR_OPERATOR", "INSPECTOR_PIN",
                "INSPECTOR_STATION", "INSPECTOR_DATABASE_URL"):
        os.environ.pop(var, None)
    if "INSPECTOR_LOG_DIR" not in os.environ:
        os.environ["INSPECTOR_LOG_DIR"] = tempfile.mkdtemp(prefix="inspector-test-logs-")
        config.stash[_OWN_LOG_DIR] = os.environ["INSPECTOR_LOG_DIR"]


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove the log folder this run made, so test runs do not pile up in /tmp."""
    own = config.stash.get(_OWN_LOG_DIR, None)
    if own is not None:
        logging.shutdown()  # close file handlers before the folder goes
        shutil.rmtree(own, ignore_errors=True)
        os.environ.pop("INSPECTOR_LOG_DIR", None)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test on the PostgreSQL server is marked ``postgres`` (-m postgres selects them)."""
    for item in items:
        if "pg_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(scope="session")
def pg_server() -> Iterator:
    """A PostgreSQL server for this test session (see pg_support); skips when none."""
    import pg_support

    reason = pg_support.unavailable_reason()
    if reason is not None:
        pytest.skip(f"no PostgreSQL for the postgres tests: {reason}")
    server = pg_support.start_server()
    yield server
    server.close()


@pytest.fixture
def pg_url(pg_server):  # noqa: ANN001, ANN201
    """The SQLAlchemy URL of a new, empty PostgreSQL database, dropped after the test."""
    url = pg_server.database()
    yield url
    pg_server.drop(url)


@pytest.fixture
def project(tmp_path: Path) -> Iterator:
    """A new project in ``tmp_path/project`` whose first admin is 'admin' (no PIN)."""
    from inspector.services.project import init_project

    proj = init_project(tmp_path / "project", "admin")
    yield proj
    proj.close()


@pytest.fixture
def admin(project):  # noqa: ANN001, ANN201
    from inspector.services.session import sign_in

    return sign_in(project, "admin")


def _add_actor(project, admin, name: str, role: str):  # noqa: ANN001, ANN202
    from inspector.services.operators import add_operator
    from inspector.services.session import sign_in

    add_operator(project, admin, name, role=role)
    return sign_in(project, name, station="station-1")


@pytest.fixture
def actor(project, admin):  # noqa: ANN001, ANN201
    """A signed-in shop-floor operator ('op', role operator, station 'station-1')."""
    return _add_actor(project, admin, "op", "operator")


@pytest.fixture
def qa_lead(project, admin):  # noqa: ANN001, ANN201
    return _add_actor(project, admin, "lead", "qa_lead")


def synthetic_rgb(size: int = 32, seed: int = 0, defect: bool = False) -> np.ndarray:
    """A noisy gradient 'part' image (unique per seed); ``defect`` adds a dark square."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:size, 0:size]
    base = (x * 3 + y * 2 + rng.integers(0, 20) + rng.integers(0, 6, (size, size))) % 256
    img = np.stack([base, (base + 60) % 256, (255 - base)], axis=2).astype(np.uint8)
    if defect:
        c = size // 2
        img[c - size // 8 : c + size // 8, c - size // 8 : c + size // 8] = 0
    return img


@pytest.fixture
def make_image(tmp_path: Path) -> Callable[..., Path]:
    """``make_image(path, size=32, seed=0, defect=False, fmt=None)`` writes an image file
    (format from the extension) and returns its path; relative paths go under tmp_path."""

    def _make(path: str | Path, size: int = 32, seed: int = 0, defect: bool = False,
              fmt: str | None = None) -> Path:
        p = Path(path)
        p = p if p.is_absolute() else tmp_path / p
        p.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(synthetic_rgb(size, seed, defect)).save(p, format=fmt)
        return p

    return _make


@pytest.fixture
def image_dir(make_image) -> Path:  # noqa: ANN001
    """An MVTec-like folder: good/ (5 PNG), scratch/ (2 PNG), dent/ (1 JPEG), notes.txt."""
    root = make_image("images/good/g0.png", seed=0).parents[1]
    for i in range(1, 5):
        make_image(f"images/good/g{i}.png", seed=i)
    make_image("images/scratch/s0.png", seed=10, defect=True)
    make_image("images/scratch/s1.png", seed=11, defect=True)
    make_image("images/dent/d0.jpg", seed=12, defect=True)
    (root / "notes.txt").write_text("not an image")
    return root
