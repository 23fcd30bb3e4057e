"""Who is working: ``sign_in`` checks the operator (and PIN) and returns an ``Actor``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from inspector.errors import NotFoundError, PermissionDenied
from inspector.services.names import clean_name
from inspector.store import audit
from inspector.store.models import Operator
from inspector.store.pins import verify_pin

if TYPE_CHECKING:
    from inspector.services.project import Project


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
        matches = [o for o in session.scalars(select(Operator)) if o.name.lower() == name.lower()]
        op = matches[0] if len(matches) == 1 else None
    return op


def sign_in(
    project: Project, name: str, pin: str | None = None, station: str | None = None
) -> Actor:
    """Check name and PIN; a wrong or missing PIN is refused and audited."""
    station = clean_name(station, "a station name", 200) if station and station.strip() else None
    with project.db.session() as session:
        op = find_operator(session, name.strip())
        if op is None or not op.active:
            raise NotFoundError(f"no active operator named '{name}'")
        actor = Actor(op.id, op.name, op.role, station)
        if op.pin_hash:
            if not pin or not verify_pin(pin, op.pin_hash):
                reason = "PIN missing" if not pin else "wrong PIN"
                audit.record(session, actor, "sign_in", "operator", op.id,
                             {"reason": reason}, allowed=False)
                session.commit()
                raise PermissionDenied(
                    f"{reason} for operator '{op.name}'"
                    + (" (use --pin or INSPECTOR_PIN)" if not pin else "")
                )
        return actor
