"""``python -m properties soak SPEC [SPEC ...] [--layer MODULE:ATTR] [--runs N] [--seconds S]
[--jobs J] [--report PATH] [--max-examples N] [--seed N] [-k PATTERN] [--run-timeout S]``: randomised runs of
``verify``, to find what one derandomised run does not draw (issue 8).

Each run is its own process, ``python -m properties verify SPEC --profile dev --seed SEED``
in a fresh temporary directory: a fresh seed (random, or derived from ``--seed``), no example
database, nothing shared with the other runs.  ``--jobs J`` runs J of them at a time.

How many runs, per spec: ``--runs N`` alone runs exactly N; ``--seconds S`` alone starts runs
until S seconds have passed since the spec's first run started (at least one; a run in flight at
the deadline is finished, never killed, so the spec can take up to S plus one run); both: stop
starting runs at whichever comes first; neither: ``--runs 10``.

Every cell that did not hold in a run (status FAIL, known or flaky in ``verify``'s report) is
recorded with the run's seed, the run's command and the failure's replay line, and grouped by
spec, property and column.  Each group gets one kind (when its occurrences differ, the most
severe: unexplained, layer defect, flaky, documented):

- documented: ``verify`` reported it "known" (the spec's ``known_failures``).  If the cell is
  also in the spec's ``flaky_findings``, one occurrence is replayed in a fresh process: it is
  documented if the replay fails again, flaky if not.
- flaky: ``verify`` reported it "flaky" (the spec's ``flaky_findings``, and a counterexample).
- layer defect: ``verify`` reported FAIL with a concrete counterexample, and replaying that
  counterexample (the failure's ``replay ... --blob`` line) in a fresh process fails the same
  property in the same column again.  One occurrence per group is replayed.
- unexplained: everything else: a harness error ("could not run", "retraced", "ran nothing"),
  a run that crashed, timed out or wrote no report, a counterexample Hypothesis itself could not
  reproduce, a failure with no blob to replay, or a replay that passes, in a cell the spec does
  not declare flaky.

``-k PATTERN`` soaks only the cells whose ``PROPERTY-COLUMN`` matches, as ``verify -k``.

A Ctrl-C starts no new run, passes one SIGINT to each run in flight (each writes verify's
partial report, read as its cells), replays nothing more, and writes every report marked
partial (see :func:`soak_spec`).

Exit status: 0 when every group is documented or flaky; 1 when any group is a layer defect or
unexplained (a layer defect is a real failure, as in ``verify``); 2 for a usage error (this
command's arguments, or a usage error of the ``verify`` it runs, e.g. an unknown spec) or a
Ctrl-C; 5 when ``-k`` matches no cell of a spec.

This module never imports TensorFlow: the runs and replays are child processes.
"""

import concurrent.futures
import dataclasses
import hashlib
import json
import os
import re
import secrets
import shlex
import signal
import subprocess
import sys
import tempfile
import threading
import time

from properties.core.names import check_select

#: Group kinds, most severe first.
KINDS = ("unexplained", "layer defect", "flaky", "documented")
HARNESS_KINDS = ("could-not-run", "retraced", "ran-nothing", "crashed", "timeout", "no-report")
DEFAULT_RUNS = 10
#: After a Ctrl-C, how long the runs in flight get to stop and write their partial reports.
GRACE_SECONDS = 60.0


class UsageError(Exception):
    """A bad argument: exit 2 with this message."""


class NothingMatched(Exception):
    """``-k`` matched no property/column cell of a spec: exit 5, as ``verify``."""


@dataclasses.dataclass
class Run:
    """One ``verify`` process."""

    spec: str
    number: int
    seed: int
    command: str  # the verify line that reruns the whole run
    seconds: float = 0.0
    examples: int = 0
    #: Cells verify reports it ran (fewer than planned in a partial report), None without a report.
    cells_run: int | None = None
    returncode: int = 0
    cells: list = dataclasses.field(default_factory=list)  # verify's report["failing_cells"] (+ "crashed" entries)
    stderr: str = ""
    #: The soak was interrupted while this run was in flight: its cells are those it ran before
    #: it stopped (none when it wrote no partial report).
    interrupted: bool = False

    @property
    def counts(self):
        statuses = [c["status"] for c in self.cells]
        return {s: statuses.count(s) for s in ("FAIL", "known", "flaky")}


