"""Which labelled images a training run takes when a product has gathered many."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from inspector.services import training_set
from inspector.services.training_set import choose, spread


@dataclass(frozen=True)
class Item:
    n: int
    verdict: str = "good"
    defect_type: str | None = None


def test_spread_keeps_the_oldest_and_the_newest_evenly_spaced() -> None:
    items = [Item(i) for i in range(10)]
    assert [x.n for x in spread(items, 4)] == [0, 3, 6, 9]
    assert [x.n for x in spread(items, 2)] == [0, 9]
    assert [x.n for x in spread(items, 1)] == [9]  # the newest
    assert spread(items, 10) == items and spread(items, 50) == items
    assert spread([], 3) == []


def test_choose_caps_goods_and_each_defect_type_and_keeps_the_order(monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(training_set, "MAX_GOOD", 3)
    monkeypatch.setattr(training_set, "MAX_DEFECTS_PER_TYPE", 2)
    goods = [Item(i) for i in range(0, 20, 2)]  # 10 goods
    dents = [Item(i, "defective", "dent") for i in (1, 3, 5, 7)]
    scratch = [Item(9, "defective", "Scratch"), Item(11, "defective", "scratch")]  # one type
    unnamed = [Item(13, "defective"), Item(15, "defective"), Item(17, "defective")]
    labelled = sorted(goods + dents + scratch + unnamed, key=lambda x: x.n)
    chosen = choose(labelled)
    assert [x.n for x in chosen] == sorted(x.n for x in chosen)  # oldest first, as given
    assert [x.n for x in chosen if x.verdict == "good"] == [0, 8, 18]
    assert [x.n for x in chosen if x.defect_type == "dent"] == [1, 7]
    assert [x.n for x in chosen if x.defect_type and x.defect_type.lower() == "scratch"] == [
        9, 11]
    assert [x.n for x in chosen if x.verdict != "good" and not x.defect_type] == [13, 17]


def test_a_small_set_is_taken_whole() -> None:
    labelled = [Item(i) for i in range(12)] + [Item(20, "defective", "dent")]
    assert choose(labelled) == labelled


@pytest.mark.parametrize("n", [201, 1000])
def test_the_default_cap_is_the_size_the_targets_were_measured_at(n: int) -> None:
    assert len(choose([Item(i) for i in range(n)])) == training_set.MAX_GOOD == 200


@pytest.mark.parametrize("seed", range(5))
def test_left_out_counted_from_tallies_matches_choose(seed: int, monkeypatch) -> None:  # noqa: ANN001
    """The Train page counts instead of reading every label: it must say what a run does."""
    import random

    monkeypatch.setattr(training_set, "MAX_GOOD", 7)
    monkeypatch.setattr(training_set, "MAX_DEFECTS_PER_TYPE", 3)
    rng = random.Random(seed)
    labelled = [Item(i, "good") if rng.random() < 0.6 else
                Item(i, "defective", rng.choice([None, "dent", "Dent", "scratch"]))
                for i in range(rng.randint(0, 40))]
    tallies: dict = {}
    for x in labelled:
        tallies[(x.verdict, x.defect_type)] = tallies.get((x.verdict, x.defect_type), 0) + 1
    assert training_set.left_out(tallies) == len(labelled) - len(choose(labelled))
