"""The train / inspect / model / demo commands, run in-process like a user would."""

from __future__ import annotations

import datetime as dt
import json
import re

from engine_fixtures import write_parts, write_sample_tree
from interrupts import ctrl_c_at
from PIL import Image

from inspector.cli.main import main


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def _project_with_goods(tmp_path, capsys, monkeypatch) -> None:  # noqa: ANN001
    """A new project (admin 'admin', set in the environment) with six good parts."""
    monkeypatch.setenv("INSPECTOR_PROJECT", str(tmp_path / "proj"))
    monkeypatch.setenv("INSPECTOR_OPERATOR", "admin")
    assert _run(capsys, "init", "--admin", "admin")[0] == 0
    write_parts(tmp_path / "data" / "good", 6, 0)
    assert _run(capsys, "import", str(tmp_path / "data"), "--labels-from-folders")[0] == 0


def test_cli_train_inspect_and_models(tmp_path, capsys, monkeypatch):
    _project_with_goods(tmp_path, capsys, monkeypatch)
    code, out, err = _run(capsys, "train", "--preset", "fast", "--json")
    assert code == 0, err
    model = json.loads(out)
    assert model["version"] == 1 and model["active"] is True
    # the warnings the text shows (6 goods: a rough threshold) reach scripts too
    assert any("rough guess" in w for w in model["warnings"])

    bad = write_parts(tmp_path / "new" / "bad", 1, 700, defect=True)
    good = write_parts(tmp_path / "new" / "good", 1, 101)
    code, out, err = _run(capsys, "inspect", str(bad[0]), str(good[0]), "--json")
    assert code == 0, err
    results = {r["image_name"]: r for r in json.loads(out)["inspections"]}
    assert results[bad[0].name]["verdict"] == "ng"
    assert results[bad[0].name]["score"] > results[good[0].name]["score"]

    # A copy of a known part under a serial-number name, and a file too small to inspect:
    # results come in the order given, each naming the file it was given; the tiny one is
    # refused (exit 1) and the rest are still inspected.
    serial = tmp_path / "new" / "part_SN123.png"
    serial.write_bytes(good[0].read_bytes())
    tiny = tmp_path / "new" / "tiny.png"
    Image.new("RGB", (1, 1)).save(tiny)
    code, out, err = _run(capsys, "inspect", str(bad[0]), str(tiny), str(serial), "--json")
    assert code == 1, err
    data = json.loads(out)
    assert [r["file"] for r in data["inspections"]] == [str(bad[0]), str(serial)]
    assert data["inspections"][1]["image_id"] == results[good[0].name]["image_id"]
    assert data["refused"] == [{"path": str(tiny), "reason": data["refused"][0]["reason"]}]
    assert "too small" in data["refused"][0]["reason"]
    code, out, _ = _run(capsys, "inspect", str(serial))
    assert "part_SN123.png" in out

    code, out, _ = _run(capsys, "model", "list", "--json")
    assert code == 0 and [m["version"] for m in json.loads(out)] == [1]
    listed = _run(capsys, "model", "list")[1]
    assert "Since model" not in listed
    trained = json.loads(_run(capsys, "model", "list", "--json")[1])[0]["trained_at"]
    local = dt.datetime.fromisoformat(trained).astimezone()  # local time, zone said
    assert f"{local:%Y-%m-%d %H:%M %Z}" in listed
    # An inspected part labelled afterwards: the list says a retrain would use it.
    assert _run(capsys, "label", str(results[bad[0].name]["image_id"]), "--defective")[0] == 0
    code, out, _ = _run(capsys, "model", "list")
    assert code == 0 and ("Since model v1 was trained: 1 new defective image. "
                          "Retrain to use them.") in out
    code, out, _ = _run(capsys, "model", "list", "--json")  # a line controller reads this
    since = json.loads(out)[0]["labelled_since"]
    assert since["defective"] == 1 and since["text"].startswith("Since model v1 was trained")

    # Roll back: a second version becomes active, `model activate 1` brings back the
    # first, and the next inspection is judged by it.
    assert json.loads(_run(capsys, "train", "--preset", "fast", "--json")[1])["version"] == 2
    code, out, err = _run(capsys, "model", "activate", "1")
    assert code == 0 and "model version 1 is now active" in out, err
    code, out, _ = _run(capsys, "model", "list", "--json")
    assert {m["version"]: m["active"] for m in json.loads(out)} == {1: True, 2: False}
    code, out, _ = _run(capsys, "inspect", str(bad[0]), "--json")
    assert json.loads(out)["inspections"][0]["model_version"] == 1

    # Before activating v2 again: what would it change on the parts inspected so far?
    code, out, err = _run(capsys, "model", "compare", "2", "--json")
    assert code == 0, err
    compared = json.loads(out)
    assert compared["version"] == 2 and compared["parts"] == 2  # the SN123 copy is good[0]
    assert compared["agree"] + len(compared["newly_rejected"]) + len(
        compared["newly_passed"]) + len(compared["other_changes"]) == 2
    code, out, _ = _run(capsys, "model", "compare", "2", "--parts", "1")
    assert code == 0 and out.startswith("v2 on the last 1 inspected part(s) of all products")


