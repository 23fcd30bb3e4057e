"""Which labelled images a training run uses when there are more than it needs.

"Label good" on Inspect and History adds the parts a line approves, so a product can
gather thousands of labelled goods over months. Training on all of them grows time and
memory with the count (measured: 800 goods of 1 MP took 76 s and 3.4 GB, past the 2 GiB a
station may use) for little accuracy: the good bank is a 4,096-row coreset either way.
So a run takes at most ``MAX_GOOD`` goods and ``MAX_DEFECTS_PER_TYPE`` defects of each
type, spread evenly from the oldest to the newest label: lighting and batches drift over
months, and an even spread keeps each period in the set.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar

MAX_GOOD = 200  # the training-time and memory targets were measured at 200 images
MAX_DEFECTS_PER_TYPE = 50


class Labelled(Protocol):
    @property
    def verdict(self) -> str: ...

    @property
    def defect_type(self) -> str | None: ...


T = TypeVar("T", bound=Labelled)


def spread(items: Sequence[T], n: int) -> list[T]:
    """``n`` of ``items`` (in their order) evenly spaced, first and last included."""
    if len(items) <= n:
        return list(items)
    if n <= 1:
        return list(items[-1:])  # the newest
    step = (len(items) - 1) / (n - 1)
    return [items[round(i * step)] for i in range(n)]


def choose(labelled: Sequence[T]) -> list[T]:
    """The labelled images (oldest first) a run trains on, in the same order."""
    goods = [x for x in labelled if x.verdict == "good"]
    by_type: dict[str, list[T]] = {}
    for x in labelled:
        if x.verdict != "good":
            by_type.setdefault((x.defect_type or "").casefold(), []).append(x)
    keep = {id(x) for x in spread(goods, MAX_GOOD)}
    for group in by_type.values():
        keep.update(id(x) for x in spread(group, MAX_DEFECTS_PER_TYPE))
    return [x for x in labelled if id(x) in keep]


def left_out(tallies: dict[tuple[str, str | None], int]) -> int:
    """How many labelled images ``choose`` leaves out, from (verdict, defect type) -> count:
    the Train page says it on every label change, and reading every labelled row for that
    took a second at 100,000 labels."""
    goods = sum(n for (verdict, _), n in tallies.items() if verdict == "good")
    by_type: dict[str, int] = {}
    for (verdict, defect_type), n in tallies.items():
        if verdict != "good":
            key = (defect_type or "").casefold()
            by_type[key] = by_type.get(key, 0) + n
    return (max(0, goods - MAX_GOOD)
            + sum(max(0, n - MAX_DEFECTS_PER_TYPE) for n in by_type.values()))
