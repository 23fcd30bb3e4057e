"""`inspector audit`: the audit log, newest first (changes and refusals; QA lead), with
the filters an auditor asks for: a period, a person, a kind of action."""

from __future__ import annotations

import argparse
import datetime as dt

from inspector.cli.common import ID, actor_for, add_common, emit, open_project


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("audit", help="show the audit log, newest first (QA lead)")
    add_common(p)
    p.add_argument("--limit", type=ID, default=50, help="how many entries (default 50)")
    p.add_argument("--from", dest="date_from", metavar="DATE",
                   help="from this day (YYYY-MM-DD, or YYYY-MM-DDTHH:MM; this computer's "
                        "time zone)")
    p.add_argument("--to", dest="date_to", metavar="DATE", help="up to this day, included")
    p.add_argument("--by-operator", metavar="NAME", help="only what this person did")
    p.add_argument("--action", metavar="TEXT",
                   help="only actions starting so (e.g. inspection, setting, model.activate)")
    p.add_argument("--full", action="store_true",
                   help="the whole details of each entry (the text view cuts them at 80 "
                        "characters)")
    p.set_defaults(handler=run)


def _bound(text: str | None, what: str, end: bool) -> dt.datetime | None:
    """The period's edge as an aware time; a day given as ``--to`` counts whole."""
    from inspector.cli.cmd_report import parse_when
    from inspector.reports.filters import local_instant

    if text is None:
        return None
    when = parse_when(text, what)
    if isinstance(when, dt.datetime):
        return when if when.tzinfo else local_instant(when)  # naive: this computer's time
    return local_instant(when + dt.timedelta(days=1 if end else 0))


def run(args: argparse.Namespace) -> int:
    from inspector.services.audit_log import recent_entries

    filters = {"since": _bound(args.date_from, "--from", False),
               "until": _bound(args.date_to, "--to", True),
               "by": args.by_operator, "action": args.action}
    with open_project(args) as project:
        items = recent_entries(project, actor_for(args, project), args.limit, **filters)
    lines = [
        f"{a.at:%Y-%m-%d %H:%M:%S}Z  {a.operator or '-':<16} "
        f"{'REFUSED ' if not a.allowed else ''}{a.action:<24} "
        f"{a.entity or ''}{'#' + a.entity_id if a.entity_id else ''}  "
        f"{_details(a.details, args.full)}"
        for a in items
    ]
    empty = ("No audit entry matches." if any(v is not None for v in filters.values())
             else "The audit log is empty.")
    emit(args, items, "\n".join(lines) if lines else empty)
    return 0


def _details(details: dict, full: bool) -> str:
    text = ", ".join(f"{k}={v}" for k, v in details.items())
    return text if full or len(text) <= 80 else text[:77] + "..."
