"""``python -m properties soak`` and ``verify --seed`` (issue 8): grouping and classification on
synthetic runs, seed reproducibility, flaky findings, exit codes, and small end-to-end soaks.

The end-to-end tests use eager-only variants of the ``center-zero`` spec defined here (fewer
columns, so a run takes seconds) and a layer with one planted defect that only
``symbolic-call`` sees, so that finding, shrinking and replaying it stays cheap."""

import argparse
import dataclasses
import json
import os
import subprocess
import sys

import pytest

from centerzero import CenterZero
from properties.tools import soak
from properties.specs.center_zero import CENTER_ZERO

# The kit's own machinery: .ci/run runs it with the README's command, not again in every tox
# environment of the TensorFlow matrix (README, "Compatibility (tox)").
pytestmark = pytest.mark.kit

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class WrongOutputShape(CenterZero):
    """Planted defect: ``compute_output_shape`` drops the last axis (calls are right)."""

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)[:-1]


EAGER = dataclasses.replace(CENTER_ZERO, name="center-zero-eager", modes=("eager",))
PLANTED = dataclasses.replace(EAGER, name="center-zero-eager-planted", layer=WrongOutputShape)
# The end-to-end runs check the planted cell and two that hold, so a run is a few seconds.
CELLS = "^(symbolic-call|zeroed-exactly|shape-and-dtype)-"
FLAKY_DECLARED = dataclasses.replace(PLANTED, name="center-zero-eager-flaky",
                                     flaky_findings={"symbolic-call": "declared flaky by this test"})
KNOWN_DECLARED = dataclasses.replace(PLANTED, name="center-zero-eager-known",
                                     known_failures={"symbolic-call": "declared known by this test"})