@dataclasses.dataclass
class Group:
    """Every occurrence of one spec's property failing in one column."""

    spec: str
    prop: str
    column: str
    occurrences: list = dataclasses.field(default_factory=list)  # dicts: run, seed, rerun + the failing cell
    kind: str = ""
    reason: str = ""
    replay: dict = dataclasses.field(default_factory=dict)  # the replay that decided it, if any

    def as_json(self):
        return {"spec": self.spec, "property": self.prop, "column": self.column, "kind": self.kind,
                "reason": self.reason, "count": len(self.occurrences), "replay_check": self.replay,
                "occurrences": self.occurrences}


# --------------------------------------------------------------------------------- arguments

def add_parser(commands):
    soak = commands.add_parser("soak", help="run verify many times with fresh seeds and classify what fails")
    soak.add_argument("specs", metavar="SPEC", nargs="+", help="built-in spec names or MODULE:ATTR (each soaked in turn)")
    soak.add_argument("--layer", metavar="MODULE:ATTR", help="build the layer from this class instead")
    soak.add_argument("--runs", metavar="N", type=int, help=f"runs per spec (default {DEFAULT_RUNS} without --seconds)")
    soak.add_argument("--seconds", metavar="S", type=float, help="start no new run of a spec after S seconds")
    soak.add_argument("--jobs", metavar="J", type=int, default=1, help="runs at a time, one process each (default 1)")
    soak.add_argument("--report", metavar="PATH", help="write a JSON report here and Markdown beside it")
    soak.add_argument("--junitxml", metavar="PATH", help="write a JUnit XML report: one test case per run")
    soak.add_argument("--summary", metavar="PATH", help="append a Markdown summary to PATH ($GITHUB_STEP_SUMMARY)")
    soak.add_argument("--max-examples", metavar="N", type=int, help="examples per property and column in each run")
    soak.add_argument("-k", dest="select", metavar="PATTERN",
                      help="soak only the cells whose PROPERTY-COLUMN matches this regular expression (as verify -k)")
    soak.add_argument("--seed", metavar="N", type=int, help="derive every run's seed from N (a reproducible soak)")
    soak.add_argument("--run-timeout", metavar="S", type=float, default=3600.0,
                      help="a run or replay taking longer is killed and counted unexplained (default 3600)")
    return soak


def check_arguments(args):
    """Raise :class:`UsageError` naming the argument and the value."""
    for name, value, low in (("--runs", args.runs, 1), ("--jobs", args.jobs, 1), ("--max-examples", args.max_examples, 1),
                             ("--seed", args.seed, 0)):
        if value is not None and value < low:
            raise UsageError(f"{name} must be >= {low}, got {value}")
    for name, value in (("--seconds", args.seconds), ("--run-timeout", args.run_timeout)):
        if value is not None and not value > 0:  # also NaN
            raise UsageError(f"{name} must be > 0, got {value}")
    if args.select is not None:
        try:
            check_select(args.select)
        except ValueError as error:
            raise UsageError(str(error)) from None
    if args.layer is not None and not re.fullmatch(r"[^:]+:[^:]+", args.layer):
        raise UsageError(f"--layer must look like MODULE:ATTR, got {args.layer!r}")


def run_seed(base, spec, number):
    """Run ``number``'s seed: random, or derived from ``--seed`` so a soak can be repeated."""
    if base is None:
        return secrets.randbits(32)
    return int.from_bytes(hashlib.sha256(f"{base}/{spec}/{number}".encode()).digest()[:4], "big")


# ------------------------------------------------------------------------------- processes

def _quote(words):
    return " ".join(shlex.quote(w) for w in words)


def verify_words(spec, seed, layer=None, max_examples=None, select=None):
    words = ["python", "-m", "properties", "verify", spec, "--profile", "dev", "--seed", str(seed)]
    if max_examples:
        words += ["--max-examples", str(max_examples)]
    if select is not None:
        words += ["-k", select]
    if layer:
        words += ["--layer", layer]
    return words


