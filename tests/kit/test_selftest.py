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
from properties.tools.selftest import wrap
from properties.tools.selftest.operators import OPERATORS, Operator, operators_by_name, register_operator
from properties.specs import BUILTIN_SPECS

# The kit's own machinery: .ci/run runs it with the README's command, not again in every tox
# environment of the TensorFlow matrix (README, "Compatibility (tox)").
# The in-process runs load the kit's profile, as the command does: the one before comes back after.
pytestmark = [pytest.mark.kit, pytest.mark.usefixtures("restore_hypothesis_profile")]

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
        op = register_operator(Operator("test-registered", "values", "x", after_call=lambda layer, x, o, i: o))
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
    (["--runner", "fork"], ["--runner", "fork"]),
    (["--engine", "source", "--max-minutes", "0"], ["--max-minutes", "0"]),
    (["--engine", "source", "--resume", "/nonexistent"], ["--resume", "/nonexistent"]),
    (["--since", "HEAD"], ["--since", "HEAD"]),
    (["--engine", "source", "--since", "HEAD", "--resume", "/x"], ["--since", "HEAD", "resumed"]),
    (["--engine", "source", "--since", "no-such-commit-0f0f"], ["--since", "no-such-commit-0f0f", "no such commit"]),
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


def test_ctrl_c_keeps_the_mutants_that_ran_names_the_rest_and_exits_2(monkeypatch, tmp_path, capsys):
    """A Ctrl-C during the second mutant: the first is reported, the others are named as not run
    (JUnit: skipped), every report says it is partial, --fail-under is not judged, exit 2."""
    ran = []

    def first_then_ctrl_c(spec, op, profile="quick", max_examples=None):
        ran.append(op.name)
        if len(ran) > 1:
            raise KeyboardInterrupt
        return wrap.MutantResult(op.name, op.group, op.summary, applicable=True, killed=True,
                                 killed_by="no-weights/eager")

    monkeypatch.setattr(wrap, "run_mutant", first_then_ctrl_c)
    report, junit_path, summary = (tmp_path / name for name in ("s.json", "s.xml", "summary.md"))
    status = main(["selftest", "center-zero", "--operators", "weight-added,upcast,mask-skipped", "--fail-under", "10",
                   "--report", str(report), "--junitxml", str(junit_path), "--summary", str(summary)])
    out = capsys.readouterr().out
    assert status == 2 and ran == ["weight-added", "upcast"], (status, ran)
    assert "PARTIAL SELFTEST (interrupted): 1 mutants ran; not run: upcast, mask-skipped" in out
    assert "--fail-under 10: not judged, the run was interrupted" in out
    data = json.loads(report.read_text())
    assert data["interrupted"] and data["not_run"] == ["upcast", "mask-skipped"] and data["mutants"] == 1
    assert "Interrupted (Ctrl-C): a partial report." in (tmp_path / "s.md").read_text()
    xml = junit_path.read_text()
    assert xml.count("<testcase") == 3 and xml.count("not run: the selftest was interrupted") == 2
    assert "### selftest center-zero (wrap): interrupted" in summary.read_text()


def test_ctrl_c_ends_the_worker_processes_at_once(monkeypatch):
    """With --jobs 2, a Ctrl-C ends the spawned workers (the executor cannot stop a running task)
    and returns what finished, instead of waiting for every mutant in flight."""
    import concurrent.futures
    import multiprocessing

    def ctrl_c(futures, timeout=None):
        raise KeyboardInterrupt
        yield  # a generator, as the real one

    monkeypatch.setattr(concurrent.futures, "as_completed", ctrl_c)
    before = set(multiprocessing.active_children())  # an xdist worker's, from earlier tests
    start = time.perf_counter()
    assert wrap.run_wrap(CENTER_ZERO, operators_by_name(["upcast", "weight-added", "mask-skipped"]), jobs=2) == []
    assert time.perf_counter() - start < 60
    # A worker reaped by the executor's own thread can look alive for an instant (its return
    # code not yet stored): ask again for up to 2 s, less than a worker takes to import
    # TensorFlow, so a worker that was never ended is still seen.
    deadline = time.perf_counter() + 2
    while set(multiprocessing.active_children()) - before and time.perf_counter() < deadline:
        time.sleep(0.05)
    assert not set(multiprocessing.active_children()) - before


