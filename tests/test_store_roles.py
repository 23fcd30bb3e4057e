"""Roles, refusals in the audit log, PIN hashing, sign-in, operators and products."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from inspector.errors import NotFoundError, PermissionDenied, UserError
from inspector.services.operators import add_operator, list_operators, set_pin, set_role
from inspector.services.products import add_product, get_product, list_products
from inspector.services.session import Actor, sign_in
from inspector.store import audit, roles
from inspector.store.models import AuditEntry
from inspector.store.pins import hash_pin, verify_pin


def _audit(project, action: str | None = None) -> list[AuditEntry]:  # noqa: ANN001
    with project.db.session() as s:
        stmt = select(AuditEntry).order_by(AuditEntry.id)
        if action:
            stmt = stmt.where(AuditEntry.action == action)
        return list(s.scalars(stmt))


@pytest.mark.parametrize(
    ("role", "permission", "expected"),
    [
        ("operator", roles.IMPORT, True),
        ("operator", roles.LABEL, True),
        ("operator", roles.INSPECT, True),
        ("operator", roles.SET_THRESHOLD, False),
        ("operator", roles.MANAGE_MODELS, False),
        ("operator", roles.DELETE_DATA, False),
        ("operator", roles.OVERRIDE_VERDICT, False),
        ("qa_lead", roles.SET_THRESHOLD, True),
        ("qa_lead", roles.MANAGE_DEFECT_TYPES, True),
        ("qa_lead", roles.LIST_OPERATORS, True),
        ("qa_lead", roles.MANAGE_OPERATORS, True),
        ("qa_lead", roles.MANAGE_LEADS, False),
        ("qa_lead", roles.RESTORE_BACKUP, False),
        ("operator", roles.MANAGE_OPERATORS, False),
        ("admin", roles.MANAGE_OPERATORS, True),
        ("admin", roles.MANAGE_LEADS, True),
        ("admin", roles.RESTORE_BACKUP, True),
        (None, roles.INSPECT, False),
        ("intruder", roles.INSPECT, False),
    ],
)
def test_role_matrix(role, permission, expected) -> None:  # noqa: ANN001
    assert roles.allowed(role, permission) is expected


def test_unknown_permission_is_a_bug() -> None:
    with pytest.raises(ValueError):
        roles.allowed("admin", "fly")


def test_require_allows_and_refusal_is_audited(project, actor, admin) -> None:  # noqa: ANN001
    roles.require(project, admin, roles.DELETE_DATA)
    before = len(_audit(project))
    with pytest.raises(PermissionDenied, match="op.*may not delete data.*qa_lead or admin"):
        roles.require(project, actor, roles.DELETE_DATA, entity="image", entity_id=3)
    rows = _audit(project)
    assert len(rows) == before + 1
    last = rows[-1]
    assert last.allowed is False and last.action == "denied:delete_data"
    assert (last.operator_name, last.entity, last.entity_id) == ("op", "image", "3")


def test_audit_record_serialises_details(project) -> None:  # noqa: ANN001
    with project.db.session() as s:
        audit.record(s, None, "test.action", "thing", 7, {"when": object, "n": {1, 2}})
    row = _audit(project, "test.action")[0]
    assert row.operator_id is None and row.entity_id == "7"
    assert sorted(row.details["n"]) == [1, 2] and isinstance(row.details["when"], str)


def test_pin_hash_is_salted_and_verified() -> None:
    a, b = hash_pin("1234"), hash_pin("1234")
    assert a != b
    assert verify_pin("1234", a) and verify_pin("1234", b)
    assert not verify_pin("1235", a)
    assert not verify_pin("1234", "garbage")
    with pytest.raises(UserError):
        hash_pin("12")


def test_sign_in_with_pin(project, admin) -> None:  # noqa: ANN001
    add_operator(project, admin, "Anna", role="qa_lead", pin="9876")
    actor = sign_in(project, "anna", pin="9876", station="L1")
    assert actor == Actor(actor.operator_id, "Anna", "qa_lead", "L1")
    with pytest.raises(PermissionDenied, match="wrong PIN"):
        sign_in(project, "Anna", pin="0000")
    with pytest.raises(PermissionDenied, match="PIN missing"):
        sign_in(project, "Anna")
    assert [r.allowed for r in _audit(project, "sign_in")] == [False, False]
    with pytest.raises(NotFoundError):
        sign_in(project, "nobody")


def test_operator_management(project, admin, actor) -> None:  # noqa: ANN001
    info = add_operator(project, admin, "Ben")
    assert (info.role, info.has_pin, info.active) == ("operator", False, True)
    with pytest.raises(UserError, match="already exists"):
        add_operator(project, admin, "ben")
    with pytest.raises(UserError, match="unknown role"):
        add_operator(project, admin, "Cid", role="boss")
    assert set_role(project, admin, "Ben", "qa_lead").role == "qa_lead"
    assert set_pin(project, admin, "Ben", "5555").has_pin
    assert verify_pin("5555", _pin_hash(project, "Ben"))
    assert not set_pin(project, admin, "Ben", None).has_pin
    with pytest.raises(UserError, match="last admin"):
        set_role(project, admin, "admin", "operator")
    with pytest.raises(NotFoundError):
        set_role(project, admin, "ghost", "admin")
    for call in (lambda: add_operator(project, actor, "X"),
                 lambda: set_role(project, actor, "op", "admin"),
                 lambda: set_pin(project, actor, "admin", "1111"),
                 lambda: list_operators(project, actor)):
        with pytest.raises(PermissionDenied):
            call()
    assert [o.name for o in list_operators(project)] == ["admin", "Ben", "op"]
    actions = [r.action for r in _audit(project) if r.allowed]
    assert actions.count("operator.add") == 2 and "operator.role" in actions
    assert actions.count("operator.pin") == 2


def test_qa_lead_edits_operators_but_not_leads_or_admins(project, admin, qa_lead) -> None:  # noqa: ANN001
    """Issue #2: a QA lead edits operators. The QA lead and admin roles, and the people
    who hold them, stay with admins: otherwise a QA lead could promote themselves, or
    reset an admin's PIN and sign in as that admin."""
    from inspector.services.operators import set_active

    assert add_operator(project, qa_lead, "Zoe", pin="1357").role == "operator"
    assert set_pin(project, qa_lead, "Zoe", "2468").has_pin
    assert not set_active(project, qa_lead, "Zoe", False).active
    assert set_active(project, qa_lead, "Zoe", True).active
    assert len(list_operators(project, qa_lead)) == 3
    refused = [
        lambda: add_operator(project, qa_lead, "Yan", role="qa_lead"),
        lambda: add_operator(project, qa_lead, "Yul", role="admin"),
        lambda: set_role(project, qa_lead, "Zoe", "qa_lead"),
        lambda: set_role(project, qa_lead, qa_lead.name, "admin"),  # not themselves either
        lambda: set_role(project, qa_lead, "admin", "operator"),
        lambda: set_pin(project, qa_lead, "admin", "1111"),
        lambda: set_active(project, qa_lead, "admin", False),
    ]
    for call in refused:
        with pytest.raises(PermissionDenied, match="QA lead or admin role.*needs the role admin"):
            call()
    assert [r.action for r in _audit(project) if not r.allowed] == (
        ["denied:manage_leads"] * len(refused))
    roles_now = {o.name: o.role for o in list_operators(project)}
    assert roles_now == {"admin": "admin", "lead": "qa_lead", "Zoe": "operator"}
    assert verify_pin("2468", _pin_hash(project, "Zoe"))
    assert _pin_hash(project, "admin") is None  # untouched


