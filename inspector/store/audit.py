"""Append-only audit log: every change and every refused action gets one row."""

from __future__ import annotations

import unicodedata
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspector.store.models import AuditEntry


def record(
    session: Session,
    actor: Any,
    action: str,
    entity: str | None = None,
    entity_id: Any = None,
    details: dict[str, Any] | None = None,
    allowed: bool = True,
) -> AuditEntry:
    """Add an audit row to ``session`` (committed with the change it describes).

    ``actor`` is a ``services.session.Actor`` (anything with operator_id and name) or None
    for system actions. The actor's station goes into the details (``at_station``): on a
    line sharing one database, a threshold change must be traceable to its station.
    """
    station = getattr(actor, "station", None)
    if station:  # its own key: "station" may be the record's own (a product's)
        details = {**(details or {}), "at_station": station}
    entry = AuditEntry(
        operator_id=getattr(actor, "operator_id", None),
        operator_name=getattr(actor, "name", None),
        action=action,
        entity=entity,
        # 100: the column's width. A refused action may name anything typed (a setting key);
        # PostgreSQL would refuse the whole row, and with it the record of the refusal.
        entity_id=None if entity_id is None else str(entity_id)[:100],
        allowed=allowed,
        details=_jsonable(details or {}),
    )
    session.add(entry)
    return entry


def recent(session: Session, limit: int | None = 100, *, since: Any = None,
           until: Any = None, by: str | None = None,
           action: str | None = None) -> list[AuditEntry]:
    """Newest entries first; ``since`` / ``until`` (aware datetimes, until excluded),
    ``by`` (an operator's name, any case) and ``action`` (its start: "inspection" finds
    "inspection.override") narrow them down."""
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc())
    if since is not None:
        stmt = stmt.where(AuditEntry.at >= since)
    if until is not None:
        stmt = stmt.where(AuditEntry.at < until)
    if by:  # the names written under any case: SQLite's lower() folds ASCII only
        names = [n for n in session.scalars(select(AuditEntry.operator_name).distinct())
                 if n and _name_key(n) == _name_key(by)]
        stmt = stmt.where(AuditEntry.operator_name.in_(names))
    if action:
        stmt = stmt.where(AuditEntry.action.startswith(action, autoescape=True))
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


def _name_key(name: str) -> str:
    return unicodedata.normalize("NFKC", name).casefold()


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
