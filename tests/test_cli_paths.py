"""The CLI expands "~" in --project and INSPECTOR_PROJECT, as the GUI does: init made the
folder in the home folder but reported a path that does not exist, and backups looked
in the wrong place."""

from __future__ import annotations

import json
from pathlib import Path

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
