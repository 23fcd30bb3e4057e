"""A line of stations on one PostgreSQL server: adding names at the same moment, a
refused init, the GUI thread's short lock wait."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import URL, text

from inspector.errors import UserError
from inspector.services.operators import add_operator
from inspector.services.project import Project, init_project
from inspector.services.session import sign_in
from inspector.store.db import Database


def test_a_refused_init_leaves_no_folders_behind(tmp_path, pg_url) -> None:  # noqa: ANN001
    """init into a database that holds another project was refused after the folders
    were made: the share kept empty images/, models/ and artefacts/ of a project that
    never was."""
    init_project(tmp_path / "first", "boss", database_url=pg_url).close()
    with pytest.raises(UserError, match="is not empty"):
        init_project(tmp_path / "second", "boss", database_url=pg_url)
    assert not (tmp_path / "second").exists()


def test_names_differing_in_case_added_at_two_stations_at_once_are_one(tmp_path,
                                                                         pg_url) -> None:  # noqa: ANN001
    """The case-insensitive check ran in Python and the unique index is on the exact
    name: two stations adding "Dent" and "dent" at the same moment both went in."""
    from inspector.services.labeling import add_defect_type
    from inspector.services.products import add_product

    root = tmp_path / "p"
    init_project(root, "boss", database_url=pg_url).close()
    stations = [Project.open(root, database_url=pg_url) for _ in range(2)]
    bosses = [sign_in(p, "boss") for p in stations]
    try:
        for n, add in enumerate([add_defect_type, add_product, add_operator] * 3):
            names = [f"Dent{n}", f"dent{n}"]
            gate = threading.Barrier(2)
            outcome: list[object] = [None, None]

            def run(i: int, add=add, names=names, gate=gate, outcome=outcome) -> None:  # noqa: ANN001
                gate.wait()
                try:
                    add(stations[i], bosses[i], names[i])
                    outcome[i] = "added"
                except UserError as exc:
                    outcome[i] = str(exc)

            threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert outcome.count("added") == 1, outcome
            assert any("already exists" in str(o) for o in outcome), outcome
    finally:
        for p in stations:
            p.close()


def test_the_gui_thread_waits_briefly_for_a_lock_on_the_server_too(pg_url: URL) -> None:
    """The 2 s wait of the GUI's thread was SQLite's only: on the line's server a label
    key still waited the full 30 s for a row another station held."""
    database = Database(pg_url)
    try:
        database.wait_briefly_on_this_thread(2.0)
        seen: dict[str, str] = {}

        def show(name: str) -> None:
            with database.engine.connect() as conn:
                seen[name] = conn.execute(text("SHOW lock_timeout")).scalar()

        for _ in range(2):  # the same pooled connection, taken by one thread then the other
            show("gui")
            worker = threading.Thread(target=show, args=("worker",))
            worker.start()
            worker.join()
            assert seen == {"gui": "2s", "worker": "30s"}
    finally:
        database.dispose()
