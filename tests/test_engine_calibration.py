"""Threshold calibration from held-out good scores, with and without defect scores."""

from __future__ import annotations

import numpy as np
import pytest

from inspector.engine.calibration import calibrate
from inspector.engine.config import EngineConfig


def _goods(n: int = 10, seed: int = 0) -> np.ndarray:
    return np.exp(np.random.default_rng(seed).normal(np.log(20.0), 0.1, n))


def test_good_only_threshold_rejects_few_goods():
    goods = _goods(10)
    cal = calibrate(goods)
    assert cal.threshold > np.median(goods)
    assert cal.estimated_frr <= 0.1  # does not flag everything
    # on many fresh goods from the same distribution the false-reject rate is small
    fresh = _goods(5000, seed=1)
    assert (fresh >= cal.threshold).mean() < 0.03


def test_one_odd_good_does_not_dominate():
    goods = np.append(_goods(9), 60.0)  # one mislabelled / odd image
    assert calibrate(goods).threshold < 35.0


def test_target_rate_moves_the_threshold():
    goods = _goods(10)
    strict = calibrate(goods, cfg=EngineConfig(target_frr=0.001)).threshold
    loose = calibrate(goods, cfg=EngineConfig(target_frr=0.1)).threshold
    assert loose < strict


def test_clear_defects_move_threshold_toward_them():
    goods = _goods(10)
    base = calibrate(goods).threshold
    synthetic = np.full(10, 60.0)
    cal = calibrate(goods, synthetic=synthetic)
    assert base < cal.threshold < 60.0
    assert cal.synthetic_recall == 1.0
    assert "defect" in cal.method


def test_overlapping_defects_never_lower_it():
    goods = _goods(10)
    base = calibrate(goods).threshold
    cal = calibrate(goods, labelled=np.array([15.0, 18.0, 19.0, 21.0]))
    assert cal.threshold == pytest.approx(base)
    assert cal.labelled_recall is not None and cal.labelled_recall < 0.5


def test_labelled_defects_join_synthetic_ones():
    goods = _goods(10)
    only_syn = calibrate(goods, synthetic=np.full(10, 100.0)).threshold
    with_lab = calibrate(goods, synthetic=np.full(10, 100.0), labelled=np.full(10, 30.0))
    assert with_lab.threshold < only_syn
    assert with_lab.labelled_recall == 1.0


def test_the_uncertain_band_moves_with_a_threshold_lifted_toward_the_defects():
    """Ten held-out goods underestimate the good tail, so clear defects lift the threshold;
    the band's good quantile is as short of it and must rise as much. Left where it was,
    a "5 %" band on the bottle folder (K=10) held 60 % of the test goods."""
    goods = _goods(10)
    cfg = EngineConfig(uncertain_frr=0.05)
    plain = calibrate(goods, cfg=cfg)
    lifted = calibrate(goods, synthetic=np.full(20, 80.0), cfg=cfg)
    assert lifted.method.endswith("defect-midpoint") and lifted.threshold > plain.threshold
    assert lifted.uncertain_low / lifted.threshold == pytest.approx(
        plain.uncertain_low / plain.threshold)  # the same band, in ratio
    assert lifted.uncertain_low > plain.threshold  # not down at the goods' own quantile


def test_uncertain_band_and_errors():
    goods = _goods(10)
    cal = calibrate(goods, cfg=EngineConfig(uncertain_frr=0.1))
    assert cal.uncertain_low is not None and cal.uncertain_low < cal.threshold
    assert calibrate(goods).uncertain_low is None
    with pytest.raises(ValueError):
        calibrate(np.array([1.0]))


def test_two_held_out_goods_above_the_fit_lift_it_past_the_second():
    """Ten held-out goods, eight tightly together and two well above: the robust fit
    reads the eight and put the 1 % threshold below both others (measured on a real
    product after labelled defects switched local density on: 20-30 % of test goods
    rejected against a 1 % target). Two of ten above a true 1 % threshold happen 0.4 %
    of the time, so the threshold goes past the second highest."""
    goods = np.array([20.0, 20.2, 20.4, 19.8, 19.6, 20.1, 19.9, 20.3, 27.0, 30.0])
    cal = calibrate(goods)
    assert 27.0 < cal.threshold < 30.0 and "held-out-floor" in cal.method
    assert cal.estimated_frr == pytest.approx(0.1)


def test_the_floor_follows_the_number_of_goods_and_the_target():
    from inspector.engine.calibration import held_out_floor

    ten = np.arange(1.0, 11.0)
    assert held_out_floor(ten, 0.01) == 9.0  # one of ten above is 9.6 % likely: allowed
    assert held_out_floor(np.arange(200.0), 0.01) == 194.0  # 5 of 200 allowed, not 6
    assert held_out_floor(np.arange(1.0, 6.0), 0.01) == 4.0  # five: one odd score tolerated
    assert held_out_floor(ten, 0.3) == 5.0  # six of ten above a 30 % threshold: improbable
    assert held_out_floor(np.array([1.0, 2.0]), 0.3) == float("-inf")  # two prove nothing
