"""PIN guesses made at the same moment (several stations, or a script) count one after
another: no more than MAX_WRONG_PINS are ever checked before sign-in pauses."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from inspector.errors import PermissionDenied
from inspector.services.operators import add_operator
from inspector.services.project import Project
from inspector.services.session import MAX_WRONG_PINS, sign_in
from inspector.store.models import AuditEntry


def test_parallel_wrong_pins_stop_at_the_limit(project, admin) -> None:  # noqa: ANN001
    add_operator(project, admin, "bob", "operator", "7391")

    def guess(pin: str) -> str:
        with Project.open(project.root) as station:  # each guess from its own station
            try:
                sign_in(station, "bob", pin=pin)
                return "signed in"
            except PermissionDenied as exc:
                return str(exc)

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(guess, [f"{n:04d}" for n in range(7370, 7386)]))
    with project.db.session() as s:
        reasons = [e.details["reason"] for e in s.scalars(select(AuditEntry).where(
            AuditEntry.action == "sign_in", AuditEntry.allowed.is_(False)))]
    assert reasons.count("wrong PIN") == MAX_WRONG_PINS
    assert reasons.count("locked") == len(answers) - MAX_WRONG_PINS
    assert "signed in" not in answers


def test_a_refused_sign_in_of_someone_who_left_is_audited(project, admin) -> None:  # noqa: ANN001
    """Every refused sign-in is in the audit log, also for a deactivated operator or a
    name nobody has (it was only a message)."""
    from inspector.errors import NotFoundError
    from inspector.services.operators import set_active

    add_operator(project, admin, "bob", "operator")
    set_active(project, admin, "bob", False)
    for name in ("bob", "mallory"):
        try:
            sign_in(project, name)
        except NotFoundError:
            pass
        else:
            raise AssertionError(f"{name} signed in")
    with project.db.session() as s:
        refused = [(e.operator_name, e.entity_id, e.details["reason"]) for e in s.scalars(
            select(AuditEntry).where(AuditEntry.action == "sign_in",
                                     AuditEntry.allowed.is_(False)))]
    assert refused[0][0] == "bob" and refused[0][2] == "inactive"
    assert refused[1] == (None, "mallory", "unknown name")
