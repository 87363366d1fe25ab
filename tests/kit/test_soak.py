"""``python -m properties soak`` and ``verify --seed`` (issue 8): grouping and classification on
synthetic runs, seed reproducibility, flaky findings, exit codes, and small end-to-end soaks.

The end-to-end tests use eager-only variants of the ``center-zero`` spec defined here (fewer
columns, so a run takes seconds) and a layer with one planted defect that only
``symbolic-call`` sees, so that finding, shrinking and replaying it stays cheap."""

import argparse
import dataclasses
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from centerzero import CenterZero
from properties.tools import soak
from properties.specs.center_zero import CENTER_ZERO
from tests.kit.in_process import run_in_process, run_line_in_process
from tests.kit.interruptible import properties_command

# The kit's own machinery: .ci/run runs it with the README's command, not again in every tox
# environment of the TensorFlow matrix (README, "Compatibility (tox)").
pytestmark = pytest.mark.kit

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class WrongOutputShape(CenterZero):
    """Planted defect: ``compute_output_shape`` drops the last axis (calls are right)."""

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)[:-1]


class MarksItsCalls(CenterZero):
    """CenterZero that creates the file ``$SOAK_TEST_MARK`` when it is called, and is then slow
    (0.1 s a call): a test knows a run is inside its cells, and that the run is still there when
    a signal sent on seeing the mark arrives, however busy the machine (fast, three cells of 50
    examples can end in under a second)."""

    def call(self, inputs):
        if os.environ.get("SOAK_TEST_MARK"):
            open(os.environ["SOAK_TEST_MARK"], "a").close()
            time.sleep(0.1)
        return super().call(inputs)


EAGER = dataclasses.replace(CENTER_ZERO, name="center-zero-eager", modes=("eager",))
MARKED = dataclasses.replace(EAGER, name="center-zero-eager-marked", layer=MarksItsCalls)
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

    def fake_run(spec, number, seed, layer, max_examples, timeout, select=None, children=None):
        started.append(number)
        return soak.Run(spec, number, seed, "cmd", seconds=0.0, examples=1)

    monkeypatch.setattr(soak, "run_verify", fake_run)
    monkeypatch.setattr(soak, "classify_all", lambda groups, timeout, children: groups)
    say = lambda text="": None  # noqa: E731
    runs, _, _, interrupted = soak.soak_spec("s", _args(runs=3), say)
    assert [r.number for r in runs] == [1, 2, 3] and not interrupted
    runs, _, _, _ = soak.soak_spec("s", _args(), say)
    assert len(runs) == soak.DEFAULT_RUNS
    runs, _, _, _ = soak.soak_spec("s", _args(seconds=1e-9), say)
    assert len(runs) == 1
    runs, _, _, _ = soak.soak_spec("s", _args(seconds=0.3, runs=4, jobs=2), say)
    assert len(runs) == 4


def test_k_goes_to_every_run_and_a_pattern_matching_no_cell_exits_5(monkeypatch, capsys):
    """``-k`` is passed to each run's verify; verify's exit 5 (no cell matched) stops the soak with 5."""
    words = soak.verify_words("s", 7, select="^zeroed-exactly-eager$")
    assert words[-2:] == ["-k", "^zeroed-exactly-eager$"]
    started = []

    def nothing_matches(spec, number, seed, layer, max_examples, timeout, select=None, children=None):
        started.append(select)
        return soak.Run(spec, number, seed, "cmd", returncode=5)

    monkeypatch.setattr(soak, "run_verify", nothing_matches)
    args = _args(specs=["s"], runs=3, select="no-such-cell")
    assert soak.main(args) == 5
    assert started == ["no-such-cell"], "the soak went on after a run matched nothing"
    assert "no property/column cell matches -k 'no-such-cell'" in capsys.readouterr().err