#: Set in each child's environment to the soak's pid: a child whose parent is gone (a SIGKILL
#: ends the soak without a word to its runs, which sit in sessions of their own) ends too.
PARENT_ENV = "PROPERTIES_SOAK_PID"


def _child_env():
    """The caller's environment, importing from the caller's directory (for MODULE:ATTR)."""
    cwd = os.getcwd()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([cwd] + [p for p in [os.environ.get("PYTHONPATH")] if p]))
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env[PARENT_ENV] = str(os.getpid())
    env.pop("PROPERTIES_PROFILE", None)  # every child names its profile
    return env


class Interrupted(Exception):
    """A child process not started: the soak was interrupted first."""


class Children:
    """The child processes in flight (the ``verify`` runs and the replay batch).

    Each starts in a session of its own, so that a Ctrl-C on the terminal reaches the soak alone
    and :meth:`interrupt` passes exactly one SIGINT to each child: ``verify`` then stops and
    writes its partial report (a second SIGINT would cut that short).  A second interrupt, or
    :data:`GRACE_SECONDS` after the first, kills what is still running."""

    def __init__(self):
        self.lock, self.live, self.interrupted = threading.Lock(), set(), False

    def run(self, words, workdir, timeout):
        """Run ``python -m properties ...`` (``words``) in ``workdir``: ``(returncode or None,
        stdout, stderr)``; raises :class:`Interrupted` once the soak is interrupted."""
        argv = [sys.executable] + words[1:] if words[0] == "python" else words
        with self.lock:
            if self.interrupted:
                raise Interrupted()
            process = subprocess.Popen(argv, cwd=workdir, env=_child_env(), stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, text=True, start_new_session=True)
            self.live.add(process)
        deadline = time.monotonic() + timeout
        try:
            while True:
                try:
                    stdout, stderr = process.communicate(timeout=max(0.0, deadline - time.monotonic()))
                    return process.returncode, stdout, stderr
                except subprocess.TimeoutExpired:
                    process.kill()
                    stdout, stderr = process.communicate()
                    return None, stdout, f"killed after {timeout:.0f} s (--run-timeout)"
                except KeyboardInterrupt:  # the main thread's child (the replays): pass it on, then wait
                    self.interrupt()
        finally:
            with self.lock:
                self.live.discard(process)

    def interrupt(self):
        """The first call sends SIGINT to each child in flight and starts no more; later calls kill them."""
        with self.lock:
            first, self.interrupted = not self.interrupted, True
            for process in list(self.live):
                try:
                    process.send_signal(signal.SIGINT) if first else process.kill()
                except ProcessLookupError:  # it has just exited
                    pass
        return first

    def kill(self):
        with self.lock:
            self.interrupted = True
            for process in list(self.live):
                try:
                    process.kill()
                except ProcessLookupError:
                    pass


def run_verify(spec, number, seed, layer=None, max_examples=None, timeout=3600.0, select=None, children=None):
    """One run: a ``verify`` process; returns its :class:`Run` (``interrupted`` when the soak was
    interrupted while it ran: then its cells are those of verify's partial report, if any), or
    None when the soak was interrupted before it started."""
    children = children or Children()
    words = verify_words(spec, seed, layer, max_examples, select)
    run = Run(spec, number, seed, _quote(words))
    start = time.perf_counter()
    stdout = ""
    with tempfile.TemporaryDirectory(prefix="soak-") as workdir:  # fresh: nothing shared between runs
        report = os.path.join(workdir, "run.json")
        try:
            run.returncode, stdout, run.stderr = children.run(words + ["--report", report], workdir, timeout)
        except Interrupted:
            return None  # never started
        run.interrupted = children.interrupted and run.returncode not in (0, 1)
        data = None
        if (run.returncode in (0, 1) or run.interrupted) and os.path.exists(report):
            with open(report) as f:
                data = json.load(f)
    run.seconds = time.perf_counter() - start
    if data is not None:
        run.examples = data.get("total_examples", 0)
        run.cells_run = data.get("cells_run")
        run.cells = list(data.get("failing_cells", []))
    elif run.returncode != 2 and not run.interrupted:
        kind = ("timeout" if run.returncode is None else "crashed" if run.returncode < 0
                else "no-report" if run.returncode in (0, 1) else "crashed")
        tail = (run.stderr or stdout).strip().splitlines()[-5:]
        run.cells = [{"property": "(run)", "column": "(process)", "status": "FAIL", "kind": kind,
                      "message": f"verify exited with status {run.returncode}: " + " | ".join(tail),
                      "replay": run.command, "flaky_reason": ""}]
    return run


