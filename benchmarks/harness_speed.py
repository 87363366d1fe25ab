"""How fast the property kit runs: examples per second per property, and serial against -n 2.

    python benchmarks/harness_speed.py [--profile ci] [--skip-pytest]

First every property of ``center-zero`` runs in this process (as ``verify`` runs them) and the
examples per second of each property, summed over its columns, are printed.  Then the pytest
suite of properties (``tests/test_properties.py``) runs twice in subprocesses, with ``-n 0``
and with ``-n 2``, and the ratio of the wall times is printed.  Ratios, not times, are what
carry over between machines.
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


def per_property(profile):
    from properties.modes import split_cpu_for_device_checks

    split_cpu_for_device_checks()
    from properties.profiles import choose_profile
    from properties.registry import all_properties
    from properties.runner import run_cell
    from properties.spec import builtin_specs

    choose_profile(profile)
    spec = builtin_specs()["center-zero"]
    print(f"{'property':26} {'columns':>7} {'examples':>8} {'seconds':>8} {'examples/s':>10}")
    total_examples = total_seconds = 0
    for prop in all_properties():
        if not prop.applies(spec):
            continue
        examples = seconds = 0
        columns = prop.columns(spec)
        for column in columns:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                cell = run_cell(spec, prop, column)
            examples += cell.examples
            seconds += cell.seconds
        total_examples += examples
        total_seconds += seconds
        print(f"{prop.name:26} {len(columns):7d} {examples:8d} {seconds:8.1f} {examples / seconds:10.1f}", flush=True)
    print(f"{'all':26} {'':7} {total_examples:8d} {total_seconds:8.1f} {total_examples / total_seconds:10.1f}")


def pytest_wall(workers, profile):
    env = dict(os.environ, HYPOTHESIS_PROFILE=profile, TF_CPP_MIN_LOG_LEVEL="3")
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", str(workers), "tests/test_properties.py"],
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
    print(f"\npytest tests/test_properties.py, profile {args.profile}")
    print(f"  -n 0: {serial:6.1f} s  ({serial_summary})")
    print(f"  -n 2: {parallel:6.1f} s  ({parallel_summary})")
    print(f"  serial / parallel: {serial / parallel:.2f}")


if __name__ == "__main__":
    main()
