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

Exit status: 0 when every group is documented or flaky; 1 when any group is a layer defect or
unexplained (a layer defect is a real failure, as in ``verify``); 2 for a usage error (this
command's arguments, or a usage error of the ``verify`` it runs, e.g. an unknown spec); 5 when
``-k`` matches no cell of a spec.

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
    returncode: int = 0
    cells: list = dataclasses.field(default_factory=list)  # verify's report["failing_cells"] (+ "crashed" entries)
    stderr: str = ""

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


def _child_env():
    """The caller's environment, importing from the caller's directory (for MODULE:ATTR)."""
    cwd = os.getcwd()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([cwd] + [p for p in [os.environ.get("PYTHONPATH")] if p]))
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.pop("PROPERTIES_PROFILE", None)  # every child names its profile
    return env


def _child(words, workdir, timeout):
    """Run ``python -m properties ...`` (``words``) in ``workdir``: ``(returncode or None, stdout, stderr)``."""
    argv = [sys.executable] + words[1:] if words[0] == "python" else words
    try:
        done = subprocess.run(argv, cwd=workdir, env=_child_env(), capture_output=True, text=True, timeout=timeout)
        return done.returncode, done.stdout, done.stderr
    except subprocess.TimeoutExpired:
        return None, "", f"killed after {timeout:.0f} s (--run-timeout)"


def run_verify(spec, number, seed, layer=None, max_examples=None, timeout=3600.0, select=None):
    """One run: a ``verify`` process; returns its :class:`Run`."""
    words = verify_words(spec, seed, layer, max_examples, select)
    run = Run(spec, number, seed, _quote(words))
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="soak-") as workdir:  # fresh: nothing shared between runs
        report = os.path.join(workdir, "run.json")
        run.returncode, stdout, run.stderr = _child(words + ["--report", report], workdir, timeout)
        data = None
        if run.returncode in (0, 1) and os.path.exists(report):
            with open(report) as f:
                data = json.load(f)
    run.seconds = time.perf_counter() - start
    if data is not None:
        run.examples = data.get("total_examples", 0)
        run.cells = list(data.get("failing_cells", []))
    elif run.returncode != 2:
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


def replay_failures(occurrences, timeout=3600.0):
    """Replay each occurrence's counterexample (its ``replay ... --blob`` line) in one fresh
    process, away from the run that found it: a list of ``{"command", "reproduced", "output"}``;
    ``reproduced`` is True when the replay fails the same property in the same column again.
    If that process dies, every replay it did not report is ``reproduced: False``."""
    if not occurrences:
        return []
    with tempfile.TemporaryDirectory(prefix="soak-replay-") as workdir:
        requests, answers = os.path.join(workdir, "replays.json"), os.path.join(workdir, "answers.json")
        with open(requests, "w") as f:
            json.dump([parse_replay(o["replay"]) for o in occurrences], f)
        returncode, stdout, stderr = _child(["python", "-m", "properties.tools.soak", "--replay-batch", requests, answers],
                                            workdir, timeout)
        found = []
        if os.path.exists(answers):
            with open(answers) as f:
                found = json.load(f)
    tail = " | ".join((stderr or stdout).strip().splitlines()[-3:])
    results = []
    for index, occurrence in enumerate(occurrences):
        answer = found[index] if index < len(found) else {
            "reproduced": False, "output": f"the replay process exited with status {returncode}: {tail}"}
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
    if check["reproduced"]:
        return "layer defect", "the counterexample fails again when replayed in a fresh process", check
    return "unexplained", "the counterexample did not fail again in a fresh process, and the spec does not " \
                          "declare the cell flaky", check


def classify_all(groups, timeout=3600.0):
    """Classify every group, replaying the counterexamples that need it in one fresh process."""
    wanted = []
    for group in groups:  # first pass: which occurrences need a replay
        classify(group, lambda o: wanted.append(o) or {"reproduced": True})
    answers = {id(o): a for o, a in zip(wanted, replay_failures(wanted, timeout))}
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
    """Run one spec's runs and classify its failures: ``(runs, groups, seconds)``; raises
    :class:`UsageError` when a run reports a usage error."""
    runs_wanted = args.runs if args.runs is not None else (None if args.seconds is not None else DEFAULT_RUNS)
    start = time.perf_counter()
    deadline = start + args.seconds if args.seconds is not None else None
    total = f"/{runs_wanted}" if runs_wanted else ""
    runs, started, usage, nothing = [], 0, None, None

    def may_start():
        if usage is not None or nothing is not None:
            return False
        if runs_wanted is not None and started >= runs_wanted:
            return False
        return deadline is None or started == 0 or time.perf_counter() < deadline

    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        pending = set()
        while True:
            while may_start() and len(pending) < args.jobs:
                started += 1
                seed = run_seed(args.seed, spec, started)
                pending.add(pool.submit(run_verify, spec, started, seed, args.layer, args.max_examples,
                                        args.run_timeout, args.select))
            if not pending:
                break
            done, pending = concurrent.futures.wait(pending, return_when=concurrent.futures.FIRST_COMPLETED)
            for future in done:
                run = future.result()
                if run.returncode == 2:
                    usage = usage or (run.stderr.strip().splitlines() or ["usage error"])[-1]
                    continue
                if run.returncode == 5:  # -k matched no cell of this spec
                    nothing = nothing or f"verify {spec}: no property/column cell matches -k {args.select!r}"
                    continue
                runs.append(run)
                c = run.counts
                (on_run or say)(f"[{spec}] run {run.number}{total}  seed {run.seed}  {run.seconds:.1f} s  {run.examples} examples  "
                    f"failures {c['FAIL']} (known {c['known']}, flaky {c['flaky']})"
                    + ("" if run.returncode in (0, 1) else f"  exit {run.returncode}"))
    if usage is not None:
        raise UsageError(f"verify {spec}: {usage}")
    if nothing is not None:
        raise NothingMatched(nothing)
    runs.sort(key=lambda r: r.number)
    groups = group_failures(runs)
    classify_all(groups, args.run_timeout)
    return runs, groups, time.perf_counter() - start


