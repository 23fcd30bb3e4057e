"""A PIN is asked for at the terminal (no echo) when it is not given, so it need not be
typed on the command line, where the shell history and the process list keep it."""

from __future__ import annotations

import getpass
import io
import sys
from pathlib import Path

import pytest

from inspector.cli.main import main


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    assert main(["init", "--project", str(root), "--admin", "Ada", "--admin-pin", "2468"]) == 0
    return root


def test_at_a_terminal_the_pin_is_asked_for_once(project: Path, monkeypatch, capsys) -> None:  # noqa: ANN001
    asked: list[str] = []
    monkeypatch.setattr(sys, "stdin", _Terminal())
    monkeypatch.setattr(getpass, "getpass", lambda prompt: asked.append(prompt) or "2468")
    capsys.readouterr()
    assert main(["operators", "list", "--project", str(project), "--operator", "ada"]) == 0
    assert asked == ["PIN for ada: "]
    assert "Ada" in capsys.readouterr().out


def test_a_wrong_typed_pin_is_refused_and_no_pin_is_asked_of_whom_has_none(
        project: Path, monkeypatch, capsys) -> None:  # noqa: ANN001
    asked: list[str] = []
    monkeypatch.setattr(sys, "stdin", _Terminal())
    monkeypatch.setattr(getpass, "getpass", lambda prompt: asked.append(prompt) or "0000")
    assert main(["operators", "list", "--project", str(project), "--operator", "Ada"]) == 1
    assert "wrong PIN" in capsys.readouterr().err
    assert main(["operators", "add", "Olga", "--project", str(project), "--operator", "Ada",
                 "--pin", "2468"]) == 0  # given: not asked
    assert len(asked) == 1
    assert main(["products", "list", "--project", str(project), "--operator", "Olga"]) == 0
    assert len(asked) == 1  # Olga has no PIN


def test_without_a_terminal_a_missing_pin_is_refused_not_waited_for(
        project: Path, monkeypatch, capsys) -> None:  # noqa: ANN001
    monkeypatch.setattr(sys, "stdin", io.StringIO())
    monkeypatch.setattr(getpass, "getpass", lambda prompt: pytest.fail("asked in a script"))
    assert main(["operators", "list", "--project", str(project), "--operator", "Ada"]) == 1
    assert "PIN missing for operator 'Ada' (use --pin or INSPECTOR_PIN)" in capsys.readouterr().err


def test_the_command_line_hint_is_the_clis_not_the_services(project: Path) -> None:
    """The GUI shows the service's words: they must not send an operator to --pin."""
    from inspector.errors import PermissionDenied
    from inspector.services.project import Project
    from inspector.services.session import sign_in

    with Project.open(project) as opened, pytest.raises(PermissionDenied) as refused:
        sign_in(opened, "Ada")
    assert str(refused.value) == "PIN missing for operator 'Ada'"


def test_end_of_input_at_the_prompt_is_no_pin_not_an_internal_error(
        project: Path, monkeypatch, capsys) -> None:  # noqa: ANN001
    """Ctrl+D (Ctrl+Z, Enter on Windows) at the PIN prompt ended as "internal error"."""

    def end_of_input(prompt: str) -> str:
        raise EOFError

    monkeypatch.setattr(sys, "stdin", _Terminal())
    monkeypatch.setattr(getpass, "getpass", end_of_input)
    assert main(["operators", "list", "--project", str(project), "--operator", "Ada"]) == 1
    err = capsys.readouterr().err
    assert "no PIN given" in err and "internal error" not in err


def test_without_any_stdin_a_windowed_exe_signs_in_as_before(
        project: Path, monkeypatch, capsys) -> None:  # noqa: ANN001
    """`Inspector.exe cli ...` (the windowed Windows program) has no stdin at all:
    asking it whether it is a terminal ended every command without --pin as an internal
    error, even for an operator who has no PIN."""
    monkeypatch.setattr(sys, "stdin", None)
    monkeypatch.setattr(getpass, "getpass", lambda prompt: pytest.fail("no terminal to ask"))
    assert main(["operators", "add", "Olga", "--role", "qa_lead", "--project", str(project),
                 "--operator", "Ada", "--pin", "2468"]) == 0
    assert main(["products", "add", "Cap", "--project", str(project), "--operator", "Olga"]) == 0
    assert main(["operators", "list", "--project", str(project), "--operator", "Ada"]) == 1
    assert "PIN missing" in capsys.readouterr().err


def test_end_of_input_at_the_new_pin_prompt_changes_nothing(project: Path, monkeypatch,
                                                            capsys) -> None:  # noqa: ANN001
    """`operators pin NAME` with stdin closed (or Ctrl+D) ended as an internal error."""
    def end_of_input(prompt: str) -> str:
        raise EOFError

    monkeypatch.setattr(getpass, "getpass", end_of_input)
    assert main(["operators", "pin", "Ada", "--project", str(project), "--operator", "Ada",
                 "--pin", "2468"]) == 1
    err = capsys.readouterr().err
    assert "no new PIN typed" in err and "internal error" not in err


def test_a_pin_that_is_not_text_is_refused_with_a_message(project: Path, capsys) -> None:
    """A terminal in another encoding hands over bytes as lone surrogates: hashing them
    raised UnicodeEncodeError (exit 3)."""
    import os

    odd = os.fsdecode(b"\xff\xfe\xfd\xfc")
    assert main(["operators", "add", "Bob", "--project", str(project), "--operator", "Ada",
                 "--pin", "2468", "--new-pin", odd]) == 1
    assert "characters that can be typed again" in capsys.readouterr().err
