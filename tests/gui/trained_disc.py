"""A small trained project for the GUI tests: product "disc", operators "op" (operator)
and "lead" (QA lead), model v1 (`fast`) active, and a few test parts on disk."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine_fixtures import write_parts

from inspector.services import training
from inspector.services.importing import import_paths
from inspector.services.operators import add_operator
from inspector.services.products import add_product
from inspector.services.project import init_project
from inspector.services.session import sign_in


@dataclass
class TrainedDisc:
    project: Any
    good: list[Path]  # test parts, not trained on
    bad: list[Path]
    data: Path  # a folder for more files


def trained_disc(tmp_path_factory: Any, goods: int = 6, defects: int = 1,
                 test_goods: int = 1) -> TrainedDisc:
    root = tmp_path_factory.mktemp("gui-proj")
    data = tmp_path_factory.mktemp("gui-data")
    project = init_project(root / "p", "admin")
    admin = sign_in(project, "admin")
    add_operator(project, admin, "op", role="operator")
    add_operator(project, admin, "lead", role="qa_lead")
    add_product(project, admin, "disc")
    write_parts(data / "train" / "good", goods, 0, size=96)
    if defects:
        write_parts(data / "train" / "scratch", defects, 500, defect=True, size=96)
    import_paths(project, admin, [data / "train"], product="disc", labels_from_folders=True)
    training.train(project, admin, product="disc", preset="fast")
    good = write_parts(data / "test" / "good", test_goods, 100, size=96)
    bad = write_parts(data / "test" / "bad", 1, 600, defect=True, size=96)
    return TrainedDisc(project, good, bad, data)
