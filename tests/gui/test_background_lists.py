"""Long listings are read off the GUI thread: a History search scans every inspection's
name (0.85 s at 150,000 inspections), and "Show older" on the Label page re-lists up to
tens of thousands of images (1-2 s). Both froze the window under the operator's hands. A
read that fails leaves the page as it was, ready for another try."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from gui_helpers import sign_in_as

from inspector.errors import UserError
from inspector.services.importing import import_array
from inspector.store.models import Inspection, utcnow

pytestmark = pytest.mark.gui


def test_history_search_reads_in_the_background(window, project, admin, qtbot,  # noqa: ANN001
                                                monkeypatch) -> None:
    from ui.pages import history_page

    for n, name in enumerate(("bolt-17.png", "nut-3.png", "bolt-18.png")):
        image = import_array(project, admin, np.full((16, 16, 3), n, np.uint8),
                             source="camera", name=name)
        with project.db.session() as s:
            s.add(Inspection(image_id=image.id, score=1.0, threshold=2.0, verdict="ok",
                             inspected_at=utcnow()))
    threads: list[bool] = []
    real = history_page.query_page

    def recorded(*args):  # noqa: ANN002, ANN202
        threads.append(threading.current_thread() is threading.main_thread())
        return real(*args)

    sign_in_as(window, "admin")
    assert window.show_page("history")
    page = window.pages["history"]
    assert page.table.rowCount() == 3
    monkeypatch.setattr(history_page, "query_page", recorded)
    page.search.setText("bolt")
    qtbot.waitUntil(lambda: page.table.rowCount() == 2, timeout=5000)
    assert threads and not any(threads)  # read in a worker, never on the GUI thread
    assert {r.image_name for r in page.results} == {"bolt-17.png", "bolt-18.png"}

    def busy(*_args):  # noqa: ANN002, ANN202
        raise UserError("the database is busy")

    monkeypatch.setattr(history_page, "query_page", busy)
    page.search.setText("nut")
    qtbot.waitUntil(lambda: "Searching" not in page.count_label.text(), timeout=5000)
    assert page.table.rowCount() == 2  # what was shown stays, and says what it is


def test_show_older_that_fails_can_be_tried_again(label_page, qtbot, monkeypatch) -> None:  # noqa: ANN001
    """A failed read left the button off and "Listing older images…" for good."""
    from ui import label_listing
    from ui.pages import label_page as module

    page = label_page
    monkeypatch.setattr(module, "PAGE", 3)
    page.state_filter.setCurrentText("good")
    page.state_filter.setCurrentText(module.ANY)
    assert page.older_label.text() == "Newest 3 of 7"

    def busy(*_args):  # noqa: ANN002, ANN202
        raise UserError("the database is busy")

    monkeypatch.setattr(module, "query_listing", busy)
    page.older_button.click()
    qtbot.waitUntil(page.older_button.isEnabled, timeout=5000)
    assert page.older_label.text() == "Newest 3 of 7" and page.limit == 3
    monkeypatch.setattr(module, "query_listing", label_listing.query_listing)
    page.older_button.click()
    qtbot.waitUntil(lambda: len(page.model.images) == 6, timeout=5000)


def test_the_counts_never_name_one_product_with_anothers_numbers(label_page, qtbot,  # noqa: ANN001
                                                                 project, admin) -> None:
    """Counted in the background: while training held the workers, the title named the
    old filter's numbers under the new product."""
    from inspector.services import products

    products.add_product(project, admin, "nut")
    page = label_page
    page._reload_products()
    page.counting.request = lambda: None  # the workers are busy (training)
    page.product_filter.setCurrentText("nut")
    assert page.counts.text() == "nut: counting…"
    del page.counting.request  # free again
    page.reload_images()
    qtbot.waitUntil(lambda: page.counts.text().startswith("nut: 0 good"), timeout=5000)


def test_the_label_page_s_first_listing_is_read_in_the_background(
        window, project, admin, qtbot, monkeypatch) -> None:  # noqa: ANN001
    """A QA lead's sign-in lands on Label: its first listing ran on the GUI thread, 0.1 s
    at 150,000 images and 0.5 s while the engine was still loading."""
    import ui.label_listing as label_listing

    for n in range(3):
        import_array(project, admin, np.full((16, 16, 3), n, np.uint8), source="camera",
                     name=f"part-{n}.png")
    threads: list[bool] = []
    real = label_listing.labeling.list_images

    def recorded(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        threads.append(threading.current_thread() is threading.main_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(label_listing.labeling, "list_images", recorded)
    sign_in_as(window, "admin")
    assert window.show_page("label")
    page = window.pages["label"]
    qtbot.waitUntil(lambda: len(page.model.images) == 3, timeout=10_000)
    assert threads and not threads[0]
