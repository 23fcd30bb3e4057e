"""Who is working: ``sign_in`` checks the operator (and PIN) and returns an ``Actor``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select, update

from inspector.errors import NotFoundError, PermissionDenied
from inspector.services.names import clean_name, column_width, decodable, name_key
from inspector.store import audit
from inspector.store.models import AuditEntry, Operator, utcnow
from inspector.store.pins import verify_pin

if TYPE_CHECKING:
    from inspector.services.project import Project

# Wrong PINs before a pause: 4-digit PINs fall to guessing in minutes without one. The
# count lives in the audit log, so every station sharing the project sees it.
MAX_WRONG_PINS = 5
LOCK_MINUTES = 10


@dataclass(frozen=True)
class Actor:
    """The signed-in operator, passed to every service call that changes something."""

    operator_id: int
    name: str
    role: str
    station: str | None = None


def find_operator(session, name: str) -> Operator | None:  # noqa: ANN001 - ORM session
    """Exact name first, then a case-insensitive match (people type names differently)."""
    op = session.scalar(select(Operator).where(Operator.name == name))
    if op is None:
        key = name_key(name)
        matches = [o for o in session.scalars(select(Operator)) if name_key(o.name) == key]
        op = matches[0] if len(matches) == 1 else None
    return op


def not_found(session, name: str, what: str = "operator") -> str:  # noqa: ANN001
    """Why ``name`` found nobody: no such person, or several stored alike (STRASSE and
    straße, both added by a version before names were folded) that only the exact
    name tells apart."""
    key = name_key(name)
    alike = sorted(o.name for o in session.scalars(select(Operator)) if name_key(o.name) == key)
    if len(alike) > 1:
        return (f"{len(alike)} operators are named like '{name}': {', '.join(alike)}; "
                "type the name exactly as it is listed")
    return f"no {what} named '{name}'"


def pin_required(project: Project, name: str) -> bool:
    """True when ``name`` is an active operator with a PIN. The CLI asks such an
    operator for the PIN at the terminal rather than take it on the command line, where
    it would stay in the shell history and show in the process list."""
    with project.db.session() as session:
        op = find_operator(session, name.strip())
        return bool(op is not None and op.active and op.pin_hash)


def sign_in(
    project: Project, name: str, pin: str | None = None, station: str | None = None
) -> Actor:
    """Check name and PIN; a wrong or missing PIN is refused and audited."""
    # 100: the width of the station columns of images and inspections (PostgreSQL
    # enforces it; SQLite would have stored a longer name anyway).
    width = column_width(project, 100) or 200  # SQLite: the 200 it always allowed
    station = clean_name(station, "a station name", width) if station and station.strip() else None
    with project.db.session() as session:
        op = find_operator(session, name.strip())
        if op is None or not op.active:
            # Audited like a wrong PIN: someone who left, or a guessed name, tries the
            # station without a trace otherwise.
            who = Actor(op.id, op.name, op.role, station) if op is not None else None
            audit.record(session, who, "sign_in", "operator",
                         op.id if op is not None else decodable(name.strip()),
                         {"reason": "inactive" if op is not None else "unknown name"},
                         allowed=False)
            session.commit()
            raise NotFoundError(f"no active operator named '{name}'" if op is not None
                                else not_found(session, name.strip(), "active operator"))
        actor = Actor(op.id, op.name, op.role, station)
        if op.pin_hash:
            # One PIN check at a time per operator: parallel guesses all passed the count
            # of wrong PINs before any of them was recorded (8 checked against a limit of
            # 5). The row's write lock makes the next guess wait for this one's record.
            session.execute(update(Operator).where(Operator.id == op.id)
                            .values(pin_hash=Operator.pin_hash)
                            .execution_options(synchronize_session=False))
            _refuse_while_locked(session, actor)
            if not pin or not verify_pin(pin, op.pin_hash):
                reason = "PIN missing" if not pin else "wrong PIN"
                audit.record(session, actor, "sign_in", "operator", op.id,
                             {"reason": reason}, allowed=False)
                session.commit()
                raise PermissionDenied(f"{reason} for operator '{op.name}'"
                                       + (_tries_left(session, actor) if pin else ""))
        return actor


def start_session(project: Project, name: str, pin: str | None = None,
                  station: str | None = None) -> Actor:
    """``sign_in`` for a person at a station (the GUI), audited when it succeeds, so that
    "who was signed in at station 2 at 14:00" has an answer. (Each CLI command signs in
    on its own and is audited by what it changes.)"""
    actor = sign_in(project, name, pin, station)
    record_session_start(project, actor)
    return actor


def record_session_start(project: Project, actor: Actor) -> None:
    """The start of a session of someone ``sign_in`` accepted (the GUI asks about running
    work in between, and may not start it)."""
    with project.db.session() as session:
        audit.record(session, actor, "session.start", "operator", actor.operator_id)


def end_session(project: Project, actor: Actor, why: str) -> None:
    """The end of a person's session at a station (``why``: "signed out", "idle", "window
    closed"), audited."""
    with project.db.session() as session:
        audit.record(session, actor, "session.end", "operator", actor.operator_id,
                     {"why": why})