def parse_replay(command):
    """``python -m properties replay SPEC PROPERTY COLUMN --blob BLOB [--layer L]`` -> its parts, or None."""
    words = shlex.split(command or "")
    if words[1:4] != ["-m", "properties", "replay"] or "--blob" not in words:
        return None
    spec, prop, column = words[4:7]
    layer = words[words.index("--layer") + 1] if "--layer" in words else None
    return {"spec": spec, "property": prop, "column": column, "blob": words[words.index("--blob") + 1], "layer": layer}


def replay_failures(occurrences, timeout=3600.0, children=None):
    """Replay each occurrence's counterexample (its ``replay ... --blob`` line) in one fresh
    process, away from the run that found it: a list of ``{"command", "reproduced", "output"}``;
    ``reproduced`` is True when the replay fails the same property in the same column again.
    If that process dies, every replay it did not report is ``reproduced: False``; if the soak
    was interrupted before or during the replays, ``reproduced: None`` (not replayed)."""
    if not occurrences:
        return []
    children = children or Children()
    with tempfile.TemporaryDirectory(prefix="soak-replay-") as workdir:
        requests, answers = os.path.join(workdir, "replays.json"), os.path.join(workdir, "answers.json")
        with open(requests, "w") as f:
            json.dump([parse_replay(o["replay"]) for o in occurrences], f)
        try:
            returncode, stdout, stderr = children.run(
                ["python", "-m", "properties.tools.soak", "--replay-batch", requests, answers], workdir, timeout)
        except Interrupted:
            returncode, stdout, stderr = None, "", ""
        found = []
        if os.path.exists(answers):
            with open(answers) as f:
                found = json.load(f)
    tail = " | ".join((stderr or stdout).strip().splitlines()[-3:])
    results = []
    for index, occurrence in enumerate(occurrences):
        if index < len(found):
            answer = found[index]
        elif children.interrupted:
            answer = {"reproduced": None, "output": "not replayed: the soak was interrupted"}
        else:
            answer = {"reproduced": False, "output": f"the replay process exited with status {returncode}: {tail}"}
        results.append({"command": occurrence["replay"], **answer})
    return results


def _replay_batch(requests_path, answers_path):
    """Child side of :func:`replay_failures` (``python -m properties.tools.soak --replay-batch IN OUT``)."""
    import warnings

    from properties.execution.devices import split_cpu_for_device_checks

    split_cpu_for_device_checks()
    from properties.core.profiles import choose_profile
    from properties.checks.catalogue import all_properties
    from properties.running.runner import run_cell
    from properties.core.imports import import_object
    from properties.specs import load_spec

    choose_profile("ci")
    sys.path.insert(0, os.getcwd())
    answers = []
    with open(requests_path) as f:
        requests = json.load(f)
    for request in requests:
        try:
            spec = load_spec(request["spec"])
            if request["layer"]:
                spec = spec.with_layer(import_object(request["layer"], "--layer"))
            prop = next(p for p in all_properties() if p.name == request["property"])
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                cell = run_cell(spec, prop, request["column"], spec_arg=request["spec"], layer_arg=request["layer"],
                                reproduce=request["blob"])
            text = cell.message or cell.expected_failure or cell.flaky_failure
            headline = f"property {request['property']} failed [spec {spec.name}, {request['column']}]"
            answers.append({"reproduced": text.startswith(headline),
                            "output": text.splitlines()[0] if text else "holds on the replayed example"})
        except Exception as error:  # noqa: BLE001 - a replay that cannot run did not reproduce
            answers.append({"reproduced": False, "output": f"replay could not run: {type(error).__name__}: {error}"})
        with open(answers_path, "w") as f:  # after each, so a crash keeps what came before
            json.dump(answers, f)


# --------------------------------------------------------------------------- classification

