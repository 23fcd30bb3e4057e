"""Importing files, folders and arrays: good kinds, bad kinds, duplicates, failures."""

from __future__ import annotations

import errno
import io
import os
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from interrupts import ctrl_c_at
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from inspector.errors import Cancelled, ImageError, NotFoundError, PermissionDenied, UserError
from inspector.progress import CancelToken
from inspector.services import importing
from inspector.services.importing import import_array, import_paths
from inspector.services.labeling import (
    add_defect_type,
    label_counts,
    list_defect_types,
    list_images,
)
from inspector.services.products import add_product
from inspector.store.models import AuditEntry
from inspector.store.models import Image as ImageRow


def _rows(project) -> int:  # noqa: ANN001
    with project.db.session() as s:
        return s.scalar(select(func.count()).select_from(ImageRow))


def _stored_files(project) -> list[Path]:  # noqa: ANN001
    return [p for p in project.images.root.rglob("*") if p.is_file()]


def test_import_every_good_kind(project, actor, tmp_path, make_image) -> None:  # noqa: ANN001
    src = tmp_path / "kinds"
    make_image(src / "a.png", seed=1)
    make_image(src / "b.jpg", seed=2)
    make_image(src / "c.bmp", seed=3)
    make_image(src / "d.tif", seed=4)
    make_image(src / "e.webp", seed=5)
    Image.fromarray(np.full((8, 8), 9, np.uint8), "L").save(src / "f.png")
    Image.fromarray(np.zeros((8, 8, 4), np.uint8), "RGBA").save(src / "g.png")
    Image.fromarray(np.full((8, 9, 3), 50, np.uint8)).quantize(4).save(src / "h.png")
    cv2.imwrite(str(src / "i.png"), np.tile(np.arange(0, 65536, 257, np.uint16), (8, 1)))
    cv2.imwrite(str(src / "j.tiff"), np.full((8, 9, 3), 40000, np.uint16))
    rep = import_paths(project, actor, [src])
    assert rep.refused == [] and rep.duplicates == []
    by_name = {i.original_name: i for i in rep.stored}
    assert len(by_name) == 10
    assert {i.format for i in rep.stored} == {"PNG", "JPEG", "BMP", "TIFF", "WEBP"}
    assert by_name["f.png"].mode == "L" and by_name["g.png"].mode == "RGBA"
    assert by_name["h.png"].mode == "P"
    assert by_name["i.png"].bit_depth == 16 and by_name["j.tiff"].bit_depth == 16
    assert all(i.source == "folder" and i.imported_by == "op" for i in rep.stored)
    assert all(i.station == "station-1" for i in rep.stored)
    for info in rep.stored:  # original bytes kept, content addressed
        p = Path(info.path)
        assert p.read_bytes() == (src / info.original_name).read_bytes()
        assert p.name.startswith(info.sha256) and p.parent.name == info.sha256[:2]
    assert _rows(project) == 10