def test_a_ctrl_c_starts_no_new_run_keeps_what_ran_replays_nothing_and_exits_2(monkeypatch, tmp_path):
    """Ctrl-C in the middle of a soak: no run starts after it, the runs in flight are kept with
    the cells they report, their failures are not replayed (unexplained, saying so), and every
    report is written and says it is partial; exit 2, as pytest's KeyboardInterrupt."""
    started, real_wait, interrupts = [], soak.concurrent.futures.wait, []

    def fake_run(spec, number, seed, layer, max_examples, timeout, select=None, children=None):
        started.append(number)
        while number == 2 and not children.interrupted:  # run 2 is in flight when Ctrl-C comes
            soak.time.sleep(0.01)
        run = soak.Run(spec, number, seed, f"verify {spec} --seed {seed}", examples=5, returncode=2 if
                       children.interrupted else 1, interrupted=children.interrupted,
                       cells=[cell("zeroed-exactly", "eager", "FAIL")])
        return run

    def wait_then_ctrl_c(futures, timeout=None, return_when=None):
        done, rest = real_wait(futures, timeout=timeout, return_when=return_when)
        if not interrupts:
            interrupts.append(1)
            raise KeyboardInterrupt
        return done, rest

    def no_process(*args, **kwargs):
        raise AssertionError("a child process started after the interrupt")

    monkeypatch.setattr(soak, "run_verify", fake_run)
    monkeypatch.setattr(soak.concurrent.futures, "wait", wait_then_ctrl_c)
    monkeypatch.setattr(soak.subprocess, "Popen", no_process)
    args = _args(specs=["s", "t"], runs=5, jobs=2, report=str(tmp_path / "soak.json"),
                 junitxml=str(tmp_path / "soak.xml"), summary=str(tmp_path / "summary.md"))
    out = tmp_path / "out.txt"
    with open(out, "w") as stream:
        assert soak.main(args, stream) == 2
    assert started == [1, 2], "a run started after the interrupt (or the second spec was soaked)"
    report = json.loads((tmp_path / "soak.json").read_text())
    assert report["interrupted"] is True and report["exit_status"] == 2 and len(report["specs"]) == 1
    (spec,) = report["specs"]
    assert [(r["number"], r["interrupted"]) for r in spec["run_list"]] == [(1, False), (2, True)]
    assert spec["interrupted_runs"] == 1 and spec["examples"] == 10
    (group,) = spec["group_list"]
    assert group["kind"] == "unexplained" and group["replay_check"]["reproduced"] is None
    assert group["reason"].startswith("not replayed: the soak was interrupted")
    assert "Interrupted (Ctrl-C): a partial report." in (tmp_path / "soak.md").read_text()
    assert "### soak s t: interrupted" in (tmp_path / "summary.md").read_text()
    xml = (tmp_path / "soak.xml").read_text()
    assert xml.count("<testcase") == 2 and "run 2 seed" in xml
    text = out.read_text()
    assert "interrupted: no new run starts" in text and "PARTIAL SOAK (interrupted)" in text
    assert "Not soaked: t." in text and "soak: INTERRUPTED" in text


def test_an_interrupted_replay_leaves_the_groups_not_replayed_not_cleared(tmp_path):
    """Answers the replay process wrote before a Ctrl-C stand; the rest are not replayed (None),
    never "did not reproduce" (which would read as a failure that went away)."""
    children = soak.Children()
    children.interrupt()
    occurrences = [cell("a", "eager", "FAIL"), cell("b", "eager", "FAIL")]
    answers = soak.replay_failures(occurrences, children=children)
    assert [a["reproduced"] for a in answers] == [None, None]
    assert soak.replay_failures(occurrences[:0], children=children) == []


def test_the_soak_process_never_imports_tensorflow(tmp_path):
    """Its runs and replays are child processes; writing its reports needs no TensorFlow (a
    2-second import and a page of log lines in the soak's own output)."""
    probe = "\n".join([
        "import argparse, sys",
        f"sys.path.insert(0, {ROOT!r})",
        "from properties.tools import soak",
        "soak.run_verify = lambda *args, **kwargs: soak.Run('s', 1, 5, 'verify s')  # no verify process",
        "soak.main(argparse.Namespace(specs=['s'], layer=None, runs=1, seconds=None, jobs=1, max_examples=None,",
        f"    seed=None, run_timeout=60.0, select=None, report={str(tmp_path / 'r.json')!r},",
        f"    junitxml={str(tmp_path / 'r.xml')!r}, summary={str(tmp_path / 's.md')!r}))",
        "assert 'tensorflow' not in sys.modules, 'tensorflow imported'",
    ])
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "r.json").exists() and (tmp_path / "r.md").exists() and (tmp_path / "r.xml").exists()


# ---------------------------------------------------------------- seeds, in one process

@pytest.mark.usefixtures("restore_hypothesis_profile")
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


