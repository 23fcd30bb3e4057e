"""Labels (append-only history, masks), listing and counting images, defect types."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from sqlalchemy import select

from inspector.errors import ImageError, NotFoundError, PermissionDenied, UserError
from inspector.services.importing import import_paths
from inspector.services.labeling import (
    add_defect_type,
    count_images,
    current_label_id,
    get_image,
    label_counts,
    label_history,
    label_image,
    label_mask,
    list_defect_type_infos,
    list_defect_types,
    list_images,
    load_image,
    load_mask,
    remove_defect_type,
)
from inspector.services.products import add_product
from inspector.store.models import AuditEntry, utcnow
from tests.conftest import synthetic_rgb


@pytest.fixture
def ids(project, actor, make_image) -> list[int]:  # noqa: ANN001
    rep = import_paths(project, actor, [make_image(f"l/{i}.png", seed=i) for i in range(4)])
    return [i.id for i in rep.stored]


def test_relabel_appends_history(project, actor, qa_lead, ids) -> None:  # noqa: ANN001
    add_defect_type(project, qa_lead, "scratch", shortcut="s")
    first = label_image(project, actor, ids[0], "good")
    second = label_image(project, qa_lead, ids[0], "defective", "Scratch", "major")
    assert second.id > first.id and second.defect_type == "scratch"
    hist = label_history(project, ids[0])
    assert [(h.verdict, h.operator) for h in hist] == [("good", "op"), ("defective", "lead")]
    info = get_image(project, ids[0])
    assert (info.state, info.defect_type, info.severity, info.labelled_by) == (
        "defective", "scratch", "major", "lead")
    with project.db.session() as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.action == "label.set")).all()
    assert rows[-1].details["previous"] == "good"


def test_label_validation(project, actor, qa_lead, ids) -> None:  # noqa: ANN001
    with pytest.raises(UserError, match="unknown verdict"):
        label_image(project, actor, ids[0], "meh")
    with pytest.raises(UserError, match="good image cannot"):
        label_image(project, actor, ids[0], "good", defect_type="scratch")
    with pytest.raises(UserError, match="unknown defect type 'dent'.*none yet"):
        label_image(project, actor, ids[0], "defective", "dent")
    with pytest.raises(UserError, match="unknown severity"):
        label_image(project, actor, ids[0], "defective", severity="huge")
    with pytest.raises(NotFoundError):
        label_image(project, actor, 9999, "good")
    assert label_history(project, ids[0]) == []


def test_mask_is_stored_and_loaded(project, actor, ids) -> None:  # noqa: ANN001
    mask = np.zeros((32, 32), bool)
    mask[4:10, 5:12] = True
    label_image(project, actor, ids[1], "defective", mask=mask)
    loaded = load_mask(project, ids[1])
    assert loaded is not None and loaded.dtype == bool
    np.testing.assert_array_equal(loaded, mask)
    assert get_image(project, ids[1]).has_mask
    with pytest.raises(UserError, match="mask is 5x4"):
        label_image(project, actor, ids[1], "defective", mask=np.ones((4, 5), np.uint8))
    label_image(project, actor, ids[2], "defective", mask=np.zeros((32, 32), np.uint8))
    assert load_mask(project, ids[2]) is None  # an empty mask is not kept
    assert load_mask(project, ids[0]) is None
    painted = current_label_id(project, ids[1])  # a row keeps its mask after a relabel
    label_image(project, actor, ids[1], "good")
    np.testing.assert_array_equal(label_mask(project, painted), mask)
    assert label_mask(project, current_label_id(project, ids[1])) is None
    assert current_label_id(project, ids[3]) is None  # unlabelled
    with pytest.raises(NotFoundError):
        label_mask(project, 10_000)


def test_load_image_returns_pixels(project, ids) -> None:  # noqa: ANN001
    np.testing.assert_array_equal(load_image(project, ids[3]), synthetic_rgb(32, 3))
    with pytest.raises(NotFoundError):
        load_image(project, 12345)


def test_a_multi_page_tiff_stored_by_an_earlier_version_still_loads(
        project, actor, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    """Imports now refuse files with several pictures; one stored before that must still
    load (as its first page), or labelling it and every training that uses it failed
    with "stored image is damaged"."""
    from PIL import Image

    from inspector.imaging import decode

    first, second = synthetic_rgb(32, 5), synthetic_rgb(32, 6)
    stack = tmp_path / "stack.tif"
    Image.fromarray(first).save(stack, save_all=True, append_images=[Image.fromarray(second)])
    with monkeypatch.context() as old_version:  # imported as the earlier version did
        old_version.setattr(decode, "_refuse_extra_pictures", lambda img: None)
        (stored,) = import_paths(project, actor, [stack]).stored
    np.testing.assert_array_equal(load_image(project, stored.id), first)
    # inspecting it is still refused (a defect on page 2 must not pass), and not as damage
    with pytest.raises(ImageError, match=f"^stored image {stored.id} holds 2 pages"):
        load_image(project, stored.id, to_judge=True)


def test_list_and_count(project, admin, actor, qa_lead, ids, make_image) -> None:  # noqa: ANN001
    add_defect_type(project, qa_lead, "dent")
    add_product(project, admin, "Cap")
    capped = import_paths(project, actor, [make_image("c.png", seed=50)], product="Cap")
    label_image(project, actor, ids[0], "good")
    label_image(project, actor, ids[1], "defective", "dent")
    label_image(project, actor, ids[2], "good")
    label_image(project, actor, ids[2], "defective")  # relabel: counts follow the newest
    assert label_counts(project) == {"good": 1, "defective": 2, "unlabelled": 2}
    assert label_counts(project, product="Cap") == {"good": 0, "defective": 0, "unlabelled": 1}
    assert [i.id for i in list_images(project, state="defective")] == [ids[1], ids[2]]
    assert [i.id for i in list_images(project, state="unlabelled")] == [
        ids[3], capped.stored[0].id]
    assert [i.id for i in list_images(project, defect_type="DENT")] == [ids[1]]
    assert [i.product for i in list_images(project, product="cap")] == ["Cap"]
    assert len(list_images(project, limit=2)) == 2
    everything = [i.id for i in list_images(project)]
    assert [i.id for i in list_images(project, newest=3)] == everything[-3:]
    assert [i.id for i in list_images(project, state="unlabelled", newest=1)] == [
        capped.stored[0].id]
    assert count_images(project) == 5 and count_images(project, state="good") == 1
    assert count_images(project, defect_type="DENT") == 1
    assert count_images(project, product="cap", state="unlabelled") == 1
    with pytest.raises(ValueError, match="newest"):
        list_images(project, newest=2, limit=2)
    assert [i.id for i in list_images(project, limit=2, offset=2)] == [ids[2], ids[3]]
    later = utcnow() + dt.timedelta(hours=1)
    assert list_images(project, since=later) == []
    assert len(list_images(project, until=later)) == 5
    with pytest.raises(UserError, match="unknown state"):
        list_images(project, state="weird")
    with pytest.raises(UserError, match="unknown state"):
        count_images(project, state="weird")


def test_defect_type_keys_cannot_clash(project, qa_lead) -> None:  # noqa: ANN001
    """A type's key must not be one the Label page already uses, nor another type's."""
    for key in ("g", "D", "1", "b", " h "):
        with pytest.raises(UserError, match="choose another key"):
            add_defect_type(project, qa_lead, f"type {key.strip()}", shortcut=key)
    add_defect_type(project, qa_lead, "crack", shortcut="c")
    with pytest.raises(UserError, match="already picks the defect type 'crack'"):
        add_defect_type(project, qa_lead, "chip", shortcut="C")
    remove_defect_type(project, qa_lead, "crack")
    assert add_defect_type(project, qa_lead, "crack", shortcut="c") == "crack"  # re-added
    assert add_defect_type(project, qa_lead, "chip", shortcut=" x ") == "chip"
    assert {i.name: i.shortcut for i in list_defect_type_infos(project)} == {
        "chip": "x", "crack": "c"}


def test_defect_types(project, actor, qa_lead) -> None:  # noqa: ANN001
    assert add_defect_type(project, qa_lead, "  crack ", shortcut="c") == "crack"
    add_defect_type(project, qa_lead, "Blowhole")
    assert list_defect_types(project) == ["Blowhole", "crack"]
    assert list_defect_type_infos(project)[1].shortcut == "c"
    with pytest.raises(UserError, match="already exists"):
        add_defect_type(project, qa_lead, "CRACK")
    with pytest.raises(UserError, match="cannot be a defect type"):
        add_defect_type(project, qa_lead, "good")
    with pytest.raises(PermissionDenied):
        add_defect_type(project, actor, "dent")
    with pytest.raises(PermissionDenied):
        remove_defect_type(project, actor, "crack")
    remove_defect_type(project, qa_lead, "crack")
    assert list_defect_types(project) == ["Blowhole"]
    with pytest.raises(NotFoundError):
        remove_defect_type(project, qa_lead, "crack")
    add_defect_type(project, qa_lead, "crack")  # re-activates the old row
    assert list_defect_types(project) == ["Blowhole", "crack"]
    with project.db.session() as s:
        actions = [a.action for a in s.scalars(select(AuditEntry)) if a.entity == "defect_type"]
    assert actions.count("defect_type.add") == 3 and "defect_type.remove" in actions
    assert actions.count("denied:manage_defect_types") == 2


def test_defect_type_names_and_keys_fold_case_beyond_ascii(project, qa_lead, ids) -> None:  # noqa: ANN001
    """SQLite's lower() knows only ASCII: Ö and ö must still be one type, one key."""
    from inspector.services.labeling import list_defect_type_infos

    add_defect_type(project, qa_lead, "Ölfleck", "Ö")
    with pytest.raises(UserError, match="already exists"):
        add_defect_type(project, qa_lead, "ölfleck")
    with pytest.raises(UserError, match="already picks"):
        add_defect_type(project, qa_lead, "ösen", "ö")
    label_image(project, qa_lead, ids[0], "defective", defect_type="ÖLFLECK")
    assert [i.id for i in list_images(project, defect_type="ölfleck")] == [ids[0]]
    assert get_image(project, ids[0]).defect_type == "Ölfleck"
    remove_defect_type(project, qa_lead, "ölfleck")
    assert [t.name for t in list_defect_type_infos(project)] == []


