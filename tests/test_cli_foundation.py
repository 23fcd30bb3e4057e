"""The foundation commands, run in-process through ``inspector.cli.main.main``."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from inspector.cli.main import main
from tests.conftest import REPO_ROOT


@pytest.fixture
def cli(tmp_path, capsys):  # noqa: ANN001, ANN201
    """``cli(*args)`` -> (exit code, stdout, stderr), with --project set for the command."""
    root = tmp_path / "proj"

    def run(*args: str, operator: str | None = "admin") -> tuple[int, str, str]:
        argv = [*args, "--project", str(root)]
        if operator:
            argv += ["--operator", operator]
        code = main(argv)
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def _json(cli, *args: str, operator: str | None = "admin"):  # noqa: ANN001, ANN202
    code, out, err = cli(*args, "--json", operator=operator)
    assert code == 0, err
    return json.loads(out)


def test_init_operators_products_audit(cli) -> None:  # noqa: ANN001
    code, out, _ = cli("init", "--admin-pin", "2468", operator=None)
    assert code == 0 and "First admin: admin (with PIN)" in out
    code, _, err = cli("init", operator=None)
    assert code == 1 and "already exists" in err
    code, _, err = cli("operators", "list")
    assert code == 1 and "PIN missing" in err
    assert _json(cli, "operators", "add", "Olga", "--role", "operator", "--pin", "2468"
                 )["name"] == "Olga"
    listed = _json(cli, "operators", "list", "--pin", "2468")
    assert [(o["name"], o["role"], o["has_pin"]) for o in listed] == [
        ("admin", "admin", True), ("Olga", "operator", False)]
    code, _, err = cli("operators", "list", operator="Olga")
    assert code == 1 and "may not list operators" in err
    code, _, err = cli("operators", "role", "Olga", "qa_lead", operator="Olga")
    assert code == 1 and "may not edit operators" in err
    assert _json(cli, "operators", "role", "Olga", "qa_lead", "--pin", "2468")["role"] == (
        "qa_lead")
    assert _json(cli, "operators", "pin", "Olga", "--new-pin", "1357", "--pin", "2468")[
        "has_pin"]
    code, out, _ = cli("products", "add", "Bottle", "--sku", "B1", "--pin", "1357",
                       operator="Olga")
    assert code == 0 and "Added product Bottle" in out
    assert [p["name"] for p in _json(cli, "products", "list", operator=None)] == ["Bottle"]
    code, out, _ = cli("products", "region", "Bottle", "0.1", "0", "0.9", "1", "--pin", "1357",
                       operator="Olga")
    assert code == 0 and "10%–90% across" in out and "next training" in out
    assert _json(cli, "products", "list", operator=None)[0]["region"] == [0.1, 0.0, 0.9, 1.0]
    code, _, err = cli("products", "region", "Bottle", "0.9", "0", "0.1", "1", "--pin", "1357",
                       operator="Olga")
    assert code == 1 and "inside the image" in err
    code, _, err = cli("products", "region", "Bottle", "--pin", "1357", operator="Olga")
    assert code == 1 and "--clear" in err
    code, out, _ = cli("products", "region", "Bottle", "--clear", "--pin", "1357",
                       operator="Olga")
    assert code == 0 and "the whole image" in out
    code, _, err = cli("audit", operator=None)
    assert code == 1 and "no operator given" in err  # who did what is for QA leads
    entries = _json(cli, "audit", "--limit", "100", "--pin", "2468")
    actions = [e["action"] for e in entries]
    assert actions[-1] == "project.init" and "operator.role" in actions
    refused = [e for e in entries if not e["allowed"]]
    assert {e["action"] for e in refused} >= {"denied:list_operators",
                                              "denied:manage_operators", "sign_in"}
    code, out, _ = cli("audit", "--pin", "2468")
    assert code == 0 and "REFUSED" in out
    # an auditor's questions: what did Olga do, which regions were set, and today only
    olga = _json(cli, "audit", "--by-operator", "olga", "--limit", "100", "--pin", "2468")
    assert olga and {e["operator"] for e in olga} == {"Olga"}
    assert len(_json(cli, "audit", "--by-operator", "OLGA", "--limit", "100", "--pin",
                     "2468")) == len(olga)
    regions = _json(cli, "audit", "--action", "product.", "--limit", "100", "--pin", "2468")
    assert regions and all(e["action"].startswith("product.") for e in regions)
    today = dt.date.today()
    assert len(_json(cli, "audit", "--from", str(today), "--to", str(today), "--limit",
                     "100", "--pin", "2468")) == len(entries)
    code, out, _ = cli("audit", "--to", str(today - dt.timedelta(days=1)), "--pin", "2468")
    assert code == 0 and "No audit entry matches." in out
    code, full, _ = cli("audit", "--full", "--limit", "100", "--pin", "2468")
    assert code == 0 and "..." not in full


def test_import_label_images(cli, image_dir: Path, tmp_path: Path) -> None:  # noqa: ANN001
    cli("init", operator=None)
    bad = tmp_path / "bad.png"
    bad.write_text("not a png")
    code, out, _ = cli("import", str(image_dir), "--labels-from-folders")
    assert code == 0 and "Imported 8 image(s)" in out and "New defect types: dent, scratch" in out
    code, out, _ = cli("import", str(image_dir / "good"), str(bad), "--json")
    assert code == 1
    rep = json.loads(out)
    assert len(rep["duplicates"]) == 5 and rep["stored"] == []
    assert rep["refused"] == [{"path": str(bad), "reason": rep["refused"][0]["reason"]}]
    assert "not an image" in rep["refused"][0]["reason"]
    images = _json(cli, "images", operator=None)
    assert len(images) == 8 and {"id", "state", "defect_type", "sha256"} <= set(images[0])
    good = [i for i in images if i["state"] == "good"]
    assert len(good) == 5
    target = good[0]["id"]
    mask = np.zeros((32, 32), np.uint8)
    mask[2:6, 2:6] = 255
    Image.fromarray(mask).save(tmp_path / "mask.png")
    code, out, _ = cli("label", str(target), "--defective", "--type", "dent", "--severity",
                       "minor", "--mask", str(tmp_path / "mask.png"))
    assert code == 0 and "labelled defective (dent, minor, with mask)" in out
    Image.fromarray(np.zeros((32, 32), np.uint8)).save(tmp_path / "empty.png")
    code, out, _ = cli("label", str(good[1]["id"]), "--defective", "--type", "dent",
                       "--mask", str(tmp_path / "empty.png"))  # all black: said, not dropped
    assert code == 0 and "no defect region was stored" in out
    cli("label", str(good[1]["id"]), "--good")
    dents = _json(cli, "images", "--type", "dent", operator=None)
    assert {i["id"] for i in dents} >= {target}
    assert _json(cli, "images", "--state", "good", operator=None).__len__() == 4
    assert len(_json(cli, "images", "--limit", "3", operator=None)) == 3
    code, _, err = cli("label", str(target), "--good", "--type", "dent")
    assert code == 1 and "good image cannot" in err
    code, _, err = cli("label", "999", "--good")
    assert code == 1 and "no image with id 999" in err


def test_images_of_a_lot_or_serial_are_found_again(cli, image_dir: Path) -> None:  # noqa: ANN001
    """`import --lot/--serial` records them; `images --lot/--serial` lists those images."""
    cli("init", operator=None)
    assert cli("import", str(image_dir / "good"), "--lot", "L-7", "--serial", "S1")[0] == 0
    assert cli("import", str(image_dir / "scratch"), "--lot", "L-8")[0] == 0
    every = _json(cli, "images", operator=None)
    of_lot = _json(cli, "images", "--lot", "L-7", operator=None)
    assert of_lot and {i["lot"] for i in of_lot} == {"L-7"}
    assert len(of_lot) + len(_json(cli, "images", "--lot", "L-8", operator=None)) == len(every)
    assert [i["id"] for i in _json(cli, "images", "--serial", "S1", operator=None)] == [
        i["id"] for i in of_lot]
    assert _json(cli, "images", "--lot", "L-9", operator=None) == []


def test_output_with_a_file_name_that_is_not_utf8(cli, tmp_path: Path) -> None:  # noqa: ANN001
    """The name's raw byte cannot be written as UTF-8: the JSON is escaped ASCII that reads
    back as the very path (a script can still find the file), the text shows an escape."""
    import os

    folder = tmp_path / "share"
    folder.mkdir()
    try:  # Windows cannot even spell such a name (its file names are UTF-16)
        path = folder / os.fsdecode(b"caf\xe9.png")
        Image.fromarray(np.full((16, 16, 3), 90, np.uint8)).save(path, format="PNG")
    except (OSError, UnicodeError):
        pytest.skip("this file system refuses names that are not UTF-8")
    cli("init", operator=None)
    rep = _json(cli, "import", str(folder))
    assert [s["original_name"] for s in rep["stored"]] == ["caf\ufffd.png"]
    code, out, err = cli("import", str(path))
    assert code == 0, err
    assert "caf\\udce9.png" in out
    listed = _json(cli, "images", operator=None)
    assert listed[0]["original_name"] == "caf\ufffd.png"
    dup = _json(cli, "import", str(path))["duplicates"]
    assert Path(dup[0]["path"]) == path


def test_defect_types_and_settings(cli) -> None:  # noqa: ANN001
    cli("init", operator=None)
    assert _json(cli, "defect-types", "add", "crack", "--shortcut", "c") == {"name": "crack"}
    assert [t["name"] for t in _json(cli, "defect-types", "list", operator=None)] == ["crack"]
    assert _json(cli, "settings", "max_pixels", "2000000") == {"max_pixels": 2_000_000}
    assert _json(cli, "settings", operator=None)["max_pixels"] == 2_000_000
    code, _, err = cli("settings", "max_pixels", "abc")
    assert code == 1 and "whole number" in err


def test_errors_and_usage(cli, tmp_path) -> None:  # noqa: ANN001
    code, _, err = cli("images", operator=None)
    assert code == 1 and "no Inspector project" in err and "Traceback" not in err
    cli("init", operator=None)
    code, _, err = cli("import", str(tmp_path), operator=None)
    assert code == 1 and "no operator given" in err
    with pytest.raises(SystemExit) as exc:
        main(["label", "1"])
    assert exc.value.code == 2


def test_python_dash_m_help() -> None:
    proc = subprocess.run([sys.executable, "-m", "inspector", "import", "--help"],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0
    assert "--labels-from-folders" in proc.stdout and "Exit status" in proc.stdout


def test_json_output_never_holds_infinity_or_nan() -> None:
    """Other tools parse --json: a stray inf / nan (an old model's threshold) is null."""
    import math

    from inspector.cli.common import to_jsonable

    assert to_jsonable({"t": math.inf, "u": [math.nan, 1.5], "v": -math.inf}) == {
        "t": None, "u": [None, 1.5], "v": None}


def test_ids_with_too_many_digits_are_usage_errors(capsys) -> None:  # noqa: ANN001
    for argv in (["label", "99999999999999999999", "--good"],
                 ["model", "activate", "0"], ["audit", "--limit", "-3"]):
        with pytest.raises(SystemExit) as info:
            main(argv)
        assert info.value.code == 2, argv
        assert "whole number" in capsys.readouterr().err


def test_an_error_after_progress_gets_its_own_line(capsys, monkeypatch) -> None:  # noqa: ANN001
    from types import SimpleNamespace

    from inspector.cli.common import end_progress_line, print_progress

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)  # a terminal: one \r line
    print_progress(SimpleNamespace(fraction=0.4, message="Importing a.png"))
    end_progress_line()
    end_progress_line()  # only once
    err = capsys.readouterr().err
    assert err.endswith("\n") and not err.endswith("\n\n")


