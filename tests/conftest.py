"""Fixtures shared by the tests of ``centerzero.ops``."""

import pytest

from centerzero import ops


@pytest.fixture
def tensorflow_ops_only(monkeypatch):
    """Eager CPU calls on TensorFlow's ops (the paths that graphs, XLA and other devices always
    run), not the native kernel, whose own tests are in test_native.py; every plan made under
    it is dropped afterwards."""
    plans = ops._eager_plan  # a test may replace it
    plans.cache_clear()
    monkeypatch.setattr(ops, "USE_NATIVE_KERNEL", False)
    yield
    plans.cache_clear()
