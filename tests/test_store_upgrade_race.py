"""Two stations open a project made by an older Inspector at the same moment: one
upgrades it, the other waits and finds it upgraded (both ran ALTER TABLE before, and the
second stopped with "duplicate column"). The upgrade is audited once, naming its backup."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import text

from inspector.store import migrate
from inspector.store.db import Database, sqlite_url

STATION = """
import sys, time
from pathlib import Path
import alembic.operations as ops
slow_add = ops.Operations.add_column
def add_column(self, *args, **kwargs):  # a slow disk: the ALTER TABLE comes a second late
    time.sleep(float(sys.argv[3]))
    return slow_add(self, *args, **kwargs)
ops.Operations.add_column = add_column
from inspector.services.project import Project
start = float(sys.argv[2])
while time.time() < start:
    time.sleep(0.001)
Project.open(Path(sys.argv[1])).close()
print("opened")
"""


def test_two_stations_opening_an_old_project_at_once_both_open_it(tmp_path: Path) -> None:
    root = tmp_path / "line"
    root.mkdir()
    db = Database(sqlite_url(root / "inspector.db"))
    migrate.upgrade(db.engine, "0003")  # before images.purged_at existed
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO operators (name, role, active, created_at) "
                          "VALUES ('admin', 'admin', 1, '2026-01-01')"))
    db.dispose()
    start = time.time() + 6.0  # both interpreters are up and waiting by then
    stations = [subprocess.Popen([sys.executable, "-c", STATION, str(root), str(start), delay],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for delay in ("1.0", "0.0")]
    results = [s.communicate(timeout=120) for s in stations]
    for station, (out, err) in zip(stations, results, strict=True):
        assert station.returncode == 0 and "opened" in out, err[-2000:]
    assert migrate.sqlite_revision(root / "inspector.db") == migrate.head_revision()
    with Database(sqlite_url(root / "inspector.db")).engine.connect() as conn:
        rows = conn.execute(text("SELECT details FROM audit_log "
                                 "WHERE action = 'database.upgrade'")).all()
    assert len(rows) == 1  # the station that upgraded records it; the other found it done
    details = json.loads(rows[0][0])
    assert (details["from"], details["to"]) == ("0003", migrate.head_revision())
    assert (root / details["backup"]).is_file()  # the copy taken before the upgrade


def test_two_backups_of_one_name_are_both_kept(tmp_path) -> None:  # noqa: ANN001
    """Two stations opening an old project in the same second named their copies alike,
    and the second replaced the first (possibly with the already upgraded database)."""
    import sqlite3

    db = tmp_path / "inspector.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE t (x int)")
    con.commit()
    con.close()
    name = tmp_path / "backups" / "inspector-20261128-080000-rev0001.db"
    first = migrate.backup_sqlite(db, name)
    second = migrate.backup_sqlite(db, name)
    assert first == name and second != first and first.is_file() and second.is_file()
