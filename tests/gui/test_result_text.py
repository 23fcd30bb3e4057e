"""What the Inspect and History pages say about a result's defect type."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from inspector.services.results import InspectionInfo

pytestmark = pytest.mark.gui


def _info(**kw: object) -> InspectionInfo:
    base = dict(id=1, image_id=1, image_name="a.png", model_version=1, score=40.0,
                threshold=20.0, verdict="ng", final_verdict="ng", severity="major",
                defect_type="scratch", type_confidence=0.83, heatmap_path=None,
                operator="op", station=None, product=None,
                inspected_at=dt.datetime(2026, 11, 27, tzinfo=dt.UTC),
                duration_ms=None)
    return InspectionInfo(**{**base, **kw})


def test_the_type_is_shown_with_its_confidence_when_there_was_a_choice() -> None:
    """Issue #3 asks for the type with a confidence; the pages showed only the name."""
    from ui.pages.inspect_page import result_detail

    info = _info()
    assert info.type_text == "scratch (83%)"
    assert result_detail(info) == "score 40 / threshold 20 · severity major · scratch (83%)"
    only_type = dataclasses.replace(info, type_confidence=None)  # one type labelled
    assert result_detail(only_type).endswith("severity major · scratch")
    assert dataclasses.replace(info, defect_type=None).type_text is None


def test_a_batch_names_its_unfamiliar_parts_and_the_files_it_skipped() -> None:
    """"1 unlike the training images" without a name sent people looking at the camera
    for a part they could not find; a notes.txt in the folder was skipped without a word."""
    from inspector.services.inspection import BatchInspection
    from ui.inspect_work import batch_summary

    batch = BatchInspection(
        inspections=[_info(), _info(id=2, image_name="013.png", unfamiliar=True)],
        ignored=["/line/parts/notes.txt"])
    text = batch_summary(batch)
    assert "1 unlike the training images (013.png: check the setup" in text
    assert "1 other file(s) there are not pictures and were skipped: notes.txt" in text

