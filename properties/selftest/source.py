"""``selftest --engine source``: source mutation of the layer's own module through Cosmic Ray.

Cosmic Ray (8.x) mutates one file in place, runs a test command per mutant and records the
outcome in a session database.  Here the test command is ``python -m properties verify SPEC
--profile quick --exitfirst`` (one process per mutant that imports TensorFlow once and stops at
the first failing cell), and every Cosmic Ray worker runs in its own copy of the project, so
the working tree is never touched.  ``--jobs 1`` uses Cosmic Ray's ``local`` distributor;
``--jobs N`` starts N ``cosmic-ray http-worker`` processes on this machine, each in its own
copy, and Cosmic Ray's ``http`` distributor hands them mutants.  Workers on other machines are
the same command there (``scripts/cosmic_ray_workers.sh``), listed in ``worker-urls``.

>>> results, extra = run_source(spec, "center-zero", module="centerzero/ops.py", jobs=2)
>>> extra["session"]                       # Cosmic Ray's own database: cr-report, cr-html
'/tmp/selftest-source-.../session.sqlite'
"""

import dataclasses
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time

from properties.selftest.wrap import MutantResult

#: Directories never copied into a worker's tree.
_SKIP = {".git", ".venv", ".hypothesis", "mutants", "reports", "__pycache__", ".tox", "build", "dist",
         ".pytest_cache", ".ruff_cache"}


@dataclasses.dataclass
class SourceMutant(MutantResult):
    """A Cosmic Ray mutant as a kill-matrix row (``operator`` is ``operator@line:col``)."""

    diff: str = ""
    outcome: str = ""


