"""The services on a project whose database is on a PostgreSQL server.

One shop-floor scenario (operators, roles and PINs, products, defect types, import,
labels, inspections, overrides, history, settings, retention, deletion, models, audit log,
reports) runs on a SQLite project and on a PostgreSQL one; every result must be the same.
No model is trained: a stand-in model scores an image by its brightness, so the
inspection service writes real rows through its real code path.

Also: two stations changing the same thing at the same moment, where SQLite's single write
lock used to serialise them and PostgreSQL's row locks do not.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import URL, select, update

from inspector.engine.result import InspectionResult, verdict_for
from inspector.errors import PermissionDenied, UserError
from inspector.reports import ReportFilters
from inspector.reports.service import export_report, filter_choices, project_report
from inspector.services import (
    audit_log,
    data,
    inspection,
    labeling,
    model_records,
    models,
    operators,
    products,
    retention,
)
from inspector.services.importing import import_array, import_paths
from inspector.services.labels_since import labels_since_active_model
from inspector.services.model_compare import compare_on_recent
from inspector.services.project import Project, init_project
from inspector.services.session import sign_in
from inspector.store.models import Image, Inspection, ModelRecord, Product

pytestmark = pytest.mark.postgres

# DTO fields that differ between any two runs (clock, folder), not between databases
VOLATILE = {
    "path",
    "created_at",
    "imported_at",
    "captured_at",
    "labelled_at",
    "inspected_at",
    "override_at",
    "duration_ms",
    "heatmap_path",
    "trained_at",
    "file_path",
}


class StandInModel:
    """Scores an image by its mean brightness (0..1): no training, deterministic."""

    def __init__(self, threshold: float = 0.5, uncertain_low: float | None = None) -> None:
        self.threshold, self.uncertain_low = threshold, uncertain_low

    def with_threshold(self, threshold: float, uncertain_low: float | None) -> StandInModel:
        return StandInModel(threshold, uncertain_low)

    def predict(self, rgb: np.ndarray) -> InspectionResult:
        score = float(rgb.mean()) / 255.0
        verdict = verdict_for(score, self.threshold, self.uncertain_low)
        ng = verdict == "ng"
        return InspectionResult(
            score=score,
            threshold=self.threshold,
            verdict=verdict,
            severity="major" if ng else None,
            defect_type="Ölfleck" if ng else None,
            type_confidence=0.75 if ng else None,
            heatmap=np.zeros(rgb.shape[:2], np.float32),
            image=rgb,
            uncertain_low=self.uncertain_low,
            unfamiliar=score > 0.9,
            timings_ms={"total": 1.0},
        )


@pytest.fixture
def stand_in_model(monkeypatch: pytest.MonkeyPatch) -> None:
    def load(root: Path, rec: ModelRecord, verify: bool = False) -> StandInModel:
        return StandInModel()  # the services apply the record's threshold to it

    monkeypatch.setattr(inspection, "load_model", load)
    monkeypatch.setattr(models, "load_model", load)


def _frame(value: int, size: int = 24) -> np.ndarray:
    rng = np.random.default_rng(value)
    return np.clip(value + rng.integers(-3, 4, (size, size, 3)), 0, 255).astype(np.uint8)


def _plain(obj: Any) -> Any:
    """A DTO (or a list of them) as dicts without the fields that differ between runs."""
    if isinstance(obj, list | tuple):
        return [_plain(o) for o in obj]
    if dataclasses.is_dataclass(obj):
        return {
            k: _plain(v)
            for k, v in dataclasses.asdict(obj).items()
            if k not in VOLATILE and not isinstance(v, np.ndarray)
        }
    return obj


def scenario(project: Project, image_dir: Path, tmp: Path) -> dict[str, Any]:
    """A day on the line; returns what the services answered at each step."""
    out: dict[str, Any] = {}
    admin = sign_in(project, "admin")
    operators.add_operator(project, admin, "Émile", role="qa_lead", pin="2468")
    operators.add_operator(project, admin, "bob")
    operators.add_operator(project, admin, "Zoë", pin="1357")
    operators.add_operator(project, admin, "anna")
    operators.set_role(project, admin, "BOB", "qa_lead")
    operators.set_role(project, admin, "bob", "operator")
    operators.set_active(project, admin, "anna", False)
    with pytest.raises(UserError, match="last admin"):
        operators.set_role(project, admin, "admin", "operator")
    lead = sign_in(project, "ÉMILE", "2468", station="Süd")
    bob = sign_in(project, "bob", station="Nord")
    with pytest.raises(PermissionDenied, match="may not edit operators"):
        operators.add_operator(project, bob, "eve")
    for _ in range(5):
        with pytest.raises(PermissionDenied, match="wrong PIN"):
            sign_in(project, "zoë", "0000")
    with pytest.raises(PermissionDenied, match="paused"):
        sign_in(project, "Zoë", "1357")  # the right PIN waits too
    operators.set_pin(project, admin, "Zoë", "9753")  # a new PIN ends the pause
    out["zoe"] = sign_in(project, "Zoë", "9753").role
    out["operators"] = _plain(operators.list_operators(project, lead))

    products.add_product(project, lead, "Ärmel", sku="Ä-1", line="L1", station="Süd")
    products.add_product(project, lead, "bolt", line="L2")
    with pytest.raises(UserError, match="already exists"):
        products.add_product(project, lead, "ÄRMEL")
    if not project.db.is_sqlite:  # only the server limits it (SQLite stores any length)
        with pytest.raises(UserError, match="at most 100"):
            products.add_product(project, lead, "nut", sku="x" * 101)
    products.set_region(project, lead, "ärmel", [0.1, 0.1, 0.9, 0.9])
    out["product"] = _plain(products.get_product(project, "ÄRMEL"))
    out["products"] = _plain(products.list_products(project))

    labeling.add_defect_type(project, lead, "Ölfleck", shortcut="o")
    with pytest.raises(UserError, match="already exists"):
        labeling.add_defect_type(project, lead, "ÖLFLECK")
    labeling.add_defect_type(project, lead, "zinc")
    labeling.remove_defect_type(project, lead, "ZINC")

    rep = import_paths(
        project,
        lead,
        [image_dir],
        product="bolt",
        labels_from_folders=True,
        lot="L-7",
        serial="S-1",
    )
    again = import_paths(project, bob, [image_dir], product="BOLT")
    out["import"] = (
        _plain(rep.stored),
        rep.duplicates == [],
        rep.ignored != [],
        rep.new_defect_types,
        len(again.duplicates),
    )
    frames = [import_array(project, bob, _frame(v), product="Ärmel") for v in (40, 100, 250)]
    mask = np.zeros((24, 24), bool)
    mask[5:9, 5:9] = True
    labeling.label_image(project, bob, frames[0].id, "defective", "ölfleck", "minor")
    labeling.label_image(project, bob, frames[0].id, "defective", "ÖLFLECK", "major", mask)
    out["history"] = _plain(labeling.label_history(project, frames[0].id))
    out["oelfleck"] = [i.id for i in labeling.list_images(project, defect_type="ÖLFLECK")]
    out["unlabelled"] = [i.id for i in labeling.list_images(project, state="unlabelled")]
    out["good page 2"] = [
        i.id for i in labeling.list_images(project, state="good", limit=2, offset=2)
    ]
    out["counts"] = (labeling.label_counts(project), labeling.label_counts(project, "bolt"))
    out["newest"] = [i.id for i in labeling.list_images(project, state="good", newest=2)]
    out["counted"] = (labeling.count_images(project, defect_type="ölfleck"),
                      labeling.count_images(project, product="Ärmel", state="unlabelled"))
    out["listed"] = [(i.state, i.product, i.imported_by, i.labelled_by, i.has_mask)
                     for i in labeling.list_images(project)]
    out["types"] = (
        labeling.list_defect_types(project),
        _plain(labeling.list_defect_type_infos(project)),
    )
    out["mask"] = int(labeling.load_mask(project, frames[0].id).sum())

    with project.db.session() as s:  # model versions as training would record them
        bolt = s.scalar(select(Product.id).where(Product.name == "bolt"))
        armel = s.scalar(select(Product.id).where(Product.name == "Ärmel"))
        for version, pid, thr in ((1, bolt, 0.5), (2, armel, 0.45), (3, armel, 0.6)):
            s.add(
                ModelRecord(
                    version=version,
                    product_id=pid,
                    backbone="stand-in",
                    threshold=thr,
                    uncertain_low=thr * 0.8,
                    file_path=f"m{version}",
                    file_sha256="0" * 64,
                    active=version < 3,
                    metrics={"heldout_good_scores": [0.1, thr / 2]},
                    training_set={"good": 5},
                )
            )
    batch = inspection.inspect_paths(project, bob, [image_dir], product="bolt")
    out["batch"] = (_plain(batch.inspections), [Path(f).name for f in batch.files], batch.refused)
    singles = [inspection.inspect_image(project, lead, f.id, product="Ärmel") for f in frames]
    out["singles"] = _plain(singles)
    ng = next(i for i in singles if i.final_verdict == "ng")
    ok = next(i for i in singles if i.final_verdict == "ok")
    inspection.override_verdict(project, lead, ng.id, "ok", "glare on the lens")
    inspection.override_verdict(project, lead, ok.id, "ng", "crack the model missed")
    with pytest.raises(PermissionDenied):
        inspection.override_verdict(project, bob, ok.id, "ok", "no")
    out["listing"] = {
        "all": [i.id for i in inspection.list_inspections(project)],
        "page": [i.id for i in inspection.list_inspections(project, limit=3, offset=3)],
        "ng": [i.id for i in inspection.list_inspections(project, verdict="ng")],
        "bob": [i.id for i in inspection.list_inspections(project, operator="bob")],
        "text": [i.id for i in inspection.list_inspections(project, text="G1")],
        "Ärmel": inspection.count_inspections(project, product="Ärmel"),
        "since": inspection.count_inspections(
            project, since=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
        ),
    }

    project.set_setting(lead, "report_shifts", "day=06:00-18:00,night=18:00-06:00")
    project.set_setting(lead, "uncertain_false_reject_rate", 0.05)
    project.set_setting(lead, "uncertain_false_reject_rate", None)
    project.set_setting(lead, "severity_bands", {})
    with pytest.raises(UserError, match="unknown setting"):
        project.set_setting(lead, "x" * 150, 1)
    with pytest.raises(PermissionDenied):  # refused and audited: a key wider than the column
        project.set_setting(bob, "k" * 150, 1)
    out["settings"] = project.all_settings()

    models.activate_model(project, lead, 3)
    models.set_threshold(project, lead, 3, 0.7)
    with pytest.raises(UserError, match="is active"):
        models.delete_model(project, lead, 3)
    models.delete_model(project, lead, 2)
    out["models"] = (
        _plain(models.list_models(project)),
        _plain(models.list_models(project, "Ärmel")),
        _plain(models.score_distribution(project, 3)),
    )

    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=100)
    extra = import_array(project, bob, _frame(90), product="Ärmel")  # unlabelled, good part
    inspection.inspect_image(project, bob, extra.id, product="Ärmel")
    with project.db.session() as s:  # as if it was inspected 100 days ago
        s.execute(update(Image).where(Image.id == extra.id).values(imported_at=old))
        s.execute(
            update(Inspection).where(Inspection.image_id == extra.id).values(inspected_at=old)
        )
    purged = retention.purge_images(project, lead, 90)
    out["purge"] = (purged.images, purged.heatmaps, purged.image_ids)
    with pytest.raises(UserError, match="inspection"):
        data.delete_image(project, lead, frames[1].id)
    deleted = data.delete_image(project, lead, frames[1].id, force=True, reason="wrong part")
    out["deleted"] = (deleted["labels"], len(deleted["inspections"]))

    filters = ReportFilters(tz="Europe/Berlin", product="ÄRMEL")
    report = dataclasses.replace(project_report(project, lead, filters), generated_at=None)
    out["report"] = (
        report.totals,
        report.by_operator,
        report.by_station,
        report.by_severity,
        report.pareto,
        [w.inspection_id for w in report.worst],
        [(o.inspection_id, o.override_verdict, o.reason, o.by) for o in report.overrides],
    )
    out["report rows"] = export_report(
        project, lead, ReportFilters(tz="Europe/Berlin"), "csv", tmp / "all.csv"
    ).count
    out["choices"] = filter_choices(project)
    out["audit"] = [
        (e.action, e.entity, e.entity_id, e.allowed, e.operator)
        for e in audit_log.recent_entries(project, lead, limit=1000)
    ]
    return out


@pytest.fixture
def both_results(
    tmp_path: Path, pg_url: URL, image_dir: Path, stand_in_model: None
) -> tuple[dict[str, Any], dict[str, Any]]:
    results = []
    for name, url in (("sqlite", None), ("postgresql", pg_url)):
        with init_project(tmp_path / name, "admin", database_url=url) as project:
            assert project.db.engine.dialect.name == name
            out = tmp_path / f"{name}-out"
            out.mkdir()
            results.append(scenario(project, image_dir, out))
    return results[0], results[1]


def test_the_same_day_on_sqlite_and_on_postgresql(both_results) -> None:  # noqa: ANN001
    sqlite, pg = both_results
    assert sqlite.keys() == pg.keys()
    for step in sqlite:
        assert pg[step] == sqlite[step], step


def test_what_the_day_on_postgresql_recorded(both_results) -> None:  # noqa: ANN001
    """The figures themselves, not only their equality with SQLite."""
    _, pg = both_results
    assert pg["zoe"] == "operator"
    assert [(o["name"], o["role"], o["active"]) for o in pg["operators"]] == [
        ("admin", "admin", True),
        ("anna", "operator", False),
        ("bob", "operator", True),
        ("Zoë", "operator", True),
        ("Émile", "qa_lead", True),
    ]  # code points, as SQLite did
    assert [p["name"] for p in pg["products"]] == ["bolt", "Ärmel"]
    assert pg["product"]["region"] == [0.1, 0.1, 0.9, 0.9]
    stored, no_duplicates, ignored, new_types, duplicates_again = pg["import"]
    assert len(stored) == 8 and no_duplicates and ignored and duplicates_again == 8
    assert new_types == ["dent", "scratch"]
    assert {s["lot"] for s in stored} == {"L-7"}
    assert [(h["defect_type"], h["severity"], h["has_mask"]) for h in pg["history"]] == [
        ("Ölfleck", "minor", False),
        ("Ölfleck", "major", True),
    ]
    assert pg["mask"] == 16
    assert pg["counts"][0] == {"good": 5, "defective": 4, "unlabelled": 2}
    assert pg["counts"][1] == {"good": 5, "defective": 3, "unlabelled": 0}
    assert pg["types"][0] == ["dent", "scratch", "Ölfleck"]
    inspections, files, refused = pg["batch"]
    assert len(inspections) == 8 and refused == [] and files[0] == "d0.jpg"
    assert {i["model_version"] for i in inspections} == {1}
    assert [(i["verdict"], i["unfamiliar"]) for i in pg["singles"]] == [
        ("ok", False),
        ("uncertain", False),
        ("ng", True),
    ]
    assert all(i["station"] == "Süd" and i["operator"] == "Émile" for i in pg["singles"])
    listing = pg["listing"]
    assert len(listing["all"]) == 11 and listing["all"] == sorted(listing["all"], reverse=True)
    assert listing["page"] == listing["all"][3:6]
    assert listing["Ärmel"] == 3 and listing["since"] == 11
    assert len(listing["bob"]) == 8 and len(listing["text"]) == 1
    assert pg["settings"]["report_shifts"] == "day=06:00-18:00,night=18:00-06:00"
    assert pg["settings"]["uncertain_false_reject_rate"] is None
    all_models, armel_models, distribution = pg["models"]
    assert [(m["version"], m["active"]) for m in all_models] == [(3, True), (1, True)]
    assert [m["threshold"] for m in armel_models] == [0.7]
    assert distribution["good_scores"] == [0.1, 0.3]
    assert pg["purge"][0] == 1 and pg["purge"][1] == 1
    assert pg["deleted"] == (0, 1)
    totals = pg["report"][0]
    assert (totals.inspected, totals.ng, totals.overridden) == (3, 1, 2)
    assert pg["report rows"] == 11
    assert pg["choices"].stations == ("Nord", "Süd")
    actions = [a[0] for a in pg["audit"]]
    for action in (
        "operator.add",
        "operator.role",
        "operator.active",
        "operator.pin",
        "product.add",
        "product.region",
        "defect_type.add",
        "defect_type.remove",
        "images.import",
        "label.set",
        "inspection.override",
        "setting.set",
        "model.activate",
        "model.threshold",
        "model.delete",
        "images.purge",
        "image.delete",
        "report.export",
        "project.init",
    ):
        assert action in actions, action
    refused = [a for a in pg["audit"] if not a[3]]
    assert sum(a[0] == "sign_in" for a in refused) == 6  # five wrong PINs, then the pause
    assert any(a[0] == "denied:edit_settings" and a[2] == "k" * 100 for a in refused)
    assert any(a[0] == "denied:override_verdict" for a in refused)


# -- two stations at the same moment --------------------------------------------------


def _pause_after(
    monkeypatch: pytest.MonkeyPatch, module: Any, name: str, first_done: threading.Event
) -> None:
    """The first call of ``module.name`` signals, then holds its transaction open briefly:
    long enough for a second station's call to run into it."""
    real = getattr(module, name)
    calls = []

    def paused(*args: Any, **kwargs: Any) -> Any:
        out = real(*args, **kwargs)
        calls.append(1)
        if len(calls) == 1:
            first_done.set()
            threading.Event().wait(0.5)
        return out

    monkeypatch.setattr(module, name, paused)