# -- the score does not slide ------------------------------------------------------------------

#: Operators the quick profile kills in the first cells, per spec (measured; see README).
MUST_KILL = {
    "center-zero": ["mask-skipped", "region-one-off", "upcast", "narrow-round-trip", "weight-added", "graph-only"],
    "causal-zero": ["mask-skipped", "upcast", "graph-only", "call-counter"],
    "band-zero": ["mask-skipped", "region-one-off", "input-written"],
    # Both survived before the random properties ran under XLA and called one instance twice.
    "random-cutout": ["cached-by-shape", "xla-only"],
}


@pytest.mark.parametrize("spec_name", sorted(MUST_KILL))
def test_score_does_not_slide(spec_name):
    results = wrap.run_wrap(BUILTIN_SPECS[spec_name], operators_by_name(MUST_KILL[spec_name]), profile="quick")
    survived = {r.operator: r.reason or "survived" for r in results if not r.killed}
    assert not survived, survived
    assert all(r.killed_by and r.proof for r in results)


# -- engine source: the fork server and a Cosmic Ray campaign with two HTTP workers -------------
# Cheap on purpose: a tiny module and a tiny check instead of center-zero's verify (no
# TensorFlow: the fork servers preload nothing), so the machinery is tested in seconds.

import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import types  # noqa: E402

from properties.tools.selftest import source  # noqa: E402

_TINY = "def half(n):\n    return n // 2\n"
_CHECK = "import sys\nimport tiny\nprint('half(10) =', tiny.half(10))\nsys.exit(0 if tiny.half(10) in (5, 3) else 1)\n"


def _tiny_project(path):
    path.mkdir(parents=True, exist_ok=True)
    (path / "tiny.py").write_text(_TINY)
    (path / "check.py").write_text(_CHECK)
    return path


