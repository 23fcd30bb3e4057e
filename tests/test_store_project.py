"""Project folders, migrations (from empty and older databases), backups and settings."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from inspector.errors import NotFoundError, PermissionDenied, UserError
from inspector.services.project import DEFAULT_SETTINGS, Project, default_project_dir, init_project
from inspector.store import migrate
from inspector.store.db import Database, sqlite_url
from inspector.store.models import AuditEntry, Base


def test_init_creates_folders_and_admin(tmp_path: Path) -> None:
    proj = init_project(tmp_path / "p", "boss", "4321")
    for name in ("inspector.db", "images", "models", "artefacts"):
        assert (tmp_path / "p" / name).exists()
    with sqlite3.connect(tmp_path / "p" / "inspector.db") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        row = conn.execute("SELECT name, role, pin_hash FROM operators").fetchone()
    assert row[0] == "boss" and row[1] == "admin"
    assert row[2].startswith("scrypt$") and "4321" not in row[2]
    proj.close()
    with pytest.raises(UserError, match="already exists"):
        init_project(tmp_path / "p", "boss")


def test_open_missing_project_is_clear(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="inspector init"):
        Project.open(tmp_path / "nothing")


def test_missing_folders_come_back_and_a_file_in_their_place_is_named(tmp_path: Path) -> None:
    init_project(tmp_path / "p", "boss").close()
    (tmp_path / "p" / "models").rmdir()
    Project.open(tmp_path / "p").close()
    assert (tmp_path / "p" / "models").is_dir()
    (tmp_path / "p" / "images").rmdir()
    (tmp_path / "p" / "images").write_text("a stray file")  # it was an internal error
    with pytest.raises(UserError, match="images is a file, not a folder"):
        Project.open(tmp_path / "p")


def test_default_project_dir_is_user_data() -> None:
    d = default_project_dir()
    assert d.name == "default" and d.parent.name == "Inspector"


def test_migration_from_empty_matches_models(tmp_path: Path) -> None:
    engine = create_engine(sqlite_url(tmp_path / "empty.db"))
    migrate.upgrade(engine)
    names = set(inspect(engine).get_table_names())
    assert names == set(Base.metadata.tables) | {"alembic_version"}
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    indexes = {ix["name"] for ix in inspect(engine).get_indexes("inspections")}
    assert {"ix_inspections_time_verdict", "ix_inspections_product_time"} <= indexes
    engine.dispose()


def test_old_database_is_backed_up_and_upgraded(tmp_path: Path) -> None:
    root = tmp_path / "old"
    root.mkdir()
    # An "old" project: a database at base revision (no schema yet) with some content.
    with sqlite3.connect(root / "inspector.db") as conn:
        conn.execute("CREATE TABLE legacy_note (txt TEXT)")
        conn.execute("INSERT INTO legacy_note VALUES ('keep me')")
    proj = Project.open(root)
    backups = list((root / "backups").glob("inspector-*-revbase.db"))
    assert len(backups) == 1
    with sqlite3.connect(backups[0]) as conn:
        assert conn.execute("SELECT txt FROM legacy_note").fetchone() == ("keep me",)
        assert "operators" not in {r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table'")}
    assert migrate.sqlite_revision(root / "inspector.db") == migrate.head_revision()
    proj.close()
    Project.open(root).close()  # at head now: no second backup
    assert len(list((root / "backups").glob("*.db"))) == 1


def test_revision_0001_project_keeps_its_inspections_through_the_upgrade(tmp_path: Path) -> None:
    root = tmp_path / "v1"
    root.mkdir()
    engine = create_engine(sqlite_url(root / "inspector.db"))
    migrate.upgrade(engine, "0001")  # a project made by the first release
    engine.dispose()
    with sqlite3.connect(root / "inspector.db") as conn:
        conn.execute("INSERT INTO operators (id, name, role, active, created_at) "
                     "VALUES (1, 'admin', 'admin', 1, '2026-11-01 08:00:00')")
        conn.execute("INSERT INTO images (id, sha256, store_path, width, height, format, mode, "
                     "bit_depth, file_size, source, imported_at) VALUES (1, 'ab', 'images/a.png',"
                     " 8, 8, 'PNG', 'RGB', 8, 100, 'file', '2026-11-01 08:00:00')")
        conn.execute("INSERT INTO inspections (id, image_id, score, threshold, verdict, "
                     "inspected_at) VALUES (7, 1, 2.5, 2.0, 'ng', '2026-11-01 08:00:00')")
    Project.open(root).close()
    assert migrate.sqlite_revision(root / "inspector.db") == migrate.head_revision()
    assert list((root / "backups").glob("inspector-*-rev0001.db"))
    with sqlite3.connect(root / "inspector.db") as conn:
        row = conn.execute("SELECT score, verdict, unfamiliar FROM inspections").fetchone()
    assert row == (2.5, "ng", 0)


def test_newer_database_is_refused_untouched(tmp_path: Path) -> None:
    proj = init_project(tmp_path / "p", "admin")
    proj.close()
    db_file = tmp_path / "p" / "inspector.db"
    with sqlite3.connect(db_file) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    before = db_file.read_bytes()
    with pytest.raises(UserError, match="newer Inspector"):
        Project.open(tmp_path / "p")
    assert db_file.read_bytes() == before
    assert not (tmp_path / "p" / "backups").exists()


def test_not_a_database_is_a_user_error(tmp_path: Path) -> None:
    (tmp_path / "inspector.db").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(UserError, match="not a readable"):
        Project.open(tmp_path)


@pytest.mark.parametrize("name", ["Jürgen", "50%", "p%20x", "日本", "a b#c?d"])
def test_project_in_a_folder_with_any_name(tmp_path: Path, name: str) -> None:
    """A Windows user named Jürgen, or a folder with "%" in it, must not break the
    database URL or the migrations' config."""
    root = tmp_path / name / "proj"
    init_project(root, "admin").close()
    assert (root / "inspector.db").is_file()
    assert [p.name for p in tmp_path.iterdir()] == [name]  # nothing written elsewhere
    with Project.open(root) as proj:
        assert proj.get_setting("max_pixels") == 60_000_000
    assert migrate.sqlite_revision(root / "inspector.db") == migrate.head_revision()


