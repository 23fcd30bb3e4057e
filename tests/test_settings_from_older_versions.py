"""Settings an older Inspector stored before today's rules existed (overlapping or
nameless shifts, "2%" as a rate, a rate of 0.001 %): after an upgrade they stopped every
report and made training an internal error. They count as not set, and are named."""

from __future__ import annotations

import json

import pytest
from reports_data import SPECS, insert_specs

from inspector.cli.main import main
from inspector.services.integrity import check_project
from inspector.services.training import calibration_config
from inspector.store.models import Setting, utcnow

OLD_VALUES = {
    "report_shifts": "day=06:00-18:00,night=18:00-06:00,inspection=08:00-09:00",
    "target_false_reject_rate": "2%",
    "uncertain_false_reject_rate": 1e-05,
    "gui_idle_signout_minutes": "10",  # fine: read as 10
}


@pytest.fixture
def upgraded(project):  # noqa: ANN001, ANN201
    """A project whose settings were written by an older version, as it stored them."""
    insert_specs(project.db, SPECS)
    with project.db.session() as s:
        for key, value in OLD_VALUES.items():
            s.add(Setting(key=key, value=value, updated_at=utcnow()))
    return project


def test_a_refused_value_reads_as_the_default_and_is_named(upgraded) -> None:  # noqa: ANN001
    project = upgraded
    assert project.get_setting("report_shifts").startswith("early=06:00-14:00")
    assert project.get_setting("target_false_reject_rate") == 0.01
    assert project.get_setting("uncertain_false_reject_rate") is None
    assert project.get_setting("gui_idle_signout_minutes") == 10
    problems = project.setting_problems()
    assert sorted(problems) == ["report_shifts", "target_false_reject_rate",
                                "uncertain_false_reject_rate"]
    assert "'day' and 'inspection' overlap" in problems["report_shifts"]
    assert '"2%"' in problems["target_false_reject_rate"]
    assert "default 0.01 is used" in problems["target_false_reject_rate"]
    settings = project.all_settings()
    assert settings["target_false_reject_rate"] == 0.01
    assert settings["gui_idle_signout_minutes"] == 10


def test_training_uses_the_default_rate_instead_of_failing(upgraded, admin) -> None:  # noqa: ANN001
    config = calibration_config(upgraded, "fast")
    assert config.target_frr == 0.01 and config.uncertain_frr is None


def test_check_names_the_refused_settings(upgraded, admin) -> None:  # noqa: ANN001
    rep = check_project(upgraded, admin)
    assert {p.what for p in rep.problems if p.kind == "setting"} == {
        "report_shifts", "target_false_reject_rate", "uncertain_false_reject_rate"}


def test_reports_still_run_with_a_warning(upgraded, capsys) -> None:  # noqa: ANN001
    code = main(["report", "--project", str(upgraded.root), "--operator", "admin",
                 "--from", "2024-03-01", "--to", "2024-03-31", "--tz", "Europe/Berlin", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "warning: setting report_shifts" in err and "overlap" in err
    shifts = {g["name"] for g in json.loads(out)["per_shift"]}
    assert shifts and shifts <= {"early", "late", "night"}


def test_settings_lists_the_default_and_warns(upgraded, capsys) -> None:  # noqa: ANN001
    code = main(["settings", "--project", str(upgraded.root), "--json"])
    out, err = capsys.readouterr()
    assert code == 0
    assert json.loads(out)["target_false_reject_rate"] == 0.01
    assert "warning: setting target_false_reject_rate" in err
    main(["settings", "target_false_reject_rate", "0.02", "--project", str(upgraded.root),
          "--operator", "admin"])  # set again: the warning goes
    capsys.readouterr()
    main(["settings", "target_false_reject_rate", "--project", str(upgraded.root)])
    out, err = capsys.readouterr()
    assert "0.02" in out and "warning" not in err


def test_a_key_only_an_older_version_knew_is_said_as_such_and_removed(project, capsys) -> None:  # noqa: ANN001
    """`settings line_name` printed "line_name = null" for a stored "Line 3", and its
    removal printed the same."""
    with project.db.session() as s:
        s.add(Setting(key="line_name", value="Line 3", updated_at=utcnow()))
    where = ["--project", str(project.root)]
    assert main(["settings", "line_name", *where]) == 1
    assert "an older one stored it" in capsys.readouterr().err
    assert main(["settings", "line_name", "null", *where, "--operator", "admin"]) == 0
    assert "line_name removed" in capsys.readouterr().out
    assert main(["settings", "lnie_name", *where]) == 1  # a typo: no such setting
    err = capsys.readouterr().err
    assert "not a setting" in err and "older one" not in err and "max_pixels" in err


def test_a_refused_value_is_logged_once_not_at_every_read(upgraded, caplog) -> None:  # noqa: ANN001
    """severity_bands is read at every inspection: a line per part filled the log."""
    with upgraded.db.session() as s:
        s.add(Setting(key="severity_bands", value={"major_ratio": "much"}, updated_at=utcnow()))
    for _ in range(5):
        assert upgraded.get_setting("severity_bands") is None
    assert sum("severity_bands" in r.getMessage() for r in caplog.records) == 1


def test_sensor_bits_is_never_read_as_the_default(project, admin) -> None:  # noqa: ANN001
    """11 bits stored (a newer version on the shared database?): reading 16-bit pictures
    as 16 bits instead would change every verdict without a word, so they are refused."""
    from inspector.errors import UserError
    from inspector.services.sensor_depth import sensor_bits

    with project.db.session() as s:
        s.merge(Setting(key="sensor_bits", value=11, updated_at=utcnow()))
    with pytest.raises(UserError, match="sensor_bits holds 11"):
        sensor_bits(project)
    assert "16-bit pictures are refused until" in project.setting_problems()["sensor_bits"]
