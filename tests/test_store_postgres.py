"""The store on a real PostgreSQL server: migrations, column types, constraints, and a
project whose database is on the server (Project.open / init_project ``database_url``)."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import URL, Engine, create_engine, func, inspect, select, text
from sqlalchemy.exc import IntegrityError, OperationalError, StatementError

from inspector.errors import NotFoundError, UserError
from inspector.services import backups
from inspector.services.integrity import check_project
from inspector.services.operators import add_operator
from inspector.services.project import SERVER_MARKER, Project, init_project
from inspector.services.session import sign_in
from inspector.store import migrate
from inspector.store.db import Database
from inspector.store.models import (
    AuditEntry,
    Base,
    Image,
    Inspection,
    ModelRecord,
    Operator,
    Product,
    Setting,
)
from inspector.store.problems import db_problem

pytestmark = pytest.mark.postgres
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def db(pg_url: URL):
    database = Database(pg_url)
    migrate.upgrade(database.engine)
    yield database
    database.dispose()


def test_migrations_from_empty_to_head_match_the_models_and_go_back(pg_url: URL) -> None:
    engine = create_engine(pg_url)
    assert migrate.database_revision(engine) is None
    migrate.upgrade(engine)
    assert migrate.database_revision(engine) == migrate.head_revision()
    assert set(inspect(engine).get_table_names()) == set(Base.metadata.tables) | {"alembic_version"}
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    indexes = {ix["name"] for ix in inspect(engine).get_indexes("inspections")}
    assert {"ix_inspections_time_verdict", "ix_inspections_inspected_at",
            "ix_inspections_product_time"} <= indexes
    migrate.upgrade(engine)  # at head: nothing to do, no error
    cfg = migrate.alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:  # and all the way back (the downgrades run on PostgreSQL)
        from alembic import command

        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    migrate.upgrade(engine)
    assert migrate.database_revision(engine) == migrate.head_revision()
    engine.dispose()


def test_each_revision_keeps_the_rows_of_the_one_before(pg_url: URL) -> None:
    engine = create_engine(pg_url)
    migrate.upgrade(engine, "0001")  # a project made by the first release
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO operators (name, role, active, created_at) "
                "VALUES ('admin', 'admin', true, '2026-11-01 08:00:00')"
            )
        )
        conn.execute(
            text("INSERT INTO products (name, created_at) VALUES ('bolt', '2026-11-01 08:00:00')")
        )
        image = conn.execute(
            text(
                "INSERT INTO images (sha256, store_path, width, height, format, mode, bit_depth, "
                "file_size, source, imported_at) VALUES ('ab', 'ab/ab.png', 8, 8, 'PNG', 'RGB', "
                "8, 100, 'file', '2026-11-01 08:00:00') RETURNING id"
            )
        ).scalar_one()
        conn.execute(
            text(
                "INSERT INTO inspections (image_id, score, threshold, verdict, "
                "inspected_at) VALUES (:i, 2.5, 2.0, 'ng', '2026-11-01 08:00:00')"
            ),
            {"i": image},
        )
    for revision in ("0002", "0003", "0004", "0005"):
        migrate.upgrade(engine, revision)
        assert migrate.database_revision(engine) == revision
    with engine.connect() as conn:
        assert conn.execute(text("SELECT score, verdict, unfamiliar FROM inspections")).one() == (
            2.5,
            "ng",
            False,
        )  # the new column's default reads as a real false
        assert conn.execute(text("SELECT region FROM products")).scalar_one() is None
        assert conn.execute(text("SELECT purged_at FROM images")).scalar_one() is None
    engine.dispose()


def test_timestamps_are_stored_as_utc_and_come_back_aware(db: Database) -> None:
    local = dt.datetime(2024, 3, 31, 3, 30, tzinfo=BERLIN)  # CEST, just after the change
    with db.session() as s:
        s.add(Operator(name="alice", created_at=local))
    with db.session() as s:
        back = s.scalar(select(Operator.created_at).where(Operator.name == "alice"))
        latest = s.scalar(select(func.max(Operator.created_at)))  # through an aggregate too
        stored = s.execute(text("SELECT created_at FROM operators")).scalar_one()
    assert back == local and back.tzinfo == dt.UTC and back.hour == 1
    assert latest == local and latest.tzinfo == dt.UTC
    assert stored == dt.datetime(2024, 3, 31, 1, 30)  # naive UTC, whatever the server's zone
    with pytest.raises(StatementError, match="naive datetime"), db.session() as s:
        s.add(Operator(name="naive", created_at=dt.datetime(2024, 1, 1)))
        s.flush()
    with db.session() as s:  # a comparison with an aware bound selects by the UTC instant
        assert (
            s.scalar(
                select(func.count())
                .select_from(Operator)
                .where(Operator.created_at >= dt.datetime(2024, 3, 31, 1, 30, tzinfo=dt.UTC))
            )
            == 1
        )


def test_json_columns_round_trip(db: Database) -> None:
    bands = {"major_ratio": 1.5, "critical_area": 0.1, "note": "Ölfleck ≥ 2 mm", "list": [1, None]}
    with db.session() as s:
        s.add(Setting(key="severity_bands", value=bands))
        s.add(Setting(key="uncertain_false_reject_rate", value=None))
        s.add(Setting(key="max_pixels", value=60_000_000))
        s.add(Product(name="bolt", region=[0.1, 0.05, 0.9, 0.95]))
        s.add(AuditEntry(action="sign_in", allowed=False, details={"reason": "wrong PIN"}))
        s.add(AuditEntry(action="sign_in", allowed=False, details={"reason": "locked"}))
        s.add(
            ModelRecord(
                version=1,
                backbone="lite0",
                threshold=0.5,
                file_path="m",
                file_sha256="0" * 64,
                metrics={"heldout_good_scores": [0.1, 0.2]},
                training_set={"good": 10, "defect_types": {"Ölfleck": 2}},
            )
        )
    with db.session() as s:
        assert s.get(Setting, "severity_bands").value == bands
        assert s.get(Setting, "uncertain_false_reject_rate").value is None
        assert s.get(Setting, "max_pixels").value == 60_000_000
        assert s.scalar(select(Product.region)) == [0.1, 0.05, 0.9, 0.95]
        rec = s.scalar(select(ModelRecord))
        assert rec.metrics == {"heldout_good_scores": [0.1, 0.2]}
        assert rec.training_set["defect_types"] == {"Ölfleck": 2}
        wrong = s.scalars(
            select(AuditEntry.details).where(  # a JSON field in WHERE
                AuditEntry.details["reason"].as_string() == "wrong PIN"
            )
        ).all()
    assert wrong == [{"reason": "wrong PIN"}]


def test_booleans_defaults_and_ids(db: Database) -> None:
    with db.session() as s:
        ops = [Operator(name=n) for n in ("a", "b", "c")]
        s.add_all(ops)
        s.flush()
        ops[1].active = False
        img = Image(
            sha256="ab", store_path="ab/ab.png", width=8, height=8, format="PNG", mode="RGB"
        )
        s.add(img)
        s.flush()
        s.add(Inspection(image_id=img.id, score=1.0, threshold=0.5, verdict="ng"))
        # a row written without the column gets the server default (false, not NULL)
        s.execute(
            text(
                "INSERT INTO inspections (image_id, score, threshold, verdict, "
                "inspected_at) VALUES (:i, 0.1, 0.5, 'ok', '2026-11-01 08:00:00')"
            ),
            {"i": img.id},
        )
    with db.session() as s:
        assert [o.id for o in s.scalars(select(Operator).order_by(Operator.id))] == [1, 2, 3]
        assert s.scalars(select(Operator.name).where(Operator.active.is_(False))).all() == ["b"]
        assert s.scalars(
            select(Operator.name).where(Operator.active.is_(True)).order_by(Operator.name)
        ).all() == ["a", "c"]
        assert [
            (r.verdict, r.unfamiliar) for r in s.scalars(select(Inspection).order_by(Inspection.id))
        ] == [("ng", False), ("ok", False)]
        assert s.scalar(select(Image.bit_depth)) == 8  # Python-side defaults are applied


@pytest.mark.parametrize(
    ("model", "first", "again"),
    [
        (Product, {"name": "bolt"}, {"name": "bolt"}),
        (Operator, {"name": "alice"}, {"name": "alice"}),
        (
            ModelRecord,
            {"version": 1, "backbone": "x", "threshold": 1.0, "file_path": "a", "file_sha256": "0"},
            {"version": 1, "backbone": "x", "threshold": 1.0, "file_path": "b", "file_sha256": "0"},
        ),
        (
            Image,
            {
                "sha256": "ab",
                "store_path": "a",
                "width": 1,
                "height": 1,
                "format": "PNG",
                "mode": "RGB",
            },
            {
                "sha256": "ab",
                "store_path": "b",
                "width": 1,
                "height": 1,
                "format": "PNG",
                "mode": "RGB",
            },
        ),
    ],
)
def test_unique_constraints_hold_and_are_explained(db: Database, model, first, again) -> None:  # noqa: ANN001
    with db.session() as s:
        s.add(model(**first))
    with pytest.raises(IntegrityError) as caught, db.session() as s:
        s.add(model(**again))
    assert "same moment" in db_problem(caught.value)
    with db.session() as s:  # the session rolled back; the database is usable
        assert s.scalar(select(func.count()).select_from(model)) == 1


def test_a_foreign_key_is_enforced(db: Database) -> None:
    with pytest.raises(IntegrityError), db.session() as s:
        s.add(Inspection(image_id=999, score=1.0, threshold=0.5, verdict="ok"))


# -- a project with its database on the server ----------------------------------------


def test_init_and_open_a_project_on_the_server(tmp_path: Path, pg_url: URL) -> None:
    root = tmp_path / "line1"
    project = init_project(root, "boss", "4321", database_url=pg_url)
    assert project.db.engine.dialect.name == "postgresql" and not project.db.is_sqlite
    assert not (root / "inspector.db").exists()
    assert (root / SERVER_MARKER).is_file()
    assert "4321" not in (root / SERVER_MARKER).read_text()
    assert {p.name for p in root.iterdir()} >= {"images", "models", "artefacts"}
    with pytest.raises(UserError, match="on a server"):
        _ = project.db_path
    project.close()
    with Project.open(root, database_url=pg_url) as again:
        assert sign_in(again, "BOSS", "4321").role == "admin"
        with again.db.session() as s:
            assert s.scalar(select(AuditEntry.action)) == "project.init"
        assert migrate.database_revision(again.db.engine) == migrate.head_revision()


def test_sqlite_only_entry_points_say_so_for_a_server_project(tmp_path: Path, pg_url: URL) -> None:
    root = tmp_path / "line1"
    init_project(root, "boss", database_url=pg_url).close()
    with pytest.raises(UserError, match="opening a project by its folder works only"):
        Project.open(root)  # the CLI and the GUI open by folder: no stray inspector.db
    with pytest.raises(UserError, match="already exists"):
        init_project(root, "boss")
    with pytest.raises(UserError, match="listing database backups works only"):
        backups.list_backups(root)
    (root / "backups").mkdir()
    stray = root / "backups" / "inspector-20260101-000000-rev0001.db"
    stray.write_bytes(b"")
    with pytest.raises(UserError, match="restoring a database backup works only"):
        backups.restore_backup(root, stray)
    assert not (root / "inspector.db").exists()


def test_the_data_check_says_the_server_database_is_not_checked(
    tmp_path: Path, pg_url: URL
) -> None:
    with init_project(tmp_path / "p", "boss", database_url=pg_url) as project:
        rep = check_project(project, sign_in(project, "boss"))
    assert rep.ok and rep.checked["images"] == 0
    assert rep.notes and "postgresql" in rep.notes[0] and "not" in rep.notes[0]
    assert "note: the database itself" in rep.summary()


def test_a_new_project_needs_an_empty_database(tmp_path: Path, pg_url: URL) -> None:
    engine = create_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE someone_elses (x int)"))
    engine.dispose()
    with pytest.raises(UserError, match="not empty"):
        init_project(tmp_path / "p", "boss", database_url=pg_url)
    assert not (tmp_path / "p" / SERVER_MARKER).exists()


def test_opening_needs_the_folder_and_a_project_database(tmp_path: Path, pg_url: URL) -> None:
    with pytest.raises(NotFoundError, match="mounted"):
        Project.open(tmp_path / "elsewhere", database_url=pg_url)
    root = tmp_path / "p"
    root.mkdir()
    (root / SERVER_MARKER).write_text("x")
    with pytest.raises(NotFoundError, match="holds no Inspector project"):
        Project.open(root, database_url=pg_url)  # an empty database is not migrated blindly
    engine = create_engine(pg_url)
    assert inspect(engine).get_table_names() == []
    engine.dispose()


def test_urls_that_cannot_work_are_user_errors(tmp_path: Path, pg_url: URL) -> None:
    root = tmp_path / "p"
    init_project(root, "boss", database_url=pg_url).close()
    with pytest.raises(UserError, match="embedded SQLite"):
        Project.open(root, database_url=f"sqlite:///{tmp_path / 'x.db'}")
    with pytest.raises(UserError, match="not a database URL"):
        Project.open(root, database_url="no url at all")
    nowhere = pg_url.set(password="secret", query={"host": str(tmp_path / "no-server")})
    with pytest.raises(UserError, match="cannot reach the database") as caught:
        Project.open(root, database_url=nowhere)
    assert "secret" not in str(caught.value)
    engine = create_engine(nowhere)
    with pytest.raises(OperationalError) as lost:  # as the CLI would meet it mid-command
        engine.connect()
    engine.dispose()
    assert "server cannot be reached" in db_problem(lost.value)


def test_an_older_server_database_is_upgraded_and_a_newer_refused(
    tmp_path: Path,
    pg_url: URL,
    caplog: pytest.LogCaptureFixture,
) -> None:
    root = tmp_path / "p"
    init_project(root, "boss", database_url=pg_url).close()
    engine = create_engine(pg_url)
    cfg = migrate.alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        from alembic import command

        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0003")  # as an older Inspector left it
    with caplog.at_level(logging.WARNING), Project.open(root, database_url=pg_url) as project:
        assert sign_in(project, "boss").role == "admin"  # the rows survived
    assert migrate.database_revision(engine) == migrate.head_revision()
    assert "no automatic backup" in caplog.text
    with engine.connect() as conn:  # audited in the upgrade's own transaction
        row = conn.execute(text("SELECT details FROM audit_log "
                                "WHERE action = 'database.upgrade'")).one()
    assert (row[0]["from"], row[0]["to"]) == ("0003", migrate.head_revision())
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(UserError, match="newer Inspector"):
        Project.open(root, database_url=pg_url)
    assert migrate.database_revision(engine) == "9999"  # untouched
    engine.dispose()


def _upgrade_in_thread(engine: Engine) -> tuple[threading.Thread, list[BaseException]]:
    """Start ``migrate.upgrade(engine)`` in a thread, as a second station would; errors
    are collected for the caller's assertion."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            migrate.upgrade(engine)
        except BaseException as exc:  # reported by the caller's assertion
            errors.append(exc)

    upgrader = threading.Thread(target=run)
    upgrader.start()
    return upgrader, errors


