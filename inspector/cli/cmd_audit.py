"""`inspector audit`: the newest audit log entries (changes and refusals; QA lead)."""

from __future__ import annotations

import argparse

from inspector.cli.common import ID, actor_for, add_common, emit, open_project


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("audit", help="show the audit log, newest first (QA lead)")
    add_common(p)
    p.add_argument("--limit", type=ID, default=50, help="how many entries (default 50)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from inspector.services.audit_log import recent_entries

    with open_project(args) as project:
        items = recent_entries(project, actor_for(args, project), args.limit)
    lines = [
        f"{a.at:%Y-%m-%d %H:%M:%S}Z  {a.operator or '-':<16} "
        f"{'REFUSED ' if not a.allowed else ''}{a.action:<24} "
        f"{a.entity or ''}{'#' + a.entity_id if a.entity_id else ''}  {_short(a.details)}"
        for a in items
    ]
    emit(args, items, "\n".join(lines) if lines else "The audit log is empty.")
    return 0


def _short(details: dict) -> str:
    text = ", ".join(f"{k}={v}" for k, v in details.items())
    return text if len(text) <= 80 else text[:77] + "..."
