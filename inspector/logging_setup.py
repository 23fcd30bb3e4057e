"""One logging set-up for CLI and GUI: a rotating file in the user log folder."""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

import platformdirs

APP_NAME = "Inspector"
_configured = False


def log_dir() -> Path:
    """Folder for log files; $INSPECTOR_LOG_DIR overrides (tests, portable installs)."""
    env = os.environ.get("INSPECTOR_LOG_DIR")
    return Path(env) if env else Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def setup_logging(level: int = logging.INFO) -> Path | None:
    """Log to ``inspector.log`` (rotating, 5 x 2 MB); returns the file or None if unwritable."""
    global _configured
    if _configured:
        return None
    _configured = True
    root = logging.getLogger()
    root.setLevel(level)
    # Alembic lists its plugins at every start (7 lines a CLI call): 15,000 calls filled
    # the rotated log and pushed real warnings out. Upgrades it runs are still logged.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    try:
        folder = log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "inspector.log"
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=2_000_000, backupCount=5, encoding="utf-8"
        )
    except OSError as exc:
        # Without a file, warnings and errors still reach the terminal; the INFO chatter
        # meant for the file (database upgrades, every import) would bury the output.
        fallback = logging.StreamHandler()
        fallback.setLevel(max(level, logging.WARNING))
        root.addHandler(fallback)
        logging.getLogger(__name__).warning("cannot write log file: %s", exc)
        return None
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s")
    )
    root.addHandler(handler)
    return path