def test_two_stations_upgrading_at_once_take_turns(pg_url: URL) -> None:
    """The advisory lock: while one station holds it, another's upgrade waits (seen in
    pg_stat_activity) and changes nothing; once it is released the upgrade runs."""
    import time

    from inspector.store.migrate import _UPGRADE_LOCK_KEY

    holder, station = create_engine(pg_url), create_engine(pg_url)
    try:
        with holder.connect() as lock:
            lock.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _UPGRADE_LOCK_KEY})
            upgrader, errors = _upgrade_in_thread(station)
            waiting = 0
            deadline = time.monotonic() + 20
            while not waiting and upgrader.is_alive() and time.monotonic() < deadline:
                time.sleep(0.05)
                waiting = lock.execute(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()")).scalar()
            assert waiting == 1 and upgrader.is_alive()  # it waits for the first station
            assert migrate.database_revision(holder) is None  # and has changed nothing
            lock.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _UPGRADE_LOCK_KEY})
            lock.commit()
        upgrader.join(30)
        assert errors == [] and not upgrader.is_alive()
        assert migrate.database_revision(holder) == migrate.head_revision()
    finally:
        holder.dispose()
        station.dispose()


def test_admin_names_and_roles_on_the_server(tmp_path: Path, pg_url: URL) -> None:
    with init_project(tmp_path / "p", "Émile", database_url=pg_url) as project:
        admin = sign_in(project, "émile")  # case folded beyond ASCII
        add_operator(project, admin, "Zoë", role="operator")
        with pytest.raises(UserError, match="already exists"):
            add_operator(project, admin, "ZOË")


