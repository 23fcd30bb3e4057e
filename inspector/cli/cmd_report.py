"""`inspector report`: QA figures for a period, printed or exported as CSV / XLSX / PDF.

``--operator`` is the signed-in person (common option); the inspections of one operator
are selected with ``--by-operator``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from inspector.cli.common import (
    ANY_COUNT,
    ID,
    actor_for,
    add_common,
    emit,
    open_project,
    print_progress,
)
from inspector.errors import UserError

FORMATS = ("csv", "xlsx", "pdf")
# Ctrl+C: a report changes nothing, and an export in progress removes its temp file.
INTERRUPTED = "interrupted: no report file was written (an older file of that name is kept)"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report",
        help="QA report for a period: print the summary or export csv / xlsx / pdf",
        description="Dates are local to --tz (default: this computer's zone). --to is "
        "inclusive for a date (whole day), exclusive for a date and time.",
    )
    add_common(p)
    period = p.add_argument_group("period")
    period.add_argument("--from", dest="date_from", metavar="DATE", help="YYYY-MM-DD[THH:MM]")
    period.add_argument("--to", dest="date_to", metavar="DATE", help="YYYY-MM-DD[THH:MM]")
    period.add_argument("--day", metavar="DATE", help="one local day")
    period.add_argument("--week", metavar="DATE", help="the Monday-Sunday week holding DATE")
    period.add_argument("--shift", metavar="NAME", help="one shift starting on --day")
    period.add_argument("--tz", metavar="ZONE", help="time zone name, e.g. Europe/Berlin")
    flt = p.add_argument_group("filters")
    flt.add_argument("--product")
    flt.add_argument("--station")
    flt.add_argument("--by-operator", metavar="NAME",
                     help="inspections by this operator (a name that begins with '-': "
                          "--by-operator=-Bob)")
    flt.add_argument("--verdict", choices=("ok", "ng", "uncertain"), help="final verdict")
    flt.add_argument("--severity", choices=("minor", "major", "critical"),
                     help="final NG parts the machine graded so (a part QA overrode to ok "
                          "or uncertain is left out)")
    flt.add_argument("--type", dest="defect_type", metavar="DEFECT_TYPE",
                     help="parts the machine gave this defect type (NG or uncertain), "
                          "whatever the final verdict: parts QA overrode to ok are "
                          "included; add --verdict ng for final NG parts only")
    flt.add_argument("--model-version", type=ID)
    ovr = flt.add_mutually_exclusive_group()
    ovr.add_argument("--overridden", dest="overridden", action="store_true", default=None)
    ovr.add_argument("--not-overridden", dest="overridden", action="store_false")
    out = p.add_argument_group("output")
    out.add_argument("--format", choices=FORMATS, help="export format (default: from --out)")
    out.add_argument("--out", type=Path, metavar="FILE", help="export to this file")
    out.add_argument("--top", type=ANY_COUNT, default=12, help="worst images listed (default 12)")
    p.set_defaults(handler=run_report, interrupted=INTERRUPTED)


FIRST_YEAR, LAST_YEAR = 1900, 9000


def parse_when(text: str, what: str) -> dt.date | dt.datetime:
    """A date (``YYYY-MM-DD``) or a naive local date and time (``YYYY-MM-DDTHH:MM``)."""
    try:
        when = (dt.date.fromisoformat(text.strip()) if len(text.strip()) <= 10
                else dt.datetime.fromisoformat(text.strip()))
    except ValueError as exc:
        raise UserError(f"bad {what} {text!r}: use YYYY-MM-DD or YYYY-MM-DDTHH:MM") from exc
    if not FIRST_YEAR <= when.year <= LAST_YEAR:  # year 1 or 9999: a zone shift overflows
        raise UserError(f"{what} {text!r} is out of range: use a year from {FIRST_YEAR} "
                        f"to {LAST_YEAR}")
    return when


def build_filters(args: argparse.Namespace, shifts: Any = None) -> Any:
    """ReportFilters from the command line (period first, then the other filters)."""
    from inspector.reports.filters import DEFAULT_SHIFTS, ReportFilters, local_midnight

    shifts = shifts or DEFAULT_SHIFTS
    kw = {
        "product": args.product, "station": args.station, "operator": args.by_operator,
        "verdict": args.verdict, "severity": args.severity, "defect_type": args.defect_type,
        "model_version": args.model_version, "overridden": args.overridden, "shifts": shifts,
    }  # fmt: skip
    if sum(x is not None for x in (args.day, args.week, args.date_from or args.date_to)) > 1:
        raise UserError("give either --day, --week or --from/--to")
    if args.shift and not args.day:
        raise UserError("--shift needs --day (the day the shift starts)")
    if args.day:
        day = _as_date(parse_when(args.day, "--day"), "--day")
        if args.shift:
            return ReportFilters.for_shift(day, args.shift, args.tz, **kw)
        return ReportFilters.for_day(day, args.tz, **kw)
    if args.week:
        return ReportFilters.for_week(_as_date(parse_when(args.week, "--week"), "--week"),
                                      args.tz, **kw)  # fmt: skip
    filters = ReportFilters(tz=args.tz, **kw)
    zone = filters.zone
    start = end = None
    if args.date_from:
        when = _existing(parse_when(args.date_from, "--from"), "--from", zone)
        start = when if isinstance(when, dt.datetime) else local_midnight(when, zone)
    if args.date_to:
        when = _existing(parse_when(args.date_to, "--to"), "--to", zone)
        if isinstance(when, dt.datetime):
            end = when
        else:
            end = local_midnight(when + dt.timedelta(days=1), zone)  # the whole last day
    return filters.with_(start=start, end=end)


def _existing(when: dt.date | dt.datetime, what: str,
              zone: dt.tzinfo) -> dt.date | dt.datetime:
    """A typed time the clocks skip (02:30 on the night of the change to summer time) is
    refused: it was read as another hour, and the report said 02:30 over parts of 03:43."""
    from inspector.reports.filters import tz_label, wall_time_exists

    if isinstance(when, dt.datetime) and when.tzinfo is None and not wall_time_exists(
            when, zone):
        raise UserError(f"{what} {when:%Y-%m-%d %H:%M} does not exist in {tz_label(zone)}: "
                        "the clocks skip that time (summer time begins); give a time "
                        "before or after the jump")
    return when


def _as_date(value: dt.date | dt.datetime, what: str) -> dt.date:
    if isinstance(value, dt.datetime):
        raise UserError(f"{what} takes a date (YYYY-MM-DD)")
    return value


def _format(args: argparse.Namespace) -> str | None:
    if args.out is None:
        if args.format:
            raise UserError("--format needs --out FILE")
        return None
    suffix = args.out.suffix.lower().lstrip(".")
    fmt = args.format or suffix
    if fmt not in FORMATS:
        raise UserError(f"cannot tell the format from {args.out.name!r}: use --format")
    if suffix in FORMATS and suffix != fmt:  # a PDF named .csv opens in the wrong program
        raise UserError(f"--out {args.out.name} ends in .{suffix} but --format is {fmt}")
    return fmt


def run_report(args: argparse.Namespace) -> int:
    from inspector.reports.service import (
        SHIFTS_SETTING,
        export_report,
        project_report,
        project_shifts,
    )
    from inspector.reports.text import summary_dict, summary_text

    fmt = _format(args)
    project = open_project(args)
    try:
        actor = actor_for(args, project)
        shifts_problem = project.setting_problems().get(SHIFTS_SETTING)
        if shifts_problem:
            print(f"warning: setting {SHIFTS_SETTING}: {shifts_problem}", file=sys.stderr)
        filters = build_filters(args, project_shifts(project))
        if fmt is None:
            rep = project_report(project, actor, filters, top_n=args.top)
            emit(args, summary_dict(rep), summary_text(rep))
            return 0
        progress = None if args.json else print_progress
        res = export_report(project, actor, filters, fmt, args.out, top_n=args.top,
                            progress=progress)  # fmt: skip
        note = f": {filters.no_data_text()}" if res.inspections == 0 else ""
        pages = (f", {res.count} page{'' if res.count == 1 else 's'}" if fmt == "pdf" else "")
        emit(args, {"path": str(res.path), "format": fmt, "inspections": res.inspections,
                    "pages": res.count if fmt == "pdf" else None},
             f"wrote {res.path} ({res.inspections} inspections{pages}){note}")  # fmt: skip
        return 0
    finally:
        project.close()