@pytest.mark.usefixtures("restore_hypothesis_profile")
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
    """The same seed draws the same examples in another process (here: this one, then a fresh
    one), and the replay line of the failure reproduces it."""
    first = run_in_process("verify", "tests.kit.test_soak:PLANTED", "--profile", "dev", "--seed", "42",
                           "--max-examples", "3", "-k", CELLS, "--report", str(tmp_path / "a.json"),
                           env={"PROPERTIES_PROFILE": None})
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
    replayed = run_line_in_process(failing["replay"])
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


def _processes_with(variable, value):
    """The pids of the processes whose environment has ``variable=value`` (Linux's /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                if f"{variable}={value}".encode() in f.read().split(b"\0"):
                    found.append(int(entry))
        except (OSError, ValueError):  # not a process, gone, or not ours to read
            pass
    return found


def _soak_inside_its_first_run(tmp_path, *args, stdout=subprocess.PIPE, stderr=subprocess.PIPE):
    """A soak of :data:`MARKED` (``properties_command(*args)``), returned once its first run is
    inside its cells (the layer made the mark), and the mark's path."""
    mark = tmp_path / "called"
    env = dict(os.environ, PYTHONPATH=ROOT, TF_CPP_MIN_LOG_LEVEL="3", SOAK_TEST_MARK=str(mark))
    env.pop("PROPERTIES_PROFILE", None)
    process = subprocess.Popen(
        properties_command("soak", "tests.kit.test_soak:MARKED", "--max-examples", "50", "--seed", "3", "-k", CELLS,
                           *args),
        cwd=ROOT, env=env, stdout=stdout, stderr=stderr, text=True)
    deadline = time.monotonic() + 240
    while not mark.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    if not mark.exists():
        process.kill()
        pytest.fail("the first run never called the layer")
    return process, mark


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_ctrl_c_reaches_the_run_in_flight_once_and_its_partial_report_is_kept(tmp_path, signum):
    """A real SIGINT to the soak alone (as a terminal's Ctrl-C, whose runs sit in sessions of
    their own), or SIGTERM (``timeout``, a CI job's limit), while its first run is inside its
    cells: that run stops and writes verify's partial report, which the soak reads; the second
    run never starts; exit 2; no run outlives the soak."""
    process, mark = _soak_inside_its_first_run(tmp_path, "--runs", "2", "--report", str(tmp_path / "soak.json"))
    try:
        process.send_signal(signum)
        stdout, stderr = process.communicate(timeout=240)
    finally:
        process.kill()
    survivors = _processes_with("SOAK_TEST_MARK", str(mark)) if os.path.isdir("/proc") else []
    for pid in survivors:
        os.kill(pid, signal.SIGKILL)
    assert not survivors, "a verify run outlived the soak"
    assert process.returncode == 2, stdout + stderr
    assert "interrupted: no new run starts; 1 run(s) in flight" in stdout and "soak: INTERRUPTED" in stdout
    report = json.loads((tmp_path / "soak.json").read_text())
    (spec,) = report["specs"]
    (first,) = spec["run_list"]
    assert first["number"] == 1 and first["interrupted"] and first["returncode"] == 2, first
    assert first["cells_run"] is not None and first["cells_run"] < 3, "verify's partial report was not read"
    assert report["interrupted"] and report["exit_status"] == 2


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="finds the runs through Linux's /proc")
def test_a_run_ends_when_its_soak_is_killed(tmp_path):
    """SIGKILL, which the soak cannot pass on to its runs (they sit in sessions of their own):
    the run in flight sees its parent gone and ends within seconds, not at the end of its cells."""
    process, mark = _soak_inside_its_first_run(tmp_path, "--runs", "1", stdout=subprocess.DEVNULL,
                                               stderr=subprocess.DEVNULL)
    try:
        process.kill()
        process.wait(timeout=60)
        deadline = time.monotonic() + 10  # the run's cells have more than 15 s left (0.1 s a call)
        while _processes_with("SOAK_TEST_MARK", str(mark)) and time.monotonic() < deadline:
            time.sleep(0.1)
        survivors = _processes_with("SOAK_TEST_MARK", str(mark))
    finally:
        process.kill()
    for pid in survivors:
        os.kill(pid, signal.SIGKILL)
    assert not survivors, "the run outlived its killed soak"


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
