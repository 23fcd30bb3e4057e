"""Train -> save -> load -> inspect on small synthetic parts; cancel; model-file checks."""

from __future__ import annotations

import json
import struct

import cv2
import numpy as np
import pytest
from engine_fixtures import make_part

from inspector.engine import DefectModel, EngineConfig, LabelledDefect, train_model
from inspector.engine.modelfile import FORMAT_VERSION
from inspector.engine.result import render_overlay
from inspector.errors import Cancelled, ImageError, ModelFileError, UserError
from inspector.progress import CancelToken

CFG = EngineConfig(preset="fast", image_size=128, max_bank=1024)


@pytest.fixture(scope="module")
def goods() -> list[np.ndarray]:
    return [make_part(i) for i in range(6)]


@pytest.fixture(scope="module")
def model(goods) -> DefectModel:
    return train_model(goods, config=CFG)


def test_defect_scores_higher_and_round_trips(model, tmp_path):
    good, bad = make_part(100), make_part(600, defect=True)
    rg, rb = model.predict(good), model.predict(bad)
    assert rb.score > rg.score
    assert rb.verdict == "ng" and rg.verdict == "ok"
    assert rb.severity in ("minor", "major", "critical") and rg.severity is None
    assert rb.heatmap.shape == bad.shape[:2] and rb.heatmap.dtype == np.float32
    assert 0.0 <= rb.heatmap.min() and rb.heatmap.max() <= 1.0
    assert rb.overlay.shape == bad.shape and rb.overlay.dtype == np.uint8
    assert rb.defect_area_fraction > rg.defect_area_fraction
    assert set(rb.timings_ms) >= {"features", "scoring", "heatmap"}
    # The overlay is rendered once, on first use, from the inspected image and heat map.
    assert "overlay" not in rg.__dict__  # not rendered until asked for
    assert np.array_equal(rg.overlay, render_overlay(good, rg.heatmap))
    assert np.array_equal(rb.overlay, render_overlay(bad, rb.heatmap))
    assert rb.overlay is rb.overlay
    assert not np.array_equal(rb.overlay, bad)  # the defect is drawn over the image

    path = tmp_path / "m.safetensors"
    model.save(path)
    assert not list(tmp_path.glob("*.tmp"))  # atomic write leaves no temp file
    loaded = DefectModel.load(path)
    assert loaded.threshold == pytest.approx(model.threshold)
    assert loaded.metadata["backbone"] == "lite0"
    assert len(loaded.metadata["good_sha256"]) == 6
    for img in (good, bad):
        assert loaded.predict(img).score == pytest.approx(model.predict(img).score, rel=1e-5)


def test_any_input_size_and_grey_images(model):
    wide = np.ascontiguousarray(make_part(101, size=160)[20:110])  # 90 x 160
    res = model.predict(wide)
    assert res.heatmap.shape == (90, 160) and res.overlay.shape == (90, 160, 3)
    grey = make_part(102)[:, :, 0].copy()
    rgrey = model.predict(grey)
    assert rgrey.heatmap.shape == grey.shape and rgrey.overlay.shape == (*grey.shape, 3)
    with pytest.raises(ImageError):
        model.predict(np.zeros((4, 4, 3), np.float32))


def test_labelled_defects_add_bank_and_type(goods):
    defects = [LabelledDefect(make_part(700 + i, defect=True), "scratch") for i in range(2)]
    m = train_model(goods, defects, config=CFG)
    assert m.banks.defect is not None and m.metrics["n_defects"] == 2
    res = m.predict(make_part(650, defect=True))
    assert res.verdict == "ng" and res.defect_type == "scratch"
    # the only type labelled: named, but no confidence (a vote among one is always 100 %)
    assert res.type_confidence is None
    two = train_model(goods, [*defects, LabelledDefect(make_part(720, defect=True), "dent")],
                      config=CFG)
    chosen = two.predict(make_part(650, defect=True))
    assert chosen.defect_type in {"scratch", "dent"} and 0.0 < chosen.type_confidence <= 1.0
    assert len(m.metrics["labelled_scores"]) == 2
    off = train_model(goods, defects, config=EngineConfig(
        preset="fast", image_size=128, max_bank=1024, use_defect_bank=False,
        synthetic_bank=False))
    assert off.banks.defect is None


def test_cancel_mid_training_raises(goods):
    token = CancelToken()
    seen = []

    def progress(p):
        seen.append(p.fraction)
        if p.fraction > 0.3:
            token.cancel()

    with pytest.raises(Cancelled):
        train_model(goods, config=CFG, progress=progress, cancel=token)
    assert seen and max(seen) < 1.0


@pytest.mark.parametrize("late", ["memory bank ready"])
def test_a_cancel_after_the_memory_bank_still_cancels(goods, late):
    """A cancel from the last steps on returned a finished model all the same (the
    service then saved nothing, but a caller of the engine alone would act on it)."""
    token = CancelToken()

    def progress(p):
        if p.message == late:
            token.cancel()

    with pytest.raises(Cancelled):
        train_model(goods, config=CFG, progress=progress, cancel=token)


def test_too_few_goods_is_a_user_error():
    with pytest.raises(UserError):
        train_model([make_part(0)], config=CFG)


