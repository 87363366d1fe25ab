"""``python -m properties selftest`` (contract 2.6): operators prove their defects, report
"not applicable" with reasons, the exit status is 0/1/2, and the score on three built-in specs
does not slide.

Cost: the kill runs use the ``quick`` profile and a subset of operators per spec, the ones the
first cells kill (a survivor would run all ~90 cells); every operator's proof on
``center-zero`` runs in full.  The full matrix is ``python -m properties selftest SPEC``.
"""

import dataclasses
import json

import pytest

from properties.__main__ import main
from properties.selftest import wrap
from properties.selftest.operators import OPERATORS, Operator, operators_by_name, register_operator
from properties.specs import BUILTIN_SPECS

CENTER_ZERO = BUILTIN_SPECS["center-zero"]


def _op(name):
    return operators_by_name([name])[0]


# -- proofs ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", [op.name for op in OPERATORS])
def test_every_operator_proves_a_real_defect_on_center_zero(name):
    cls, proof = wrap.prove(CENTER_ZERO, _op(name))
    assert issubclass(cls, CENTER_ZERO.layer) and cls is not CENTER_ZERO.layer
    assert proof["shows"] and proof["dtype"] and proof["mode"], proof
    assert isinstance(proof["config"], dict) and isinstance(proof["shape"], tuple)


def test_a_harmless_operator_is_not_applicable():
    harmless = Operator("harmless-test-op", "values", "changes nothing", after_call=lambda layer, x, out, info: out)
    with pytest.raises(wrap.NotApplicable, match="no difference from the reference"):
        wrap.prove(CENTER_ZERO, harmless)


def test_float_operator_on_an_integer_only_spec_is_not_applicable():
    integers = dataclasses.replace(CENTER_ZERO, dtypes=("int32", "uint8"))
    with pytest.raises(wrap.NotApplicable, match="touches no dtype"):
        wrap.prove(integers, _op("nan-scrubbed"))


@pytest.mark.parametrize("spec_name, name, reason", [
    ("random-cutout", "training-only", "random"),
    ("random-cutout", "region-one-off", "no reference region"),
    ("random-cutout", "shared-across-instances", "no reference region"),
    ("causal-zero", "config-loses-argument", "no config argument changes the output"),
])
def test_not_applicable_says_why(spec_name, name, reason):
    result = wrap.run_mutant(BUILTIN_SPECS[spec_name], _op(name), profile="quick")
    assert not result.applicable and result.status == "n/a"
    assert reason in result.reason
    assert result.cells == 0  # no property ran


def test_register_operator_adds_and_replaces():
    before = list(OPERATORS)
    try:
        op = register_operator(Operator("test-registered", "values", "x", after_call=lambda l, x, o, i: o))
        assert operators_by_name(["test-registered"]) == [op]
        with pytest.raises(ValueError, match="unknown operator 'nope'"):
            operators_by_name(["nope"])
        with pytest.raises(TypeError, match="must be an Operator"):
            register_operator("upcast")
        with pytest.raises(ValueError, match="`proof` must be one of"):
            Operator("bad", "values", "x", proof="guess")
    finally:
        OPERATORS[:] = before


# -- exit status ------------------------------------------------------------------------------

@pytest.mark.parametrize("argv, names", [
    (["--jobs", "0"], ["--jobs", "0"]),
    (["--operators", "no-such-op"], ["--operators", "no-such-op"]),
    (["--engine", "guess"], ["--engine", "guess"]),
    (["--profile", "nope"], ["profile", "nope"]),
    (["--module", "x.py"], ["--module", "x.py"]),
])
def test_usage_errors_exit_2_naming_argument_and_value(argv, names, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["selftest", "center-zero"] + argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert all(n in err for n in names), err


def test_unknown_spec_exits_2(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["selftest", "no-such-spec"])
    assert exit_.value.code == 2 and "no-such-spec" in capsys.readouterr().err


def test_all_killed_exits_0_and_writes_the_kill_matrix(tmp_path, capsys):
    path = tmp_path / "selftest.json"
    assert main(["selftest", "center-zero", "--operators", "upcast,weight-added", "--report", str(path)]) == 0
    out = capsys.readouterr().out
    assert "score: 2 / 2 applicable mutants killed" in out
    report = json.loads(path.read_text())
    assert report["score"] == 1.0 and report["survivors"] == []
    rows = {row["operator"]: row for row in report["rows"]}
    assert rows["upcast"]["killed_by"].startswith("shape-and-dtype/") or rows["upcast"]["killed"]
    assert rows["weight-added"]["killed_by"].startswith("no-weights/")
    assert all(row["proof"]["shows"] and row["examples"] >= 1 for row in rows.values())
    assert "| weight-added |" in (tmp_path / "selftest.md").read_text()


def test_a_survivor_exits_1(monkeypatch, capsys):
    monkeypatch.setattr(wrap, "plan", lambda spec: [])  # no property at all: nothing can kill
    assert main(["selftest", "center-zero", "--operators", "upcast"]) == 1
    out = capsys.readouterr().out
    assert "SURVIVED" in out and "Survivors" in out and "score: 0 / 1" in out


# -- the score does not slide ------------------------------------------------------------------

#: Operators the quick profile kills in the first cells, per spec (measured; see README).
MUST_KILL = {
    "center-zero": ["mask-skipped", "region-one-off", "upcast", "narrow-round-trip", "weight-added", "graph-only"],
    "causal-zero": ["mask-skipped", "upcast", "graph-only", "call-counter"],
    "band-zero": ["mask-skipped", "region-one-off", "input-written"],
}


@pytest.mark.parametrize("spec_name", sorted(MUST_KILL))
def test_score_does_not_slide(spec_name):
    results = wrap.run_wrap(BUILTIN_SPECS[spec_name], operators_by_name(MUST_KILL[spec_name]), profile="quick")
    survived = {r.operator: r.reason or "survived" for r in results if not r.killed}
    assert not survived, survived
    assert all(r.killed_by and r.proof for r in results)