def test_a_folder_opened_with_another_lines_database_is_refused(tmp_path: Path, pg_url: URL,
                                                                pg_server) -> None:  # noqa: ANN001
    """Line 1's folder with line 2's URL: before the project id tied them, `check
    --remove-orphans` took line 1's images for leftovers and deleted them."""
    import numpy as np

    from inspector.services.importing import import_array

    other_url = pg_server.database()
    try:
        line1 = init_project(tmp_path / "line1", "boss", database_url=pg_url)
        admin = sign_in(line1, "boss")
        import_array(line1, admin, np.full((16, 16, 3), 7, np.uint8), source="file",
                     name="part.png")
        line1.close()
        init_project(tmp_path / "line2", "boss", database_url=other_url).close()
        files = sorted((tmp_path / "line1" / "images").rglob("*.png"))
        assert files
        with pytest.raises(UserError, match="not the same project"):
            Project.open(tmp_path / "line1", database_url=other_url)
        assert sorted((tmp_path / "line1" / "images").rglob("*.png")) == files
        with Project.open(tmp_path / "line1", database_url=pg_url) as again:  # its own: fine
            with pytest.raises(UserError, match="not a setting"):
                again.set_setting(sign_in(again, "boss"), "server_project_id", None)
    finally:
        pg_server.drop(other_url)


