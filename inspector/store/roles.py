"""Who may do what. ``require`` raises PermissionDenied and audits the refusal.

Operators import, label, inspect, train (a new version only goes live by itself when
none is active); QA leads also see and export reports, change thresholds, manage
models, defect types, products and settings, override verdicts, delete data and edit
operators (add them, set their PINs, deactivate them). Only admins give or take the QA lead
and admin roles, edit QA leads and admins (a QA lead who could reset an admin's PIN could
sign in as that admin) and restore backups.
"""

from __future__ import annotations

from typing import Any

from inspector.errors import PermissionDenied
from inspector.store import audit

IMPORT = "import"
LABEL = "label"
INSPECT = "inspect"
TRAIN = "train"
VIEW_REPORTS = "view_reports"
SET_THRESHOLD = "set_threshold"
MANAGE_MODELS = "manage_models"
MANAGE_DEFECT_TYPES = "manage_defect_types"
MANAGE_PRODUCTS = "manage_products"
OVERRIDE_VERDICT = "override_verdict"
DELETE_DATA = "delete_data"
EDIT_SETTINGS = "edit_settings"
LIST_OPERATORS = "list_operators"
MANAGE_OPERATORS = "manage_operators"
MANAGE_LEADS = "manage_leads"
RESTORE_BACKUP = "restore_backup"

_OPERATOR = frozenset({IMPORT, LABEL, INSPECT, TRAIN})
_QA_LEAD = _OPERATOR | {
    VIEW_REPORTS,
    SET_THRESHOLD,
    MANAGE_MODELS,
    MANAGE_DEFECT_TYPES,
    MANAGE_PRODUCTS,
    OVERRIDE_VERDICT,
    DELETE_DATA,
    EDIT_SETTINGS,
    LIST_OPERATORS,
    MANAGE_OPERATORS,
}
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "operator": _OPERATOR,
    "qa_lead": frozenset(_QA_LEAD),
    "admin": frozenset(_QA_LEAD | {MANAGE_LEADS, RESTORE_BACKUP}),
}
ALL_PERMISSIONS = ROLE_PERMISSIONS["admin"]

_DESCRIPTIONS = {
    IMPORT: "import images",
    LABEL: "label images",
    INSPECT: "inspect images",
    TRAIN: "train models",
    VIEW_REPORTS: "view reports",
    SET_THRESHOLD: "change thresholds",
    MANAGE_MODELS: "activate or delete models",
    MANAGE_DEFECT_TYPES: "edit defect types",
    MANAGE_PRODUCTS: "edit products",
    OVERRIDE_VERDICT: "override verdicts",
    DELETE_DATA: "delete data",
    EDIT_SETTINGS: "change settings",
    LIST_OPERATORS: "list operators",
    MANAGE_OPERATORS: "edit operators",
    MANAGE_LEADS: "give the QA lead or admin role or edit QA leads and admins",
    RESTORE_BACKUP: "restore a backup",
}


def allowed(role: str | None, permission: str) -> bool:
    """True if ``role`` grants ``permission`` (unknown roles grant nothing)."""
    if permission not in ALL_PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}")
    return permission in ROLE_PERMISSIONS.get(role or "", frozenset())


def who_may(permission: str) -> list[str]:
    return [r for r, perms in ROLE_PERMISSIONS.items() if permission in perms]


def require(
    target: Any,
    actor: Any,
    permission: str,
    *,
    entity: str | None = None,
    entity_id: Any = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Raise PermissionDenied unless ``actor`` may do ``permission``.

    ``target`` is a Project or a Database. A refusal is written to the audit log in its
    own transaction, so it is kept even though the refused action's transaction never
    runs.
    """
    db = getattr(target, "db", target)
    role = _current_role(db, actor)
    if allowed(role, permission):
        return
    with db.session() as session:
        audit.record(
            session,
            actor,
            f"denied:{permission}",
            entity,
            entity_id,
            {**(details or {}), "role": role},
            allowed=False,
        )
    who = " or ".join(who_may(permission))
    name = getattr(actor, "name", None)
    subject = f"operator '{name}' (role {role})" if name else "nobody signed in"
    raise PermissionDenied(
        f"{subject} may not {_DESCRIPTIONS[permission]}; this needs the role {who}"
    )


def _current_role(db: Any, actor: Any) -> str | None:
    """The role the database holds now, not the one read at sign-in: an operator who was
    demoted or deactivated meanwhile must not keep the old rights for the rest of the
    shift. None when deactivated or gone."""
    role = getattr(actor, "role", None)
    operator_id = getattr(actor, "operator_id", None)
    if operator_id is None or not hasattr(db, "session"):
        return role
    from inspector.store.models import Operator

    with db.session() as session:
        op = session.get(Operator, operator_id)
        return op.role if op is not None and op.active else None


def may_now(target: Any, actor: Any, permission: str) -> bool:
    """Whether ``actor`` may do ``permission`` with the role the database holds now (for
    a choice, not a refusal: ``require`` refuses and audits)."""
    return allowed(_current_role(getattr(target, "db", target), actor), permission)