def test_an_edit_checked_against_an_old_role_is_refused(project, admin, qa_lead,  # noqa: ANN001
                                                        monkeypatch) -> None:
    """An admin promotes someone between a QA lead's rights check and the write: the edit
    must not go through on the operator rights it was checked with."""
    from inspector.services import operators

    add_operator(project, admin, "Kai")
    real = operators._role_of

    def promoted_meanwhile(proj, name):  # noqa: ANN001, ANN202
        seen = real(proj, name)
        monkeypatch.setattr(operators, "_role_of", real)
        set_role(project, admin, "Kai", "admin")
        return seen

    monkeypatch.setattr(operators, "_role_of", promoted_meanwhile)
    with pytest.raises(UserError, match="role changed meanwhile"):
        set_pin(project, qa_lead, "Kai", "4242")
    assert _pin_hash(project, "Kai") is None


def _pin_hash(project, name: str) -> str:  # noqa: ANN001
    from inspector.store.models import Operator

    with project.db.session() as s:
        return s.scalar(select(Operator.pin_hash).where(Operator.name == name))


def test_products(project, admin, actor) -> None:  # noqa: ANN001
    p = add_product(project, admin, "Bottle", sku="B-1", line="L2", station="S3")
    assert (p.name, p.sku, p.line, p.station) == ("Bottle", "B-1", "L2", "S3")
    assert get_product(project, "bottle").id == p.id
    with pytest.raises(UserError, match="already exists"):
        add_product(project, admin, "BOTTLE")
    with pytest.raises(PermissionDenied):
        add_product(project, actor, "Cap")
    with pytest.raises(NotFoundError):
        get_product(project, "Cap")
    add_product(project, admin, "Axle")
    assert [x.name for x in list_products(project)] == ["Axle", "Bottle"]
    assert len(_audit(project, "product.add")) == 2


