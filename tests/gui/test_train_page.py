"""Train page before any model: counts, the fewer-than-5-good warning, synthetic examples."""

from __future__ import annotations

import pytest
from engine_fixtures import write_parts
from gui_helpers import sign_in_as

from inspector.services.importing import import_paths

pytestmark = pytest.mark.gui


def test_warns_below_five_good_and_shows_synthetic_examples(window, project, admin, tmp_path,
                                                            qtbot, dialogs) -> None:  # noqa: ANN001
    write_parts(tmp_path / "data" / "good", 3, 0, size=64)
    import_paths(project, admin, [tmp_path / "data"], labels_from_folders=True)
    sign_in_as(window, "admin")
    assert window.show_page("train")
    page = window.pages["train"]
    assert "3</b> good" in page.summary.text()
    assert "at least 5" in page.warnings.text()
    assert "No model yet" in page.models.metrics.text()
    job = page.load_examples()
    with qtbot.waitSignal(job.done, timeout=30_000):
        pass
    assert dialogs == []
    assert page.examples_row.count() == 6
