"""The benchmark finds MVTec-layout categories anywhere below the root and reports numbers."""

from __future__ import annotations

import json
import os

import cv2
import numpy as np
import pytest
from engine_fixtures import write_parts

from inspector.cli import cmd_benchmark
from inspector.engine.benchmark import KEYS, find_categories, format_table, run_benchmark
from inspector.engine.config import EngineConfig
from inspector.errors import UserError


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    root = tmp_path_factory.mktemp("bench")
    a = root / "ds" / "disc"
    write_parts(a / "train" / "good", 5, 0)
    write_parts(a / "test" / "good", 3, 100)
    bad = write_parts(a / "test" / "scratch", 3, 600, defect=True)
    (a / "ground_truth" / "scratch").mkdir(parents=True)
    for p in bad:
        mask = np.zeros((128, 128), np.uint8)
        mask[30:70, 30:90] = 255
        cv2.imwrite(str(a / "ground_truth" / "scratch" / f"{p.stem}_mask.png"), mask)
    b = root / "grey"  # grayscale JPEGs of another size, no masks
    for sub, n, seed, d in (("train/good", 5, 10, False), ("test/good", 2, 200, False),
                            ("test/bad", 2, 800, True)):
        for p in write_parts(b / sub, n, seed, defect=d, size=96):
            cv2.imwrite(str(p.with_suffix(".jpg")), cv2.imread(str(p), cv2.IMREAD_GRAYSCALE))
            p.unlink()
    return root


def test_finds_categories_and_refuses_empty(tree, tmp_path):
    assert [c.relative_to(tree).as_posix() for c in find_categories(tree)] == ["ds/disc", "grey"]
    with pytest.raises(UserError):
        find_categories(tmp_path)


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_categories_behind_links_are_found_once_and_a_link_loop_ends(tree, tmp_path):
    """A data folder is often a tree of links to datasets kept elsewhere; Path.rglob
    does not follow them (Python 3.11), so such a folder had "no category folders"."""
    links = tmp_path / "data"
    (links / "sets").mkdir(parents=True)
    try:
        (links / "sets" / "ds").symlink_to(tree / "ds", target_is_directory=True)
    except OSError:  # Windows without the right to make links
        pytest.skip("cannot make symbolic links here")
    (links / "grey").symlink_to(tree / "grey", target_is_directory=True)
    (links / "again").symlink_to(tree / "grey", target_is_directory=True)  # the same, twice
    (links / "sets" / "loop").symlink_to(links, target_is_directory=True)
    found = [c.relative_to(links).as_posix() for c in find_categories(links)]
    assert found == ["again", "sets/ds/disc"]  # each real folder once