def test_fork_server_imports_the_mutated_module_fresh_each_time(tmp_path, monkeypatch):
    project = _tiny_project(tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    server = subprocess.Popen([sys.executable, "-m", "properties.tools.selftest.source", "serve", "s.sock", "tiny.py", "",
                               "check"], cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        monkeypatch.chdir(project)
        for _ in range(200):
            if (project / "s.sock").exists():
                break
            time.sleep(0.05)
        assert source.client([], "s.sock") == 0
        # Same size, same second: only a deleted .pyc makes the child see the change.
        (project / "tiny.py").write_text(_TINY.replace("// 2", "// 4"))
        assert source.client([], "s.sock") == 1
        (project / "tiny.py").write_text(_TINY)
        assert source.client([], "s.sock") == 0
    finally:
        server.terminate()
        server.wait(10)


_GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"]


def _committed_tiny_project(path):
    """The tiny project as one commit of a fresh repository; returns its path and the commit."""
    project = _tiny_project(path)
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    subprocess.run(_GIT + ["add", "."], cwd=project, check=True)
    subprocess.run(_GIT + ["commit", "-q", "-m", "tiny"], cwd=project, check=True)
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=project, capture_output=True, text=True, check=True)
    return project, head.stdout.strip()


def test_source_campaign_with_two_http_workers_lists_survivors_with_diffs(tmp_path, monkeypatch, capsys):
    project, _ = _committed_tiny_project(tmp_path / "project")
    monkeypatch.chdir(project)
    spec, work = types.SimpleNamespace(name="tiny"), str(tmp_path / "work")
    # Stopped at once by the time budget (one worker, Cosmic Ray's local distributor) ...
    _, first = source.run_source(spec, "tiny", module="tiny.py", jobs=1, runner="fork", preload=(),
                                 run_module="check", test_args=[], workdir=work, max_seconds=0,
                                 exclude_operators=[r"core/ReplaceBinaryOperator_FloorDiv_(?!Add$)"])
    assert first["stopped_by_budget"] and first["excluded"] == 10 and first["pending"] + first["tested"] == 3
    # ... then resumed with two HTTP workers: the rows cover the whole session.
    rows, extra = source.run_source(spec, "tiny", jobs=2, resume=work)
    out = capsys.readouterr().out
    assert extra["generated_mutants"] == 13 and extra["excluded"] == 10 and extra["tested"] == 3, extra
    assert extra["pending"] == 0 and extra["resumed_with"] == first["tested"] and extra["jobs"] == 2
    assert "runner fork" in out and "baseline" in out and "resuming" in out
    by_diff = {("// 3" in r.diff, "// 1" in r.diff, "+ 2" in r.diff): r for r in rows}
    survivor = by_diff[(True, False, False)]  # half(10) == 3 passes the weak check
    assert survivor.applicable and not survivor.killed and "+    return n // 3" in survivor.diff
    assert by_diff[(False, True, False)].killed and by_diff[(False, False, True)].killed


def test_ctrl_c_stops_a_source_campaign_and_leaves_the_rest_pending(tmp_path, monkeypatch, capsys):
    project, _ = _committed_tiny_project(tmp_path / "project")
    monkeypatch.chdir(project)
    spec, work = types.SimpleNamespace(name="tiny"), str(tmp_path / "work")
    real_sleep, calls = time.sleep, []

    def ctrl_c_once(seconds):  # the Ctrl-C lands in the first of exec's 2-second poll pauses
        if seconds == 2.0:
            calls.append(seconds)
            if len(calls) == 1:
                raise KeyboardInterrupt
        real_sleep(seconds)

    monkeypatch.setattr(source.time, "sleep", ctrl_c_once)
    _, extra = source.run_source(spec, "tiny", module="tiny.py", jobs=1, runner="fork", preload=(),
                                 run_module="check", test_args=[], workdir=work,
                                 exclude_operators=[r"core/ReplaceBinaryOperator_FloorDiv_(?!Add$)"])
    out = capsys.readouterr().out
    assert extra["interrupted"] and not extra["stopped_by_budget"], extra
    assert extra["pending"] + extra["tested"] == 3 and extra["pending"] >= 1, extra
    assert f"interrupted: the pending mutants stay in the session; resume with --resume {work}" in out


def test_since_runs_only_the_mutants_on_lines_changed_since_a_commit(tmp_path, monkeypatch, capsys):
    project, base = _committed_tiny_project(tmp_path / "project")
    (project / "tiny.py").write_text(_TINY + "\n\ndef third(n):\n    return n // 3\n")  # line 6, unchecked
    subprocess.run(_GIT + ["commit", "-q", "-am", "third"], cwd=project, check=True)
    monkeypatch.chdir(project)
    spec, keep = types.SimpleNamespace(name="tiny"), [r"core/ReplaceBinaryOperator_FloorDiv_(?!Add$|Mul$)"]
    rows, extra = source.run_source(spec, "tiny", module="tiny.py", jobs=1, runner="fork", preload=(),
                                    run_module="check", test_args=[], workdir=str(tmp_path / "work"),
                                    exclude_operators=keep, since=base)
    out = capsys.readouterr().out
    # Past the operator filter each line has 4 mutants (`//` to `+` and `*`, the constant +1 and -1);
    # only line 6's run.
    assert extra["since"] == base and extra["unchanged_since"] == 4 and extra["tested"] == 4, extra
    assert [r.summary.split()[0] for r in rows] == ["tiny.py:6"] * 4, [r.summary for r in rows]
    assert all(r.applicable and not r.killed for r in rows)  # check.py never calls third()
    assert f"4 on lines unchanged since {base}" in out and "; 4 to run" in out
    # A module with uncommitted changes is not what the git filter would diff: refused.
    (project / "tiny.py").write_text(_TINY)
    with pytest.raises(ValueError, match="--since .*uncommitted changes"):
        source.run_source(spec, "tiny", module="tiny.py", runner="fork", preload=(), run_module="check",
                          test_args=[], since=base)