def test_progress_into_a_log_file_is_a_line_per_ten_percent(capsys, monkeypatch) -> None:  # noqa: ANN001
    """A scheduled job's log is not a terminal: carriage returns there pile up into one
    endless line, so each 10 % step gets a plain line and the rest are left out."""
    from types import SimpleNamespace

    from inspector.cli.common import print_progress

    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    for job in ("Importing", "Checking"):
        for i in range(101):
            print_progress(SimpleNamespace(fraction=i / 100, message=f"{job} {i}"))
    lines = capsys.readouterr().err.splitlines()
    assert "\r" not in "".join(lines)
    assert lines[:3] == ["  0% Importing 0", " 10% Importing 10", " 20% Importing 20"]
    assert lines[10:13] == ["100% Importing 100", "  0% Checking 0", " 10% Checking 10"]
    assert len(lines) == 22


def test_a_busy_project_is_a_message_not_an_internal_error(cli, monkeypatch) -> None:  # noqa: ANN001
    import sqlite3

    from sqlalchemy.exc import OperationalError

    assert cli("init", operator=None)[0] == 0

    def locked(*_a, **_k):  # noqa: ANN002, ANN003, ANN202
        raise OperationalError("SELECT", {}, sqlite3.OperationalError("database is locked"))

    monkeypatch.setattr("inspector.services.labeling.list_images", locked)
    code, _, err = cli("images")
    assert code == 1 and "the project is busy" in err and "Traceback" not in err