def test_a_password_in_the_query_string_is_hidden_too() -> None:
    """libpq reads ?password= as well as user:password@; messages and logs show neither."""
    pytest.importorskip("psycopg")  # the engine loads its driver (no server needed)
    db = Database("postgresql+psycopg://u:one@127.0.0.1:1/db?password=S3CRET&sslmode=disable")
    try:
        shown = db.describe()
    finally:
        db.dispose()
    assert "one" not in shown and "S3CRET" not in shown
    assert "sslmode=disable" in shown and "127.0.0.1:1/db" in shown


def test_a_wrong_option_in_the_url_is_a_user_error(tmp_path: Path, pg_url: URL) -> None:
    """A misspelt libpq option reaches the server code as a ProgrammingError, which
    used to end the CLI as an internal error."""
    wrong = pg_url.update_query_dict({"conect_timeout": "5"})
    with pytest.raises(UserError, match="refused|cannot reach"):
        init_project(tmp_path / "line1", "boss", database_url=wrong)
    init_project(tmp_path / "line1", "boss", database_url=pg_url).close()
    with pytest.raises(UserError, match="refused|cannot reach"):
        Project.open(tmp_path / "line1", database_url=wrong)


def test_a_stations_connections_carry_lock_and_idle_timeouts(pg_url: URL) -> None:
    database = Database(pg_url)
    own = Database(pg_url.update_query_dict({"options": "-c lock_timeout=5000"}))
    try:
        with database.engine.connect() as conn:
            assert conn.execute(text("SHOW lock_timeout")).scalar() == "30s"
            idle = conn.execute(text("SHOW idle_in_transaction_session_timeout")).scalar()
            assert idle == "10min"
        with own.engine.connect() as conn:  # the URL's own options win
            assert conn.execute(text("SHOW lock_timeout")).scalar() == "5s"
    finally:
        database.dispose()
        own.dispose()


