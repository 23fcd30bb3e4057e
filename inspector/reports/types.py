"""Plain frozen results of a report query, safe to pass between threads and to exporters."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from inspector.reports.filters import ReportFilters


def rate(part: int, whole: int) -> float:
    """``part / whole`` as a fraction, 0.0 for an empty whole."""
    return part / whole if whole else 0.0


@dataclass(frozen=True)
class Totals:
    inspected: int
    ng: int
    uncertain: int
    ok: int
    overridden: int
    unfamiliar: int = 0  # images flagged by the setup check (unlike the training images)

    @property
    def ng_rate(self) -> float:
        return rate(self.ng, self.inspected)

    @property
    def uncertain_rate(self) -> float:
        return rate(self.uncertain, self.inspected)


@dataclass(frozen=True)
class GroupCount:
    """Inspections and final NG count of one group (a day, shift, operator, station...)."""

    key: str
    inspected: int
    ng: int

    @property
    def ng_rate(self) -> float:
        return rate(self.ng, self.inspected)


@dataclass(frozen=True)
class DayCount:
    day: dt.date
    inspected: int
    ng: int

    @property
    def ng_rate(self) -> float:
        return rate(self.ng, self.inspected)


@dataclass(frozen=True)
class CountShare:
    """A count among final NG inspections, e.g. one severity."""

    key: str
    count: int


@dataclass(frozen=True)
class ParetoRow:
    defect_type: str
    count: int
    cumulative_pct: float


@dataclass(frozen=True)
class WorstImage:
    inspection_id: int
    image_id: int
    image_sha256: str
    image_path: str
    heatmap_path: str | None
    score: float
    threshold: float
    defect_type: str | None
    severity: str | None
    product: str | None
    station: str | None
    operator: str | None
    inspected_at: dt.datetime  # in the report's zone


@dataclass(frozen=True)
class OverrideRow:
    inspection_id: int
    image_id: int
    machine_verdict: str
    override_verdict: str
    reason: str
    by: str | None
    at: dt.datetime | None  # in the report's zone


@dataclass(frozen=True)
class Report:
    """Every figure of one report, recomputed from the stored inspections."""

    filters: ReportFilters
    tz_name: str
    generated_at: dt.datetime
    totals: Totals
    per_day: tuple[DayCount, ...]
    per_shift: tuple[GroupCount, ...]
    by_operator: tuple[GroupCount, ...]
    by_station: tuple[GroupCount, ...]
    by_product: tuple[GroupCount, ...]
    by_severity: tuple[CountShare, ...]
    pareto: tuple[ParetoRow, ...]
    worst: tuple[WorstImage, ...]
    overrides: tuple[OverrideRow, ...]  # newest first, at most ``max_overrides``
    by_model: tuple[GroupCount, ...] = ()  # per model version, oldest version first

    @property
    def empty(self) -> bool:
        return self.totals.inspected == 0

    def summary_lines(self) -> list[tuple[str, str]]:
        """The headline figures as (label, value) pairs, shared by every output format."""
        t = self.totals
        return [
            ("Inspections", f"{t.inspected}"),
            ("NG (final verdict)", f"{t.ng}"),
            ("NG rate", f"{t.ng_rate * 100:.2f} %"),
            ("Uncertain", f"{t.uncertain}"),
            ("OK", f"{t.ok}"),
            ("QA overrides", f"{t.overridden}"),
            ("Unfamiliar images", f"{t.unfamiliar}"),
        ]