def test_emptied_database_is_refused_not_recreated(tmp_path: Path) -> None:
    """A zero-byte inspector.db would migrate into an empty project and lock everyone
    out of the images and models that are still there; it is refused instead."""
    root = tmp_path / "p"
    init_project(root, "admin").close()
    (root / "backups").mkdir()
    backup = root / "backups" / "inspector-20261101-080000-rev0002.db"
    backup.write_bytes((root / "inspector.db").read_bytes())
    (root / "inspector.db").write_bytes(b"")
    with pytest.raises(UserError, match="empty") as info:
        Project.open(root)
    assert str(backup) in str(info.value)
    assert (root / "inspector.db").stat().st_size == 0


def test_settings_defaults_set_and_audit(project, admin, actor) -> None:  # noqa: ANN001
    assert project.get_setting("max_pixels") == 60_000_000
    assert project.get_setting("unknown", "fallback") == "fallback"
    project.set_setting(admin, "max_pixels", 1_000_000)
    assert project.get_setting("max_pixels") == 1_000_000
    project.set_setting(admin, "hot_folder", "/some/where")
    assert project.all_settings()["hot_folder"] == "/some/where"
    with pytest.raises(UserError, match="positive whole number"):
        project.set_setting(admin, "max_pixels", -5)
    with pytest.raises(UserError, match="at most"):
        project.set_setting(admin, "max_pixels", 10**9)
    with pytest.raises(PermissionDenied):
        project.set_setting(actor, "max_pixels", 5)
    assert project.get_setting("max_pixels") == 1_000_000
    for nonsense in (True, 12, 999_999):  # true was stored as 1, 12 refused every import
        with pytest.raises(UserError, match="max_pixels"):
            project.set_setting(admin, "max_pixels", nonsense)
    for rate in (1e-300, 0.0005, True):  # 1e-300 put the threshold past every defect
        with pytest.raises(UserError, match="target_false_reject_rate"):
            project.set_setting(admin, "target_false_reject_rate", rate)
    project.set_setting(admin, "gui_idle_signout_minutes", "00")  # never, as 0 is
    assert project.get_setting("gui_idle_signout_minutes") == 0
    with pytest.raises(UserError, match="unknown setting 'max_pixel'.*max_pixels"):
        project.set_setting(admin, "max_pixel", 5)  # a typo is not stored and ignored
    assert "max_pixel" not in project.all_settings()
    project.set_setting(admin, "gui_idle_signout_minutes", 0)
    with pytest.raises(UserError, match="at most 480"):
        project.set_setting(admin, "gui_idle_signout_minutes", 900)
    with project.db.session() as s:
        rows = s.query(AuditEntry).filter(AuditEntry.action == "setting.set").all()
        # the first change names the built-in value it replaced, not "None"
        assert rows[0].details == {"old": DEFAULT_SETTINGS["max_pixels"], "new": 1_000_000}
        idle = [r.details for r in rows if r.entity_id == "gui_idle_signout_minutes"]
        assert idle[0] == {"old": 10, "new": 0}  # the value it had, not None