def test_a_row_held_by_a_hung_station_makes_the_other_busy_not_frozen(
        pg_url: URL, monkeypatch: pytest.MonkeyPatch) -> None:
    """Station A locks the admin row and hangs; station B's write gives up after the lock
    timeout with the "busy" advice instead of waiting for ever (A lets go after 15 s, so
    without the timeout B succeeds late and the test fails)."""
    import time

    from inspector.store import db as db_module

    monkeypatch.setattr(db_module, "SERVER_LOCK_TIMEOUT_S", 1)
    setup = Database(pg_url)
    migrate.upgrade(setup.engine)
    with setup.session() as s:
        s.add(Operator(name="Ada", role="admin", pin_hash="x"))
    hung, station = Database(pg_url), Database(pg_url)
    release = threading.Event()

    def hold() -> None:
        with hung.session() as s:
            s.execute(select(Operator).with_for_update()).all()
            release.wait(15)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        time.sleep(0.5)
        started = time.monotonic()
        with pytest.raises(OperationalError) as caught, station.session() as s:
            s.execute(text("UPDATE operators SET role = 'operator'"))
        assert time.monotonic() - started < 10
        assert "busy" in db_problem(caught.value)
    finally:
        release.set()
        holder.join(30)
        for database in (setup, hung, station):
            database.dispose()


