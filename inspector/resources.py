"""Where bundled resources live, from a source checkout or inside the packaged app."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def app_root() -> Path:
    """The folder holding ``sample_images/`` etc.: the PyInstaller bundle or the checkout."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle)
    return Path(__file__).resolve().parents[1]


def sample_images_dir() -> Path:
    """The bundled demo images; ``$INSPECTOR_SAMPLES`` overrides."""
    env = os.environ.get("INSPECTOR_SAMPLES")
    return Path(env) if env else app_root() / "sample_images"