def test_a_demoted_or_deactivated_operator_loses_rights_at_once(project, admin, qa_lead) -> None:  # noqa: ANN001
    """The role is read from the database on every check, not from the sign-in."""
    from inspector.services.operators import set_active, set_role

    project.set_setting(qa_lead, "max_pixels", 1_000_000)  # a QA lead may
    set_role(project, admin, qa_lead.name, "operator")
    with pytest.raises(PermissionDenied):
        project.set_setting(qa_lead, "max_pixels", 2_000_000)  # the same session, now refused
    set_role(project, admin, qa_lead.name, "qa_lead")
    set_active(project, admin, qa_lead.name, False)
    with pytest.raises(PermissionDenied):
        project.set_setting(qa_lead, "max_pixels", 3_000_000)
    with pytest.raises(NotFoundError):
        sign_in(project, qa_lead.name)
    set_active(project, admin, qa_lead.name, True)
    assert sign_in(project, qa_lead.name).role == "qa_lead"
    with pytest.raises(UserError, match="last admin"):
        set_active(project, admin, "admin", False)
    assert project.get_setting("max_pixels") == 1_000_000


def test_wrong_pins_pause_sign_in_until_the_time_passes_or_a_new_pin(project, admin) -> None:  # noqa: ANN001
    import datetime as dt

    from inspector.services import session as session_service
    from inspector.services.operators import add_operator, set_pin
    from inspector.store.models import AuditEntry

    add_operator(project, admin, "bob", pin="2468")
    said = []
    for guess in ("0000", "1111", "2222", "3333", "4444"):
        with pytest.raises(PermissionDenied, match="wrong PIN") as refused:
            sign_in(project, "bob", pin=guess)
        said.append(str(refused.value).removeprefix("wrong PIN for operator 'bob'"))
    assert said == [" (4 tries left before sign-in pauses for 10 minutes)",
                    " (3 tries left before sign-in pauses for 10 minutes)",
                    " (2 tries left before sign-in pauses for 10 minutes)",
                    " (one more wrong PIN pauses sign-in for 10 minutes)",
                    ": sign-in is now paused for 10 minutes"]
    with pytest.raises(PermissionDenied, match="paused for about 10 minute"):
        sign_in(project, "bob", pin="2468")  # even the right PIN waits
    with project.db.session() as s:  # ten minutes later
        for entry in s.query(AuditEntry).filter(AuditEntry.action == "sign_in"):
            entry.at = entry.at - dt.timedelta(minutes=session_service.LOCK_MINUTES + 1)
    assert sign_in(project, "bob", pin="2468").name == "bob"
    for guess in ("0000", "1111", "2222", "3333", "4444"):
        with pytest.raises(PermissionDenied):
            sign_in(project, "bob", pin=guess)
    with pytest.raises(PermissionDenied, match="a QA lead or admin can set a new PIN"):
        sign_in(project, "bob", pin="2468")
    set_pin(project, admin, "bob", "9753")  # an admin gives a new PIN: no wait
    assert sign_in(project, "bob", pin="9753").name == "bob"


