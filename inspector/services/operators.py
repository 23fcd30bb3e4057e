"""Operators and their roles and PINs.

QA leads and admins edit operators; only admins touch the QA lead and admin roles or the
people who hold them, so a QA lead cannot promote themselves or take over an admin's
sign-in by resetting its PIN.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from inspector.errors import NotFoundError, UserError
from inspector.services.dto import OperatorInfo
from inspector.services.names import clean_name, mixed_scripts
from inspector.services.session import find_operator, not_found
from inspector.store import audit, roles
from inspector.store.db import serialise
from inspector.store.models import ROLES, Operator
from inspector.store.pins import hash_pin


def _info(op: Operator) -> OperatorInfo:
    return OperatorInfo(op.id, op.name, op.role, op.pin_hash is not None, op.active, op.created_at)


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise UserError(f"unknown role '{role}'; choose one of {', '.join(ROLES)}")
    return role


def _get(session: Any, name: str) -> Operator:
    op = find_operator(session, name)
    if op is None:
        raise NotFoundError(not_found(session, name))
    return op


def _require_edit(project: Any, actor: Any, name: str, *held: str | None) -> None:
    """Edit rights over ``name``, whose role is or becomes each of ``held``: a QA lead's
    edits stop at plain operators, an admin's do not."""
    details = {"name": name}
    project.require(actor, roles.MANAGE_OPERATORS, entity="operator", details=details)
    if any(r not in (None, "operator") for r in held):
        project.require(actor, roles.MANAGE_LEADS, entity="operator",
                        details={**details, "roles": [r for r in held if r]})


def _is_self(project: Any, actor: Any, name: str) -> bool:
    """``name`` is the signed-in operator (by id: a name typed in another case is too)."""
    with project.db.session() as session:
        op = find_operator(session, name)  # active: one deactivated since sign-in is not
        return op is not None and op.active and op.id == getattr(actor, "operator_id", None)


def _role_of(project: Any, name: str) -> str | None:
    """The current role of ``name`` (None when there is no such operator: the edit then
    fails with "no operator named" after the rights check)."""
    with project.db.session() as session:
        op = find_operator(session, name)
        return op.role if op is not None else None


def _unchanged(op: Operator, seen: str | None) -> None:
    """The rights were checked against the role read before the write transaction; an
    admin who changed it meanwhile makes this edit start again rather than slip through."""
    if op.role != seen:
        raise UserError(f"'{op.name}' had their role changed meanwhile; try again")


def add_operator(
    project: Any, actor: Any, name: str, role: str = "operator", pin: str | None = None
) -> OperatorInfo:
    _check_role(role)
    _require_edit(project, actor, name, role)
    name = clean_name(name, "an operator name", 200)
    if scripts := mixed_scripts(name):
        raise UserError(f"the name '{name}' mixes letters of several alphabets "
                        f"({', '.join(s.title() for s in scripts)}): it would look like "
                        "another name in every list; type it in one alphabet")
    pin_hash = hash_pin(pin) if pin is not None else None  # "" is a mistake, not "no PIN"
    with project.db.session() as session:
        serialise(session, "operators.names")  # two stations adding Eve and eve at once
        if (same := find_operator(session, name)) is not None:
            raise UserError(f"an operator named '{same.name}' already exists")
        op = Operator(name=name, role=role, pin_hash=pin_hash)
        session.add(op)
        session.flush()
        audit.record(session, actor, "operator.add", "operator", op.id,
                     {"name": name, "role": role, "pin_set": pin_hash is not None})
        return _info(op)


def list_operators(project: Any, actor: Any = None) -> list[OperatorInfo]:
    """All operators by name; with ``actor`` given the LIST_OPERATORS right is checked."""
    if actor is not None:
        project.require(actor, roles.LIST_OPERATORS, entity="operator")
    with project.db.session() as session:
        # Sorted in Python: ORDER BY on text follows the database's collation, which
        # differs between SQLite (code points) and a PostgreSQL server (its locale).
        rows = sorted(session.scalars(select(Operator)), key=lambda o: (o.name.casefold(), o.name))
        return [_info(o) for o in rows]


def set_role(project: Any, actor: Any, name: str, role: str) -> OperatorInfo:
    """Change a role; the last active admin cannot be demoted (nobody could fix it)."""
    _check_role(role)
    seen = _role_of(project, name)
    _require_edit(project, actor, name, seen, role)
    with project.db.session() as session:
        _lock_operators(session)
        op = _get(session, name)
        _unchanged(op, seen)
        old = op.role
        op.role = role
        _keep_an_admin(session, op)
        audit.record(session, actor, "operator.role", "operator", op.id,
                     {"name": op.name, "old": old, "new": role})
        return _info(op)


def _lock_operators(session: Any) -> None:
    """PostgreSQL: lock the operator rows until commit. Its writers lock only the rows
    they change, so two admins demoting each other at once would each count the other as
    still admin; SQLite's single write lock made them take turns. (SQLite: a no-op, the
    dialect leaves FOR UPDATE out.)"""
    session.execute(select(Operator.id).order_by(Operator.id).with_for_update())


def _keep_an_admin(session: Any, changed: Operator) -> None:
    """Counted after the change, inside its write transaction: two admins demoting each
    other at once must not leave a project nobody can administer."""
    session.flush()  # SQLite: the write takes the database's write lock; the count is current
    admins = session.scalar(select(func.count()).select_from(Operator).where(
        Operator.role == "admin", Operator.active.is_(True)))
    if not admins:
        raise UserError(f"'{changed.name}' is the last admin; make someone else admin first")


def set_pin(project: Any, actor: Any, name: str, pin: str | None) -> OperatorInfo:
    """Set or (with None) clear an operator's PIN. An empty PIN is refused: pressing
    Enter twice at the prompt must not take the PIN away.

    Anyone may set (not clear) their own PIN, signed in with the old one: otherwise the
    QA lead or admin who set it knows it and could act under their name."""
    seen = _role_of(project, name)
    if not (pin is not None and _is_self(project, actor, name)):
        _require_edit(project, actor, name, seen)
    pin_hash = hash_pin(pin) if pin is not None else None
    with project.db.session() as session:
        _lock_operators(session)
        op = _get(session, name)
        _unchanged(op, seen)
        op.pin_hash = pin_hash
        audit.record(session, actor, "operator.pin", "operator", op.id,
                     {"name": op.name, "pin_set": pin_hash is not None})
        return _info(op)


def set_active(project: Any, actor: Any, name: str, active: bool) -> OperatorInfo:
    """Deactivate someone who left (they can no longer sign in; their records stay), or
    bring them back. The last active admin cannot be deactivated."""
    seen = _role_of(project, name)
    _require_edit(project, actor, name, seen)
    with project.db.session() as session:
        _lock_operators(session)
        op = _get(session, name)
        _unchanged(op, seen)
        old, op.active = op.active, active
        _keep_an_admin(session, op)
        audit.record(session, actor, "operator.active", "operator", op.id,
                     {"name": op.name, "old": old, "new": active})
        return _info(op)