def test_database_session_rolls_back_on_error(tmp_path: Path) -> None:
    db = Database(sqlite_url(tmp_path / "x.db"))
    migrate.upgrade(db.engine)
    with pytest.raises(RuntimeError), db.session() as s:
        s.add(AuditEntry(action="x"))
        s.flush()
        raise RuntimeError("boom")
    with db.session() as s:
        assert s.query(AuditEntry).count() == 0
    db.dispose()


def test_database_errors_are_explained_not_internal() -> None:
    import sqlite3 as sq

    from sqlalchemy.exc import IntegrityError, OperationalError

    from inspector.store.problems import db_problem

    locked = OperationalError("INSERT", {}, sq.OperationalError("database is locked"))
    assert "busy" in db_problem(locked)
    broken = OperationalError("SELECT", {}, sq.DatabaseError("database disk image is malformed"))
    assert "backups/" in db_problem(broken)
    race = IntegrityError("INSERT", {}, sq.IntegrityError("UNIQUE constraint failed: x.name"))
    assert "same moment" in db_problem(race)
    assert db_problem(ValueError("something else")) is None


@pytest.mark.parametrize("bad", ["../outside.png", "ab/../../outside.png", "/etc/passwd",
                                 "C:/Windows/x.png", "ab\\..\\..\\x.png", ""])
def test_stored_paths_never_leave_the_image_store(tmp_path, bad) -> None:  # noqa: ANN001
    from inspector.errors import UserError
    from inspector.store.image_store import ImageStore

    store = ImageStore(tmp_path / "images")
    with pytest.raises(UserError, match="invalid stored image path"):
        store.path(bad)
    good = store.path("ab/abcdef.png")
    assert good == (tmp_path / "images").resolve() / "ab" / "abcdef.png"


def test_many_paths_at_once_are_the_paths_one_at_a_time(tmp_path: Path) -> None:
    from inspector.store.image_store import ImageStore

    store = ImageStore(tmp_path / "images")
    sha = "ab" + "c" * 62
    rels = [f"ab/{sha}.png", f"AB/{sha}.PNG", "ab/abcdef.png", "a/b/c.tif"]
    assert store.paths(rels) == [str(store.path(r)) for r in rels]
    with pytest.raises(UserError, match="invalid stored image path"):
        store.paths([f"ab/{sha}.png", "../etc/passwd"])


def test_a_setting_an_older_version_stored_is_hidden_and_can_be_removed(project, admin) -> None:  # noqa: ANN001
    from inspector.store.models import Setting, utcnow

    with project.db.session() as s:  # an old Inspector stored any key it was given
        s.add(Setting(key="custom_note", value=5, updated_at=utcnow()))
    assert "custom_note" not in project.all_settings()
    with pytest.raises(UserError, match="unknown setting"):
        project.set_setting(admin, "custom_note", 6)  # it cannot be set again...
    project.set_setting(admin, "custom_note", None)  # ...but it can be removed
    with project.db.session() as s:
        assert s.get(Setting, "custom_note") is None
        assert s.query(AuditEntry).filter(AuditEntry.action == "setting.remove").one()
    with pytest.raises(UserError, match="unknown setting"):
        project.set_setting(admin, "custom_note", None)  # gone: a typo again


@pytest.mark.parametrize(("key", "value"), [
    ("max_pixels", 1e999), ("gui_idle_signout_minutes", float("inf")),
    ("severity_bands", {"major_ratio": 1.5, "critical_ratio": float("inf"),
                        "major_area": 0.02, "critical_area": 0.1}),
    ("target_false_reject_rate", float("nan"))])
def test_settings_that_are_not_finite_numbers_are_refused(project, admin, key,
                                                          value) -> None:  # noqa: ANN001
    """1e999 stopped with OverflowError; an infinite band was stored as JSON that
    PostgreSQL refuses."""
    with pytest.raises(UserError, match=key):
        project.set_setting(admin, key, value)


def test_a_file_in_place_of_backups_is_named_when_an_old_project_upgrades(
        tmp_path: Path) -> None:
    root = tmp_path / "old"
    root.mkdir()
    with sqlite3.connect(root / "inspector.db") as conn:
        conn.execute("CREATE TABLE legacy_note (txt TEXT)")
    (root / "backups").write_text("a sync tool's conflict copy")
    with pytest.raises(UserError, match="backups is a file, not a folder"):
        Project.open(root)


