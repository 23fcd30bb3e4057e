"""Ctrl+C in the middle of a long job, for the tests that check what it keeps."""

from __future__ import annotations

from typing import Any

import pytest


def ctrl_c_at(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str, call: int) -> list[int]:
    """Patch ``owner.name`` so that its ``call``-th call raises KeyboardInterrupt (as
    Ctrl+C would) and the others run as before. Returns the call count: clear it to arm
    the interruption again."""
    real, calls = getattr(owner, name), []

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == call:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, interrupted)
    return calls
