"""A batch without --product judges with the one active model; a part stored under
another product is refused by name, never recorded under that product with a foreign
model's verdict."""

from __future__ import annotations

from pathlib import Path

from engine_fixtures import write_parts

from inspector.services import inspection, training
from inspector.services.importing import import_paths
from inspector.services.products import add_product


def test_a_part_of_another_product_is_refused_not_misjudged(project, admin,
                                                            tmp_path: Path) -> None:  # noqa: ANN001
    add_product(project, admin, "A")
    add_product(project, admin, "B")
    goods = write_parts(tmp_path / "A" / "good", 5, 0, size=96)
    import_paths(project, admin, goods, product="A", labels_from_folders=True)
    model = training.train(project, admin, product="A", preset="fast")
    (b_part,) = write_parts(tmp_path / "B", 1, 900, size=96)
    import_paths(project, admin, [b_part], product="B")
    (a_part,) = write_parts(tmp_path / "new", 1, 100, size=96)

    batch = inspection.inspect_paths(project, admin, [b_part, a_part])
    assert batch.files == [str(a_part)] and batch.inspections[0].product == "A"
    assert batch.inspections[0].model_version == model.version
    (refused,) = batch.refused
    assert refused[0] == str(b_part)
    assert "stored under product 'B'" in refused[1] and "--product B" in refused[1]
    assert [i.product for i in inspection.list_inspections(project)] == ["A"]


def test_a_product_named_in_another_letter_case_is_found_everywhere(project, admin,
                                                                    tmp_path: Path) -> None:  # noqa: ANN001
    """`import --product bottle` found "Bottle"; `train` and `inspect` said there was no
    product of that name."""
    add_product(project, admin, "Bottle")
    goods = write_parts(tmp_path / "good", 5, 0, size=96)
    import_paths(project, admin, goods, product="bottle", labels_from_folders=True)
    model = training.train(project, admin, product="BOTTLE", preset="fast")
    assert model.product == "Bottle"
    (part,) = write_parts(tmp_path / "new", 1, 100, size=96)
    batch = inspection.inspect_paths(project, admin, [part], product="bottle")
    assert batch.inspections[0].product == "Bottle" and not batch.refused
