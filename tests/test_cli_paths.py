"""CLI edges: "~" in --project and INSPECTOR_PROJECT is expanded, as the GUI does (init
made the folder in the home folder but reported a path that does not exist, and backups
looked in the wrong place); a usage error with --json writes JSON too."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from inspector.cli.main import main


def test_a_project_under_the_home_folder(tmp_path: Path, monkeypatch, capsys) -> None:  # noqa: ANN001
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("USERPROFILE", str(tmp_path))  # Windows' home
    assert main(["init", "--project", "~/line 1", "--admin", "ada", "--json"]) == 0
    made = tmp_path / "line 1"
    assert Path(json.loads(capsys.readouterr().out)["project"]) == made
    monkeypatch.setenv("INSPECTOR_PROJECT", "~/line 1")
    assert main(["products", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_a_usage_error_with_json_writes_json(capsys) -> None:  # noqa: ANN001
    """Every failing command writes {"error", "exit_code"} with --json; a usage error
    (exit 2) wrote nothing to stdout."""
    with pytest.raises(SystemExit) as stop:
        main(["images", "--json", "--limit", "abc"])
    assert stop.value.code == 2
    out, err = capsys.readouterr()
    assert json.loads(out) == {"exit_code": 2, "error": "inspector images: error: argument "
                               "--limit: not a whole number: 'abc'"}
    assert err.count("not a whole number") == 1 and err.startswith("usage:")


def test_backups_of_a_folder_that_is_not_there_is_a_message(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    """It said "no backups yet" with exit 0 for a typo or a file."""
    afile = tmp_path / "afile"
    afile.write_text("not a project")
    for where in (afile, tmp_path / "typo"):
        assert main(["backups", "--project", str(where)]) == 1
        assert f"no project folder {where}" in capsys.readouterr().err
