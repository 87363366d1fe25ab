"""Runs one property in one column for one spec under Hypothesis and records what happened."""

import dataclasses
import hashlib
import pickle
import re
import shlex
import time

from hypothesis import Phase, event, example, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis.errors import Flaky

from properties.core.failures import KnownCrashSkipped, PropertyFailure
from properties.strategies.cases import Case, checked_items
from properties.execution.executor import Executor
from properties.checks.table import EXPENSIVE_COLUMNS, Context

try:  # Python 3.11+; Hypothesis brings the backport before that
    _ExceptionGroup = BaseExceptionGroup
except NameError:  # pragma: no cover
    from exceptiongroup import BaseExceptionGroup as _ExceptionGroup


@dataclasses.dataclass
class CellResult:
    """One cell of the report: a property in a column."""

    prop: str
    column: str
    examples: int = 0
    failures: int = 0
    seconds: float = 0.0
    message: str = ""
    traces: dict = dataclasses.field(default_factory=dict)
    expected_failure: str = ""  # the failure, when the spec documents it as a known finding
    crash_skips: int = 0  # examples not run because the spec's known_crashes says they kill the process
    flaky_failure: str = ""  # the failure, when the spec declares it a flaky (thread-dependent) finding
    #: What failed: "property" (a counterexample), "unreliable" (a counterexample Hypothesis could
    #: not reproduce when it replayed it), "could-not-run", "retraced", "ran-nothing"; "" if none.
    failure_kind: str = ""
    replay: str = ""  # the command that replays the failure, if any
    flaky_reason: str = ""  # the spec's flaky_findings entry for a cell that did not hold, if any

    coverage: set = dataclasses.field(default_factory=set)  # (dtype, kind, region) reached
    sizes: list = dataclasses.field(default_factory=list)  # elements of every input checked
    shapes: list = dataclasses.field(default_factory=list)  # (elements, batch, side, dtype) of each input
    labels: dict = dataclasses.field(default_factory=dict)  # event label -> count

    @property
    def status(self):
        return "FAIL" if self.failures else "known" if self.expected_failure else "flaky" if self.flaky_failure else "ok"


#: Calls allowed for shrinking after a cell's first failure.  Past it, only examples already
#: seen failing are checked again (so Hypothesis's final replay fails as before) and any other
#: candidate counts as passing, which ends the shrink with the smallest failure found so far.
#: Without it a layer that fails everywhere spends minutes shrinking model-building modes.
SHRINK_BUDGET = 30


def _fingerprint(drawn):
    return hashlib.sha1(pickle.dumps(drawn)).hexdigest()


def examples_for(column, base):
    """Fewer examples where every new signature rebuilds a model from a file."""
    return max(2, round(base * EXPENSIVE_COLUMNS.get(column, 1.0)))


_NOISE = re.compile(r"^\s*(File \"|<frozen|Detected at node|Arguments received|in user code:|Exception encountered|•)")