def spec_summary(spec, runs, groups, seconds):
    occurrences, per_group = tally(groups)
    return {
        "spec": spec,
        "runs": len(runs),
        "examples": sum(r.examples for r in runs),
        "seconds": round(seconds, 1),
        "failures": occurrences,
        "groups": per_group,
    }


def summary_line(summary):
    f = summary["failures"]
    return (f"soak {summary['spec']}: {summary['runs']} runs, {summary['examples']} examples, failures: "
            + ", ".join(f"{f[k]} {k}" for k in reversed(KINDS)) + f"; {summary['seconds']:.0f} s")


TABLE_HEADER = ("| spec | runs | examples | layer defect | documented | flaky | unexplained | seconds |\n"
                "|---|---:|---:|---:|---:|---:|---:|---:|")


def table_row(summary):
    f = summary["failures"]
    return (f"| `{summary['spec']}` | {summary['runs']} | {summary['examples']:,} | {f['layer defect']} | "
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
             f"{report['seconds']:.0f} s in all; exit status {report['exit_status']}.", "", TABLE_HEADER]
    lines += [table_row(s) for s in report["specs"]]
    lines += ["", "Failures count failing cells (a property in a column, in one run) by the kind of their group.", ""]
    for spec in report["specs"]:
        lines += ["", f"## {spec['spec']}", "", "| run | seed | seconds | examples | FAIL | known | flaky |",
                  "|---:|---:|---:|---:|---:|---:|---:|"]
        for run in spec["run_list"]:
            lines.append(f"| {run['number']} | {run['seed']} | {run['seconds']} | {run['examples']} | {run['counts']['FAIL']} "
                         f"| {run['counts']['known']} | {run['counts']['flaky']} |")
        for group in spec["group_list"]:
            lines += ["", f"### {group['kind']}: {group['property']} [{group['column']}], {group['count']} run(s)", "",
                      group["reason"], ""]
            for o in group["occurrences"]:
                lines.append(f"- run {o['run']}, seed {o['seed']}, {o['status']}: `{o['replay'] or o['rerun']}`")
            lines += ["", "```", group["occurrences"][0]["message"], "```"]
    return "\n".join(lines) + "\n"


def _ci_reports(args, results, seconds, say):
    """--junitxml (one test case per run) and --summary."""
    if getattr(args, "junitxml", None) or getattr(args, "summary", None):
        from properties.reporting import junit

        cases = [case for spec, runs, groups, _ in results for case in junit.run_cases(spec, runs, groups)]
        if getattr(args, "junitxml", None):
            say(f"junit: {junit.write(args.junitxml, 'soak ' + ' '.join(args.specs), cases, seconds)}")
        if getattr(args, "summary", None):
            junit.append_summary(args.summary, junit.summary("soak " + " ".join(args.specs), cases, seconds))


def main(args, stream=None):
    say = _Printer(stream)
    try:
        check_arguments(args)
    except UsageError as error:
        print(f"python -m properties soak: error: {error}", file=sys.stderr)
        return 2
    start = time.perf_counter()
    results = []
    for spec in args.specs:
        say(f"soak {spec}: verify --profile dev, a fresh seed and no example database per run, {args.jobs} at a time")
        from properties.reporting.progress import Progress

        total = args.runs if args.runs is not None else (None if args.seconds is not None else DEFAULT_RUNS)
        try:
            with Progress(total, f"soak {spec}", say.stream) as progress:
                runs, groups, seconds = soak_spec(spec, args, say, progress.line)
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
    all_groups = [g for _, _, groups, _ in results for g in groups]
    status = exit_status(all_groups)
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
            "specs": [
                {**spec_summary(spec, runs, groups, seconds),
                 "run_list": [{"number": r.number, "seed": r.seed, "seconds": round(r.seconds, 1), "examples": r.examples,
                               "returncode": r.returncode, "counts": r.counts, "command": r.command} for r in runs],
                 "group_list": [g.as_json() for g in sorted(groups, key=lambda g: KINDS.index(g.kind))]}
                for spec, runs, groups, seconds in results
            ],
        }
        from properties.reporting.report import write

        markdown = write(args.report, report, as_markdown)
        say(f"report: {args.report} and {markdown}")
    _ci_reports(args, results, time.perf_counter() - start, say)
    unexplained = sum(1 for g in all_groups if g.kind == "unexplained")
    defects = sum(1 for g in all_groups if g.kind == "layer defect")
    say(f"soak: {'ok' if status == 0 else 'FAILED'}: {defects} layer defect group(s), {unexplained} unexplained "
        f"group(s) (exit {status})")
    return status


if __name__ == "__main__":
    if sys.argv[1:2] == ["--replay-batch"] and len(sys.argv) == 4:
        _replay_batch(sys.argv[2], sys.argv[3])
    else:
        sys.exit("usage: python -m properties soak ... (python -m properties.tools.soak is its replay helper)")
