"""The pytest plugin under HypoFuzz: where ``hypothesis fuzz`` runs, collecting property tests
makes multiprocessing spawn HypoFuzz's workers instead of forking them after TensorFlow was
imported (a forked worker died after its first input); anywhere else it changes nothing."""

import sys
import types

import pytest

from properties import pytest_plugin

pytestmark = pytest.mark.kit


@pytest.fixture
def start_methods(monkeypatch):
    """What the plugin asks of multiprocessing, recorded instead of done to this process."""
    import multiprocessing

    asked = []
    monkeypatch.setattr(multiprocessing, "get_start_method", lambda allow_none=False: "fork")
    monkeypatch.setattr(multiprocessing, "set_start_method", lambda method, force=False: asked.append(method))
    return asked


@pytest.mark.parametrize("fuzzing", [True, False])
def test_workers_are_spawned_only_while_hypofuzz_runs(monkeypatch, start_methods, fuzzing):
    monkeypatch.setitem(sys.modules, "hypofuzz", types.SimpleNamespace(in_hypofuzz_run=lambda: fuzzing))
    pytest_plugin._spawn_under_hypofuzz()
    assert start_methods == (["spawn"] if fuzzing else [])


def test_without_hypofuzz_imported_nothing_changes(monkeypatch, start_methods):
    monkeypatch.delitem(sys.modules, "hypofuzz", raising=False)
    pytest_plugin._spawn_under_hypofuzz()
    assert start_methods == []
    assert "hypofuzz" not in sys.modules, "the plugin imported HypoFuzz"
