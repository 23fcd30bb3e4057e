"""What was labelled since the active model: new labels, changed labels, unseen types."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from store_helpers import add_active_model, newest_label_id

from inspector.services import labeling
from inspector.services.importing import import_paths
from inspector.services.labels_since import labels_since_active_model
from inspector.services.products import add_product
from inspector.store.models import ModelRecord


def _stored(project, admin, make_image, product: str, seeds: range) -> list[int]:  # noqa: ANN001
    paths = [make_image(f"{product}/part_{s}.png", seed=s) for s in seeds]
    report = import_paths(project, admin, paths, product=product)
    return [img.id for img in report.stored]


def test_nothing_to_report_without_a_model_or_without_new_labels(project, admin, make_image):
    add_product(project, admin, "disc")
    ids = _stored(project, admin, make_image, "disc", range(3))
    for i in ids:
        labeling.label_image(project, admin, i, "good")
    assert labels_since_active_model(project, "disc") is None  # no model yet
    add_active_model(project, "disc", {"good": 3, "defect_types": {},
                                      "last_label_id": newest_label_id(project)})
    assert labels_since_active_model(project, "disc") is None


def test_new_changed_and_unseen_types_are_counted_apart(project, admin, make_image):
    add_product(project, admin, "disc")
    labeling.add_defect_type(project, admin, "scratch")
    labeling.add_defect_type(project, admin, "crack")
    ids = _stored(project, admin, make_image, "disc", range(8))
    for i in ids[:4]:
        labeling.label_image(project, admin, i, "good")
    labeling.label_image(project, admin, ids[4], "defective", "scratch")
    add_active_model(project, "disc", {"good": 4, "defective": 1,
                                      "defect_types": {"scratch": 1},
                                      "last_label_id": newest_label_id(project)})

    labeling.label_image(project, admin, ids[5], "good")
    labeling.label_image(project, admin, ids[6], "defective", "Crack")
    labeling.label_image(project, admin, ids[7], "defective", "scratch")
    labeling.label_image(project, admin, ids[0], "defective", "scratch")  # was good: changed
    labeling.label_image(project, admin, ids[1], "defective", "scratch")
    labeling.label_image(project, admin, ids[1], "good")  # undone: as it was when trained

    since = labels_since_active_model(project, "disc")
    assert since is not None and since.version == 1
    assert (since.good, since.defective, since.changed) == (1, 2, 1)
    assert since.new_types == ("crack",)
    text = since.describe()
    assert text == ("Since model v1 was trained: 1 new good image, 2 new defective images, "
                    "1 label changed, 1 defect type it has not seen (crack). "
                    "Retrain to use them.")
    # An operator retrained; the new version waits for a QA lead, who is told so.
    add_active_model(project, "disc", {"last_label_id": newest_label_id(project) - 1},
                     active=False)  # read all but the last label: not enough
    assert labels_since_active_model(project, "disc").learned_by is None
    add_active_model(project, "disc", {"last_label_id": newest_label_id(project)},
                     active=False)
    since = labels_since_active_model(project, "disc")
    assert since.learned_by == 3 and since.version == 1
    assert since.describe().endswith("Version v3, trained since, has learned them: compare "
                                     "it on recent parts, then activate it.")


def test_only_the_models_product_counts(project, admin, make_image):
    for name in ("disc", "gear"):
        add_product(project, admin, name)
    disc = _stored(project, admin, make_image, "disc", range(2))
    gear = _stored(project, admin, make_image, "gear", range(10, 12))
    labeling.label_image(project, admin, disc[0], "good")
    add_active_model(project, "disc", {"good": 1, "defect_types": {},
                                      "last_label_id": newest_label_id(project)})
    for i in gear:
        labeling.label_image(project, admin, i, "good")
    assert labels_since_active_model(project, "disc") is None
    assert labels_since_active_model(project, "gear") is None  # gear has no model
    labeling.label_image(project, admin, disc[1], "good")
    since = labels_since_active_model(project, "disc")
    assert since is not None and (since.good, since.defective) == (1, 0)


def test_a_model_without_a_recorded_label_id_compares_label_times(project, admin, make_image):
    add_product(project, admin, "disc")
    ids = _stored(project, admin, make_image, "disc", range(3))
    labeling.label_image(project, admin, ids[0], "good")
    add_active_model(project, "disc", {"good": 1, "defect_types": {}},  # as older versions wrote it
                     trained_at=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1))
    assert labels_since_active_model(project, "disc") is None
    add_active_model(project, "disc", {"good": 1, "defect_types": {}},
                     trained_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1))
    with project.db.session() as s:  # keep only the older record active
        for rec in s.scalars(select(ModelRecord)):
            rec.active = rec.version == 2
    since = labels_since_active_model(project, "disc")
    assert since is not None and since.version == 2 and since.good == 1