def test_cli_inspect_without_model_is_a_clear_user_error(tmp_path, capsys, monkeypatch):
    proj = tmp_path / "proj"
    monkeypatch.setenv("INSPECTOR_PROJECT", str(proj))
    monkeypatch.setenv("INSPECTOR_OPERATOR", "admin")
    _run(capsys, "init")
    img = write_parts(tmp_path / "x", 1, 0)[0]
    code, _, err = _run(capsys, "inspect", str(img))
    assert code == 1
    assert "No active model" in err and "Traceback" not in err


def test_cli_operator_cannot_activate(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("INSPECTOR_PROJECT", str(tmp_path / "proj"))
    _run(capsys, "init", "--admin", "root")
    _run(capsys, "operators", "add", "olga", "--role", "operator", "--operator", "root")
    code, _, err = _run(capsys, "model", "activate", "1", "--operator", "olga")
    assert code == 1 and "may not" in err


def test_demo_runs_end_to_end_on_a_sample_tree(tmp_path, capsys):
    samples = write_sample_tree(tmp_path / "samples")
    code, out, err = _run(capsys, "demo", "--samples", str(samples), "--preset", "fast",
                          "--project", str(tmp_path / "demo"), "--json")
    assert code == 0, err
    data = json.loads(out)
    summary = data["summary"]
    assert summary["inspected"] == 4 and summary["defects"] == 2
    assert summary["defects_caught"] == 2


def test_version_names_app_and_model_file_format(capsys):
    import pytest

    import inspector
    from inspector.engine.modelfile import FORMAT_VERSION

    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert f"Inspector {inspector.__version__}" in out
    assert f"model file format {FORMAT_VERSION}" in out


def test_inspecting_an_empty_folder_is_a_clear_user_error(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("INSPECTOR_PROJECT", str(tmp_path / "proj"))
    monkeypatch.setenv("INSPECTOR_OPERATOR", "admin")
    _run(capsys, "init")
    write_parts(tmp_path / "data" / "good", 3, 0)
    write_parts(tmp_path / "data" / "scratch", 1, 600, defect=True)
    _run(capsys, "import", str(tmp_path / "data"), "--labels-from-folders")
    code, out, _ = _run(capsys, "train", "--preset", "fast")
    assert code == 0 and "local density: o" in out  # the training's own choice, shown
    assert "synthetic defect patches in the defect bank:" in out
    # what training measured on held-out data, as percentages (none were printed: the
    # command looked for metric names the engine never wrote)
    for label in ("false-reject rate (held-out good images)", "synthetic defects caught",
                  "labelled defects caught (each left out in turn)"):
        assert re.search(rf"  {re.escape(label)}: \d+\.\d%\n", out), (label, out)
    assert re.search(r"training took \d+\.\d s", out)
    # An operator's model waits for a QA lead, who is pointed at the comparison first.
    _run(capsys, "operators", "add", "olga", "--role", "operator")
    code, out, err = _run(capsys, "train", "--preset", "fast", "--operator", "olga")
    assert code == 0, err
    assert "active: no (a QA lead activates it; `inspector model compare 2` shows" in out
    (tmp_path / "empty").mkdir()
    code, _, err = _run(capsys, "inspect", str(tmp_path / "empty"))
    assert code == 1 and "No image files" in err
    code, out, _ = _run(capsys, "import", str(tmp_path / "empty"))
    assert code == 0 and "No image files" in out
    # Files of other types in a folder are not judged, and the output says so
    Image.new("RGB", (16, 16)).save(tmp_path / "empty" / "part_7.gif")
    code, _, err = _run(capsys, "inspect", str(tmp_path / "empty"))
    assert code == 1 and "1 other file(s) there, such as part_7.gif" in err
    mixed = tmp_path / "mixed"
    (png,) = write_parts(mixed, 1, 50)
    Image.new("RGB", (16, 16)).save(mixed / "part_8.gif")
    (mixed / "notes.txt").write_text("shift log")
    code, out, err = _run(capsys, "inspect", str(mixed), "--json")
    assert code == 0, err
    data = json.loads(out)
    assert [r["file"] for r in data["inspections"]] == [str(png)]
    assert data["ignored"] == [str(mixed / "notes.txt"), str(mixed / "part_8.gif")]
    code, out, _ = _run(capsys, "inspect", str(mixed))
    assert "2 other file(s) in the folders are not images" in out
    assert data["notes"] == [] and "Note:" not in out
    import cv2
    import numpy as np

    deep = tmp_path / "deep.tif"  # a 12-bit camera's 16-bit file: judged, and pointed out
    cv2.imwrite(str(deep), np.full((64, 64), 1500, np.uint16))
    code, out, _ = _run(capsys, "inspect", str(deep), "--json")
    assert json.loads(out)["notes"][0].startswith("1 16-bit picture(s) use only 11 bits")


def test_cancelled_sample_project_leaves_nothing_behind(tmp_path):
    import pytest

    from inspector.errors import Cancelled
    from inspector.progress import CancelToken
    from inspector.services.sample import open_or_create_sample_project

    samples = write_sample_tree(tmp_path / "samples")
    root = tmp_path / "data" / "sample"
    token = CancelToken()

    def progress(p):
        if p.fraction > 0.3:
            token.cancel()

    with pytest.raises(Cancelled):
        open_or_create_sample_project(root, preset="fast", samples=samples,
                                      progress=progress, cancel=token)
    assert not root.exists()
    assert list((tmp_path / "data").iterdir()) == []
    project = open_or_create_sample_project(root, preset="fast", samples=samples)
    try:
        from inspector.services.models import list_models

        assert [m.active for m in list_models(project)] == [True]
    finally:
        project.close()


def test_the_demo_names_the_command_as_it_can_be_typed(monkeypatch) -> None:
    """After `bash run.sh` the CLI is .venv/bin/inspector, not on the PATH: the demo's
    "Explore it: inspector images …" failed when typed."""
    from inspector.cli.cmd_demo import _command

    monkeypatch.setattr("shutil.which", lambda _name: None)
    monkeypatch.setattr("sys.argv", ["/opt/line 1/.venv/bin/inspector", "demo"])
    assert _command() == "'/opt/line 1/.venv/bin/inspector'"
    monkeypatch.setattr("shutil.which", lambda name: f"/usr/bin/{name}")
    assert _command() == "inspector"
    # the packaged app: `Inspector images` started the GUI with a bad argument
    monkeypatch.setattr("sys.frozen", True, raising=False)
    monkeypatch.setattr("sys.executable", "/opt/Inspector/Inspector")
    assert _command() == "/opt/Inspector/Inspector cli"


def test_demo_at_a_line_station_prints_a_command_that_opens_it(tmp_path, capsys, monkeypatch):
    """With $INSPECTOR_DATABASE_URL set (a station of a line), the demo still keeps its own
    inspector.db, and the command it suggests must say so to be accepted."""
    monkeypatch.setenv("INSPECTOR_DATABASE_URL", "postgresql+psycopg://nobody@/line1")
    monkeypatch.setattr("shutil.which", lambda name: f"/usr/bin/{name}")  # on the PATH
    samples = write_sample_tree(tmp_path / "samples")
    root = tmp_path / "demo"
    code, out, err = _run(capsys, "demo", "--samples", str(samples), "--preset", "fast",
                          "--project", str(root))
    assert code == 0, err
    suggested = out.strip().splitlines()[-1].split("Explore it: inspector ")[1]
    assert suggested.endswith("--database-url ''")
    assert (root / "inspector.db").is_file()
    args = [a.strip("'") for a in suggested.split()]
    code, out, err = _run(capsys, *args)
    assert code == 0, err


def test_a_file_name_with_a_line_break_stays_on_one_result_line(tmp_path) -> None:
    """A line break in a file name split the result line in two."""
    from inspector.cli.cmd_inspect import _shown

    assert _shown(tmp_path / "part\n7.png") == str(tmp_path / "part?7.png")


def test_ctrl_c_in_a_batch_still_prints_the_parts_judged(tmp_path, capsys, monkeypatch):
    """Ctrl+C during a long `inspect` recorded the parts judged so far but printed none of
    them: a script stopping a run could not tell which parts had been judged."""
    from inspector.services import inspection

    _project_with_goods(tmp_path, capsys, monkeypatch)
    assert _run(capsys, "train", "--preset", "fast")[0] == 0
    parts = write_parts(tmp_path / "new", 4, 300)
    calls = ctrl_c_at(monkeypatch, inspection, "inspect_image", 3)
    code, out, err = _run(capsys, "inspect", *map(str, parts), "--json")
    data = json.loads(out)
    assert code == 130 and err.startswith("interrupted")
    assert [r["file"] for r in data["inspections"]] == [str(p) for p in parts[:2]]
    assert data["interrupted"] is True and data["not_inspected"] == [str(p) for p in parts[2:]]
    calls.clear()
    code, out, _ = _run(capsys, "inspect", *map(str, parts))
    assert code == 130 and parts[1].name in out and parts[2].name in out
    assert "Interrupted: 2 file(s) were not inspected" in out


def test_label_notes_a_mask_that_marks_almost_the_whole_picture(tmp_path, capsys, monkeypatch):  # noqa: ANN001
    """An inverted mask (defects black) marked the whole part as defect without a word."""
    _project_with_goods(tmp_path, capsys, monkeypatch)
    mask = tmp_path / "inverted.png"
    Image.new("L", (128, 128), 255).save(mask)
    code, out, err = _run(capsys, "label", "1", "--defective", "--mask", str(mask))
    assert code == 0, err
    assert "marks 100% of the picture" in out and "invert" in out
