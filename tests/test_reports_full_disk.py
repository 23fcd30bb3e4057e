"""A disk that fills while a report is written: a clear "the disk is full", no
traceback noise, no half-written file, the old report kept. /dev/full gives the real
ENOSPC of a full disk on every write; the export's temporary file is made a link to it."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from pathlib import Path

import pytest
from reports_data import make_db

from inspector.errors import UserError
from inspector.reports import ReportFilters
from inspector.reports import output as output_module
from inspector.reports.pdf_export import export_pdf
from inspector.reports.xlsx_export import export_xlsx

MARCH = ReportFilters.for_days(dt.date(2024, 3, 1), dt.date(2024, 3, 31), tz="Europe/Berlin")
pytestmark = pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")


@pytest.mark.parametrize("export", [export_pdf, export_xlsx], ids=["pdf", "xlsx"])
def test_a_full_disk_mid_export_is_a_clear_error_and_keeps_the_old_report(
        export, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd) -> None:  # noqa: ANN001
    db = make_db(tmp_path / "r.db")
    out = tmp_path / "report.out"
    out.write_bytes(b"yesterday's report")
    fixed = uuid.UUID(int=0xF011)
    monkeypatch.setattr(output_module.uuid, "uuid4", lambda: fixed)
    monkeypatch.setattr(output_module, "STALE_SECONDS", float("inf"))  # /dev/full is old
    tmp = out.with_name(f".{out.name}.{fixed.hex[:8]}.tmp")
    tmp.symlink_to("/dev/full")
    try:
        with pytest.raises(UserError, match="the disk is full"):
            export(db, MARCH, out)
        import gc

        gc.collect()  # a library object left open would complain as it goes
    finally:
        db.dispose()
    assert out.read_bytes() == b"yesterday's report"
    assert not tmp.exists() and not tmp.is_symlink()
    assert "Exception ignored" not in capfd.readouterr().err