def run(*args, timeout=300):
    env = dict(os.environ, PYTHONPATH=ROOT, TF_CPP_MIN_LOG_LEVEL="3")
    env.pop("PROPERTIES_PROFILE", None)
    return subprocess.run([sys.executable, "-m", "properties", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout)


# ------------------------------------------------------------------ synthetic classification

BLOB = "python -m properties replay keras-masking {prop} {column} --blob 6.170.17:AXic"


def cell(prop, column, status, kind="property", flaky_reason="", replay=None):
    return {"property": prop, "column": column, "status": status, "kind": kind,
            "message": f"property {prop} failed [spec s, {column}]\n  detail", "flaky_reason": flaky_reason,
            "replay": BLOB.format(prop=prop, column=column) if replay is None else replay}


def runs_of(*cell_lists):
    return [soak.Run("s", number, 100 + number, f"python -m properties verify s --seed {100 + number}",
                     examples=10, cells=list(cells)) for number, cells in enumerate(cell_lists, 1)]


def classified(runs, reproduces):
    replayed = []

    def replayer(occurrence):
        replayed.append(occurrence)
        return {"reproduced": reproduces, "command": occurrence["replay"]}

    return {(g.prop, g.column): g for g in (soak.classify(g, replayer) for g in soak.group_failures(runs))}, replayed


def test_failures_are_grouped_by_property_and_column_with_seeds_and_replay_lines():
    runs = runs_of([cell("a", "eager", "FAIL"), cell("a", "xla", "FAIL")], [], [cell("a", "eager", "FAIL")])
    groups = soak.group_failures(runs)
    assert [(g.prop, g.column, len(g.occurrences)) for g in groups] == [("a", "eager", 2), ("a", "xla", 1)]
    assert [o["seed"] for o in groups[0].occurrences] == [101, 103]
    assert groups[0].occurrences[1]["rerun"] == "python -m properties verify s --seed 103"
    assert groups[0].occurrences[0]["replay"].startswith("python -m properties replay keras-masking a eager --blob")


def test_a_counterexample_that_fails_again_is_a_layer_defect_and_one_that_does_not_is_unexplained():
    runs = runs_of([cell("a", "eager", "FAIL")], [cell("a", "eager", "FAIL")])
    groups, replayed = classified(runs, reproduces=True)
    assert groups["a", "eager"].kind == "layer defect" and len(replayed) == 1  # one replay per group
    groups, _ = classified(runs, reproduces=False)
    assert groups["a", "eager"].kind == "unexplained" and "did not fail again" in groups["a", "eager"].reason


@pytest.mark.parametrize("kind", ["could-not-run", "retraced", "ran-nothing", "crashed", "timeout", "no-report"])
def test_harness_errors_are_unexplained_without_a_replay(kind):
    groups, replayed = classified(runs_of([cell("a", "eager", "FAIL", kind=kind)]), reproduces=True)
    assert groups["a", "eager"].kind == "unexplained" and kind in groups["a", "eager"].reason and not replayed


def test_unreliable_or_unreplayable_failures_are_unexplained_unless_declared_flaky():
    groups, replayed = classified(runs_of([cell("a", "eager", "FAIL", kind="unreliable"),
                                           cell("b", "eager", "FAIL", replay="python -m properties verify s --seed 1")]),
                                  reproduces=True)
    assert groups["a", "eager"].kind == groups["b", "eager"].kind == "unexplained" and not replayed
    groups, _ = classified(runs_of([cell("a", "eager", "flaky", kind="unreliable", flaky_reason="threads")]), True)
    assert groups["a", "eager"].kind == "flaky"


def test_known_is_documented_flaky_is_flaky_and_a_cell_declared_both_ways_is_decided_by_a_replay():
    runs = runs_of([cell("k", "eager", "known"), cell("f", "eager", "flaky", flaky_reason="threads"),
                    cell("both", "eager", "known", flaky_reason="threads")])
    groups, replayed = classified(runs, reproduces=True)
    assert groups["k", "eager"].kind == "documented" and groups["f", "eager"].kind == "flaky"
    assert groups["both", "eager"].kind == "documented" and [o["property"] for o in replayed] == ["both"]
    groups, _ = classified(runs, reproduces=False)
    assert groups["both", "eager"].kind == "flaky" and groups["k", "eager"].kind == "documented"


def test_a_group_takes_its_most_severe_kind_and_the_exit_status_follows():
    runs = runs_of([cell("a", "eager", "FAIL")], [cell("a", "eager", "FAIL", kind="retraced")])
    groups, _ = classified(runs, reproduces=True)
    assert groups["a", "eager"].kind == "unexplained"
    documented, _ = classified(runs_of([cell("k", "eager", "known")], [cell("f", "x", "flaky")]), True)
    assert soak.exit_status(documented.values()) == 0
    defect, _ = classified(runs_of([cell("a", "eager", "FAIL")]), reproduces=True)
    assert soak.exit_status(defect.values()) == 1 and soak.exit_status([]) == 0
    occurrences, per_group = soak.tally(list(groups.values()) + list(documented.values()))
    assert occurrences == {"unexplained": 2, "layer defect": 0, "flaky": 1, "documented": 1}
    assert per_group == {"unexplained": 1, "layer defect": 0, "flaky": 1, "documented": 1}


def test_summary_line_and_table_row_name_runs_examples_failures_by_kind_and_seconds():
    groups, _ = classified(runs_of([cell("k", "eager", "known")], []), True)
    summary = soak.spec_summary("s", runs_of([cell("k", "eager", "known")], []), list(groups.values()), 12.3)
    assert soak.summary_line(summary) == ("soak s: 2 runs, 20 examples, failures: 1 documented, 0 flaky, "
                                          "0 layer defect, 0 unexplained; 12 s")
    assert soak.table_row(summary) == "| `s` | 2 | 20 | 0 | 1 | 0 | 0 | 12 |"


def test_run_seeds_are_fresh_or_derived_from_seed():
    assert soak.run_seed(5, "s", 1) == soak.run_seed(5, "s", 1) != soak.run_seed(5, "s", 2)
    assert len({soak.run_seed(None, "s", 1) for _ in range(5)}) > 1


def _args(**overrides):
    values = dict(specs=["center-zero"], layer=None, runs=None, seconds=None, jobs=1, report=None, max_examples=None,
                  seed=None, run_timeout=3600.0, select=None, junitxml=None, summary=None)
    return argparse.Namespace(**{**values, **overrides})


@pytest.mark.parametrize("overrides, words", [
    (dict(runs=0), "--runs must be >= 1, got 0"),
    (dict(jobs=0), "--jobs must be >= 1, got 0"),
    (dict(seconds=-1.0), "--seconds must be > 0, got -1.0"),
    (dict(seconds=float("nan")), "--seconds must be > 0, got nan"),
    (dict(max_examples=0), "--max-examples must be >= 1, got 0"),
    (dict(seed=-3), "--seed must be >= 0, got -3"),
    (dict(layer="no-colon"), "--layer must look like MODULE:ATTR, got 'no-colon'"),
])
def test_bad_arguments_are_usage_errors_naming_argument_and_value(overrides, words):
    with pytest.raises(soak.UsageError, match=words.replace("(", r"\(").replace(")", r"\)")):
        soak.check_arguments(_args(**overrides))


def test_runs_and_seconds_semantics(monkeypatch):
    """--runs N: exactly N; --seconds S: new runs until S passed (at least one); both: the first limit."""
    started = []

    def fake_run(spec, number, seed, layer, max_examples, timeout, select=None):
        started.append(number)
        return soak.Run(spec, number, seed, "cmd", seconds=0.0, examples=1)

    monkeypatch.setattr(soak, "run_verify", fake_run)
    monkeypatch.setattr(soak, "classify_all", lambda groups, timeout: groups)
    say = lambda text="": None  # noqa: E731
    runs, _, _ = soak.soak_spec("s", _args(runs=3), say)
    assert [r.number for r in runs] == [1, 2, 3]
    runs, _, _ = soak.soak_spec("s", _args(), say)
    assert len(runs) == soak.DEFAULT_RUNS
    runs, _, _ = soak.soak_spec("s", _args(seconds=1e-9), say)
    assert len(runs) == 1
    runs, _, _ = soak.soak_spec("s", _args(seconds=0.3, runs=4, jobs=2), say)
    assert len(runs) == 4


def test_k_goes_to_every_run_and_a_pattern_matching_no_cell_exits_5(monkeypatch, capsys):
    """``-k`` is passed to each run's verify; verify's exit 5 (no cell matched) stops the soak with 5."""
    words = soak.verify_words("s", 7, select="^zeroed-exactly-eager$")
    assert words[-2:] == ["-k", "^zeroed-exactly-eager$"]
    started = []

    def nothing_matches(spec, number, seed, layer, max_examples, timeout, select=None):
        started.append(select)
        return soak.Run(spec, number, seed, "cmd", returncode=5)

    monkeypatch.setattr(soak, "run_verify", nothing_matches)
    args = _args(specs=["s"], runs=3, select="no-such-cell")
    assert soak.main(args) == 5
    assert started == ["no-such-cell"], "the soak went on after a run matched nothing"
    assert "no property/column cell matches -k 'no-such-cell'" in capsys.readouterr().err


# ---------------------------------------------------------------- seeds, in one process

def test_verify_seed_draws_the_same_examples_for_the_same_seed_and_others_for_another(monkeypatch):
    from properties.running import runner
    from properties.core.profiles import choose_profile
    from properties.checks.catalogue import all_properties

    choose_profile("dev")
    prop = next(p for p in all_properties() if p.name == "zeroed-exactly")

    def drawn_with(seed):
        # White-box: the runner's own fingerprint of a drawn example (``_fingerprint``) is what
        # "the same examples" means here; no public result carries the drawn inputs.
        seen = []
        recording = dataclasses.replace(prop, check=lambda ctx, drawn: seen.append(runner._fingerprint(drawn)))
        cell = runner.run_cell(EAGER, recording, "eager", max_examples=8, seed=seed)
        # 8 drawn examples, after the spec's landmarks (explicit examples, the same every run)
        assert cell.examples == 8 + len(EAGER.landmarks) and not cell.failures
        return seen

    assert drawn_with(11) == drawn_with(11)
    assert drawn_with(11) != drawn_with(12)
    assert runner.cell_seed(11, "s", "p", "eager") != runner.cell_seed(11, "s", "p", "xla")


def test_a_declared_flaky_finding_is_reported_as_flaky_and_harness_errors_stay_failures():
    from properties.running import runner
    from properties.core.profiles import choose_profile
    from properties.checks.catalogue import all_properties

    choose_profile("quick")
    prop = next(p for p in all_properties() if p.name == "symbolic-call")
    assert runner.run_cell(PLANTED, prop, "symbolic", seed=1).status == "FAIL"
    cell = runner.run_cell(FLAKY_DECLARED, prop, "symbolic", seed=1)
    assert (cell.status, cell.failures, cell.flaky_reason) == ("flaky", 0, "declared flaky by this test")
    assert cell.flaky_failure.startswith("property symbolic-call failed")
    both = dataclasses.replace(FLAKY_DECLARED, known_failures={"symbolic-call": "known"})
    assert runner.run_cell(both, prop, "symbolic", seed=1).status == "known"  # known wins in verify

    def broken(ctx, drawn):
        raise RuntimeError("not a counterexample")  # becomes a property failure (the layer raising)

    assert runner.run_cell(FLAKY_DECLARED, dataclasses.replace(prop, check=broken), "symbolic",
                           seed=1).status == "flaky"
    flaky_retrace = runner.CellResult("p", "c", failures=1, failure_kind="retraced")
    assert flaky_retrace.status == "FAIL"


# ---------------------------------------------------------------- processes, end to end

def test_verify_seed_reproduces_a_planted_defect_and_its_replay_line(tmp_path):
    first = run("verify", "tests.kit.test_soak:PLANTED", "--profile", "dev", "--seed", "42", "--max-examples", "3",
                "-k", CELLS, "--report", str(tmp_path / "a.json"))
    again = run("verify", "tests.kit.test_soak:PLANTED", "--profile", "dev", "--seed", "42", "--max-examples", "3",
                "-k", CELLS, "--report", str(tmp_path / "b.json"))
    assert first.returncode == again.returncode == 1, first.stdout + first.stderr
    a, b = (json.loads((tmp_path / name).read_text()) for name in ("a.json", "b.json"))
    counts = lambda r: {(p["name"], col): (c["examples"], c["failures"]) for p in r["properties"]  # noqa: E731
                        for col, c in p["cells"].items()}
    assert counts(a) == counts(b) and a["total_examples"] == b["total_examples"]
    assert len(counts(a)) >= 3 and all(examples for examples, _ in counts(a).values()), counts(a)
    assert a["failures"] == b["failures"] and a["failing_cells"] == b["failing_cells"]
    (failing,) = [c for c in a["failing_cells"] if c["property"] == "symbolic-call"]
    assert (failing["column"], failing["status"]) == ("symbolic", "FAIL")
    assert failing["replay"].startswith("python -m properties replay tests.kit.test_soak:PLANTED symbolic-call symbolic")
    replayed = subprocess.run(failing["replay"].replace("python", sys.executable, 1), shell=True, cwd=ROOT,
                              capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=ROOT), timeout=300)
    assert replayed.returncode == 1
    assert "\n".join(failing["message"].splitlines()[:4]) in replayed.stdout, replayed.stdout


