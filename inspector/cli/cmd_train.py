"""`inspector train`: train a new model version from the labelled images."""

from __future__ import annotations

import argparse

from inspector.cli.common import (
    actor_for,
    add_common,
    emit,
    open_project,
    print_progress,
    to_jsonable,
)

# What training measured on data it held out, as the GUI's model panel names it: the
# false-reject estimate, and the recall estimate that stands in for real defects until
# some are labelled.
HELD_OUT = {
    "estimated_frr": "false-reject rate (held-out good images)",
    "synthetic_recall": "synthetic defects caught",
    "labelled_recall": "labelled defects caught (each left out in turn)",
}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train", help="train a model from the labelled images")
    add_common(p)
    p.add_argument("--product", help="train on this product's images only")
    p.add_argument(
        "--preset", choices=["accurate", "fast"], default="accurate",
        help="accurate (default) or fast (lower latency per image)",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from inspector.services.training import train, trained_warnings, training_summary

    project = open_project(args)
    actor = actor_for(args, project)
    summary = training_summary(project, args.product)
    if not args.json:
        for w in summary.warnings:
            print(f"warning: {w}")
    info = train(
        project, actor, product=args.product, preset=args.preset,
        progress=None if args.json else print_progress,
    )
    m = info.metrics
    lines = [
        f"Trained model version {info.version} ({info.preset}, backbone {info.backbone})",
        f"  from {summary.good} good and {summary.defective} defective image(s)",
        f"  threshold {info.threshold:.4f}"
        + (f", uncertain from {info.uncertain_low:.4f}" if info.uncertain_low is not None else ""),
        "  active: " + ("yes" if info.active else
                        f"no (a QA lead activates it; `inspector model compare {info.version}` "
                        "shows which recent verdicts it would change)"),
    ]
    for key, label in HELD_OUT.items():
        if isinstance(m.get(key), int | float):
            lines.append(f"  {label}: {m[key]:.1%}")
    if isinstance(m.get("fit_seconds"), int | float):
        lines.append(f"  training took {m['fit_seconds']:.1f} s")
    if m.get("synthetic_bank_rows"):
        lines.append(f"  synthetic defect patches in the defect bank: {m['synthetic_bank_rows']}")
    if isinstance(m.get("density_used"), bool):
        lines.append(f"  local density: {'on' if m['density_used'] else 'off'}"
                     + _density_evidence(m))
    warnings = trained_warnings(info)
    lines += [f"warning: {w}" for w in warnings]
    data = {**to_jsonable(info), "warnings": [*summary.warnings, *warnings]}  # scripts see them
    emit(args, data, "\n".join(lines))
    return 0


def _density_evidence(m: dict) -> str:
    """The AUROCs that decided it (absent without labelled defects or when forced)."""
    plain, dens = m.get("density_auroc_plain"), m.get("density_auroc_normalised")
    if plain is None or dens is None:
        return ""
    return (f" (held-out good vs labelled defects AUROC {plain:.3f} plain, "
            f"{dens:.3f} normalised)")
