"""Importing folders whose paths misbehave: linked folders, link loops, folders that
cannot be read, names too long; and a role taken away after sign-in."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from inspector.errors import PermissionDenied
from inspector.services.importing import import_paths
from inspector.services.operators import set_role


def test_a_linked_folder_is_followed_and_a_link_loop_ends(project, admin, make_image,
                                                          tmp_path) -> None:  # noqa: ANN001
    """``good`` as a link to the camera's share: its pictures were left out without a
    word (os.walk does not follow links)."""
    shared = make_image("camera_share/a.png", seed=1).parent
    make_image("camera_share/b.png", seed=2)
    picked = make_image("picked/top.png", seed=3).parent
    (picked / "good").symlink_to(shared, target_is_directory=True)
    (shared / "again").symlink_to(picked, target_is_directory=True)  # a loop
    rep = import_paths(project, admin, [picked], labels_from_folders=True)
    names = sorted(info.original_name for info in rep.stored)
    assert names == ["a.png", "b.png", "top.png"] and not rep.refused
    assert {info.original_name: info.state for info in rep.stored}["a.png"] == "good"


def test_a_folder_that_cannot_be_read_is_refused_by_name(project, admin, make_image,
                                                         monkeypatch) -> None:  # noqa: ANN001
    """A subfolder without read permission (root's tests cannot take it away for real,
    so the listing is refused the way the system would)."""
    ok = make_image("batch/ok.png", seed=1)
    locked = make_image("batch/locked/hidden.png", seed=2).parent
    real_scandir = os.scandir

    def scandir(path=".") -> object:  # noqa: ANN001
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(locked))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    rep = import_paths(project, admin, [ok.parent])
    assert [info.original_name for info in rep.stored] == ["ok.png"]
    assert rep.refused == [(str(locked), "cannot read folder: Permission denied")]


def test_a_path_the_system_cannot_look_up_is_refused_and_the_rest_imported(
        project, admin, make_image, tmp_path) -> None:  # noqa: ANN001
    ok = make_image("ok.png", seed=1)
    too_long = tmp_path / ("a" * 300 + ".png")
    rep = import_paths(project, admin, [too_long, ok])
    assert [info.original_name for info in rep.stored] == ["ok.png"]
    assert rep.refused == [(str(too_long), "cannot read: File name too long")]


def test_a_role_taken_away_after_sign_in_cannot_add_types_by_import(
        project, admin, qa_lead, image_dir) -> None:  # noqa: ANN001
    """The folder names new defect types: the stored role counts, not the one the
    operator had when signing in (a direct add was already refused)."""
    set_role(project, admin, "lead", "operator")
    with pytest.raises(PermissionDenied, match="new defect types"):
        import_paths(project, qa_lead, [image_dir], labels_from_folders=True)


def test_folder_lot_and_product_names_that_are_not_utf8_are_stored(project, admin,
                                                                  make_image, tmp_path) -> None:  # noqa: ANN001,E501
    """A Latin-1 folder name ("Kratzer_café") or argument reaches Python as a lone
    surrogate: labels from folders, --lot and product names stopped with an internal
    error (UnicodeEncodeError) instead of storing U+FFFD as file names already did."""
    from inspector.services.products import add_product

    try:
        make_image(tmp_path / "share" / os.fsdecode(b"Kratzer_caf\xe9") / "p.png", seed=4)
    except (OSError, UnicodeError):
        pytest.skip("this file system refuses names that are not UTF-8")
    product = add_product(project, admin, os.fsdecode(b"caf\xe9"))
    assert product.name == "caf\ufffd"
    rep = import_paths(project, admin, [tmp_path / "share"], labels_from_folders=True,
                       lot=os.fsdecode(b"L\xe9"), product=product.name)
    assert rep.new_defect_types == ["Kratzer_caf\ufffd"] and not rep.refused
    assert rep.stored[0].defect_type == "Kratzer_caf\ufffd" and rep.stored[0].lot == "L\ufffd"


def test_hidden_files_and_skipped_folders_are_named_not_dropped(project, actor, tmp_path,
                                                                make_image) -> None:  # noqa: ANN001
    """A real PNG named .part.png and the folders .sub/ and ground_truth/ went missing
    from the report without a word."""
    from inspector.services.importing import import_paths

    make_image(tmp_path / "in" / "a.png")
    make_image(tmp_path / "in" / ".hidden_part.png", seed=1)
    make_image(tmp_path / "in" / ".sub" / "b.png", seed=2)
    make_image(tmp_path / "in" / "ground_truth" / "crack" / "c_mask.png", seed=3)
    rep = import_paths(project, actor, [tmp_path / "in"])
    assert [Path(p).name for p, _ in rep.accepted] == ["a.png"]
    assert [Path(p).name for p in rep.ignored] == [".hidden_part.png"]
    (note,) = [n for n in rep.notes if "not looked into" in n]
    assert note.startswith("2 folder(s)")