def group_failures(runs):
    """Groups by spec, property and column, in first-seen order."""
    groups = {}
    for run in runs:
        for cell in run.cells:
            key = (run.spec, cell["property"], cell["column"])
            group = groups.setdefault(key, Group(*key))
            group.occurrences.append({"run": run.number, "seed": run.seed, "rerun": run.command, **cell})
    return list(groups.values())


def _has_blob(occurrence):
    return parse_replay(occurrence.get("replay")) is not None


def _classify_subset(group, status, occurrences, replayer):
    """``(kind, reason, replay)`` for the occurrences of one status."""
    first = occurrences[0]
    harness = [o for o in occurrences if o.get("kind") in HARNESS_KINDS]
    if status == "flaky":
        return "flaky", "the spec declares it flaky: " + (first.get("flaky_reason") or "flaky_findings"), {}
    if status == "known":
        if not first.get("flaky_reason"):
            return "documented", "the spec's known_failures", {}
        # Declared both ways: a counterexample that fails again is the deterministic finding.
        if any(o.get("kind") == "unreliable" for o in occurrences):
            return "flaky", "known and declared flaky; Hypothesis could not reproduce it", {}
        candidates = [o for o in occurrences if _has_blob(o)]
        if not candidates:
            return "documented", "the spec's known_failures (no blob to tell it from the flaky finding)", {}
        check = replayer(candidates[0])
        if check["reproduced"] is None:
            return "documented", "the spec's known_failures (not replayed, the soak was interrupted: not told " \
                                 "from the flaky finding)", check
        if check["reproduced"]:
            return "documented", "the spec's known_failures; the replay fails again (deterministic)", check
        return "flaky", "known and declared flaky; the replay passed: " + first["flaky_reason"], check
    # status FAIL
    if harness:
        kinds = sorted({o["kind"] for o in harness})
        return "unexplained", "harness error (" + ", ".join(kinds) + "): " + harness[0]["message"].splitlines()[0], {}
    if any(o.get("kind") == "unreliable" for o in occurrences):
        return "unexplained", "Hypothesis could not reproduce the counterexample, and the spec does not declare it flaky", {}
    candidates = [o for o in occurrences if _has_blob(o)]
    if not candidates:
        return "unexplained", "no counterexample blob to replay", {}
    check = replayer(candidates[0])
    if check["reproduced"] is None:
        return "unexplained", "not replayed: the soak was interrupted before the counterexample's replay", check
    if check["reproduced"]:
        return "layer defect", "the counterexample fails again when replayed in a fresh process", check
    return "unexplained", "the counterexample did not fail again in a fresh process, and the spec does not " \
                          "declare the cell flaky", check


def classify_all(groups, timeout=3600.0, children=None):
    """Classify every group, replaying the counterexamples that need it in one fresh process
    (none once the soak is interrupted: those groups say they were not replayed)."""
    wanted = []
    for group in groups:  # first pass: which occurrences need a replay
        classify(group, lambda o: wanted.append(o) or {"reproduced": True})
    answers = {id(o): a for o, a in zip(wanted, replay_failures(wanted, timeout, children))}
    for group in groups:
        classify(group, lambda o: answers[id(o)])
    return groups


def classify(group, replayer):
    """Give ``group`` its kind (see the module docstring); ``replayer(occurrence) -> dict`` with
    ``reproduced`` replays one occurrence (see :func:`classify_all`; a stub in tests)."""
    verdicts = []
    for status in ("FAIL", "known", "flaky"):
        subset = [o for o in group.occurrences if o["status"] == status]
        if subset:
            verdicts.append(_classify_subset(group, status, subset, replayer))
    verdicts.sort(key=lambda v: KINDS.index(v[0]))
    group.kind, group.reason, group.replay = verdicts[0]
    return group


def tally(groups):
    """Failing cells (occurrences) per kind, and groups per kind."""
    occurrences = {kind: 0 for kind in KINDS}
    per_group = {kind: 0 for kind in KINDS}
    for group in groups:
        occurrences[group.kind] += len(group.occurrences)
        per_group[group.kind] += 1
    return occurrences, per_group


def exit_status(groups):
    return 1 if any(g.kind in ("unexplained", "layer defect") for g in groups) else 0


