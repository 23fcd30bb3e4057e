"""Use case: read the audit log. It holds who did what, with override reasons and
refusals, so only QA leads and admins read it (the same right as the reports)."""

from __future__ import annotations

from typing import Any

from inspector.services.dto import AuditInfo
from inspector.store import audit, roles


def recent_entries(project: Any, actor: Any, limit: int = 50, **filters: Any
                   ) -> list[AuditInfo]:
    """The newest ``limit`` entries, newest first; ``filters``: ``since``, ``until``,
    ``by``, ``action`` (see ``store.audit.recent``)."""
    roles.require(project, actor, roles.VIEW_REPORTS, entity="audit_log")
    with project.db.session() as session:
        return [AuditInfo(e.id, e.at, e.operator_name, e.action, e.entity, e.entity_id,
                          e.allowed, e.details)
                for e in audit.recent(session, limit, **filters)]