def test_an_empty_pin_is_refused_not_taken_as_clear(project, admin) -> None:  # noqa: ANN001
    from inspector.services.operators import add_operator, set_pin

    add_operator(project, admin, "carol", role="qa_lead", pin="2468")
    for empty in ("", "   "):
        with pytest.raises(UserError, match="at least 4"):
            set_pin(project, admin, "carol", empty)
    with pytest.raises(PermissionDenied):
        sign_in(project, "carol")  # still protected
    with pytest.raises(UserError, match="at least 4"):
        add_operator(project, admin, "dave", role="admin", pin="")
    assert set_pin(project, admin, "carol", None).has_pin is False  # clearing is explicit


def test_only_qa_leads_read_the_audit_log(project, actor, qa_lead) -> None:  # noqa: ANN001
    from inspector.services.audit_log import recent_entries

    with pytest.raises(PermissionDenied):
        recent_entries(project, actor)
    entries = recent_entries(project, qa_lead, limit=5)
    assert entries[0].action == "denied:view_reports" and not entries[0].allowed


def test_an_empty_first_admin_pin_is_refused_not_taken_as_none(tmp_path) -> None:  # noqa: ANN001
    """`init --admin-pin "$UNSET"` made an admin anyone could sign in as."""
    from inspector.services.project import init_project

    with pytest.raises(UserError, match="at least 4"):
        init_project(tmp_path / "p", "boss", admin_pin="")
    assert not (tmp_path / "p" / "inspector.db").exists()


def test_everyone_sets_their_own_pin_and_only_their_own(project, admin, actor, qa_lead) -> None:  # noqa: ANN001
    """Whoever set a PIN knew it and could act under that name: the operator (or the QA
    lead) now sets their own after signing in, and still may not clear it or touch
    another's."""
    set_pin(project, actor, actor.name, "9753")
    assert sign_in(project, actor.name, "9753").name == actor.name
    with pytest.raises(PermissionDenied):
        set_pin(project, actor, actor.name, None)  # clearing stays a lead's edit
    with pytest.raises(PermissionDenied):
        set_pin(project, actor, qa_lead.name, "1111")
    set_pin(project, qa_lead, qa_lead.name.upper(), "8642")  # a lead's own, any case
    assert sign_in(project, qa_lead.name, "8642").role == "qa_lead"
    with project.db.session() as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.action == "operator.pin")).all()
        assert [r.operator_id for r in rows] == [actor.operator_id, qa_lead.operator_id]


def test_every_audit_row_names_the_station_it_came_from(project, admin) -> None:  # noqa: ANN001
    """On a line sharing one database a threshold change could not be traced to its
    station: the actor's station now goes with every row it writes."""
    from inspector.services.session import end_session, start_session

    at_station = start_session(project, "admin", station="Line 2 / St 3")
    project.set_setting(at_station, "target_false_reject_rate", 0.02)
    end_session(project, at_station, "signed out")
    with project.db.session() as s:
        rows = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(3)).all()
    assert [r.action for r in rows] == ["session.end", "setting.set", "session.start"]
    assert {r.details["at_station"] for r in rows} == {"Line 2 / St 3"}
    assert rows[0].details["why"] == "signed out"
    add_product(project, at_station, "cap", station="Line 1 / St 9")  # the product's own
    with project.db.session() as s:
        row = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
    assert (row.details["station"], row.details["at_station"]) == ("Line 1 / St 9",
                                                                    "Line 2 / St 3")


def test_operator_names_that_look_alike_are_one_name_or_refused(project, admin) -> None:  # noqa: ANN001
    """STRASSE and straße were two operators (lower(), not casefold); a Latin "bob" and
    one with a Cyrillic о could not be told apart in the audit log; BOB was refused as
    "'BOB' already exists", naming the typed name, not the one there."""
    add_operator(project, admin, "straße")
    with pytest.raises(UserError, match="'straße' already exists"):
        add_operator(project, admin, "STRASSE")
    assert sign_in(project, "STRASSE").name == "straße"
    add_operator(project, admin, "bob")
    with pytest.raises(UserError, match="'bob' already exists"):
        add_operator(project, admin, "BOB")
    with pytest.raises(UserError, match="several alphabets.*Cyrillic.*Latin"):
        add_operator(project, admin, "b\u043eb")
    assert add_operator(project, admin, "Ольга").name == "Ольга"  # one alphabet: fine
    for name in ("山田さくら", "佐々木", "ユーリ", "Kaʻiulani"):  # kanji with kana, marks
        assert add_operator(project, admin, name).name == name