def test_bad_model_files_are_refused(model, tmp_path):
    path = tmp_path / "m.safetensors"
    model.save(path)
    data = path.read_bytes()

    (tmp_path / "trunc").write_bytes(data[: len(data) // 2])
    (tmp_path / "flip").write_bytes(data[:-10] + bytes(10))
    (tmp_path / "text").write_text("hello, not a model")
    (tmp_path / "empty").write_bytes(b"")
    for name in ("trunc", "flip", "text", "empty", "missing"):
        with pytest.raises(ModelFileError):
            DefectModel.load(tmp_path / name)

    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    meta = json.loads(header["__metadata__"]["inspector"])
    meta["format_version"] = FORMAT_VERSION + 1
    header["__metadata__"]["inspector"] = json.dumps(meta)
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)
    (tmp_path / "future").write_bytes(struct.pack("<Q", len(raw)) + raw + data[8 + n :])
    with pytest.raises(ModelFileError, match="A newer Inspector wrote it: update this station"):
        DefectModel.load(tmp_path / "future")  # not "retrain": the file is fine


def test_pickles_and_foreign_safetensors_are_refused_without_running_code(tmp_path):
    """A model file is never unpickled: a torch.save / pickle file that would run code
    when loaded is refused as "not an Inspector model file" and its code never runs; a
    valid safetensors file written by another tool is refused the same way."""
    import os
    import pickle

    import torch
    from safetensors.torch import save_file

    ran = tmp_path / "code-ran"

    class Payload:
        def __reduce__(self):  # noqa: ANN204 - what a malicious pickle does
            return (os.mkdir, (str(ran),))

    torch.save({"bank_good": Payload()}, tmp_path / "torch.pt")
    (tmp_path / "plain.pkl").write_bytes(pickle.dumps(Payload()))
    save_file({"w": torch.zeros(3)}, tmp_path / "foreign.safetensors")
    save_file({"w": torch.zeros(3)}, tmp_path / "other.safetensors",
              metadata={"inspector": json.dumps({"format": "someone-else"})})
    for name in ("torch.pt", "plain.pkl", "foreign.safetensors", "other.safetensors"):
        with pytest.raises(ModelFileError, match="not an Inspector model file"):
            DefectModel.load(tmp_path / name)
    assert not ran.exists()


def test_batch_inspection_reports_progress_and_cancels_between_images(model):
    images = [make_part(100 + i) for i in range(4)]
    seen = []
    results = model.predict_batch(images, progress=seen.append)
    assert [r.score for r in results] == pytest.approx([model.predict(i).score for i in images])
    assert [p.fraction for p in seen] == [0.25, 0.5, 0.75, 1.0]
    assert seen[-1].message == "inspected 4/4"
    token = CancelToken()

    def stop_after_two(p):  # noqa: ANN001
        if p.fraction >= 0.5:
            token.cancel()

    done = []
    with pytest.raises(Cancelled):
        model.predict_batch(images, progress=lambda p: (done.append(p), stop_after_two(p)),
                            cancel=token)
    assert len(done) == 2  # the third image was never inspected


def test_uncertain_band(model):
    img = make_part(100)
    s = model.predict(img).score
    res = model.with_threshold(s * 1.1, s * 0.9).predict(img)
    assert res.verdict == "uncertain" and res.severity is None
    assert model.with_threshold(s * 0.5).predict(img).verdict == "ng"
    with pytest.raises(ValueError):
        model.with_threshold(1.0, 2.0)


def test_the_live_overlay_layer_looks_like_the_stored_overlay() -> None:
    """Inspect draws ``overlay_rgba`` over the photo; History and the reports show the
    stored ``render_overlay``. They were two colour schemes (red-yellow vs JET with
    outlines) for the same part; composited, the layer now gives the stored picture."""
    from inspector.engine.result import overlay_rgba

    rng = np.random.default_rng(3)
    image = rng.integers(0, 256, (120, 160, 3), dtype=np.uint8)
    heat = np.zeros((120, 160), np.float32)
    heat[30:70, 40:100] = np.linspace(0.0, 1.0, 60, dtype=np.float32)
    box = (10, 10, 110, 150)
    layer = overlay_rgba(heat, box)
    a = layer[..., 3:].astype(np.float32) / 255.0
    composited = image * (1.0 - a) + layer[..., :3] * a
    stored = render_overlay(image, heat, box).astype(np.float32)
    assert np.abs(composited - stored).max() <= 2.0
    assert layer[0, 0, 3] == 0 and tuple(layer[10, 10]) == (255, 255, 255, 255)


def test_overlays_drawn_band_by_band_equal_the_whole(monkeypatch) -> None:  # noqa: ANN001
    """A 60 MP overlay took 1.4 GB drawn at once; drawn in row bands it takes a fifth,
    and it must be the same picture, defect outlines across the bands included."""
    from inspector.engine import result

    rng = np.random.default_rng(7)
    rgb = rng.integers(0, 255, (301, 157, 3), dtype=np.uint8)
    heat = cv2.GaussianBlur(rng.random((301, 157)).astype(np.float32), (0, 0), 9)
    heat = (heat - heat.min()) / (heat.max() - heat.min())
    heat[5, 5] = np.nan  # a map read back from a damaged file
    whole = (result.render_overlay(rgb, heat, (10, 10, 290, 150)), result.overlay_rgba(heat))
    monkeypatch.setattr(result, "BAND_PIXELS", 157 * 7)  # 43 bands of 7 rows
    banded = (result.render_overlay(rgb, heat, (10, 10, 290, 150)), result.overlay_rgba(heat))
    assert all(np.array_equal(a, b) for a, b in zip(whole, banded, strict=True))
    assert (heat >= 0.5).any() and (heat < 0.5).any()  # outlines were drawn
