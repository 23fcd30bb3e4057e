"""A report as plain text (terminal) and as a JSON-ready dict (``--json``, scripts)."""

from __future__ import annotations

from typing import Any

from inspector.reports.types import GroupCount, Report


def _groups(items: tuple[GroupCount, ...]) -> list[dict[str, Any]]:
    """A group without parts (a quiet shift) has no NG rate, like a day without parts:
    0.0 would read as perfect quality."""
    return [
        {"name": g.key, "inspected": g.inspected, "ng": g.ng,
         "ng_rate": round(g.ng_rate, 6) if g.inspected else None}
        for g in items
    ]


def summary_dict(rep: Report) -> dict[str, Any]:
    """Every figure with stable keys; times are ISO 8601 with the zone's offset."""
    start, end = rep.filters.local_bounds()
    t = rep.totals
    return {
        "period": {
            "from": start.isoformat() if start else None,
            "to": end.isoformat() if end else None,
            "time_zone": rep.tz_name,
        },
        "filters": {k: v for k, v in rep.filters.describe() if k not in ("Period", "Time zone")},
        "generated_at": rep.generated_at.isoformat(timespec="seconds"),
        "inspected": t.inspected,
        "ng": t.ng,
        "ng_rate": round(t.ng_rate, 6),
        "uncertain": t.uncertain,
        "ok": t.ok,
        "overridden": t.overridden,
        "unfamiliar": t.unfamiliar,
        "per_day": [
            {
                "day": d.day.isoformat(),
                "inspected": d.inspected,
                "ng": d.ng,
                "ng_rate": round(d.ng_rate, 6) if d.inspected else None,  # no parts: no rate
            }
            for d in rep.per_day
        ],  # fmt: skip
        "per_shift": _groups(rep.per_shift),
        "by_operator": _groups(rep.by_operator),
        "by_station": _groups(rep.by_station),
        "by_product": _groups(rep.by_product),
        "by_model": _groups(rep.by_model),
        "by_severity": {c.key: c.count for c in rep.by_severity},
        "pareto": [
            {
                "defect_type": p.defect_type,
                "count": p.count,
                "cumulative_pct": round(p.cumulative_pct, 2),
            }
            for p in rep.pareto
        ],  # fmt: skip
        "worst": [
            {
                "inspection_id": w.inspection_id,
                "image_id": w.image_id,
                "score": w.score,
                "defect_type": w.defect_type,
                "severity": w.severity,
                "inspected_at": w.inspected_at.isoformat(timespec="seconds"),
            }
            for w in rep.worst
        ],  # fmt: skip
        "overrides": [
            {
                "inspection_id": o.inspection_id,
                "machine_verdict": o.machine_verdict,
                "override_verdict": o.override_verdict,
                "reason": o.reason,
                "by": o.by,
                "at": o.at.isoformat(timespec="seconds") if o.at else None,
            }
            for o in rep.overrides
        ],  # fmt: skip
    }


def _table(title: str, items: tuple[GroupCount, ...]) -> list[str]:
    lines = [f"{title}:"]
    lines += [
        f"  {g.key:<20} {g.inspected:>8} inspected {g.ng:>7} NG "
        + (f"{g.ng_rate * 100:>7.2f} %" if g.inspected else f"{'–':>7}")
        for g in items
    ]
    return lines


TEXT_DAYS = 31  # days the terminal lists; the exports and --json have every day


def _days(rep: Report) -> list[str]:
    """The trend, newest last: is it getting worse? Days without inspections are left
    out; a long period shows its last TEXT_DAYS days and says so."""
    days = [d for d in rep.per_day if d.inspected]
    shown = days[-TEXT_DAYS:]
    title = "Per day" if len(shown) == len(days) else (
        f"Per day (last {len(shown)} of {len(days)} days with inspections; "
        "the exports and --json list all)")
    return [f"{title}:"] + [
        f"  {d.day.isoformat()} {d.day.strftime('%a')}      {d.inspected:>8} inspected "
        f"{d.ng:>7} NG {d.ng_rate * 100:>7.2f} %"
        for d in shown
    ]


def summary_text(rep: Report) -> str:
    """The summary for a terminal: period, headline figures, groups, Pareto, overrides."""
    lines = ["Inspection quality report"]
    lines += [f"  {label}: {value}" for label, value in rep.filters.describe()]
    if rep.empty:
        return "\n".join([*lines, "", rep.filters.no_data_text()])
    lines.append("")
    lines += [f"{label:<20} {value}" for label, value in rep.summary_lines()]
    lines.append("")
    lines += _days(rep)
    lines += _table("Per shift", rep.per_shift)
    lines += _table("By operator", rep.by_operator)
    lines += _table("By station", rep.by_station)
    lines += _table("By product", rep.by_product)
    lines += _table("By model version", rep.by_model)
    lines.append("NG by severity: " + ", ".join(f"{c.key} {c.count}" for c in rep.by_severity))
    lines.append("Pareto of defect types (NG parts, cumulative share):")
    lines += [f"  {p.defect_type:<20} {p.count:>7} NG  cum. {p.cumulative_pct:5.1f} %"
              for p in rep.pareto]
    if rep.overrides:
        lines.append(f"QA overrides (newest {min(len(rep.overrides), 10)}):")
        lines += [
            f"  #{o.inspection_id} {o.machine_verdict}->{o.override_verdict} by {o.by or '-'}: "
            f"{o.reason}"
            for o in rep.overrides[:10]
        ]
    return "\n".join(lines)