def _recent_wrong_pins(session, actor: Actor) -> tuple[int, dt.datetime | None]:  # noqa: ANN001
    """How many wrong PINs count toward the pause now, and when the oldest was typed.

    Each station stamps rows with its own clock. So "after the new PIN" is decided by row
    order (a station 10 minutes ahead made a new PIN set elsewhere unlock nothing), and a
    row stamped more than a minute ahead (a clock stepped back by NTP, a station whose
    clock runs fast) does not count until this clock reaches it: one stamped an hour ahead
    paused sign-in for 70 minutes instead of 10."""
    now = utcnow()
    window = dt.timedelta(minutes=LOCK_MINUTES)
    ahead = dt.timedelta(minutes=1)
    pin_set = session.scalar(select(func.max(AuditEntry.id)).where(  # a new PIN unlocks
        AuditEntry.action == "operator.pin", AuditEntry.entity_id == str(actor.operator_id)))
    wrong = select(AuditEntry.at).where(
        AuditEntry.action == "sign_in", AuditEntry.allowed.is_(False),
        AuditEntry.entity_id == str(actor.operator_id),
        AuditEntry.at >= now - window, AuditEntry.at <= now + ahead,
        AuditEntry.id > (pin_set or 0),
        AuditEntry.details["reason"].as_string() == "wrong PIN")
    recent = wrong.subquery()
    count, oldest = session.execute(select(func.count(), func.min(recent.c.at))).one()
    return int(count), oldest


def _tries_left(session, actor: Actor) -> str:  # noqa: ANN001 - ORM session
    """Said with a wrong PIN, so that nobody walks into the pause unwarned."""
    left = MAX_WRONG_PINS - _recent_wrong_pins(session, actor)[0]
    if left <= 0:
        return f": sign-in is now paused for {LOCK_MINUTES} minutes"
    if left == 1:
        return f" (one more wrong PIN pauses sign-in for {LOCK_MINUTES} minutes)"
    return f" ({left} tries left before sign-in pauses for {LOCK_MINUTES} minutes)"


def _refuse_while_locked(session, actor: Actor) -> None:  # noqa: ANN001 - ORM session
    """After MAX_WRONG_PINS wrong PINs within LOCK_MINUTES, sign-in waits (even with the
    right PIN) until the oldest of them is LOCK_MINUTES old."""
    count, oldest = _recent_wrong_pins(session, actor)
    if count < MAX_WRONG_PINS or oldest is None:
        return
    wait = max(1, round((oldest + dt.timedelta(minutes=LOCK_MINUTES) - utcnow())
                        .total_seconds() / 60))
    audit.record(session, actor, "sign_in", "operator", actor.operator_id,
                 {"reason": "locked"}, allowed=False)
    session.commit()
    who = "a QA lead or admin" if actor.role == "operator" else "an admin"
    raise PermissionDenied(f"{MAX_WRONG_PINS} wrong PINs for '{actor.name}': sign-in is "
                           f"paused for about {wait} minute(s) ({who} can set a new PIN)")