def test_a_project_on_a_windows_share_gets_a_uri_sqlite_accepts(tmp_path: Path) -> None:
    """A UNC path (//files/line1/...) became "file://files/...": SQLite read "files" as
    the URI's authority and refused it, so a project on a share "was not a database"."""
    assert migrate.sqlite_file_uri("//files/line1/project/inspector.db") == \
        "file:////files/line1/project/inspector.db?mode=ro"
    assert migrate.sqlite_file_uri("C:/line1/inspector.db", immutable=True) == \
        "file:C:/line1/inspector.db?mode=ro&immutable=1"
    db = tmp_path / "x.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE t (a)")
    posix = db.as_posix()  # an empty authority, as the share's URI now has it
    conn = sqlite3.connect("file://" + migrate.sqlite_file_uri(posix)[len("file:"):], uri=True)
    try:
        assert conn.execute("SELECT count(*) FROM t").fetchone() == (0,)
    finally:
        conn.close()


def test_a_failed_init_can_be_tried_again(tmp_path) -> None:  # noqa: ANN001
    """A file where images/ goes: init said "move that file away and try again", and the
    retry then said "a project already exists" of a database with no admin in it."""
    from inspector.errors import UserError
    from inspector.services.project import Project, init_project
    from inspector.services.session import sign_in

    root = tmp_path / "line1"
    root.mkdir()
    (root / "images").write_text("a sync tool's conflict copy")
    with pytest.raises(UserError, match="move that file away"):
        init_project(root, "alice")
    (root / "images").unlink()
    init_project(root, "alice").close()
    with Project.open(root) as project:
        assert sign_in(project, "alice").role == "admin"


def test_two_leads_changing_the_two_rates_at_once_cannot_leave_them_out_of_order(
        tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    """Each change was checked against the other rate as read before the write: one lead
    set the target to 4 % while another set the band to 2 %, both went in, and training
    then refused the pair. Now the second waits for the first and is refused."""
    import threading
    import time

    from inspector.services import project as project_module  # where set_setting looks
    from inspector.services.session import sign_in

    init_project(tmp_path / "p", "admin").close()
    first = Project.open(tmp_path / "p")
    second = Project.open(tmp_path / "p")  # another station
    admin = sign_in(first, "admin")
    first.set_setting(admin, "target_false_reject_rate", 0.01)
    first.set_setting(admin, "uncertain_false_reject_rate", 0.05)
    real = project_module.check_rates

    def slow_check(session, key, value):  # noqa: ANN001, ANN202
        real(session, key, value)
        if key == "target_false_reject_rate":
            time.sleep(0.5)  # checked, not yet written: the other lead acts now

    monkeypatch.setattr(project_module, "check_rates", slow_check)
    errors: list[Exception] = []

    def set_target() -> None:
        first.set_setting(admin, "target_false_reject_rate", 0.04)

    thread = threading.Thread(target=set_target)
    thread.start()
    time.sleep(0.2)
    try:
        second.set_setting(sign_in(second, "admin"), "uncertain_false_reject_rate", 0.02)
    except UserError as exc:
        errors.append(exc)
    thread.join()
    target = first.get_setting("target_false_reject_rate")
    band = first.get_setting("uncertain_false_reject_rate")
    assert band > target, (target, band)
    assert errors and "uncertain band" in str(errors[0])
    first.close()
    second.close()


def test_a_database_url_of_another_kind_says_postgresql(tmp_path: Path) -> None:
    """mysql://… was told to install inspector[postgres]."""
    with pytest.raises(UserError, match="PostgreSQL server.*not mysql"):
        init_project(tmp_path / "p", "boss", database_url="mysql://u@dbhost/line1")
    assert not (tmp_path / "p").exists()


def test_the_gui_thread_waits_briefly_for_a_busy_database_and_workers_the_full_time(
        tmp_path: Path) -> None:
    """A label key pressed while another program held the database froze the window for
    30 s: the GUI's own thread now gives up after a moment, its workers still wait."""
    import threading
    import time

    from sqlalchemy.exc import OperationalError

    from inspector.services.session import sign_in

    init_project(tmp_path / "p", "admin").close()
    project = Project.open(tmp_path / "p")
    admin = sign_in(project, "admin")
    project.db.wait_briefly_on_this_thread(0.5)
    holder = sqlite3.connect(tmp_path / "p" / "inspector.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another station's write, held
    try:
        started = time.monotonic()
        with pytest.raises(OperationalError, match="locked"):
            project.set_setting(admin, "hot_folder", "/a")
        assert time.monotonic() - started < 5
        done: list[str] = []
        worker = threading.Thread(
            target=lambda: done.append(project.set_setting(admin, "hot_folder", "/b") or "ok"))
        worker.start()
        worker.join(2.0)
        assert worker.is_alive() and not done  # a worker still waits
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    worker.join(10)
    assert done == ["ok"] and project.get_setting("hot_folder") == "/b"
    project.close()