# --------------------------------------------------------------------------------- the loop

class _Printer:
    def __init__(self, stream=None):
        self.lock, self.stream = threading.Lock(), stream or sys.stdout

    def __call__(self, text=""):
        with self.lock:
            print(text, file=self.stream, flush=True)


def soak_spec(spec, args, say, on_run=None):
    """Run one spec's runs and classify its failures: ``(runs, groups, seconds, interrupted)``;
    raises :class:`UsageError` when a run reports a usage error.

    A Ctrl-C (``KeyboardInterrupt``) starts no new run, passes one SIGINT to each run in flight
    (each stops and writes verify's partial report, read as its cells), and classifies what was
    found without replays; ``interrupted`` is then True.  A second Ctrl-C, or
    :data:`GRACE_SECONDS` after the first, kills the runs still in flight."""
    runs_wanted = args.runs if args.runs is not None else (None if args.seconds is not None else DEFAULT_RUNS)
    start = time.perf_counter()
    deadline = start + args.seconds if args.seconds is not None else None
    total = f"/{runs_wanted}" if runs_wanted else ""
    children = Children()
    finished, started, usage, nothing, kill_at = {}, 0, None, None, None

    def may_start():
        if usage is not None or nothing is not None or children.interrupted:
            return False
        if runs_wanted is not None and started >= runs_wanted:
            return False
        return deadline is None or started == 0 or time.perf_counter() < deadline

    def finish(run):  # idempotent: an interrupt may land between two of these
        nonlocal usage, nothing
        if run is None:
            return
        if run.returncode == 2 and not run.interrupted:
            usage = usage or (run.stderr.strip().splitlines() or ["usage error"])[-1]
        elif run.returncode == 5 and not run.interrupted:  # -k matched no cell of this spec
            nothing = nothing or f"verify {spec}: no property/column cell matches -k {args.select!r}"
        elif run.number not in finished:
            c = run.counts
            (on_run or say)(f"[{spec}] run {run.number}{total}  seed {run.seed}  {run.seconds:.1f} s  {run.examples} examples  "
                f"failures {c['FAIL']} (known {c['known']}, flaky {c['flaky']})"
                + ("  INTERRUPTED (the cells it ran)" if run.interrupted
                   else "" if run.returncode in (0, 1) else f"  exit {run.returncode}"))
            finished[run.number] = run

    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        pending = set()
        while True:
            try:
                while may_start() and len(pending) < args.jobs:
                    started += 1
                    seed = run_seed(args.seed, spec, started)
                    pending.add(pool.submit(run_verify, spec, started, seed, args.layer, args.max_examples,
                                            args.run_timeout, args.select, children=children))
                if not pending:
                    break
                wait = None if kill_at is None else max(0.0, kill_at - time.monotonic())
                concurrent.futures.wait(pending, timeout=wait, return_when=concurrent.futures.FIRST_COMPLETED)
                if kill_at is not None and time.monotonic() >= kill_at:
                    children.kill()
                for future in [f for f in pending if f.done()]:
                    finish(future.result())
                    pending.discard(future)
            except KeyboardInterrupt:
                if children.interrupt():
                    kill_at = time.monotonic() + GRACE_SECONDS
                    say(f"\ninterrupted: no new run starts; {len(pending)} run(s) in flight stop and write what they "
                        f"ran (Ctrl-C again to kill them)")
                else:
                    say("interrupted again: the runs in flight are killed")
    if usage is not None:
        raise UsageError(f"verify {spec}: {usage}")
    if nothing is not None:
        raise NothingMatched(nothing)
    runs = [finished[number] for number in sorted(finished)]
    groups = group_failures(runs)
    try:
        classify_all(groups, args.run_timeout, children)
    except KeyboardInterrupt:  # outside the replay process itself: classify again, without replays
        children.interrupt()
        classify_all(groups, args.run_timeout, children)
    return runs, groups, time.perf_counter() - start, children.interrupted


def spec_summary(spec, runs, groups, seconds):
    occurrences, per_group = tally(groups)
    return {
        "spec": spec,
        "runs": len(runs),
        "interrupted_runs": sum(r.interrupted for r in runs),
        "examples": sum(r.examples for r in runs),
        "seconds": round(seconds, 1),
        "failures": occurrences,
        "groups": per_group,
    }


