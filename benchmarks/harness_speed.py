"""How fast the property kit runs: examples per second per property and per size class, where
the time goes, and serial against -n 2.

    python benchmarks/harness_speed.py [--profile ci] [--skip-pytest]

First every property of ``center-zero`` runs in this process (as ``verify`` runs them) and the
examples per second of each property, summed over its columns, are printed.  The same run is
timed by role: *drawing* (Hypothesis generating examples, our strategies included: a cell's
time outside its checks), *tracing* (calls of the executor that traced or built a compiled
function or model), *calling* (the other executor calls: the layer running) and *comparing*
(the rest of the checks: references, bit comparisons, messages); and examples per second by
the size class of an example's first input.  Then the pytest suite of properties
(``tests/kit/test_properties.py``) runs twice in subprocesses, with ``-n 0`` and with ``-n 2``,
and the ratio of the wall times is printed.  Ratios, not times, are what carry over between
machines.
"""

import argparse
import os
import subprocess
import sys
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


class _Clock:
    """Time by role, and check time by size class, gathered by wrapping the executor's calls
    and the properties' checks (see the module docstring)."""

    def __init__(self):
        self.roles = dict.fromkeys(("drawing", "tracing", "calling", "comparing"), 0.0)
        self.classes = {}  # size class -> [examples, seconds in checks]

    def install(self):
        from properties.execution import modes

        clock = self

        def traced_so_far(executor):
            return len(executor._functions), sum(fn.experimental_get_tracing_count()
                                                 for fn in executor._functions.values()
                                                 if hasattr(fn, "experimental_get_tracing_count"))

        def timed(method):
            def wrapper(executor, *args, **kwargs):
                before, start = traced_so_far(executor), time.perf_counter()
                try:
                    return method(executor, *args, **kwargs)
                finally:
                    role = "tracing" if traced_so_far(executor) != before else "calling"
                    clock.roles[role] += time.perf_counter() - start

            return wrapper

        modes.Executor.run = timed(modes.Executor.run)
        modes.Executor.gradient = timed(modes.Executor.gradient)

    def timed_check(self, check):
        from properties.strategies.cases import checked_items
        from properties.strategies.shapes import size_events

        def wrapper(ctx, drawn):
            executor_before = self.roles["tracing"] + self.roles["calling"]
            start = time.perf_counter()
            try:
                return check(ctx, drawn)
            finally:
                seconds = time.perf_counter() - start
                self.roles["comparing"] += seconds - (self.roles["tracing"] + self.roles["calling"] - executor_before)
                first = next(iter(checked_items(drawn)), None)
                x = getattr(first, "x", None)
                label = size_events(x.shape) if x is not None else "no array input"
                entry = self.classes.setdefault(label, [0, 0.0])
                entry[0] += 1
                entry[1] += seconds

        return wrapper


def per_property(profile):
    import dataclasses

    from properties.execution.devices import split_cpu_for_device_checks

    split_cpu_for_device_checks()
    from properties.core.profiles import choose_profile
    from properties.checks.catalogue import all_properties
    from properties.running.runner import run_cell
    from properties.specs import builtin_specs

    choose_profile(profile)
    clock = _Clock()
    clock.install()
    spec = builtin_specs()["center-zero"]
    print(f"{'property':26} {'columns':>7} {'examples':>8} {'seconds':>8} {'examples/s':>10}")
    total_examples = total_seconds = 0
    for prop in all_properties():
        if not prop.runs_for(spec):
            continue
        timed_prop = dataclasses.replace(prop, check=clock.timed_check(prop.check))
        examples = seconds = 0
        columns = prop.columns(spec)
        for column in columns:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                cell = run_cell(spec, timed_prop, column)
            examples += cell.examples
            seconds += cell.seconds
        total_examples += examples
        total_seconds += seconds
        print(f"{prop.name:26} {len(columns):7d} {examples:8d} {seconds:8.1f} {examples / seconds:10.1f}", flush=True)
    print(f"{'all':26} {'':7} {total_examples:8d} {total_seconds:8.1f} {total_examples / total_seconds:10.1f}")
    checks = sum(seconds for _, seconds in clock.classes.values())
    clock.roles["drawing"] = total_seconds - checks
    print("\nwhere the time goes (seconds, share of the run):")
    for role, seconds in clock.roles.items():
        print(f"  {role:10} {seconds:8.1f}  {seconds / total_seconds:6.1%}")
    print("\nchecks by the size class of their first input (shrinking and replays included):")
    print(f"  {'size class':18} {'checks':>7} {'seconds':>8} {'checks/s':>9}")
    for label, (count, seconds) in sorted(clock.classes.items()):
        print(f"  {label:18} {count:7d} {seconds:8.1f} {count / max(seconds, 1e-9):9.1f}")


def pytest_wall(workers, profile):
    env = dict(os.environ, PROPERTIES_PROFILE=profile, TF_CPP_MIN_LOG_LEVEL="3")
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", str(workers), "tests/kit/test_properties.py"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )
    wall = time.perf_counter() - start
    summary = [line for line in result.stdout.splitlines() if "passed" in line or "failed" in line]
    return wall, summary[-1] if summary else result.stdout[-300:]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="ci")
    parser.add_argument("--skip-pytest", action="store_true")
    args = parser.parse_args()
    per_property(args.profile)
    if args.skip_pytest:
        return
    serial, serial_summary = pytest_wall(0, args.profile)
    parallel, parallel_summary = pytest_wall(2, args.profile)
    print(f"\npytest tests/kit/test_properties.py, profile {args.profile}")
    print(f"  -n 0: {serial:6.1f} s  ({serial_summary})")
    print(f"  -n 2: {parallel:6.1f} s  ({parallel_summary})")
    print(f"  serial / parallel: {serial / parallel:.2f}")


if __name__ == "__main__":
    main()