def test_peak_memory_is_measured() -> None:
    from inspector.peak_memory import peak_rss_mb

    ballast = np.ones(64 * 1024 * 1024 // 8)  # 64 MB touched
    peak = peak_rss_mb()
    assert peak is not None and peak > 64 + 10
    del ballast


def test_benchmark_json_shape_and_sanity(tree):
    cfg = EngineConfig(preset="fast", image_size=128, max_bank=512)
    res = run_benchmark(tree, shots=4, defect_shots=1, config=cfg, log=lambda m: None)
    assert set(res) == {"shots", "defect_shots", "categories", "mean", "peak_rss_mb"}
    assert (res["shots"], res["defect_shots"]) == (4, 1)
    assert set(res["categories"]) == {"ds/disc", "grey"}
    for r in [*res["categories"].values(), res["mean"]]:
        assert set(r) == set(KEYS)
    disc = res["categories"]["ds/disc"]
    assert disc["image_auroc"] == 1.0  # an obvious flaw on a simple part
    assert 0.0 <= disc["pixel_auroc"] <= 1.0
    assert res["categories"]["grey"]["pixel_auroc"] is None
    assert disc["best_f1"] >= disc["f1"]
    assert disc["fit_seconds"] > 0 and disc["ms_per_image"] > 0
    assert "ds/disc" in format_table(res)


def test_cli_writes_json(tree, tmp_path, capsys):
    import argparse

    parser = argparse.ArgumentParser()
    cmd_benchmark.register(parser.add_subparsers())
    out = tmp_path / "r.json"
    args = parser.parse_args(["benchmark", str(tree / "grey"), "--shots", "0", "--preset",
                              "fast", "--image-size", "96", "--json", str(out)])
    assert args.handler(args) == 0
    data = json.loads(out.read_text())
    assert list(data["categories"]) == ["grey"] and data["shots"] == 0
    assert "img AUROC" in capsys.readouterr().out


def test_bad_files_and_untrainable_categories_are_skipped_not_fatal(tmp_path):
    root = tmp_path / "data"
    deep = root / "deep16"  # 16-bit PNGs: decoded like the product does (scaled, not clipped)
    for sub, n, seed, d in (("train/good", 4, 0, False), ("test/good", 2, 100, False),
                            ("test/bad", 2, 600, True)):
        for p in write_parts(deep / sub, n, seed, defect=d):
            cv2.imwrite(str(p), cv2.imread(str(p)).astype(np.uint16) * 257)
    (deep / "test" / "good" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n-truncated")
    (deep / "ground_truth" / "bad").mkdir(parents=True)  # masks named like their images
    for p in sorted((deep / "test" / "bad").iterdir()):
        mask = np.zeros((128, 128), np.uint8)
        mask[30:70, 30:90] = 255
        cv2.imwrite(str(deep / "ground_truth" / "bad" / p.name), mask)
    thin = root / "thin"  # one good image cannot train
    write_parts(thin / "train" / "good", 1, 0)
    write_parts(thin / "test" / "bad", 1, 600, defect=True)
    logged: list[str] = []
    cfg = EngineConfig(preset="fast", image_size=128, max_bank=512)
    res = run_benchmark(root, shots=0, config=cfg, log=logged.append)
    assert list(res["categories"]) == ["deep16"]
    assert res["categories"]["deep16"]["image_auroc"] == 1.0
    assert res["categories"]["deep16"]["pixel_auroc"] is not None
    assert "at least 2 good images" in res["skipped"]["thin"]
    assert any("broken.png" in m for m in logged)
    assert "skipped thin" in format_table(res)
    with pytest.raises(UserError, match="no category could be benchmarked"):
        run_benchmark(thin.parent / "thin", shots=0, config=cfg, log=logged.append)


def test_categories_without_goods_or_defects_and_odd_files(tmp_path):
    """No defects: no P/R/F1 (not zeros that pull the mean down). Only defects: flagging
    all is best (best F1 1). A 1x1 test image is skipped alone; a mask of another shape is
    left out with a message instead of being stretched."""
    root = tmp_path / "data"
    nodef = root / "nodefects"
    write_parts(nodef / "train" / "good", 3, 0)
    write_parts(nodef / "test" / "good", 2, 100)
    nogood = root / "nogood"
    write_parts(nogood / "train" / "good", 3, 0)
    bad = write_parts(nogood / "test" / "scratch", 2, 600, defect=True)
    cv2.imwrite(str(nogood / "test" / "scratch" / "dot.png"), np.zeros((1, 1, 3), np.uint8))
    (nogood / "ground_truth" / "scratch").mkdir(parents=True)
    cv2.imwrite(str(nogood / "ground_truth" / "scratch" / f"{bad[0].stem}_mask.png"),
                np.zeros((37, 999), np.uint8))
    logged: list[str] = []
    cfg = EngineConfig(preset="fast", image_size=128, max_bank=512)
    res = run_benchmark(root, shots=0, config=cfg, log=logged.append)
    assert set(res["categories"]) == {"nodefects", "nogood"}
    none = res["categories"]["nodefects"]
    assert [none[k] for k in ("image_auroc", "precision", "recall", "f1", "best_f1")] == [None] * 5
    only = res["categories"]["nogood"]
    assert only["best_f1"] == 1.0 and only["f1"] <= 1.0 and only["image_auroc"] is None
    assert res["mean"]["best_f1"] == 1.0  # the empty category does not count as a zero
    assert any("dot.png" in m for m in logged)
    assert any("999x37" in m and "left out" in m for m in logged)


def test_cli_refuses_bad_options_before_running(tree, tmp_path, capsys):
    import argparse

    parser = argparse.ArgumentParser()
    cmd_benchmark.register(parser.add_subparsers())
    for bad in (["--threads", "-1"], ["--stages", "abc"], ["--stages", "9"],
                ["--backbone", "resnet"], ["--shots", "99999999999999999999999"],
                ["--top-fraction", "0"], ["--top-fraction", "1.5"], ["--top-fraction", "x"]):
        with pytest.raises(SystemExit):
            parser.parse_args(["benchmark", str(tree), *bad])
    args = parser.parse_args(["benchmark", str(tree / "grey"), "--json", str(tmp_path)])
    with pytest.raises(UserError, match="is a folder"):
        args.handler(args)
    capsys.readouterr()


def test_masks_of_every_common_encoding_mark_the_defect(tmp_path):
    """0/255 (MVTec), 0/1 labels (8 and 16 bit), 16-bit 0/65535, red on a black palette
    and a noisy JPEG all mark the same square; 0/1 and palette masks used to mark nothing,
    so a category with masks had a null pixel AUROC and no message."""
    from PIL import Image

    from inspector.engine.benchmark import _mask_for

    cat = tmp_path / "cat"
    folder = cat / "ground_truth" / "crack"
    folder.mkdir(parents=True)
    square = np.zeros((64, 64), bool)
    square[16:40, 20:50] = True
    encodings = {
        "mvtec": Image.fromarray(square.astype(np.uint8) * 255),
        "labels": Image.fromarray(square.astype(np.uint8)),
        "labels16": Image.fromarray(square.astype(np.uint16)),
        "deep16": Image.fromarray(square.astype(np.uint16) * 65535),
    }
    red = Image.fromarray(square.astype(np.uint8), mode="L").convert("P")
    red.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    encodings["palette"] = red
    for name, im in encodings.items():
        im.save(folder / f"{name}_mask.png")
    noisy = np.clip(square * 255.0 + np.random.default_rng(0).normal(0, 20, square.shape),
                    0, 255).astype(np.uint8)
    cv2.imwrite(str(folder / "noisy_mask.png"), noisy)
    for name in [*encodings, "noisy"]:
        mask = _mask_for(cat, "crack", cat / "test" / "crack" / f"{name}.png", (128, 128))
        assert mask is not None and mask.shape == (128, 128), name
        big = cv2.resize(square.astype(np.uint8), (128, 128), interpolation=cv2.INTER_NEAREST)
        assert (mask == big.astype(bool)).mean() > 0.99, name
    assert not _mask_for(cat, "good", cat / "test" / "good" / "x.png", (8, 8)).any()


def test_sensor_bits_reads_a_12_bit_folder_as_the_project_would(tmp_path):
    from inspector.engine.benchmark import load_rgb

    ramp = np.linspace(0, 4095, 48 * 48).reshape(48, 48).astype(np.uint16)
    cv2.imwrite(str(tmp_path / "deep.png"), ramp)
    assert load_rgb(tmp_path / "deep.png").max() <= 16
    assert load_rgb(tmp_path / "deep.png", 12).max() == 255


def test_cli_takes_sensor_bits_and_refuses_other_depths(tree, capsys):
    import argparse

    parser = argparse.ArgumentParser()
    cmd_benchmark.register(parser.add_subparsers())
    assert parser.parse_args(["benchmark", str(tree)]).sensor_bits == 16
    assert parser.parse_args(["benchmark", str(tree), "--sensor-bits", "12"]).sensor_bits == 12
    with pytest.raises(SystemExit):
        parser.parse_args(["benchmark", str(tree), "--sensor-bits", "11"])
    assert "--sensor-bits" in capsys.readouterr().err


def test_one_missing_mask_leaves_out_its_image_not_the_category(tmp_path):
    """A single missing (or unreadable) mask silently turned the whole category's pixel
    AUROC into "-"."""
    import shutil

    from inspector.engine.benchmark import evaluate_category

    cat = tmp_path / "disc"
    write_parts(cat / "train" / "good", 5, 0)
    write_parts(cat / "test" / "good", 2, 100)
    bad = write_parts(cat / "test" / "scratch", 3, 600, defect=True)
    (cat / "ground_truth" / "scratch").mkdir(parents=True)
    for p in bad[1:]:  # the first has no mask
        mask = np.zeros((128, 128), np.uint8)
        mask[30:70, 30:90] = 255
        cv2.imwrite(str(cat / "ground_truth" / "scratch" / f"{p.stem}_mask.png"), mask)
    said: list[str] = []
    cfg = EngineConfig(preset="fast", image_size=128, max_bank=512)
    res = evaluate_category(cat, 4, 0, cfg, log=said.append)
    assert res["pixel_auroc"] is not None
    assert any(bad[0].name in m and "left out of the pixel AUROC" in m for m in said)
    shutil.rmtree(cat / "ground_truth")  # no masks at all: no pixel AUROC, as before
    assert evaluate_category(cat, 4, 0, cfg, log=said.append)["pixel_auroc"] is None