@pytest.mark.parametrize("key", ["ab", "Left", "Right", " ", "\t"])
def test_a_defect_type_key_is_one_printable_key(project, qa_lead, key) -> None:  # noqa: ANN001
    with pytest.raises(UserError):
        add_defect_type(project, qa_lead, "scratch", key)


def test_a_type_back_again_does_not_take_a_key_now_used_by_another(project, qa_lead) -> None:  # noqa: ANN001
    from inspector.services.labeling import list_defect_type_infos

    add_defect_type(project, qa_lead, "scratch", "S")
    remove_defect_type(project, qa_lead, "scratch")
    add_defect_type(project, qa_lead, "smudge", "S")
    add_defect_type(project, qa_lead, "scratch")  # re-activated without a key
    keys = {t.name: t.shortcut for t in list_defect_type_infos(project)}
    assert keys == {"scratch": None, "smudge": "S"}
    remove_defect_type(project, qa_lead, "smudge")
    add_defect_type(project, qa_lead, "smudge")  # S is free: smudge gets it back
    assert {t.name: t.shortcut for t in list_defect_type_infos(project)} == {
        "scratch": None, "smudge": "S"}


def test_a_removed_type_stays_on_the_labels_that_have_it(project, qa_lead, ids) -> None:  # noqa: ANN001
    add_defect_type(project, qa_lead, "crack")
    label_image(project, qa_lead, ids[0], "defective", defect_type="crack")
    remove_defect_type(project, qa_lead, "crack")
    label_image(project, qa_lead, ids[0], "defective", defect_type="crack", severity="major")
    info = get_image(project, ids[0])
    assert (info.defect_type, info.severity) == ("crack", "major")
    with pytest.raises(UserError, match="unknown defect type"):  # not for other images
        label_image(project, qa_lead, ids[1], "defective", defect_type="crack")


