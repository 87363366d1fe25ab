"""``benchmarks/layer_speed.py``: its options, the forced writes it times, and its check that
every candidate meant to equal the op gives the op's bits (a fast wrong write is no result)."""

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
    spec = importlib.util.spec_from_file_location("layer_speed", os.path.join(HERE, os.pardir, "benchmarks", "layer_speed.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setitem(module.CASES, "tiny", TINY)
    return module


def test_an_unknown_write_is_a_usage_error(bench, capsys):
    with pytest.raises(SystemExit) as exit_info:
        bench.main(["--cases", "tiny", "--writes", "select,gather", *FAST])
    assert exit_info.value.code == 2
    assert "gather" in capsys.readouterr().err


def test_every_write_is_timed_outside_xla(bench, capsys):
    rows = bench.run_case("tiny", ["eager", "graph", "xla"], 1, 0.0005, bench.EAGER_WRITES)
    out = capsys.readouterr().out
    by_mode = {mode: medians for _, _, mode, _, medians in rows}
    for mode in ("eager", "graph"):
        assert set(bench.EAGER_WRITES) <= set(by_mode[mode]), (mode, sorted(by_mode[mode]))
    assert not set(bench.EAGER_WRITES) & set(by_mode["xla"])
    written = [line for line in out.splitlines() if "writes, ms (/copy):" in line]
    assert len(written) == 2 and all(all(f" {w} " in line for w in bench.EAGER_WRITES) for line in written), out
    assert bench.MISMATCHES == [] and "MISMATCH" not in out


def test_a_write_with_other_bits_is_reported_and_fails_the_run(bench, capsys, monkeypatch):
    real = bench._eager_plan

    def planted(shape, dtype, size, axes, device=None, write=None):
        if write == "and":  # a planted defect: the window left as it was
            return lambda x: tf.identity(x)
        return real(shape, dtype, size, axes, device, write)

    monkeypatch.setattr(bench, "_eager_plan", planted)
    assert bench.main(["--cases", "tiny", "--modes", "eager,graph", "--writes", "scatter,and", *FAST]) == 1
    out = capsys.readouterr().out
    assert "MISMATCH: and gave other bits than the op (tiny eager)" in out
    assert ("tiny graph", "and") in bench.MISMATCHES and ("tiny eager", "scatter") not in bench.MISMATCHES


def test_the_cold_split_times_every_candidate_after_a_flush(bench, capsys, monkeypatch):
    flushes = []
    real_copy = tf.raw_ops.DeepCopy

    def counting_copy(x):
        flushes.append(tuple(x.shape))
        return real_copy(x=x)

    monkeypatch.setattr(tf.raw_ops, "DeepCopy", counting_copy)
    medians = bench.cold_split(1)
    out = capsys.readouterr().out
    assert set(medians) == {"copy", "plan", "op", "layer"} and all(value > 0 for value in medians.values())
    # every timed call comes right after a copy of the uint8 batch: 100 calls of 4 candidates
    assert flushes.count(bench.NHWC) == 400, len(flushes)
    assert "over the copy: op's plan" in out and "layer" in out