def test_the_audit_log_finds_a_person_by_name_in_any_case(project, admin) -> None:  # noqa: ANN001
    """SQLite's lower() folds ASCII only: Änne and Straße were never found."""
    from inspector.services.audit_log import recent_entries

    for name in ("Änne", "Straße"):
        add_operator(project, admin, name, role="qa_lead")
        add_product(project, sign_in(project, name), f"part of {name}")
    for typed, who in (("änne", "Änne"), ("ÄNNE", "Änne"), ("STRASSE", "Straße")):
        found = recent_entries(project, admin, by=typed)
        assert found and {e.operator for e in found} == {who}, typed


def test_someone_deactivated_since_sign_in_cannot_set_their_own_pin(project, admin,
                                                                     actor) -> None:  # noqa: ANN001
    from inspector.services.operators import set_active

    set_active(project, admin, actor.name, False)
    with pytest.raises(PermissionDenied):
        set_pin(project, actor, actor.name, "4321")


def test_two_operators_stored_alike_by_an_older_version_are_asked_for_exactly(
        project, admin, actor) -> None:  # noqa: ANN001
    """STRASSE and straße added before names were folded: "strasse" said "no active
    operator named 'strasse'" although two exist; it names both now."""
    from inspector.store.models import Operator

    with project.db.session() as s:
        s.add_all([Operator(name="STRASSE", role="operator"),
                   Operator(name="straße", role="operator")])
    with pytest.raises(UserError, match="2 operators are named like 'strasse': STRASSE, straße"):
        sign_in(project, "strasse")
    assert sign_in(project, "straße").name == "straße"  # the exact name still signs in
    with project.db.session() as s:  # refused like an unknown name: audited
        refused = s.scalars(select(AuditEntry).where(AuditEntry.action == "sign_in",
                                                     AuditEntry.allowed.is_(False))).all()
    assert [r.details["reason"] for r in refused] == ["unknown name"]
    with pytest.raises(PermissionDenied):  # the rights first, as for any name
        set_role(project, actor, "strasse", "admin")
    with pytest.raises(UserError, match="2 operators are named like 'strasse'"):
        set_role(project, admin, "strasse", "qa_lead")


def test_the_pin_pause_reads_row_order_not_another_station_s_clock(project, admin) -> None:  # noqa: ANN001
    """Stations stamp audit rows with their own clocks. Wrong PINs typed at a station 10
    minutes ahead outlived the new PIN a QA lead set at another one; a clock stepped back
    by an hour paused sign-in for 70 minutes."""
    import datetime as dt

    from inspector.services.operators import add_operator, set_pin
    from inspector.store.models import AuditEntry

    add_operator(project, admin, "bob", pin="2468")

    def five_wrong_pins_stamped(ahead: dt.timedelta) -> None:
        for guess in ("0000", "1111", "2222", "3333", "4444"):
            with pytest.raises(PermissionDenied):
                sign_in(project, "bob", pin=guess)
        with project.db.session() as s:
            for entry in s.query(AuditEntry).filter(AuditEntry.action == "sign_in",
                                                    AuditEntry.allowed.is_(False)):
                entry.at = entry.at + ahead

    five_wrong_pins_stamped(dt.timedelta(minutes=10))
    set_pin(project, admin, "bob", "9753")  # at a station with the right time
    assert sign_in(project, "bob", pin="9753").name == "bob"
    with project.db.session() as s:  # the rows of the first round are history now
        s.query(AuditEntry).filter(AuditEntry.action == "sign_in").delete()
    five_wrong_pins_stamped(dt.timedelta(seconds=30))  # a clock a little fast: counted
    with pytest.raises(PermissionDenied, match="paused for about 1[01] minute"):
        sign_in(project, "bob", pin="9753")
    with project.db.session() as s:
        s.query(AuditEntry).filter(AuditEntry.action == "sign_in").delete()
    five_wrong_pins_stamped(dt.timedelta(minutes=5))  # not until this clock gets there
    assert sign_in(project, "bob", pin="9753").name == "bob"
    with project.db.session() as s:
        s.query(AuditEntry).filter(AuditEntry.action == "sign_in").delete()
    five_wrong_pins_stamped(dt.timedelta(hours=1))  # then NTP stepped the clock back
    assert sign_in(project, "bob", pin="9753").name == "bob"
