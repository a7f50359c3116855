"""Shared pytest setup: the device fixture, the ../shared locator, and per-test state hygiene."""

from __future__ import annotations

from pathlib import Path

import pytest

# ../shared beside the checkout (seed notes, datasets); tests needing it skip when it is absent.
SHARED = Path(__file__).resolve().parents[2] / "shared"


def _devices() -> list:
    from nanotf._src import backend

    return ["cpu", "gpu"] if backend.cupy_available() else ["cpu"]


@pytest.fixture(params=_devices())
def device(request) -> str:
    """The device a test runs on: 'cpu', plus 'gpu' when CuPy imports (one fixture, no copies)."""
    return request.param


@pytest.fixture
def shared_dir() -> Path:
    """The ../shared folder; skips the test when it is absent."""
    if not SHARED.is_dir():
        pytest.skip(f"../shared not found at {SHARED}")
    return SHARED


@pytest.fixture(autouse=True)
def _clean_global_state():
    """A failing test must not leave a recording tape behind for the next one."""
    yield
    from nanotf._src import dispatch

    if dispatch._tapes:
        dispatch._tapes.clear()


def python_work(fn, *args) -> dict:
    """Runs `fn(*args)` and counts the Python work it does: function calls by name, and the
    executed lines under the key "lines".

    Speed belongs to benchmarks/, never to timed assertions; what keeps a path fast (no
    per-element Python loop, no op-by-op dispatch) is a count, the same on every machine.
    """
    import collections
    import sys

    seen: collections.Counter = collections.Counter()

    def line(frame, event, arg):
        if event == "line":
            seen["lines"] += 1
        return line

    def call(frame, event, arg):
        seen[frame.f_code.co_name] += 1
        return line

    old = sys.gettrace()
    sys.settrace(call)
    try:
        fn(*args)
    finally:
        sys.settrace(old)
    return seen