def test_ctrl_c_says_interrupted_and_a_cancel_says_cancelled(cli, monkeypatch) -> None:  # noqa: ANN001
    """Ctrl+C can land after a step was saved, so it is not reported as undone."""
    from inspector.errors import Cancelled

    assert cli("init", operator=None)[0] == 0
    for exc, word in ((KeyboardInterrupt(), "interrupted"), (Cancelled(), "cancelled")):
        def stop(*_a, exc=exc, **_k):  # noqa: ANN002, ANN003, ANN202
            raise exc

        monkeypatch.setattr("inspector.services.labeling.list_images", stop)
        code, _, err = cli("images")
        assert code == 130 and err.strip().startswith(word), err


def test_station_option_is_recorded(cli, image_dir: Path, monkeypatch) -> None:  # noqa: ANN001
    assert cli("init", "--admin", "admin", operator=None)[0] == 0
    monkeypatch.setenv("INSPECTOR_STATION", "from the environment")
    assert cli("import", str(image_dir / "good" / "g0.png"), "--station", "Line 2")[0] == 0
    assert cli("import", str(image_dir / "good" / "g1.png"))[0] == 0
    stations = {img["original_name"]: img["station"] for img in _json(cli, "images")}
    assert stations == {"g0.png": "Line 2", "g1.png": "from the environment"}


