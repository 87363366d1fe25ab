"""Which survivors of a source campaign do the project's own unit tests kill?

    python docs/reports/survivors_vs_unit_tests.py SESSION.sqlite OUT.json TEST[,TEST...] [PART/PARTS]

For every mutant that survived the properties in Cosmic Ray's session database (``selftest
--engine source`` keeps it in its work directory), this applies the mutant's recorded diff to
a fresh ``git archive HEAD`` copy of the repository (never the working tree) and runs
``pytest -x`` on the given test files there, with that copy first on ``PYTHONPATH`` and
``HYPOTHESIS_PROFILE=ci``.  It records the exit status and the first failing test in
OUT.json (kept between runs: a mutant already there is skipped, so it can be stopped and run
again).  ``PART/PARTS`` takes every PARTS-th survivor from the PART-th (0-based), to run two
at once on two cores, each with its own OUT.json.  HEAD's module must be the one the campaign
mutated, or the diffs do not apply (reported as ``error``).
"""

import json
import os
import subprocess
import sys
import tempfile
import time

from cosmic_ray.work_db import WorkDB, use_db


def survivors(session):
    with use_db(session, WorkDB.Mode.open) as db:
        for item, result in db.completed_work_items:
            if result.worker_outcome.value != "skipped" and result.test_outcome is not None and not result.is_killed:
                mutation = item.mutations[0]
                name = (f"{mutation.operator_name.split('/')[-1]}@{mutation.start_pos[0]}:{mutation.start_pos[1]}"
                        f" #{mutation.occurrence}")
                yield name, result.diff


def check(root, name, diff, tests, scratch):
    tree = tempfile.mkdtemp(prefix="survivor-", dir=scratch)
    try:
        subprocess.run(f"git -C {root} archive HEAD | tar -x -C {tree}", shell=True, check=True)
        patched = subprocess.run(["patch", "-p1", "--quiet"], cwd=tree, input=diff, text=True, capture_output=True)
        if patched.returncode:
            return {"error": f"the diff does not apply: {patched.stdout}{patched.stderr}", "diff": diff}
        start = time.perf_counter()
        env = {**os.environ, "PYTHONPATH": tree, "HYPOTHESIS_PROFILE": "ci", "TF_CPP_MIN_LOG_LEVEL": "3"}
        run = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests],
                             cwd=tree, env=env, capture_output=True, text=True)
        failed = [line for line in run.stdout.splitlines() if line.startswith(("FAILED", "ERROR"))]
        return {"exit": run.returncode, "killed_by": failed[:1], "seconds": round(time.perf_counter() - start, 1),
                "diff": diff}
    finally:
        subprocess.run(["rm", "-rf", tree], check=False)


def main(argv):
    session, out, tests = argv[0], argv[1], argv[2].split(",")
    part, parts = (int(v) for v in (argv[3] if len(argv) > 3 else "0/1").split("/"))
    root = subprocess.run(["git", "rev-parse", "--show-toplevel"], capture_output=True, text=True,
                          check=True).stdout.strip()
    results = json.load(open(out)) if os.path.exists(out) else {}
    scratch = tempfile.mkdtemp(prefix="survivors-vs-tests-")
    for n, (name, diff) in enumerate(survivors(session)):
        if n % parts != part or name in results:
            continue
        results[name] = check(root, name, diff, tests, scratch)
        print(name, results[name].get("exit", "error"), results[name].get("killed_by", ""), flush=True)
        with open(out, "w") as handle:
            json.dump(results, handle, indent=1)
    os.rmdir(scratch)


if __name__ == "__main__":
    main(sys.argv[1:])
