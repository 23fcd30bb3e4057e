"""Model files that pass their checksum but do not add up are refused with a clear error,
and the first release's defect-bank files keep the rule they were calibrated with."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from engine_fixtures import make_part
from safetensors.torch import load as st_load
from safetensors.torch import save as st_save

from inspector.engine import DefectModel, EngineConfig, LabelledDefect, train_model
from inspector.engine.modelfile import (
    _content_digest,
    _digest,
    model_from_bytes,
    model_to_bytes,
)
from inspector.engine.scoring import patch_maps
from inspector.errors import ModelFileError

CFG = EngineConfig(preset="fast", image_size=128, max_bank=1024, synthetic_bank=False)


@pytest.fixture(scope="module")
def model() -> DefectModel:
    goods = [make_part(i) for i in range(5)]
    defects = [LabelledDefect(make_part(700 + i, defect=True), t)
               for i, t in enumerate(("scratch", "dent"))]
    return train_model(goods, defects, config=CFG)


def _split(data: bytes) -> tuple[dict, dict]:
    from inspector.engine.modelfile import read_metadata

    return read_metadata(data), dict(st_load(data))


def _join(meta: dict, tensors: dict) -> bytes:
    """A file whose checksums match its (edited) contents, as a tool would write it."""
    meta = dict(meta, tensor_sha256=_digest(tensors))
    try:
        meta["content_sha256"] = _content_digest(meta)
    except ValueError:  # NaN in the edit: the digest cannot be written; the check refuses
        meta["content_sha256"] = None
    return st_save(tensors, metadata={"inspector": json.dumps(meta)})


def _edited(model, edit) -> bytes:  # noqa: ANN001
    meta, tensors = _split(model_to_bytes(model))
    edit(meta, tensors)
    return _join(meta, tensors)


def _set_config(key, value):  # noqa: ANN001, ANN202
    return lambda meta, _t: meta["config"].__setitem__(key, value)


def _set_tensor(key, fn):  # noqa: ANN001, ANN202
    return lambda _m, t: t.__setitem__(key, fn(t[key]))


@pytest.mark.parametrize("edit, words", [
    (_set_config("backbone", "lite9"), "unknown backbone"),
    (_set_config("stages", [9]), "invalid stages"),
    (_set_config("top_fraction", 5), "top_fraction"),
    (lambda m, _t: m.__setitem__("image_size", 512), "image size"),
    (lambda m, _t: m.__setitem__("threshold", float("nan")), "threshold"),
    (_set_config("backbone", "lite2"), "do not match"),  # the header says lite0
    (lambda m, _t: (m["config"].__setitem__("backbone", "lite2"),
                    m.__setitem__("backbone", "lite2")), "channels"),  # lite2 is wider
    (lambda _m, t: t.update({k: t[k][:, :-1].contiguous() for k in
                             ("bank_good", "bank_defect", "type_feats")}), "channels"),
    (_set_tensor("bank_good", lambda t: t[0].contiguous()), "bank_good has shape"),
    (_set_tensor("bank_good", lambda t: t[:0].contiguous()), "bank_good has shape"),
    (_set_tensor("bank_good", lambda t: t.half()), "float16"),
    (_set_tensor("bank_good", lambda t: t.index_fill(0, torch.tensor([0]), float("nan"))),
     "not finite"),
    (_set_tensor("bank_defect", lambda t: t[:, :5].contiguous()), "bank_defect has shape"),
    (lambda m, _t: m.__setitem__("type_names", ["scratch"]), "type_names"),
    (lambda m, _t: m.__setitem__("defect_rule", "multiply"), "defect_rule"),
    # Metadata of the wrong type or range (a changed digit, a hand edit): each used to
    # load, or to fail with a traceback at the first inspection.
    (lambda m, _t: m.__setitem__("threshold", 0.0), "threshold"),
    (lambda m, _t: m.__setitem__("threshold", -1.0), "threshold"),
    (lambda m, _t: m.__setitem__("threshold", "12"), "threshold"),
    (lambda m, _t: m.__setitem__("score_offset", float("inf")), "score_offset"),
    (lambda m, _t: m.__setitem__("defect_beta", -1.0), "defect_beta"),
    (lambda m, _t: m.__setitem__("uncertain_low", m["threshold"] * 2), "uncertain_low"),
    (_set_config("severity", ["minor"]), "severity"),
    (_set_config("keep_aspect", "no"), "keep_aspect"),
    (_set_config("smooth_sigma", "x"), "smooth_sigma"),
    (lambda m, _t: m.__setitem__("coarse_gain", 0.5), "bank_coarse"),
])
def test_inconsistent_files_are_refused_clearly(model, edit, words) -> None:  # noqa: ANN001
    with pytest.raises(ModelFileError, match=words):
        model_from_bytes(_edited(model, edit))


def test_a_changed_setting_without_its_checksum_is_refused(model) -> None:  # noqa: ANN001
    """One changed digit of the threshold loaded silently and passed defective parts: the
    checksum covered the tensors only."""
    meta, tensors = _split(model_to_bytes(model))
    meta["threshold"] = meta["threshold"] * 4
    damaged = st_save(tensors, metadata={"inspector": json.dumps(meta)})
    with pytest.raises(ModelFileError, match="do not match their checksum"):
        model_from_bytes(damaged)


def test_format_version_must_be_a_whole_number(model) -> None:  # noqa: ANN001
    meta, tensors = _split(model_to_bytes(model))
    meta["format_version"] = True
    with pytest.raises(ModelFileError, match="version True"):
        model_from_bytes(_join(meta, tensors))


def test_the_unedited_file_loads_and_scores_the_same(model) -> None:  # noqa: ANN001
    loaded = model_from_bytes(model_to_bytes(model))
    part = make_part(650, defect=True)
    assert loaded.banks.defect_rule == "bonus"
    assert loaded.predict(part).score == pytest.approx(model.predict(part).score, rel=1e-5)


def test_first_release_files_keep_their_subtracting_defect_rule(model) -> None:  # noqa: ANN001
    """Format 1, beta 0.3, no recorded rule: score = d_good - 0.3 d_defect, as calibrated."""

    def first_release(meta: dict, _tensors: dict) -> None:
        meta.pop("defect_rule")
        meta["format_version"] = 1
        meta["defect_beta"] = 0.3

    old = model_from_bytes(_edited(model, first_release))
    assert old.banks.defect_rule == "subtract"
    feats, _ = old.extractor([make_part(650, defect=True)])
    maps = patch_maps(feats, old.banks)
    rows = feats[0].flatten(1).T
    d_good = torch.cdist(rows, old.banks.good).amin(1)
    d_def = torch.cdist(rows, old.banks.defect).amin(1)
    expected = (d_good - 0.3 * d_def).view(maps.shape[1:])
    assert torch.allclose(maps[0], expected, atol=1e-3)

    def later_release(meta: dict, _tensors: dict) -> None:
        meta.pop("defect_rule")  # the bonus rule, written before the rule was recorded

    assert model_from_bytes(_edited(model, later_release)).banks.defect_rule == "bonus"


def test_a_score_that_is_not_a_number_is_never_ok(model) -> None:  # noqa: ANN001
    from dataclasses import replace

    broken = replace(model, threshold=model.threshold)
    broken.banks = replace(model.banks, good=torch.full_like(model.banks.good, float("nan")))
    with pytest.raises(ModelFileError, match="no valid score"):
        broken.predict(make_part(100))
    assert np.isfinite(model.predict(make_part(100)).score)