def short_error(error):
    """An exception as one readable line: no ANSI colours, no traceback frames."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(error))
    lines = [line.strip() for line in text.splitlines() if line.strip() and not _NOISE.match(line)]
    return f"{type(error).__name__}: {' | '.join(lines)[:400]}"


def _case_of(drawn):
    if isinstance(drawn, Case):
        return drawn
    if isinstance(drawn, (tuple, list)):
        for item in drawn:
            found = _case_of(item)
            if found is not None:
                return found
    return None


def cell_seed(seed, spec_name, prop, column):
    """The Hypothesis seed of one cell under ``verify --seed``: derived from the run's seed and the
    cell's name, so a cell draws the same examples whichever cells ran before it."""
    digest = hashlib.sha256(f"{seed}/{spec_name}/{prop}/{column}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def replay_command(spec_arg, prop, column, layer_arg=None, blob=None, profile=None, seed=None, max_examples=None):
    """The one command that replays a failure: the blob's ``replay`` when there is a blob, else
    ``verify`` with the profile (and the seed and example count of a seeded run)."""
    words = ["python", "-m", "properties"]
    if blob:
        words += ["replay", spec_arg, prop, column, "--blob", blob]
    else:
        words += ["verify", spec_arg, "--exitfirst"] + (["--profile", profile] if profile else [])
        if seed is not None:
            words += ["--seed", str(seed)] + (["--max-examples", str(max_examples)] if max_examples else [])
    if layer_arg:
        words += ["--layer", layer_arg]
    return " ".join(shlex.quote(w) for w in words)


def _blob(error):
    for note in getattr(error, "__notes__", []):
        found = re.search(r"@reproduce_failure\('([^']+)', (b'[^']*')\)", note)
        if found:
            return f"{found.group(1)}:{found.group(2)[2:-1]}"
    return None


def build_test(spec, prop, column, base_settings=None, max_examples=None, reproduce=None, seed=None, shrink=True):
    """``(test, cell)``: a Hypothesis test of the property, and the cell it fills in.

    ``seed``: the run's seed (``verify --seed``): the cell is seeded with :func:`cell_seed`, runs
    without the example database and not derandomised, and prints the failure's blob.
    ``shrink=False``: a failure is reported as first found (for runs that only ask whether a
    cell fails, such as ``trace``)."""
    cell = CellResult(prop.name, column)
    ctx = Context(prop, spec, column, Executor(spec))

    failing, calls_after_failure = set(), [0]
    budget = examples_for(column, SHRINK_BUDGET)

    def property_holds(drawn):
        if failing:
            calls_after_failure[0] += 1
            if calls_after_failure[0] > budget and _fingerprint(drawn) not in failing:
                return
        else:
            cell.examples += 1
        item = drawn
        try:
            for item in checked_items(drawn):  # a Sweep is checked case by case
                prop.check(ctx, item)
        except KnownCrashSkipped as skipped:
            if not failing:
                cell.crash_skips += 1
            event(f"not run: known crash ({skipped.crash.op} in {skipped.crash.mode})")
        except PropertyFailure:
            failing.add(_fingerprint(drawn))
            raise
        except Exception as error:  # noqa: BLE001 - the layer raising is a failure to report
            failing.add(_fingerprint(drawn))
            ctx.fail(f"raised {short_error(error)}", _case_of(item))

    # A distinct database key and derandomisation seed per spec, property and column.
    property_holds._hypothesis_internal_add_digest = f"{spec.name}/{prop.name}/{column}".encode()
    parent = base_settings or settings()
    count = examples_for(column, max_examples or parent.max_examples)
    seeded = {} if seed is None else dict(database=None, derandomize=False, print_blob=True)
    test = given(prop.examples(spec, column))(property_holds)
    for landmark in prop.landmarks(spec, column) if prop.landmarks is not None else ():
        test = example(landmark)(test)
    # A failure the spec declares (known_failures, flaky_findings) is reported as that finding
    # whatever its counterexample, so it is not shrunk: each shrink candidate draws its inputs
    # again, and on big inputs in model-building columns Hypothesis spent its whole five-minute
    # shrink limit there (keras-masking on Keras 2), long after SHRINK_BUDGET stopped the calls.
    declared = spec.known_failure(prop.name, column) or spec.flaky_finding(prop.name, column)
    phases = tuple(phase for phase in parent.phases if phase != Phase.shrink) if declared or not shrink else parent.phases
    test = settings(parent, max_examples=count, deadline=None, report_multiple_bugs=False, phases=phases,
                    **seeded)(test)
    if seed is not None:
        test = hypothesis_seed(cell_seed(seed, spec.name, prop.name, column))(test)
    if reproduce:
        from hypothesis import reproduce_failure

        version, blob = reproduce.split(":", 1)
        test = reproduce_failure(version, blob.encode())(test)
    return test, cell, ctx


def harness_problem(spec, prop, column, cell):
    """``(kind, message)`` for what fails a cell beyond its property, from its counts and
    ``cell.traces``: every example a declared known crash ("ran-nothing"), or a compiled
    function traced again for an input signature it had seen ("retraced"); else None."""
    if cell.examples and cell.crash_skips == cell.examples:
        return "ran-nothing", (f"property {prop.name} ran nothing [spec {spec.name}, {column}]: all {cell.examples} "
                               "examples matched the spec's known_crashes")
    retraced = {mode: t for mode, t in cell.traces.items() if t["traces"] > t["signatures"]}
    if retraced:
        return "retraced", (f"property {prop.name} retraced [spec {spec.name}, {column}]: "
                            + ", ".join(f"{m}: {t['traces']} traces for {t['signatures']} input signatures"
                                        for m, t in retraced.items()))
    return None


def run_cell(spec, prop, column, *, spec_arg=None, layer_arg=None, profile=None, max_examples=None,
             reproduce=None, base_settings=None, seed=None, shrink=True):
    """Run the property; never raises for a property failure, returns the filled cell."""
    test, cell, ctx = build_test(spec, prop, column, base_settings, max_examples, reproduce, seed, shrink)
    start = time.perf_counter()
    unreliable = False
    try:
        try:
            test()
        except _ExceptionGroup as group:  # Hypothesis found several distinct failures, or a flaky one
            failures = [e for e in group.exceptions if isinstance(e, PropertyFailure)]
            if not failures:
                raise
            unreliable = isinstance(group, Flaky)  # it failed, then passed when Hypothesis replayed it
            raise failures[0] from group
    except PropertyFailure as failure:
        failure.replay = replay_command(spec_arg or spec.name, prop.name, column, layer_arg, _blob(failure), profile,
                                        seed, max_examples)
        cell.failures, cell.message, cell.replay = 1, str(failure), failure.replay
        cell.failure_kind = "unreliable" if unreliable else "property"
        if unreliable:
            cell.message += ("\n    it passed when Hypothesis replayed it"
                             + (": a race shows only sometimes, so replay it a few times" if prop.races else ""))
    except Exception as error:  # noqa: BLE001 - a health check or flaky test is reported too
        cell.failures, cell.failure_kind = 1, "could-not-run"
        cell.message = f"property {prop.name} could not run [spec {spec.name}, {column}]: {short_error(error)}"
    cell.seconds = time.perf_counter() - start
    cell.traces = ctx.executor.trace_counts()
    cell.coverage, cell.sizes, cell.shapes, cell.labels = ctx.coverage, ctx.sizes, ctx.shapes, ctx.labels
    problem = harness_problem(spec, prop, column, cell)
    if problem and not cell.failures:
        cell.failures, (cell.failure_kind, cell.message) = 1, problem
    # A documented finding that shows up is reported as known, not as a failure; one that does
    # not show up in this run is not an error either (the examples may simply not reach it).
    if cell.failures:
        cell.flaky_reason = spec.flaky_finding(prop.name, column) or ""
    if spec.known_failure(prop.name, column) and cell.failures:
        cell.failures, cell.expected_failure, cell.message = 0, cell.message, ""
    # A declared flaky finding (the result depends on the CPU thread) is reported as flaky; only a
    # counterexample is, never a harness error (could not run, retraced, ran nothing).
    elif (cell.failures and cell.failure_kind in ("property", "unreliable")
          and spec.flaky_finding(prop.name, column)):
        cell.failures, cell.flaky_failure, cell.message = 0, cell.message, ""
    return cell
