"""Mutants per minute for both selftest engines, and what importing TensorFlow once saves.

    python benchmarks/selftest_speed.py [--spec center-zero] [--operators A,B,C] [--source-mutants N]
                                        [--module centerzero/ops.py] [--skip wrap-subprocess,...]

1. wrap, in process: the operators' mutants run one after the other in this process
   (TensorFlow imported once), as ``selftest --engine wrap`` runs them.
2. wrap, a subprocess per mutant: the same mutants, each ``python -m properties selftest SPEC
   --operators NAME`` in a fresh process (TensorFlow imported each time): the difference is what
   importing once per worker saves.
3. source, a process per mutant (``--runner process``): the first N Cosmic Ray mutants of
   ``--module``, each tested by a fresh ``python -m properties verify SPEC --profile quick
   --exitfirst`` process (TensorFlow imported each time: Cosmic Ray's usual way).
4. source, fork server (``--runner fork``, the default): the same N mutants, each ``verify`` run
   in a child forked from a server that imported TensorFlow once; the difference from 3 is what
   importing once per worker saves for the source engine.

Both source runs use one worker and skip the baseline run (measured apart: it is one full
``verify``); each prints its kills, which must agree.

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
    from properties.execution.devices import split_cpu_for_device_checks

    split_cpu_for_device_checks()
    from properties.tools.selftest.operators import operators_by_name
    from properties.tools.selftest.wrap import load, run_wrap

    start = time.perf_counter()
    results = run_wrap(load(spec_name), operators_by_name(names), profile="quick")
    return time.perf_counter() - start, results


def wrap_subprocess(spec_name, names):
    start = time.perf_counter()
    for name in names:
        subprocess.run([sys.executable, "-m", "properties", "selftest", spec_name, "--operators", name],
                       cwd=ROOT, capture_output=True, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    return time.perf_counter() - start


def source(spec_name, count, module, runner):
    """The first ``count`` Cosmic Ray mutants of ``module``, one worker, ``runner`` fork or process."""
    import contextlib
    import io

    from properties.tools.selftest import source as engine
    from properties.tools.selftest.wrap import load

    text = io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(text):
        rows, extra = engine.run_source(load(spec_name), spec_name, module=module, jobs=1, runner=runner,
                                        limit=count, baseline=False)
    seconds = time.perf_counter() - start
    return seconds, extra["seconds"], rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", default="center-zero")
    parser.add_argument("--operators", default=DEFAULT_OPERATORS)
    parser.add_argument("--source-mutants", type=int, default=6)
    parser.add_argument("--module", default="centerzero/ops.py", help="source: the file to mutate")
    parser.add_argument("--skip", default="", help="comma list of wrap-in-process, wrap-subprocess, "
                                                   "source-process, source-fork")
    args = parser.parse_args()
    skip = set(args.skip.split(","))
    names = [n for n in args.operators.split(",") if n]
    in_process = None
    if "wrap-in-process" not in skip:
        in_process, results = wrap_in_process(args.spec, names)
        print(f"wrap, one process ({len(names)} mutants): {in_process:.1f} s, "
              f"{len(names) / in_process * 60:.1f} mutants/min, {sum(r.killed for r in results)} killed", flush=True)
    if "wrap-subprocess" not in skip:
        separate = wrap_subprocess(args.spec, names)
        saved = f"; importing TensorFlow once saves {separate - in_process:.1f} s " \
                f"({(separate - in_process) / len(names):.1f} s per mutant)" if in_process else ""
        print(f"wrap, a process per mutant: {separate:.1f} s, {len(names) / separate * 60:.1f} mutants/min{saved}",
              flush=True)
    timings = {}
    for runner in ("process", "fork"):
        if not args.source_mutants or f"source-{runner}" in skip:
            continue
        total, campaign, rows = source(args.spec, args.source_mutants, args.module, runner)
        timings[runner] = campaign
        kills = ", ".join(f"{r.operator}:{r.killed_by or r.status}" for r in rows)
        print(f"source, runner {runner} ({len(rows)} mutants of {args.module}, 1 worker): {campaign:.1f} s "
              f"(+{total - campaign:.1f} s set-up), {len(rows) / campaign * 60:.1f} mutants/min; {kills}",
              flush=True)
    if len(timings) == 2:
        n = args.source_mutants
        print(f"source: the fork server saves {timings['process'] - timings['fork']:.1f} s "
              f"({(timings['process'] - timings['fork']) / n:.1f} s per mutant, "
              f"{timings['process'] / timings['fork']:.2f}x)")


if __name__ == "__main__":
    main()