def copy_tree(root, target, commit="HEAD"):
    """The project at ``root`` as committed (``git archive``) in ``target``; outside git, a copy
    of the files without VCS, caches and environments.  Mutating a copy leaves the working
    tree (and anyone editing it) alone."""
    inside_git = subprocess.run(["git", "rev-parse", "--git-dir"], cwd=root, capture_output=True).returncode == 0
    if inside_git and commit:
        os.makedirs(target)
        archive = subprocess.run(["git", "archive", commit], cwd=root, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", target], input=archive, check=True)
        return target
    shutil.copytree(root, target, ignore=lambda d, names: [n for n in names if n in _SKIP or n.endswith(".egg-info")])
    return target


def default_module(spec, root):
    """The file that defines the spec's layer class, relative to ``root``."""
    import inspect

    path = os.path.abspath(inspect.getsourcefile(spec.layer))
    return os.path.relpath(path, root)


def config_text(module, test_command, timeout=600.0, worker_urls=None):
    """A Cosmic Ray TOML config."""
    lines = [
        "[cosmic-ray]",
        f"module-path = {module!r}".replace("'", '"'),
        f"timeout = {float(timeout)}",
        "excluded-modules = []",
        f"test-command = {test_command!r}".replace("'", '"') if '"' not in test_command else
        f"test-command = '{test_command}'",
        "",
        "[cosmic-ray.distributor]",
        f'name = "{"http" if worker_urls else "local"}"',
    ]
    if worker_urls:
        lines += ["", "[cosmic-ray.distributor.http]", "worker-urls = [" + ", ".join(f'"{u}"' for u in worker_urls)
                  + "]"]
    return "\n".join(lines) + "\n"


def test_command(spec_arg, layer_arg=None, profile="quick"):
    words = [sys.executable, "-m", "properties", "verify", spec_arg, "--profile", profile, "--exitfirst"]
    if layer_arg:
        words += ["--layer", layer_arg]
    return " ".join(shlex.quote(w) for w in words)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cosmic_ray():
    return [sys.executable, "-m", "cosmic_ray.cli"]


_FAIL_LINE = re.compile(r"^(\S+)\s+(\S+)\s+(\d+)\s+([\d.]+)\s+FAIL", re.M)
_CELL_LINE = re.compile(r"^(\S+)\s+(\S+)\s+(\d+)\s+([\d.]+)\s+(ok|FAIL|known|flaky)", re.M)


def _row(item, result, seconds):
    mutation = item.mutations[0]
    line, col = mutation.start_pos
    row = SourceMutant(operator=f"{mutation.operator_name.split('/')[-1]}@{line}:{col}", group="source",
                       summary=f"{mutation.module_path}:{line} {mutation.operator_name} #{mutation.occurrence}")
    row.diff = result.diff or ""
    row.outcome = str(result.test_outcome.value if result.test_outcome else result.worker_outcome.value)
    output = result.output or ""
    cells = _CELL_LINE.findall(output)
    row.cells, row.examples, row.seconds = len(cells), sum(int(c[2]) for c in cells), seconds
    if result.test_outcome is None or row.outcome == "incompetent":
        row.reason = f"incompetent: the mutant could not be tested ({row.outcome})"
        return row
    row.applicable = True
    row.killed = result.is_killed
    failed = _FAIL_LINE.search(output)
    if row.killed:
        row.killed_by = f"{failed.group(1)}/{failed.group(2)}" if failed else (
            "timeout" if "timeout" in output.lower() else "verify exit status")
        row.kill_examples = int(failed.group(3)) if failed else 0
    return row


def run_source(spec, spec_arg, layer_arg=None, module=None, profile="quick", jobs=1, timeout=600.0,
               workdir=None, on_result=None, keep=False, commit="HEAD"):
    """Run a Cosmic Ray campaign on ``module``; returns ``(rows, extra)`` with the session path,
    the commit, the counts and the rate.  Usage problems are ValueErrors."""
    root = os.getcwd()
    module = module or default_module(spec, root)
    if not os.path.isfile(os.path.join(root, module)):
        raise ValueError(f"--module {module!r}: no such file under {root}")
    try:
        import cosmic_ray  # noqa: F401
    except ImportError:
        raise ValueError("--engine source needs Cosmic Ray: pip install -e '.[selftest]'") from None
    on_result = on_result or (lambda row: None)
    work = workdir or tempfile.mkdtemp(prefix="selftest-source-")
    command = test_command(spec_arg, layer_arg, profile)
    trees = [copy_tree(root, os.path.join(work, f"worker-{i}"), commit) for i in range(max(1, jobs))]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": ""}
    workers, urls = [], None
    if jobs > 1:
        urls = []
        for tree in trees:
            port = _free_port()
            log = open(os.path.join(work, f"worker-{port}.log"), "w")
            workers.append(subprocess.Popen(_cosmic_ray() + ["http-worker", "--port", str(port)], cwd=tree,
                                            env={**env, "PYTHONPATH": tree}, stdout=log, stderr=log))
            urls.append(f"http://127.0.0.1:{port}")
    config = os.path.join(work, "cosmic-ray.toml")
    with open(config, "w") as handle:
        handle.write(config_text(module, command, timeout, urls))
    session = os.path.join(work, "session.sqlite")
    revision = subprocess.run(["git", "rev-parse", "--short", commit or "HEAD"], cwd=root, capture_output=True,
                              text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--", module], cwd=root, capture_output=True,
                           text=True).stdout.strip()
    print(f"selftest {spec.name}  engine source (Cosmic Ray)  module {module} as committed at {revision}"
          f"{' (the working tree has uncommitted changes to it, not mutated)' if dirty else ''}  jobs {jobs}")
    print(f"test command: {command}")
    subprocess.run(_cosmic_ray() + ["init", config, session], cwd=trees[0], env=env, check=True,
                   capture_output=True)
    from cosmic_ray.work_db import WorkDB, use_db

    with use_db(session, WorkDB.Mode.open) as db:
        total = db.num_work_items
    print(f"{total} mutants; one line per mutant as it finishes")
    print(f"{'mutant':26} {'group':7} {'result':9} {'killed by':38} {'examples':>8} {'seconds':>8}")
    start = last = time.perf_counter()
    time.sleep(1.0 if workers else 0)
    runner = subprocess.Popen(_cosmic_ray() + ["exec", config, session], cwd=trees[0],
                              env={**env, "PYTHONPATH": trees[0]}, stdout=subprocess.DEVNULL,
                              stderr=open(os.path.join(work, "exec.log"), "w"))
    seen, rows = set(), []
    try:
        while True:
            finished = runner.poll() is not None
            with use_db(session, WorkDB.Mode.open) as db:
                done = db.completed_work_items
            now = time.perf_counter()
            fresh = [(item, result) for item, result in done if item.job_id not in seen]
            for item, result in fresh:
                seen.add(item.job_id)
                row = _row(item, result, (now - last) / len(fresh))
                rows.append(row)
                on_result(row)
                print(f"{row.operator:26} {row.group:7} {row.status:9} {row.killed_by[:38]:38} {row.examples:8d} "
                      f"{row.seconds:8.1f}", flush=True)
            if fresh:
                last = now
            if finished:
                break
            time.sleep(2.0)
    finally:
        if runner.poll() is None:
            runner.terminate()
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(10)
    seconds = time.perf_counter() - start
    if not keep and not workdir:
        for tree in trees:
            shutil.rmtree(tree, ignore_errors=True)
    killed = sum(r.killed for r in rows)
    extra = {"session": session, "module": module, "commit": revision, "module_dirty": bool(dirty),
             "test_command": command, "total_mutants": total, "tested": len(rows), "killed_count": killed,
             "mutants_per_hour": round(len(rows) / seconds * 3600, 1) if seconds else None, "jobs": jobs}
    return rows, extra
