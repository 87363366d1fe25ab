"""Mutants per minute for both selftest engines, and what importing TensorFlow once saves.

    python benchmarks/selftest_speed.py [--spec center-zero] [--operators A,B,C] [--source-mutants N]

1. wrap, in process: the operators' mutants run one after the other in this process
   (TensorFlow imported once), as ``selftest --engine wrap`` runs them.
2. wrap, a subprocess per mutant: the same mutants, each ``python -m properties selftest SPEC
   --operators NAME`` in a fresh process (TensorFlow imported each time): the difference is what
   importing once per worker saves.
3. source: the first N Cosmic Ray mutants of the layer's module (one ``verify --profile quick
   --exitfirst`` process per mutant, which is how Cosmic Ray runs any test command).

Prints one line per measurement and mutants per minute.  Timings on a shared machine vary;
run it alone for numbers you quote.
"""

import argparse
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OPERATORS = "mask-skipped,upcast,region-one-off,weight-added,keras-mask-dropped,unregistered"


def wrap_in_process(spec_name, names):
    from properties.modes import split_cpu_for_device_checks

    split_cpu_for_device_checks()
    from properties.selftest.operators import operators_by_name
    from properties.selftest.wrap import load, run_wrap

    start = time.perf_counter()
    results = run_wrap(load(spec_name), operators_by_name(names), profile="quick")
    return time.perf_counter() - start, results


def wrap_subprocess(spec_name, names):
    start = time.perf_counter()
    for name in names:
        subprocess.run([sys.executable, "-m", "properties", "selftest", spec_name, "--operators", name],
                       cwd=ROOT, capture_output=True, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    return time.perf_counter() - start


def source(spec_name, count):
    """The first ``count`` Cosmic Ray mutants of centerzero/ops.py, one process each."""
    from properties.selftest.source import copy_tree, test_command
    import tempfile

    work = tempfile.mkdtemp(prefix="selftest-bench-")
    tree = copy_tree(ROOT, os.path.join(work, "tree"))
    config = os.path.join(work, "cr.toml")
    from properties.selftest.source import config_text

    with open(config, "w") as handle:
        handle.write(config_text("centerzero/ops.py", test_command(spec_name)))
    session = os.path.join(work, "session.sqlite")
    cr = [sys.executable, "-m", "cosmic_ray.cli"]
    subprocess.run(cr + ["init", config, session], cwd=tree, check=True, capture_output=True)
    import sqlite3

    db = sqlite3.connect(session)
    ids = [r[0] for r in db.execute("select job_id from work_items order by job_id")][count:]
    db.executemany("delete from mutation_specs where job_id = ?", [(i,) for i in ids])
    db.executemany("delete from work_items where job_id = ?", [(i,) for i in ids])
    db.commit()
    start = time.perf_counter()
    subprocess.run(cr + ["exec", config, session], cwd=tree, capture_output=True,
                   env={**os.environ, "PYTHONPATH": tree, "TF_CPP_MIN_LOG_LEVEL": "3"})
    seconds = time.perf_counter() - start
    killed = db.execute("select count(*) from work_results where test_outcome = 'killed'").fetchone()[0]
    return seconds, killed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", default="center-zero")
    parser.add_argument("--operators", default=DEFAULT_OPERATORS)
    parser.add_argument("--source-mutants", type=int, default=6)
    args = parser.parse_args()
    names = [n for n in args.operators.split(",") if n]
    in_process, results = wrap_in_process(args.spec, names)
    print(f"wrap, one process ({len(names)} mutants): {in_process:.1f} s, "
          f"{len(names) / in_process * 60:.1f} mutants/min, {sum(r.killed for r in results)} killed")
    separate = wrap_subprocess(args.spec, names)
    print(f"wrap, a process per mutant: {separate:.1f} s, {len(names) / separate * 60:.1f} mutants/min; "
          f"importing TensorFlow once saves {separate - in_process:.1f} s "
          f"({(separate - in_process) / len(names):.1f} s per mutant)")
    if args.source_mutants:
        seconds, killed = source(args.spec, args.source_mutants)
        print(f"source (Cosmic Ray, a verify process per mutant, {args.source_mutants} mutants): {seconds:.1f} s, "
              f"{args.source_mutants / seconds * 60:.1f} mutants/min, {killed} killed")


if __name__ == "__main__":
    main()
