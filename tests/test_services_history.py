"""Listing inspections for the History page: paging, counting, a bounded number of queries."""

from __future__ import annotations

import datetime as dt

import numpy as np
from sqlalchemy import event

from inspector.services.importing import import_array
from inspector.services.inspection import count_inspections, list_inspections
from inspector.services.operators import add_operator
from inspector.store.models import Inspection, Operator, Product


def test_listing_pages_and_counts_with_a_fixed_number_of_queries(project, admin) -> None:  # noqa: ANN001
    add_operator(project, admin, "bob", role="operator")
    now = dt.datetime.now(dt.UTC)
    with project.db.session() as s:
        bob = s.query(Operator).filter_by(name="bob").one()
        product = Product(name="bolt")
        s.add(product)
        s.flush()
        ids = (bob.id, product.id)
    images = [import_array(project, admin, np.full((16, 16, 3), i, np.uint8), source="file",
                           name=f"p{i}.png") for i in range(60)]
    with project.db.session() as s:
        s.add_all(Inspection(image_id=img.id, score=float(i), threshold=1.0, verdict="ok",
                             operator_id=ids[0], override_by_id=ids[0], product_id=ids[1],
                             inspected_at=now - dt.timedelta(minutes=i))
                  for i, img in enumerate(images))
    statements = []
    listener = lambda *_a, **_k: statements.append(1)  # noqa: E731
    event.listen(project.db.engine, "before_cursor_execute", listener)
    try:
        rows = list_inspections(project, limit=50)
    finally:
        event.remove(project.db.engine, "before_cursor_execute", listener)
    assert len(statements) <= 8  # not one query per row (was about 3 per row)
    assert [r.score for r in rows] == [float(i) for i in range(50)]
    assert {(r.operator, r.override_by, r.product) for r in rows} == {("bob", "bob", "bolt")}
    assert rows[0].image_name == "p0.png"
    older = list_inspections(project, limit=50, offset=50)
    assert [r.score for r in older] == [float(i) for i in range(50, 60)]
    assert count_inspections(project) == 60
    assert count_inspections(project, text="p5") == 11  # p5, p50..p59
    assert count_inspections(project, until=now - dt.timedelta(minutes=55)) == 4