def summary_line(summary):
    f = summary["failures"]
    stopped = summary.get("interrupted_runs", 0)
    return (f"soak {summary['spec']}: {summary['runs']} runs" + (f" ({stopped} interrupted)" if stopped else "")
            + f", {summary['examples']} examples, failures: "
            + ", ".join(f"{f[k]} {k}" for k in reversed(KINDS)) + f"; {summary['seconds']:.0f} s")


INTERRUPTED_NOTE = ("No run started after the interrupt; a run in flight stopped and counts the cells it ran "
                    "(none if it wrote no partial report); no counterexample was replayed after it, so a "
                    "failure that needed a replay is unexplained (not replayed).")

TABLE_HEADER = ("| spec | runs | examples | layer defect | documented | flaky | unexplained | seconds |\n"
                "|---|---:|---:|---:|---:|---:|---:|---:|")


def _runs(summary):
    stopped = summary.get("interrupted_runs", 0)
    return f"{summary['runs']}" + (f" ({stopped} interrupted)" if stopped else "")


def table_row(summary):
    f = summary["failures"]
    return (f"| `{summary['spec']}` | {_runs(summary)} | {summary['examples']:,} | {f['layer defect']} | "
            f"{f['documented']} | {f['flaky']} | {f['unexplained']} | {summary['seconds']:,.0f} |")


def describe_groups(groups):
    lines = []
    for group in sorted(groups, key=lambda g: (KINDS.index(g.kind), g.spec, g.prop, g.column)):
        seeds = ", ".join(str(o["seed"]) for o in group.occurrences[:8]) + (" ..." if len(group.occurrences) > 8 else "")
        lines.append(f"{group.kind.upper()}: {group.prop} [{group.spec}, {group.column}] in "
                     f"{len(group.occurrences)} run(s), seeds {seeds}")
        lines.append(f"  why:    {group.reason}")
        first = group.occurrences[0]
        headline = (first.get("message") or "").splitlines()
        for line in headline[1:4] if len(headline) > 1 else headline:
            lines.append(f"  {line.strip()}")
        if first.get("replay") and first["replay"] != first["rerun"]:
            lines.append(f"  replay: {first['replay']}")
        lines.append(f"  rerun:  {first['rerun']}")
    return lines


def as_markdown(report):
    lines = ["# properties soak", "", f"`{report['command']}`", "",
             f"{report['seconds']:.0f} s in all; exit status {report['exit_status']}.", ""]
    if report.get("interrupted"):
        lines += [f"**Interrupted (Ctrl-C): a partial report.** {INTERRUPTED_NOTE}", ""]
    lines += [TABLE_HEADER]
    lines += [table_row(s) for s in report["specs"]]
    lines += ["", "Failures count failing cells (a property in a column, in one run) by the kind of their group.", ""]
    for spec in report["specs"]:
        lines += ["", f"## {spec['spec']}", "", "| run | seed | seconds | examples | FAIL | known | flaky |",
                  "|---:|---:|---:|---:|---:|---:|---:|"]
        for run in spec["run_list"]:
            lines.append(f"| {run['number']}{' (interrupted)' if run.get('interrupted') else ''} | {run['seed']} | {run['seconds']} | {run['examples']} | {run['counts']['FAIL']} "
                         f"| {run['counts']['known']} | {run['counts']['flaky']} |")
        for group in spec["group_list"]:
            lines += ["", f"### {group['kind']}: {group['property']} [{group['column']}], {group['count']} run(s)", "",
                      group["reason"], ""]
            for o in group["occurrences"]:
                lines.append(f"- run {o['run']}, seed {o['seed']}, {o['status']}: `{o['replay'] or o['rerun']}`")
            lines += ["", "```", group["occurrences"][0]["message"], "```"]
    return "\n".join(lines) + "\n"


