"""Hand-made inspections with known counts for the report tests (times in Europe/Berlin)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import URL, text

from inspector.store.db import Database, sqlite_url
from inspector.store.models import Base, Image, Inspection, ModelRecord, Operator, Product

BERLIN = ZoneInfo("Europe/Berlin")


@dataclass(frozen=True)
class Spec:
    """One inspection to insert; ``local`` is Berlin wall-clock time."""

    local: dt.datetime
    verdict: str
    score: float
    operator: str = "alice"
    product: str = "Bolt"
    station: str = "S1"
    severity: str | None = None
    defect_type: str | None = None
    model: int = 1
    override: str | None = None
    reason: str | None = None
    unfamiliar: bool = False

    @property
    def final(self) -> str:
        return self.override or self.verdict

    @property
    def utc(self) -> dt.datetime:
        return self.local.replace(tzinfo=BERLIN).astimezone(dt.UTC)


def t(day: int, hour: int, minute: int = 0, month: int = 3) -> dt.datetime:
    return dt.datetime(2024, month, day, hour, minute)


# March 2024 in Berlin (CET, UTC+1) until the DST change on 31 March 02:00 -> 03:00 (CEST).
SPECS: tuple[Spec, ...] = (
    Spec(t(1, 7), "ok", 0.10),
    Spec(t(1, 9), "ng", 0.91, severity="major", defect_type="scratch"),
    Spec(t(1, 15), "ng", 0.95, "bob", severity="critical", defect_type="dent", station="S2"),
    Spec(t(1, 23, 30), "ng", 0.70, "bob", severity="minor", defect_type="scratch"),
    Spec(t(2, 0, 30), "ok", 0.20, "bob"),  # 1 March 23:30 UTC, but 2 March in Berlin
    Spec(t(2, 5, 59), "uncertain", 0.45, "bob", product="Nut"),
    Spec(
        t(2, 6, 0),
        "ng",
        0.80,
        severity="major",
        defect_type="scratch",
        product="Nut",
        model=2,
        override="ok",
        reason="cosmetic, within spec",
    ),  # fmt: skip
    Spec(t(2, 13), "ok", 0.30, product="Nut", model=2, override="ng", reason="crack missed"),
    Spec(t(3, 22), "ng", 0.99, "bob", severity="critical", defect_type="crack", station="S2",
         unfamiliar=True),
    Spec(t(31, 1, 30), "ok", 0.05, station="S2"),  # CET, before the DST change
    Spec(t(31, 23, 30), "ng", 0.60, severity="minor", defect_type="dent"),  # CEST
    Spec(t(1, 0, 30, month=4), "ok", 0.15),  # 31 March 22:30 UTC, but 1 April in Berlin
)


def make_db(where: Path | URL, specs: tuple[Spec, ...] = SPECS) -> Database:
    """A new database holding ``specs`` (image ids = 1-based position in specs): a SQLite
    file at a path, or the (empty) database of a URL, such as a PostgreSQL one."""
    db = Database(sqlite_url(where) if isinstance(where, Path) else where)
    Base.metadata.create_all(db.engine)
    insert_specs(db, specs)
    return db


def insert_specs(db: Database, specs: tuple[Spec, ...] = SPECS) -> None:
    """Add operators alice/bob/carol, products Bolt/Nut, models 1/2 and the inspections."""
    with db.session() as s:
        names = dict.fromkeys(["alice", "bob", "carol", *(sp.operator for sp in specs)])
        ops = {n: Operator(name=n, role="qa_lead" if n == "carol" else "operator")
               for n in names}  # fmt: skip
        prods = {"Bolt": Product(name="Bolt", line="L1"), "Nut": Product(name="Nut", line="L2")}
        prods |= {sp.product: Product(name=sp.product) for sp in specs if sp.product not in prods}
        models = {
            v: ModelRecord(
                version=v, backbone="lite0", threshold=0.5, file_path=f"m{v}", file_sha256="0" * 64
            )  # fmt: skip
            for v in (1, 2)
        }
        s.add_all([*ops.values(), *prods.values(), *models.values()])
        s.flush()
        for i, sp in enumerate(specs, start=1):
            sha = f"{i:064x}"
            img = Image(id=i, sha256=sha, store_path=f"{sha[:2]}/{sha}.png", width=8, height=8,
                        format="PNG", mode="RGB", original_name=f"part{i}.png")  # fmt: skip
            s.add(img)
            s.add(
                Inspection(
                    id=i,
                    image_id=i,
                    model_id=models[sp.model].id,
                    score=sp.score,
                    threshold=0.5,
                    verdict=sp.verdict,
                    severity=sp.severity,
                    defect_type=sp.defect_type,
                    type_confidence=0.9 if sp.defect_type else None,
                    heatmap_path=f"artefacts/heat/{i}.png" if sp.verdict == "ng" else None,
                    operator_id=ops[sp.operator].id,
                    product_id=prods[sp.product].id,
                    station=sp.station,
                    inspected_at=sp.utc,
                    override_verdict=sp.override,
                    override_reason=sp.reason,
                    override_by_id=ops["carol"].id if sp.override else None,
                    override_at=sp.utc + dt.timedelta(hours=1) if sp.override else None,
                    unfamiliar=sp.unfamiliar,
                )  # fmt: skip
            )
        s.flush()
        if db.engine.dialect.name == "postgresql":
            # Rows given ids of their own leave PostgreSQL's id sequences behind (SQLite
            # takes max(id) + 1): move them on, so later inserts get new ids there too.
            for table in ("images", "inspections"):
                s.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                               f"(SELECT max(id) FROM {table}))"))
