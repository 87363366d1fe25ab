#!/usr/bin/env python3
"""Are property runs reproducible?  Runs the property suite under the ``ci`` profile (derandomised,
no example database) twice serially and once under pytest-xdist, and checks that every test has
the same outcome and ran the same number of Hypothesis examples each time.

    python scripts/check_reproducible.py                   # tests/kit/test_properties.py, -n 2
    python scripts/check_reproducible.py --workers auto -- -k zeroed-exactly

The per-test counts come from the pytest plugin's ``record_property("property_examples", n)``,
read back from ``--junitxml``.  Prints a verdict; exit status 0 when the three runs agree, 1 when
they disagree, 2 when a run could not produce a report.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def read_junit(path):
    """{test id: (outcome, examples or None)} from a JUnit XML file."""
    results = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        test_id = f"{case.get('classname')}::{case.get('name')}"
        outcome = "passed"
        for tag in ("failure", "error", "skipped"):
            if case.find(tag) is not None:
                outcome = tag
        examples = None
        for prop in case.iter("property"):
            if prop.get("name") == "property_examples":
                examples = int(prop.get("value"))
        if test_id in results:  # a call failure and a teardown error give two entries
            outcome = results[test_id][0] if outcome == "passed" else outcome
            examples = results[test_id][1] if examples is None else examples
        results[test_id] = (outcome, examples)
    return results


def run(label, python, target, xdist, extra, workdir):
    xml = Path(workdir) / f"{label}.xml"
    cmd = [python, "-m", "pytest", target, "-q", "-p", "no:cacheprovider", "-n", xdist,
           f"--junitxml={xml}", "-o", "junit_family=xunit2", *extra]
    env = dict(os.environ, PROPERTIES_PROFILE="ci")
    print(f"[{label}] {' '.join(cmd)}", flush=True)
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    summary = [line for line in proc.stdout.splitlines()
               if line.startswith("properties:") or (" in " in line and (" passed" in line or " failed" in line))]
    for line in summary:
        print(f"[{label}]   {line.strip('= ')}")
    print(f"[{label}]   exit {proc.returncode}, {seconds:.1f} s", flush=True)
    if not xml.exists():
        print(proc.stdout[-3000:] + proc.stderr[-3000:])
        return None, proc.returncode
    return read_junit(xml), proc.returncode


def compare(runs):
    """Lines describing every disagreement between the runs (empty when they agree)."""
    problems = []
    (first_label, first), *others = runs
    for label, results in others:
        for test_id in sorted(set(first) | set(results)):
            a, b = first.get(test_id), results.get(test_id)
            if a is None or b is None:
                problems.append(f"{test_id}: only in {first_label if b is None else label}")
            elif a != b:
                problems.append(f"{test_id}: {first_label} {a[0]}/{a[1]} examples, {label} {b[0]}/{b[1]} examples")
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", default=sys.executable, help="interpreter with the project installed")
    parser.add_argument("--target", default="tests/kit/test_properties.py")
    parser.add_argument("--workers", default="2", help="pytest-xdist -n for the parallel run (default 2)")
    parser.add_argument("pytest_args", nargs="*", help="more pytest arguments, after --")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as workdir:
        runs, codes = [], []
        for label, xdist in (("serial-1", "0"), ("serial-2", "0"), (f"xdist-{args.workers}", args.workers)):
            results, code = run(label, args.python, args.target, xdist, args.pytest_args, workdir)
            if results is None:
                print(f"VERDICT: could not check: run {label} wrote no JUnit report (exit {code})")
                return 2
            runs.append((label, results))
            codes.append(code)

    problems = compare(runs)
    if len(set(codes)) > 1:
        problems.insert(0, f"exit statuses differ: {dict(zip([r[0] for r in runs], codes))}")
    first = runs[0][1]
    outcomes = {}
    for outcome, _ in first.values():
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    total = sum(n for _, n in first.values() if n)
    counted = sum(1 for _, n in first.values() if n is not None)
    print(f"{len(first)} tests ({', '.join(f'{n} {o}' for o, n in sorted(outcomes.items()))}); "
          f"{counted} report example counts, {total} examples in all, per run")
    if counted == 0:
        print("VERDICT: could not check: no test recorded property_examples")
        return 2
    if problems:
        print(f"VERDICT: NOT reproducible: {len(problems)} disagreement(s)")
        for line in problems:
            print(f"  {line}")
        return 1
    print(f"VERDICT: reproducible: {len(runs)} runs ({', '.join(r[0] for r in runs)}) agree on every "
          f"test's outcome and example count")
    return 0


if __name__ == "__main__":
    sys.exit(main())
