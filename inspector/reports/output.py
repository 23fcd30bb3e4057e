"""Atomic output files and progress helpers shared by the exporters."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from inspector.errors import UserError


@contextmanager
def atomic_output(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success fsync it and move it into place.

    A failed or cancelled export removes the temporary file and leaves any existing
    ``path`` untouched, so a half-written report never appears.
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise UserError(f"folder does not exist: {path.parent}")
    if path.is_dir():
        raise UserError(f"{path} is a folder; give a file name")
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except PermissionError as exc:
        tmp.unlink(missing_ok=True)
        raise UserError(f"cannot write {path}: {exc.strerror}") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
