"""``benchmarks/layer_speed.py``: its options, its rows, and its check that the layer gives the
op's bits (a fast wrong result is no result)."""

import importlib.util
import os

import pytest
import tensorflow as tf

HERE = os.path.dirname(os.path.abspath(__file__))
TINY = ((2, 9, 10, 3), (-3, -2), 2, "uint8")
FAST = ["--rounds", "1", "--seconds", "0.0005"]


@pytest.fixture
def bench(monkeypatch):
    """The benchmark as a module, with a tiny case added and its mismatch list emptied."""
    spec = importlib.util.spec_from_file_location("layer_speed", os.path.join(HERE, os.pardir, os.pardir, "benchmarks", "layer_speed.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setitem(module.CASES, "tiny", TINY)
    monkeypatch.setattr(module, "JUDGED", ("tiny",))
    return module


def test_an_unknown_case_or_mode_is_a_usage_error(bench, capsys):
    for args in (["--cases", "tiny,huge"], ["--cases", "tiny", "--modes", "eager,jit"]):
        with pytest.raises(SystemExit) as exit_info:
            bench.main([*args, *FAST])
        assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "huge" in err and "jit" in err


def test_every_mode_gives_a_row_and_the_summary_names_each_target(bench, capsys):
    assert bench.main(["--cases", "tiny,small", *FAST]) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("tiny ")]
    assert [line.split()[2] for line in rows] == ["eager", "graph", "xla"], out
    for target in ("eager op/copy", "eager layer/copy", "graph layer/copy", "xla op/x*mask", "small layer/empty layer"):
        assert target in out, out


def test_a_layer_with_other_bits_is_reported_and_fails_the_run(bench, capsys, monkeypatch):
    class Planted(bench.CenterZero):
        def call(self, inputs):  # a planted defect: the window left as it was
            return tf.identity(inputs)

    monkeypatch.setattr(bench, "CenterZero", Planted)
    assert bench.main(["--cases", "tiny", "--modes", "eager", *FAST]) == 1
    assert "MISMATCH: layer gave other bits than the op (tiny eager)" in capsys.readouterr().out