def test_the_listing_says_what_each_image_says_alone(  # noqa: ANN001
        project, admin, actor, qa_lead, ids, make_image) -> None:
    """list_images reads plain columns for speed; every field must still equal what
    get_image reads through the ORM (product, importer, labeller, mask, path)."""
    add_defect_type(project, qa_lead, "dent")
    add_product(project, admin, "Cap")
    import_paths(project, actor, [make_image("c.png", seed=50)], product="Cap",
                 lot="L7", serial="S1")
    label_image(project, actor, ids[0], "good")
    mask = np.zeros((32, 32), bool)
    mask[4:9, 4:9] = True
    label_image(project, qa_lead, ids[1], "defective", "dent", "major", mask=mask)
    label_image(project, actor, ids[2], "good")
    label_image(project, qa_lead, ids[2], "defective")
    listed = list_images(project)
    assert len(listed) == 5
    assert listed == [get_image(project, info.id) for info in listed]
    assert [i.labelled_by for i in listed] == ["op", "lead", "lead", None, None]
    assert [i.imported_by for i in listed] == ["op"] * 5
    assert [i.has_mask for i in listed] == [False, True, False, False, False]
    assert listed[-1].product == "Cap" and listed[-1].lot == "L7"


def test_undo_brings_back_a_label_whose_type_was_removed_meanwhile(project, qa_lead,
                                                                   ids) -> None:  # noqa: ANN001
    """The Label page's undo re-applies the earlier label; a removed type was accepted
    only when the current label had it, which after the change being undone it never
    has, so the undo failed and the earlier label was lost."""
    add_defect_type(project, qa_lead, "scratch")
    label_image(project, qa_lead, ids[0], "defective", "scratch", "major")
    remove_defect_type(project, qa_lead, "scratch")
    label_image(project, qa_lead, ids[0], "good")  # a wrong key press
    back = label_image(project, qa_lead, ids[0], "defective", "Scratch", "major")  # undo
    assert (back.verdict, back.defect_type, back.severity) == ("defective", "scratch", "major")
    with pytest.raises(UserError, match="unknown defect type 'scratch'"):
        label_image(project, qa_lead, ids[1], "defective", "scratch")  # not on other images