def test_internal_error_names_the_log_file(cli, monkeypatch) -> None:  # noqa: ANN001
    """Exit 3 said "details in the log file" without saying where that file is."""
    from inspector.cli import cmd_images
    from inspector.logging_setup import log_dir

    def boom(args) -> int:  # noqa: ANN001
        raise RuntimeError("a bug")

    monkeypatch.setattr(cmd_images, "run_images", boom)
    code, _, err = cli("images", operator=None)
    assert code == 3
    assert str(log_dir() / "inspector.log") in err
    assert "a bug" in (log_dir() / "inspector.log").read_text(encoding="utf-8")


def test_without_a_log_file_only_warnings_reach_the_terminal(tmp_path, monkeypatch,  # noqa: ANN001
                                                             capsys) -> None:
    """An unwritable log folder: the INFO lines meant for the file (database upgrades,
    every import) must not bury the command's output; warnings still show."""
    import logging

    from inspector import logging_setup

    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the log folder should be")
    monkeypatch.setenv("INSPECTOR_LOG_DIR", str(blocked / "logs"))
    monkeypatch.setattr(logging_setup, "_configured", False)
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])
    monkeypatch.setattr(root, "level", root.level)
    assert logging_setup.setup_logging() is None
    logging.getLogger("alembic.runtime.migration").info("Running upgrade 0003 -> 0004")
    logging.getLogger("inspector.test").warning("disk nearly full")
    err = capsys.readouterr().err
    assert "cannot write log file" in err and "disk nearly full" in err
    assert "Running upgrade" not in err


def test_an_ordinary_start_leaves_the_log_quiet(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    """Alembic listed its plugins at every start, 7 lines a call: on a station scripted
    to call the CLI per part, 15,000 calls filled the rotated log and real warnings went."""
    import logging

    from inspector import logging_setup

    monkeypatch.setenv("INSPECTOR_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.setattr(logging_setup, "_configured", False)
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])
    monkeypatch.setattr(root, "level", root.level)
    path = logging_setup.setup_logging()
    try:
        logging.getLogger("alembic.runtime.plugins").info("setup plugin alembic.x")
        logging.getLogger("alembic.runtime.migration").info("Running upgrade 0003 -> 0004")
    finally:
        for handler in root.handlers:
            handler.close()
        logging.getLogger("alembic.runtime.plugins").setLevel(logging.NOTSET)
    text = path.read_text(encoding="utf-8")
    assert "setup plugin" not in text and "Running upgrade 0003 -> 0004" in text