def test_soak_classifies_a_planted_defect_as_a_layer_defect_and_exits_1(tmp_path):
    result = run("soak", "tests.kit.test_soak:PLANTED", "--runs", "1", "--max-examples", "2", "--seed", "1",
                 "-k", CELLS, "--report", str(tmp_path / "soak.json"))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "LAYER DEFECT: symbolic-call [tests.kit.test_soak:PLANTED, symbolic]" in result.stdout
    report = json.loads((tmp_path / "soak.json").read_text())
    (group,) = report["specs"][0]["group_list"]
    assert group["kind"] == "layer defect" and group["replay_check"]["reproduced"] is True
    assert group["occurrences"][0]["seed"] == report["specs"][0]["run_list"][0]["seed"]
    assert (tmp_path / "soak.md").exists()
    assert report["command"].endswith(f"-k '{CELLS}'") and f"-k '{CELLS}'" in group["occurrences"][0]["rerun"]


def test_soak_of_a_holding_spec_exits_0_with_a_line_per_run_and_a_summary(tmp_path):
    """The planted defect declared flaky: every run fails there, and soak still exits 0."""
    result = run("soak", "tests.kit.test_soak:FLAKY_DECLARED", "--runs", "2", "--jobs", "1", "--max-examples", "2", "--seed", "7",
                 "-k", CELLS, "--report", str(tmp_path / "soak.json"))
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert sum(line.startswith("[tests.kit.test_soak:FLAKY_DECLARED] run ") for line in lines) == 2
    assert any(line.startswith("soak tests.kit.test_soak:FLAKY_DECLARED: 2 runs, ") and "2 flaky" in line
               and "0 unexplained" in line for line in lines)
    assert any(line.startswith("FLAKY: symbolic-call [tests.kit.test_soak:FLAKY_DECLARED, symbolic]") for line in lines)
    report = json.loads((tmp_path / "soak.json").read_text())
    assert [s["runs"] for s in report["specs"]] == [2] and report["exit_status"] == 0
    assert report["specs"][0]["failures"]["flaky"] == 2


@pytest.mark.parametrize("args, words", [
    (["soak", "center-zero", "--runs", "0"], "--runs must be >= 1, got 0"),
    (["soak", "center-zero", "--jobs", "x"], "invalid int value"),
    (["soak", "no-such-spec", "--runs", "1"], "unknown spec 'no-such-spec'"),
    (["soak", "center-zero", "-k", "("], "-k must be a regular expression, got '('"),
    (["verify", "center-zero", "--seed", "-1"], "--seed must be >= 0, got -1"),
])
def test_usage_errors_exit_2(args, words):
    result = run(*args)
    assert result.returncode == 2 and words in result.stderr, result.stdout + result.stderr
