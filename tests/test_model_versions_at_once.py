"""Stations that finish a training at the same moment each get a version: the number was
read before the file was written, so four stations clashed more often than the retries
allowed and a finished training was thrown away."""

from __future__ import annotations

import threading
from pathlib import Path

from engine_fixtures import make_part

from inspector.engine import EngineConfig, train_model
from inspector.services import models, training
from inspector.services.products import add_product


class _SlowSave:
    """The model, whose save waits until every station has one to record."""

    def __init__(self, model, barrier: threading.Barrier) -> None:  # noqa: ANN001
        self._model, self._barrier, self._first = model, barrier, True

    def save(self, path: Path) -> None:
        if self._first:  # a retry after a clash saves at once
            self._first = False
            self._barrier.wait(timeout=30)
        self._model.save(path)

    def __getattr__(self, name: str):  # noqa: ANN204
        return getattr(self._model, name)


def test_five_stations_recording_at_once_each_get_a_version(project, admin) -> None:  # noqa: ANN001
    add_product(project, admin, "disc")
    model = train_model([make_part(seed, size=64) for seed in range(4)], [],
                        EngineConfig(preset="fast", image_size=64))
    summary = training.TrainingSummary(product="disc", good=4, defective=0, unlabelled=0)
    stations = 5
    barrier = threading.Barrier(stations)
    made, failed = [], []

    def station() -> None:
        try:
            made.append(training._record_model(project, admin, _SlowSave(model, barrier),
                                               "disc", "fast", summary, {}))
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            failed.append(exc)

    threads = [threading.Thread(target=station) for _ in range(stations)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert failed == []
    assert sorted(m.version for m in made) == [1, 2, 3, 4, 5]
    listed = models.list_models(project, "disc")
    assert len(listed) == 5 and sum(m.active for m in listed) == 1
    files = sorted(p.name for p in (project.root / "models").iterdir())
    assert files == sorted(Path(m.file_path).name for m in listed)
    assert all(name.startswith(f"model-v{m.version:04d}-") for m, name in
               zip(sorted(listed, key=lambda m: m.version), files, strict=True))