def test_a_station_starting_during_a_long_upgrade_waits_past_the_lock_timeout(
        pg_url: URL, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from inspector.store import db as db_module
    from inspector.store.migrate import _UPGRADE_LOCK_KEY

    monkeypatch.setattr(db_module, "SERVER_LOCK_TIMEOUT_S", 1)
    holder, station = create_engine(pg_url), Database(pg_url)
    try:
        with holder.connect() as lock:
            lock.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _UPGRADE_LOCK_KEY})
            upgrader, errors = _upgrade_in_thread(station.engine)
            time.sleep(2.5)  # well past the stations' lock timeout
            lock.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _UPGRADE_LOCK_KEY})
            lock.commit()
        upgrader.join(30)
        assert errors == []
        assert migrate.database_revision(holder) == migrate.head_revision()
    finally:
        holder.dispose()
        station.dispose()


def test_a_server_project_from_before_project_ids_opens_and_gets_one(tmp_path: Path,
                                                                     pg_url: URL) -> None:
    """Neither the folder's marker nor the database had an id (an older Inspector made
    them): every command said "not the same project", and the whole line stopped."""
    root = tmp_path / "line1"
    init_project(root, "boss", database_url=pg_url).close()
    marker = root / SERVER_MARKER
    marker.write_text("\n".join(line for line in marker.read_text().splitlines()
                                if not line.startswith("project id:")) + "\n")
    engine = create_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM settings WHERE key = 'server_project_id'"))
    engine.dispose()
    with Project.open(root, database_url=pg_url) as project:
        with project.db.session() as s:
            stored = s.get(Setting, "server_project_id").value
    assert f"project id: {stored}" in marker.read_text()
    Project.open(root, database_url=pg_url).close()  # and from now on as any project


def test_a_folder_that_cannot_take_the_marker_leaves_no_half_project(
        tmp_path: Path, pg_url: URL, monkeypatch: pytest.MonkeyPatch) -> None:
    """A shared folder that refused the marker (written last) left the server database
    with the tables and the admin, and the retry said "not empty"."""
    import inspector.services.project as project_module

    def refused(path, data):  # noqa: ANN001, ANN202
        raise PermissionError(13, "Permission denied", str(path))

    root = tmp_path / "line1"
    with monkeypatch.context() as patch:
        patch.setattr(project_module, "atomic_write", refused)
        with pytest.raises(PermissionError):
            init_project(root, "boss", database_url=pg_url)
    assert not (root / SERVER_MARKER).exists()
    init_project(root, "boss", database_url=pg_url).close()  # the retry works