def _run_both(first: Any, second: Any, first_done: threading.Event) -> list[Any]:
    results: list[Any] = [None, None]

    def run(i: int, job: Any) -> None:
        try:
            results[i] = job()
        except UserError as exc:
            results[i] = exc

    t1 = threading.Thread(target=run, args=(0, first))
    t1.start()
    assert first_done.wait(30)
    t2 = threading.Thread(target=run, args=(1, second))
    t2.start()
    t1.join(30)
    t2.join(30)
    return results


@pytest.fixture
def pg_project(tmp_path: Path, pg_url: URL):
    with init_project(tmp_path / "p", "admin", database_url=pg_url) as project:
        yield project


def test_two_admins_demoting_each_other_at_once_leave_an_admin(
    pg_project: Project,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    admin = sign_in(pg_project, "admin")
    operators.add_operator(pg_project, admin, "root2", role="admin")
    other = sign_in(pg_project, "root2")
    first_done = threading.Event()
    _pause_after(monkeypatch, operators, "_keep_an_admin", first_done)
    results = _run_both(
        lambda: operators.set_role(pg_project, admin, "root2", "operator"),
        lambda: operators.set_role(pg_project, other, "admin", "operator"),
        first_done,
    )
    assert isinstance(results[1], UserError) and "last admin" in str(results[1])
    assert [o.role for o in operators.list_operators(pg_project)] == ["admin", "operator"]


def test_two_stations_activating_versions_at_once_leave_one_active(
    pg_project: Project,
    monkeypatch: pytest.MonkeyPatch,
    stand_in_model: None,
) -> None:
    admin = sign_in(pg_project, "admin")
    products.add_product(pg_project, admin, "bolt")
    with pg_project.db.session() as s:
        pid = s.scalar(select(Product.id))
        s.add_all(
            ModelRecord(
                version=v,
                product_id=pid,
                backbone="x",
                threshold=0.5,
                file_path=f"m{v}",
                file_sha256="0",
                active=v == 1,
            )
            for v in (1, 2, 3)
        )
    first_done = threading.Event()
    _pause_after(monkeypatch, model_records, "make_only_active", first_done)
    monkeypatch.setattr(models, "make_only_active", model_records.make_only_active)
    results = _run_both(
        lambda: models.activate_model(pg_project, admin, 2),
        lambda: models.activate_model(pg_project, admin, 3),
        first_done,
    )
    assert [r.version for r in results] == [2, 3]
    active = [m.version for m in models.list_models(pg_project) if m.active]
    assert active == [3]  # the later one wins; never two


def test_texts_wider_than_their_columns_are_refused_before_writing(pg_project: Project) -> None:
    """SQLite stores a longer text anyway; PostgreSQL refuses the row, which used to turn
    every import or inspection at a long-named station into a database error."""
    admin = sign_in(pg_project, "admin")
    with pytest.raises(UserError, match="1 to 100 characters"):
        sign_in(pg_project, "admin", station="S" * 101)
    wide = sign_in(pg_project, "admin", station="S" * 100)
    image = import_array(pg_project, wide, _frame(60))
    assert image.station == "S" * 100
    with pytest.raises(UserError, match="at most 100"):
        import_paths(pg_project, admin, [], lot="L" * 101)
    with pytest.raises(UserError, match="at most 100"):
        products.add_product(pg_project, admin, "bolt", line="L" * 101)
    assert products.list_products(pg_project) == []


def test_a_real_model_trains_and_inspects_the_same_on_both(tmp_path: Path, pg_url: URL) -> None:
    """The engine's own records (metrics and training set as JSON, the version number,
    the activation) go through PostgreSQL as through SQLite, and judge alike."""
    from engine_fixtures import write_sample_tree

    from inspector.services import training

    data = write_sample_tree(tmp_path / "data") / "disc"
    results = []
    for name, url in (("sqlite", None), ("postgresql", pg_url)):
        with init_project(tmp_path / name, "admin", database_url=url) as project:
            admin = sign_in(project, "admin")
            products.add_product(project, admin, "disc")
            import_paths(project, admin, [data / "train"], product="disc", labels_from_folders=True)
            info = training.train(project, admin, product="disc", preset="fast")
            again = training.train(project, admin, product="disc", preset="fast")
            batch = inspection.inspect_paths(project, admin, [data / "test"], product="disc")
            for verdict, part in zip(("good", "defective"), batch.inspections, strict=False):
                labeling.label_image(project, admin, part.image_id, verdict)
            since = labels_since_active_model(project, "disc")
            compared = compare_on_recent(project, admin, info.version)
            listed = models.list_models(project, "disc")
            results.append(
                (
                    info.version,
                    again.version,
                    [m.active for m in listed],
                    info.threshold,
                    info.metrics["heldout_good_scores"],
                    info.training_set,
                    [
                        (Path(f).name, i.verdict, i.score)
                        for f, i in zip(batch.files, batch.inspections, strict=True)
                    ],
                    dataclasses.replace(since, trained_at=None),
                    (compared.parts, compared.agree, len(compared.newly_passed)),
                )
            )
    sqlite, pg = results
    assert pg[:3] == (1, 2, [True, False])
    assert pg[5] == {"good": 6, "defective": 1, "defect_types": {"scratch": 1}, "left_out": 0,
                     "sensor_bits": 16, "last_label_id": 7}  # seven labels, ids from 1
    assert pg[3] == pytest.approx(sqlite[3]) and pg[4] == pytest.approx(sqlite[4])
    assert [r[:2] for r in pg[6]] == [r[:2] for r in sqlite[6]]
    assert [r[2] for r in pg[6]] == pytest.approx([r[2] for r in sqlite[6]])
    assert {v for _, v, _ in pg[6]} >= {"ng"}
    assert pg[7] == sqlite[7] and (pg[7].good, pg[7].defective, pg[7].version) == (1, 1, 2)
    assert pg[8] == sqlite[8] and pg[8][0] == len(pg[6])  # v1 re-judged every part


def test_sqlite_projects_keep_their_longer_texts(project: Project, tmp_path: Path) -> None:
    """The column limits are the server's: a station of 150 characters kept in a shop
    PC's settings, or a long lot number, still work on the embedded database."""
    import cv2

    admin = sign_in(project, "admin", station="S" * 150)
    image = import_array(project, admin, _frame(61))
    assert image.station == "S" * 150
    cv2.imwrite(str(tmp_path / "part.png"), _frame(62))
    report = import_paths(project, admin, [tmp_path / "part.png"], lot="L" * 101)
    assert len(report.stored) == 1 and report.stored[0].lot == "L" * 101
    assert products.add_product(project, admin, "nut", sku="x" * 101).sku == "x" * 101
    with pytest.raises(UserError, match="1 to 200 characters"):
        sign_in(project, "admin", station="S" * 201)  # the limit it always had