def _ci_reports(args, results, seconds, say, interrupted=False):
    """--junitxml (one test case per run) and --summary."""
    if getattr(args, "junitxml", None) or getattr(args, "summary", None):
        from properties.reporting import junit

        cases = [case for spec, runs, groups, _ in results for case in junit.run_cases(spec, runs, groups)]
        if getattr(args, "junitxml", None):
            say(f"junit: {junit.write(args.junitxml, 'soak ' + ' '.join(args.specs), cases, seconds)}")
        if getattr(args, "summary", None):
            partial = ["", f"Partial soak (interrupted): {INTERRUPTED_NOTE}"] if interrupted else []
            junit.append_summary(args.summary, junit.summary("soak " + " ".join(args.specs), cases, seconds, partial,
                                                             interrupted))


def main(args, stream=None):
    say = _Printer(stream)
    try:
        check_arguments(args)
    except UsageError as error:
        print(f"python -m properties soak: error: {error}", file=sys.stderr)
        return 2
    start = time.perf_counter()
    results, interrupted = [], False
    for spec in args.specs:
        say(f"soak {spec}: verify --profile dev, a fresh seed and no example database per run, {args.jobs} at a time")
        from properties.reporting.progress import Progress

        total = args.runs if args.runs is not None else (None if args.seconds is not None else DEFAULT_RUNS)
        try:
            with Progress(total, f"soak {spec}", say.stream) as progress:
                runs, groups, seconds, interrupted = soak_spec(spec, args, say, progress.line)
        except UsageError as error:
            print(f"python -m properties soak: error: {error}", file=sys.stderr)
            return 2
        except NothingMatched as error:
            print(f"python -m properties soak: {error}", file=sys.stderr)
            return 5
        results.append((spec, runs, groups, seconds))
        lines = describe_groups(groups)
        if lines:
            say("")
            for line in lines:
                say(line)
        say(summary_line(spec_summary(spec, runs, groups, seconds)))
        say("")
        if interrupted:
            left = args.specs[len(results):]
            say(f"PARTIAL SOAK (interrupted): {INTERRUPTED_NOTE}"
                + (f" Not soaked: {', '.join(left)}." if left else ""))
            say("")
            break
    all_groups = [g for _, _, groups, _ in results for g in groups]
    status = 2 if interrupted else exit_status(all_groups)  # 2 as pytest's KeyboardInterrupt
    summaries = [spec_summary(*r) for r in results]
    say(TABLE_HEADER)
    for summary in summaries:
        say(table_row(summary))
    if args.report:
        words = ["python", "-m", "properties", "soak", *args.specs]
        for flag, value in (("--layer", args.layer), ("--runs", args.runs), ("--seconds", args.seconds),
                            ("--jobs", args.jobs), ("--max-examples", args.max_examples), ("--seed", args.seed),
                            ("-k", args.select)):
            if value is not None:
                words += [flag, str(value)]
        report = {
            "command": _quote(words),
            "seconds": round(time.perf_counter() - start, 1),
            "exit_status": status,
            "interrupted": interrupted,
            "specs": [
                {**spec_summary(spec, runs, groups, seconds),
                 "run_list": [{"number": r.number, "seed": r.seed, "seconds": round(r.seconds, 1), "examples": r.examples,
                               "returncode": r.returncode, "counts": r.counts, "command": r.command,
                               "cells_run": r.cells_run, "interrupted": r.interrupted} for r in runs],
                 "group_list": [g.as_json() for g in sorted(groups, key=lambda g: KINDS.index(g.kind))]}
                for spec, runs, groups, seconds in results
            ],
        }
        from properties.reporting.report import write

        markdown = write(args.report, report, as_markdown)
        say(f"report: {args.report} and {markdown}")
    _ci_reports(args, results, time.perf_counter() - start, say, interrupted)
    unexplained = sum(1 for g in all_groups if g.kind == "unexplained")
    defects = sum(1 for g in all_groups if g.kind == "layer defect")
    verdict = "INTERRUPTED" if interrupted else "ok" if status == 0 else "FAILED"
    say(f"soak: {verdict}: {defects} layer defect group(s), {unexplained} unexplained "
        f"group(s) (exit {status})")
    return status


if __name__ == "__main__":
    if sys.argv[1:2] == ["--replay-batch"] and len(sys.argv) == 4:
        _replay_batch(sys.argv[2], sys.argv[3])
    else:
        sys.exit("usage: python -m properties soak ... (python -m properties.tools.soak is its replay helper)")
