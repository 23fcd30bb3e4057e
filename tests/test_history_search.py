"""History's text search takes what was typed literally: "lot_7" and "100%" are text,
not LIKE patterns (the _ matched any character)."""

from __future__ import annotations

import datetime as dt

import numpy as np

from inspector.services import inspection
from inspector.services.importing import import_array
from inspector.store.models import Image, Inspection


def test_underscore_percent_and_backslash_are_searched_as_typed(project, admin) -> None:  # noqa: ANN001
    lots = ["lot_7", "lotX7", "100%", "1000", "a\\b", "ab"]
    ids = {}
    for n, lot in enumerate(lots):
        img = import_array(project, admin, np.full((16, 16, 3), n * 20, np.uint8),
                           source="file")
        ids[lot] = img.id
    with project.db.session() as s:
        for lot, image_id in ids.items():
            s.get(Image, image_id).lot = lot
        s.add_all(Inspection(image_id=i, score=1.0, threshold=2.0, verdict="ok",
                             inspected_at=dt.datetime.now(dt.UTC)) for i in ids.values())

    def found(text: str) -> list[int]:
        return sorted(i.image_id for i in inspection.list_inspections(project, text=text))

    assert found("lot_7") == [ids["lot_7"]]
    assert found("100%") == [ids["100%"]]
    assert found("a\\b") == [ids["a\\b"]]
    assert found("lot") == sorted([ids["lot_7"], ids["lotX7"]])
    assert inspection.count_inspections(project, text="lot_7") == 1
