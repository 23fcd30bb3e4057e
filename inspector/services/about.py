"""What the About box and ``--version`` show: app, model-file format, active models."""

from __future__ import annotations

from dataclasses import dataclass, field

import inspector
from inspector.engine.file_format import FORMAT_VERSION
from inspector.logging_setup import log_dir


@dataclass(frozen=True)
class AppInfo:
    version: str
    model_format_version: int
    log_folder: str
    project_root: str | None = None
    active_models: list[str] = field(default_factory=list)  # "bottle: v3 (accurate)"


def app_info(project: object | None = None) -> AppInfo:
    """Versions for support calls; with a project, also its active model versions."""
    active: list[str] = []
    root = None
    if project is not None:
        from inspector.services.models import list_models

        root = str(project.root)  # type: ignore[attr-defined]
        active = [
            f"{m.product or 'all products'}: v{m.version} ({m.preset}, {m.backbone}, "
            f"file {m.file_sha256[:12]})"
            for m in list_models(project)  # type: ignore[arg-type]
            if m.active
        ]
    return AppInfo(inspector.__version__, FORMAT_VERSION, str(log_dir()), root, active)