def test_a_failed_json_command_still_writes_json(cli) -> None:  # noqa: ANN001
    """A script reading --json output got an empty stdout on an error and failed to parse
    it; now it gets the error and the exit code, and stderr still has the message."""
    assert cli("init", "--admin", "admin", operator=None)[0] == 0
    code, out, err = cli("inspect", "part.png", "--json")
    assert code == 1 and "No active model" in err
    assert json.loads(out) == {"error": err.strip().removeprefix("error: "), "exit_code": 1}
    code, out, _ = cli("inspect", "part.png")  # without --json: stdout stays empty
    assert code == 1 and out == ""


def test_an_error_after_the_json_document_adds_no_second_one(capsys) -> None:  # noqa: ANN001
    from argparse import Namespace

    from inspector.cli.common import emit, emit_error, new_run

    args = Namespace(json=True)
    new_run()
    emit(args, {"verdicts": []}, "")
    emit_error(args, "error: disk full", 1)
    out = capsys.readouterr()
    assert json.loads(out.out) == {"verdicts": []} and "disk full" in out.err
    new_run()  # the next command starts afresh
    emit_error(args, "cancelled", 130)
    assert json.loads(capsys.readouterr().out) == {"error": "cancelled", "exit_code": 130}


def test_import_of_12_bit_pictures_points_at_the_setting(cli, tmp_path) -> None:  # noqa: ANN001
    import cv2
    import numpy as np

    assert cli("init", "--admin", "admin", operator=None)[0] == 0
    ramp = np.linspace(0, 4095, 64 * 64).reshape(64, 64).astype(np.uint16)
    cv2.imwrite(str(tmp_path / "deep.png"), ramp)
    code, out, _ = cli("import", str(tmp_path / "deep.png"))
    assert code == 0 and "Note: 1 16-bit picture(s) use only 12 bits" in out
    code, out, _ = cli("settings", "sensor_bits", "12")
    assert code == 0 and out.splitlines()[0] == "sensor_bits = 12" and "retrain" in out
    code, out, _ = cli("settings", "target_false_reject_rate", "0.02")
    assert code == 0 and "next training" in out
    cv2.imwrite(str(tmp_path / "deep2.png"), ramp // 3)
    code, out, _ = cli("import", str(tmp_path / "deep2.png"), "--json")
    assert code == 0 and json.loads(out)["notes"] == []


def test_every_setting_is_named_in_the_help_and_the_readme() -> None:
    """A setting nobody can find is a setting nobody uses: `settings --help` and the
    README's table name each one this version knows."""
    from inspector.cli.cmd_project import SETTINGS_HELP
    from inspector.services.settings_rules import DEFAULT_SETTINGS, VALIDATORS

    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    for key in set(VALIDATORS) | set(DEFAULT_SETTINGS):
        assert f"\n  {key} " in SETTINGS_HELP, key
        assert f"| `{key}` |" in readme, key


def test_json_records_keep_their_keys_when_they_hold_arrays() -> None:
    """A batch's last inspection still holds its heat map in memory: its JSON object
    lacked "heatmap" and "overlay" while every other one had them as null."""
    import dataclasses

    import numpy as np

    from inspector.cli.common import to_jsonable

    @dataclasses.dataclass
    class Rec:
        score: float
        heatmap: object = None

    rows = to_jsonable([Rec(1.0, np.zeros(3)), Rec(2.0)])
    assert rows == [{"score": 1.0, "heatmap": None}, {"score": 2.0, "heatmap": None}]


def test_benchmark_json_to_a_missing_folder_is_said_before_the_run(tmp_path, capsys) -> None:
    """It was found after the whole benchmark, as an internal error (exit 3)."""
    code = main(["benchmark", str(tmp_path), "--json", str(tmp_path / "no" / "out.json")])
    assert code == 1 and "folder does not exist" in capsys.readouterr().err