def test_bad_files_each_get_a_reason(project, actor, admin, tmp_path, make_image) -> None:  # noqa: ANN001,E501
    project.set_setting(admin, "max_pixels", 1_000_000)  # the least a QA lead may set
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "zero.png").write_bytes(b"")
    good = make_image(tmp_path / "ok.png", size=48)
    data = good.read_bytes()
    (bad / "trunc.png").write_bytes(data[: len(data) // 2])
    buf = io.BytesIO()
    Image.fromarray((np.random.default_rng(0).random((64, 64, 3)) * 255).astype(np.uint8)
                    ).save(buf, "JPEG")
    (bad / "trunc.jpg").write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    (bad / "text.png").write_text("hello, I am not a PNG")
    Image.new("RGB", (1001, 1000)).save(bad / "huge.png")  # 1,001,000 pixels
    (bad / "readme.txt").write_text("ignored in folders")
    explicit_txt = tmp_path / "data.csv"
    explicit_txt.write_text("a,b")
    rep = import_paths(project, actor, [bad, good, explicit_txt, tmp_path / "missing.png"])
    reasons = {Path(p).name: r for p, r in rep.refused}
    assert reasons["zero.png"] == "empty file (0 bytes)"
    assert "truncated" in reasons["trunc.png"] or "damaged" in reasons["trunc.png"]
    assert "truncated" in reasons["trunc.jpg"]
    assert "not an image" in reasons["text.png"]
    assert "over the limit" in reasons["huge.png"]
    assert reasons["data.csv"] == "not a supported image type"
    assert reasons["missing.png"] == "file not found"
    assert [Path(p).name for p in rep.ignored] == ["readme.txt"]
    assert [i.original_name for i in rep.stored] == ["ok.png"]
    assert rep.stored[0].source == "file"
    assert _rows(project) == 1 and len(_stored_files(project)) == 1


def test_unreadable_file(project, actor, make_image, monkeypatch) -> None:  # noqa: ANN001
    locked = make_image("locked.png")
    real = Path.read_bytes

    def fake(self: Path) -> bytes:
        if self == locked:
            raise PermissionError(errno.EACCES, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", fake)
    rep = import_paths(project, actor, [locked])
    assert rep.refused == [(str(locked), "cannot read file: permission denied")]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads anything")
def test_unreadable_file_for_real(project, actor, make_image) -> None:  # noqa: ANN001
    locked = make_image("locked2.png")
    locked.chmod(0)
    try:
        rep = import_paths(project, actor, [locked])
    finally:
        locked.chmod(0o644)
    assert rep.refused[0][1] == "cannot read file: permission denied"


def test_duplicates_are_not_stored_twice(project, actor, make_image, tmp_path) -> None:  # noqa: ANN001,E501
    a = make_image("a.png", seed=1)
    copy = tmp_path / "copy.png"
    copy.write_bytes(a.read_bytes())
    rep = import_paths(project, actor, [a, copy])
    assert len(rep.stored) == 1 and rep.duplicates == [(str(copy), rep.stored[0].id)]
    rep2 = import_paths(project, actor, [a])
    assert rep2.stored == [] and rep2.duplicates == [(str(a), rep.stored[0].id)]
    assert _rows(project) == 1 and len(_stored_files(project)) == 1


def test_pictures_without_a_product_join_the_product_they_are_imported_under(
        project, actor, admin, make_image) -> None:  # noqa: ANN001
    """Imported before the first product was added, pictures were stranded under "no
    product": hidden once the product was chosen, and importing them again under it only
    said "duplicate". A picture of another product stays where it is."""
    from inspector.services.labeling import list_images

    a, b = make_image("a.png", seed=1), make_image("b.png", seed=2)
    first = import_paths(project, actor, [a, b])
    add_product(project, admin, "bottle")
    add_product(project, admin, "cap")
    import_paths(project, actor, [b], product="cap")
    again = import_paths(project, actor, [a, b], product="bottle")
    assert again.stored == [] and len(again.duplicates) == 2
    notes = dict(again.product_notes)
    assert "now under bottle" in notes[str(a)]
    assert "of product cap; it stays there" in notes[str(b)]
    assert [i.id for i in list_images(project, product="bottle")] == [first.stored[0].id]
    assert [i.id for i in list_images(project, product="cap")] == [first.stored[1].id]


def test_labels_from_folders(project, qa_lead, image_dir) -> None:  # noqa: ANN001
    rep = import_paths(project, qa_lead, [image_dir], labels_from_folders=True)
    assert len(rep.stored) == 8 and rep.refused == []
    assert sorted(rep.new_defect_types) == ["dent", "scratch"]
    assert list_defect_types(project) == ["dent", "scratch"]
    assert label_counts(project) == {"good": 5, "defective": 3, "unlabelled": 0}
    types = {i.original_name: i.defect_type for i in rep.stored if i.state == "defective"}
    assert types == {"s0.png": "scratch", "s1.png": "scratch", "d0.jpg": "dent"}


def test_a_folder_name_no_one_could_type_as_a_defect_type_is_refused(project, admin,  # noqa: ANN001
                                                                     make_image) -> None:
    """A folder "esc\x1b[31mRED" labelled its parts with that name: kept off the type list
    (so nobody could manage it) and printed as raw escape codes in every terminal."""
    bad = make_image("parts/esc\x1b[31mRED/a.png", seed=1, defect=True)
    make_image("parts/scratch/b.png", seed=2, defect=True)
    rep = import_paths(project, admin, [bad.parents[1]], labels_from_folders=True)
    assert [i.original_name for i in rep.stored] == ["b.png"]
    assert rep.refused == [(str(bad), rep.refused[0][1])]
    assert rep.refused[0][1].startswith("folder name cannot be a defect type")
    assert list_defect_types(project) == ["scratch"]
    assert {i.defect_type for i in list_images(project)} == {"scratch"}


def test_files_at_the_top_of_the_picked_folder_stay_unlabelled(project, admin, make_image) -> None:  # noqa: ANN001,E501
    """"photos/" is where the files were put, not a defect type; "NG/" picked itself is."""
    make_image("photos/loose.png", seed=1)
    make_image("photos/scratch/s.png", seed=2, defect=True)
    root = make_image("photos/good/g.png", seed=3).parents[1]
    ng = make_image("NG/n.png", seed=4, defect=True).parent
    single = make_image("misc/one.png", seed=5)
    rep = import_paths(project, admin, [root, ng, single], labels_from_folders=True)
    states = {i.original_name: (i.state, i.defect_type) for i in rep.stored}
    assert states == {"loose.png": ("unlabelled", None), "s.png": ("defective", "scratch"),
                      "g.png": ("good", None), "n.png": ("defective", None),
                      "one.png": ("unlabelled", None)}
    assert list_defect_types(project) == ["scratch"]


def test_a_picked_folder_named_after_a_known_defect_type_labels_it(  # noqa: ANN201
        project, admin, make_image):  # noqa: ANN001
    """An operator picks the folder "Scratch" (a type the project has) on its own: its
    pictures are scratches. Before, only subfolders named types, and the folder stayed
    unlabelled; an unknown name ("photos") still means nothing."""
    import_paths(project, admin, [make_image("first/scratch/a.png", seed=1).parents[1]],
                 labels_from_folders=True)  # the project now has the type "scratch"
    picked = make_image("Scratch/b.png", seed=2, defect=True).parent
    single = make_image("more/scratch/c.png", seed=3, defect=True)  # a file picked alone
    unknown = make_image("crack/d.png", seed=4, defect=True).parent
    rep = import_paths(project, admin, [picked, single, unknown], labels_from_folders=True)
    states = {i.original_name: (i.state, i.defect_type) for i in rep.stored}
    assert states == {"b.png": ("defective", "scratch"), "c.png": ("defective", "scratch"),
                      "d.png": ("unlabelled", None)}
    assert list_defect_types(project) == ["scratch"]


def test_same_picture_under_two_labels_is_reported(project, admin, tmp_path, make_image) -> None:  # noqa: ANN001,E501
    good = make_image("set/good/a.png", seed=7)
    (tmp_path / "set" / "ng").mkdir()
    (tmp_path / "set" / "ng" / "a_copy.png").write_bytes(good.read_bytes())
    rep = import_paths(project, admin, [tmp_path / "set"], labels_from_folders=True)
    assert [p for p, _ in rep.duplicates] == [str(tmp_path / "set" / "ng" / "a_copy.png")]
    ((path, why),) = rep.label_conflicts
    assert path.endswith("a_copy.png") and "labelled good" in why and "says defective" in why
    assert label_counts(project) == {"good": 1, "defective": 0, "unlabelled": 0}
    again = import_paths(project, admin, [tmp_path / "set" / "good"], labels_from_folders=True)
    assert again.label_conflicts == []  # same label: nothing to report


def test_masks_are_never_imported_as_parts(project, admin, make_image) -> None:  # noqa: ANN001
    make_image("cat/test/crack/000.png", seed=1, defect=True)
    root = make_image("cat/ground_truth/crack/000_mask.png", seed=2).parents[2]
    rep = import_paths(project, admin, [root])  # no labels from folders
    assert [i.original_name for i in rep.stored] == ["000.png"]


def test_mvtec_layout_and_masks_skipped(project, admin, make_image) -> None:  # noqa: ANN001
    make_image("bottle/train/good/000.png", seed=1)
    make_image("bottle/test/good/001.png", seed=2)
    make_image("bottle/test/broken_large/002.png", seed=3, defect=True)
    make_image("bottle/ground_truth/broken_large/002_mask.png", seed=4)
    root = make_image("bottle/train/stray.png", seed=5).parents[1]
    rep = import_paths(project, admin, [root], labels_from_folders=True)
    states = {i.original_name: (i.state, i.defect_type) for i in rep.stored}
    assert states == {"000.png": ("good", None), "001.png": ("good", None),
                      "002.png": ("defective", "broken_large"),
                      "stray.png": ("unlabelled", None)}


def test_operator_cannot_create_defect_types_via_folders(project, actor, qa_lead, image_dir) -> None:  # noqa: ANN001,E501
    with pytest.raises(PermissionDenied, match="new defect types \\(dent, scratch\\)"):
        import_paths(project, actor, [image_dir], labels_from_folders=True)
    assert _rows(project) == 0
    with project.db.session() as s:
        denied = s.scalars(select(AuditEntry).where(AuditEntry.allowed.is_(False))).all()
    assert [d.action for d in denied] == ["denied:manage_defect_types"]
    add_defect_type(project, qa_lead, "Scratch")
    add_defect_type(project, qa_lead, "dent")
    rep = import_paths(project, actor, [image_dir], labels_from_folders=True)
    assert len(rep.stored) == 8 and rep.new_defect_types == []
    assert {i.defect_type for i in rep.stored if i.state == "defective"} == {"Scratch", "dent"}


def test_product_lot_serial(project, admin, actor, make_image) -> None:  # noqa: ANN001
    add_product(project, admin, "Bottle")
    rep = import_paths(project, actor, [make_image("x.png")], product="bottle", lot="L7",
                       serial="S9")
    info = rep.stored[0]
    assert (info.product, info.lot, info.serial) == ("Bottle", "L7", "S9")
    with pytest.raises(NotFoundError, match="no product named 'Cap'"):
        import_paths(project, actor, [make_image("y.png")], product="Cap")


def test_disk_full_leaves_no_file_and_no_row(project, actor, make_image, monkeypatch) -> None:  # noqa: ANN001,E501
    def full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("inspector.fileio.os.fsync", full)
    rep = import_paths(project, actor, [make_image("a.png")])
    assert rep.refused[0][1] == "cannot store image: the disk is full"
    assert _stored_files(project) == [] and _rows(project) == 0


def test_db_failure_after_file_write_leaves_nothing(project, actor, make_image, monkeypatch) -> None:  # noqa: ANN001,E501
    def broken(*_a, **_k):  # noqa: ANN002, ANN003, ANN202
        raise OperationalError("INSERT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(importing, "image_info", broken)
    rep = import_paths(project, actor, [make_image("a.png")])
    assert "could not record the image" in rep.refused[0][1]
    assert _stored_files(project) == [] and _rows(project) == 0


def test_cancel_removes_everything(project, actor, tmp_path, make_image) -> None:  # noqa: ANN001
    for i in range(6):
        make_image(f"many/{i}.png", seed=i)
    token = CancelToken()
    seen: list[float] = []

    def progress(p) -> None:  # noqa: ANN001
        seen.append(p.fraction)
        if len(seen) == 4:
            token.cancel()

    with pytest.raises(Cancelled):
        import_paths(project, actor, [tmp_path / "many"], progress=progress, cancel=token)
    assert _rows(project) == 0 and _stored_files(project) == []
    assert seen == sorted(seen)


def test_ctrl_c_keeps_what_was_stored_and_audits_it(project, actor, tmp_path, make_image,
                                                   monkeypatch) -> None:  # noqa: ANN001
    """The CLI keeps the images stored before Ctrl+C (each is its own transaction); the
    audit log must still say who imported them."""
    for n in range(4):
        make_image(tmp_path / "batch" / f"{n}.png", seed=n)
    ctrl_c_at(monkeypatch, importing, "_import_one", 3)
    with pytest.raises(KeyboardInterrupt):
        import_paths(project, actor, [tmp_path / "batch"])
    assert _rows(project) == 2
    with project.db.session() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "images.import")).one()
        assert entry.details["stored"] == 2 and entry.details["interrupted"] is True


def test_thousand_files_with_ten_bad(project, actor, tmp_path) -> None:  # noqa: ANN001
    folder = tmp_path / "batch"
    folder.mkdir()
    for i in range(1000):
        px = np.zeros((8, 8, 3), np.uint8)
        px[0, 0] = (i % 256, i // 256, 7)
        if i % 100 == 0:
            (folder / f"{i:04d}.png").write_bytes(b"broken" if i % 200 else b"")
        else:
            Image.fromarray(px).save(folder / f"{i:04d}.png", compress_level=1)
    start = time.perf_counter()
    rep = import_paths(project, actor, [folder])
    elapsed = time.perf_counter() - start
    assert len(rep.stored) == 990 and len(rep.refused) == 10
    assert {Path(p).name for p, _ in rep.refused} == {f"{i:04d}.png" for i in range(0, 1000, 100)}
    assert _rows(project) == 990 and len(_stored_files(project)) == 990
    print(f"imported 1000 files in {elapsed:.1f} s")


def test_import_array(project, actor) -> None:  # noqa: ANN001
    frame = np.random.default_rng(3).integers(0, 255, (12, 16, 3), dtype=np.uint8)
    info = import_array(project, actor, frame, name="cam0")
    assert (info.source, info.format, info.width, info.height) == ("camera", "PNG", 16, 12)
    assert info.captured_at is not None
    again = import_array(project, actor, frame)
    assert again.id == info.id and _rows(project) == 1
    with pytest.raises(ImageError):
        import_array(project, actor, np.zeros((4, 4), np.float64))


def test_import_needs_a_role(project, admin, actor, make_image) -> None:  # noqa: ANN001
    from inspector.services.operators import set_active
    from inspector.services.session import Actor

    stranger = Actor(None, "visitor", "visitor")  # not an operator of this project
    with pytest.raises(PermissionDenied):
        import_paths(project, stranger, [make_image("a.png")])
    set_active(project, admin, actor.name, False)  # left the company mid-shift
    with pytest.raises(PermissionDenied):
        import_paths(project, actor, [make_image("a.png")])
    assert _rows(project) == 0


def test_hot_folder_imports_new_files(project, actor, tmp_path, make_image) -> None:  # noqa: ANN001,E501
    folder = tmp_path / "hot"
    folder.mkdir()
    reports: list = []
    watcher = importing.watch_hot_folder(project, actor, folder, on_report=reports.append,
                                         stable_ms=150)
    try:
        make_image(folder / "new.png", seed=77)
        deadline = time.monotonic() + 10
        while not reports and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        watcher.stop()
    assert len(reports) == 1 and reports[0].stored[0].source == "hot_folder"
    assert _rows(project) == 1


def test_hot_file_still_being_written_is_handed_back_then_refused(project, actor, tmp_path,
                                                                  make_image) -> None:  # noqa: ANN001
    """A half-copied file written moments ago is checked again, not filed as refused;
    after a few tries, or when it is old, it goes to refused/; a good one to done/."""
    import os
    import time

    from inspector.services.hot_folder import MAX_RETRIES, handle_hot_file

    hot = tmp_path / "hot"
    good = make_image(hot / "good.png", seed=1)
    half = hot / "half.png"
    half.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    out = handle_hot_file(project, actor, half, product=None, inspect=True, move=True)
    assert out.retry and half.exists() and out.moved_to is None
    out = handle_hot_file(project, actor, half, product=None, inspect=True, move=True,
                          tries=MAX_RETRIES)
    assert not out.retry and out.moved_to == hot / "refused" / "half.png"
    old = hot / "old_broken.png"
    old.write_bytes(b"\x89PNG broken")
    past = time.time() - 120
    os.utime(old, (past, past))
    assert handle_hot_file(project, actor, old, product=None, inspect=True,
                           move=True).moved_to == hot / "refused" / "old_broken.png"
    out = handle_hot_file(project, actor, good, product=None, inspect=True, move=True)
    assert out.moved_to == hot / "done" / "good.png" and not out.result.refused
    kept = make_image(hot / "kept.png", seed=2)
    assert handle_hot_file(project, actor, kept, product=None, inspect=True,
                           move=False).moved_to is None and kept.exists()


def test_pipes_devices_and_huge_files_are_refused_one_by_one(project, actor, tmp_path,
                                                             make_image, monkeypatch) -> None:  # noqa: ANN001
    """None of them may hang or stop the import: each is refused, the good file goes in."""
    import os

    from inspector.imaging import decode
    from inspector.services.importing import import_paths

    folder = tmp_path / "usb"
    make_image(folder / "b_good.png", seed=3)
    os.mkfifo(folder / "a_pipe.png")  # opening it would wait forever for a writer
    (folder / "c_device.png").symlink_to("/dev/zero")  # reading it would never end
    big = folder / "d_big.png"
    with big.open("wb") as fh:
        fh.truncate(64 * 1024)
    monkeypatch.setattr(decode, "MAX_FILE_BYTES", 32 * 1024)
    report = import_paths(project, actor, [folder])
    reasons = {os.path.basename(p): why for p, why in report.refused}
    assert [info.original_name for info in report.stored] == ["b_good.png"]
    assert "not a regular file" in reasons["a_pipe.png"]
    assert "not a regular file" in reasons["c_device.png"]
    assert "refused" in reasons["d_big.png"] and "GB" in reasons["d_big.png"]


def test_control_characters_in_file_names_are_not_stored(project, actor, tmp_path,
                                                         make_image) -> None:  # noqa: ANN001
    """An escape sequence in a name would clear a terminal; a newline would fake a line."""
    from inspector.services.importing import import_paths
    from inspector.services.labeling import list_images

    odd = make_image(tmp_path / "part\x1b[2J\nfake.png", seed=7)
    import_paths(project, actor, [odd])
    (info,) = list_images(project)
    assert info.original_name == "part?[2J?fake.png"


def test_file_names_that_are_not_utf8_are_imported(project, actor, tmp_path,
                                                   make_image) -> None:  # noqa: ANN001
    """A Latin-1 "café.png" from an old share reaches Python as a lone surrogate, which
    the database cannot store: the import stopped with an internal error, losing the
    report of every file it had done."""
    try:  # Windows cannot even spell such a name (its file names are UTF-16)
        odd = make_image(tmp_path / "share" / os.fsdecode(b"caf\xe9.png"), seed=8)
    except (OSError, UnicodeError):
        pytest.skip("this file system refuses names that are not UTF-8")
    make_image(tmp_path / "share" / "plain.png", seed=9)
    rep = import_paths(project, actor, [tmp_path / "share"])
    assert rep.refused == [] and len(rep.stored) == 2
    assert {i.original_name for i in rep.stored} == {"caf\ufffd.png", "plain.png"}
    assert (str(odd), rep.stored[0].id) in rep.accepted


def test_a_12_bit_camera_is_pointed_at_its_setting_and_then_read_right(  # noqa: ANN001
        project, admin, tmp_path) -> None:
    import cv2

    from inspector.services.labeling import load_image

    ramp = np.linspace(0, 4095, 64 * 64).reshape(64, 64).astype(np.uint16)
    cv2.imwrite(str(tmp_path / "a.png"), ramp)
    cv2.imwrite(str(tmp_path / "b.tif"), ramp[::-1].copy())
    rep = import_paths(project, admin, [tmp_path / "a.png", tmp_path / "b.tif"])
    assert rep.deep_bits == [12, 12] and len(rep.notes) == 1
    assert "use only 12 bits" in rep.notes[0] and "sensor_bits 12" in rep.notes[0]
    first = rep.stored[0].id
    assert load_image(project, first).max() <= 16  # 16 bits: almost black
    project.set_setting(admin, "sensor_bits", 12)
    assert abs(float(load_image(project, first).mean()) - 127.5) < 2  # every later read
    cv2.imwrite(str(tmp_path / "c.png"), (ramp // 2).copy())
    assert import_paths(project, admin, [tmp_path / "c.png"]).notes == []  # fits now
    cv2.imwrite(str(tmp_path / "d.png"), ramp * 16)
    over = import_paths(project, admin, [tmp_path / "d.png"]).notes
    assert len(over) == 1 and "above 12 bits" in over[0]
    for bad in (11, 8, "twelve", 0):
        with pytest.raises(UserError, match="sensor_bits"):
            project.set_setting(admin, "sensor_bits", bad)
    assert project.get_setting("sensor_bits") == 12


def test_a_sensor_bits_value_this_version_cannot_use_is_a_clear_message(  # noqa: ANN001
        project, admin, tmp_path, make_image) -> None:
    from inspector.services.labeling import load_image
    from inspector.store.models import Setting

    stored = import_paths(project, admin, [make_image("a.png")]).stored[0].id
    with project.db.session() as s:  # as a newer version (or a hand edit) might leave it
        s.merge(Setting(key="sensor_bits", value=11))
    with pytest.raises(UserError, match="sensor_bits holds 11.*inspector settings sensor_bits 16"):
        load_image(project, stored)
    project.set_setting(admin, "sensor_bits", 16)  # the way out the message names
    assert load_image(project, stored).shape == (32, 32, 3)


def test_a_full_disk_at_the_audit_row_keeps_the_import_summary(project, actor, tmp_path,
                                                               make_image, monkeypatch) -> None:  # noqa: ANN001
    """The images went in, then the last small write (the audit row) found the disk full:
    only "the disk is full" was said, and which files were stored was lost."""
    import sqlite3

    from sqlalchemy.exc import OperationalError

    from inspector.services import importing
    from inspector.store import audit

    for i in range(3):
        make_image(tmp_path / "parts" / f"p{i}.png", seed=i)
    real = audit.record

    def full_at_the_import_row(session, actor_, action, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        if action == "images.import":
            raise OperationalError("INSERT", {}, sqlite3.OperationalError(
                "database or disk is full"))
        return real(session, actor_, action, *args, **kwargs)

    monkeypatch.setattr(importing.audit, "record", full_at_the_import_row)
    rep = import_paths(project, actor, [tmp_path / "parts"])
    assert len(rep.stored) == 3
    assert any("audit log entry could not be written" in n for n in rep.notes)
