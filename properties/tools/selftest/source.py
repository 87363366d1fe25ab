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
import json
import os
import re
import select
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

# Nothing here imports TensorFlow or the project's layer at import time: ``python -m
# properties.tools.selftest.source serve`` must stay free of the module under mutation (see serve()).

#: Directories never copied into a worker's tree.
_SKIP = {".git", ".venv", ".hypothesis", "mutants", "reports", "__pycache__", ".tox", "build", "dist",
         ".pytest_cache", ".ruff_cache"}


@dataclasses.dataclass
class SourceMutant:
    """A Cosmic Ray mutant as a kill-matrix row (``operator`` is ``operator@line:col``): the fields
    of ``wrap.MutantResult`` (which the report and the command read) plus the diff and Cosmic
    Ray's outcome, defined here so that this module never imports TensorFlow."""

    operator: str
    group: str
    summary: str
    applicable: bool = False
    reason: str = ""
    proof: dict = dataclasses.field(default_factory=dict)
    killed: bool = False
    killed_by: str = ""
    message: str = ""
    examples: int = 0
    kill_examples: int = 0
    cells: int = 0
    seconds: float = 0.0
    proof_seconds: float = 0.0
    void_kills: list = dataclasses.field(default_factory=list)
    diff: str = ""
    outcome: str = ""

    @property
    def status(self):
        return "n/a" if not self.applicable else "killed" if self.killed else "SURVIVED"


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


_FAIL_LINE = re.compile(r"^(?:\[\d+/\d+\]\s+)?(\S+)\s+(\S+)\s+(\d+)\s+([\d.]+)\s+FAIL", re.M)
_CELL_LINE = re.compile(r"^(?:\[\d+/\d+\]\s+)?(\S+)\s+(\S+)\s+(\d+)\s+([\d.]+)\s+(ok|FAIL|known|flaky)", re.M)


#: What Cosmic Ray's git filter records for a mutant it skips.
_GIT_SKIP = "Filtered git"


def _check_since(root, since, module, commit, dirty):
    """``--since``'s value must name a commit, and the working tree's ``module`` (what
    Cosmic Ray's git filter diffs) must be the committed one that the campaign mutates
    (``dirty``: what ``git status`` says of it)."""
    if not isinstance(since, str) or not since or since.startswith("-"):
        raise ValueError(f"--since must name a commit, got {since!r}")
    found = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{since}^{{commit}}"], cwd=root,
                           capture_output=True, text=True)
    if found.returncode != 0:
        raise ValueError(f"--since {since!r}: no such commit in {root}")
    head, target = (subprocess.run(["git", "rev-parse", rev], cwd=root, capture_output=True, text=True).stdout.strip()
                    for rev in ("HEAD", commit or "HEAD"))
    if head != target or dirty:
        raise ValueError(f"--since {since!r}: Cosmic Ray's git filter compares the working tree's {module} with it, "
                         f"and that is not the file mutated here (uncommitted changes to it, or a commit other "
                         f"than HEAD): commit or stash them first")


def _row(item, result, seconds):
    mutation = item.mutations[0]
    line, col = mutation.start_pos
    row = SourceMutant(operator=f"{mutation.operator_name.split('/')[-1]}@{line}:{col}", group="source",
                       summary=f"{mutation.module_path}:{line} {mutation.operator_name} #{mutation.occurrence}")
    row.diff = result.diff or ""
    row.outcome = str(result.test_outcome.value if result.test_outcome else result.worker_outcome.value)
    if result.worker_outcome.value == "skipped":
        row.reason = ("not run: its line is unchanged since the campaign's --since commit" if result.output == _GIT_SKIP
                      else "excluded: Cosmic Ray filter (see the report's exclude_operators)")
        return row
    output = result.output or ""
    cells = _CELL_LINE.findall(output)
    row.cells, row.examples = len(cells), sum(int(c[2]) for c in cells)
    # the property run's own time (verify's cells, after imports); else the wall time between polls
    row.seconds = sum(float(c[3]) for c in cells) if cells else seconds
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


# -- a fork server: TensorFlow imported once per worker, the mutant imported fresh per test ---------

#: What the fork server imports before forking: heavy, and never the module under mutation.
PRELOAD = ("numpy", "tensorflow", "keras", "hypothesis")

#: The fork server's socket, relative to the worker's tree (each tree has its own server).
SOCKET_NAME = ".selftest-forkserver.sock"

_EXIT_MARK = b"\0selftest-exit "


def serve(socket_path=SOCKET_NAME, module=None, preload=PRELOAD, run_module="properties", test_timeout=900.0):
    """Serve test runs on a Unix socket: import ``preload`` once, then fork one child per request.

    Cosmic Ray mutates ``module`` in place and runs its test command; with ``--jobs`` and the
    default ``--runner fork`` that command is :func:`client`, which asks this server to run
    ``python -m properties ARGS`` (``run_module`` names another module to run, for tests).  The child is forked from a process that has imported
    TensorFlow, Keras, NumPy and Hypothesis but has run no TensorFlow op (the runtime, its
    thread pools and devices do not exist yet: the fork is as clean as a fresh process) and has
    never imported the project, so the child imports the mutated ``module`` (and everything
    that uses it) from disk, as a fresh process would.  ``module``'s cached bytecode is deleted
    before each child imports it: a mutation that keeps the file's size within one second of
    the last one would otherwise be read from a stale ``.pyc``.  A client that goes away (Cosmic
    Ray's timeout kills it) takes its child with it."""
    import importlib

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    for name in preload:
        importlib.import_module(name)
    project = [m for m in sys.modules if m.split(".")[0] in ("centerzero", "properties")
               and m not in ("properties", "properties.tools", "properties.tools.selftest",
                             "properties.tools.selftest.source", "__main__")]
    if project:
        raise RuntimeError(f"the fork server must not import the project before forking: {project}")
    if "tensorflow" in sys.modules:
        from tensorflow.python.eager import context

        if context.context()._context_handle is not None:
            raise RuntimeError("the fork server must not start the TensorFlow runtime before forking")
    if os.path.exists(socket_path):
        os.unlink(socket_path)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(socket_path + ".new")
    listener.listen(4)
    os.rename(socket_path + ".new", socket_path)  # the socket appears only once it accepts connections
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"fork server pid {os.getpid()} on {socket_path} (preloaded {', '.join(preload)})", flush=True)
    try:
        while True:
            conn, _ = listener.accept()
            with conn:
                _serve_one(listener, conn, module, run_module, test_timeout)
    finally:
        listener.close()
        if os.path.exists(socket_path):
            os.unlink(socket_path)


def _serve_one(listener, conn, module, run_module, test_timeout):
    """One request: a forked child runs it, the server waits (killing the child's group when the
    client goes away or ``test_timeout`` passes) and sends back its exit status.  Kept whole, a
    little over 60 lines: the child's branch must end in ``os._exit`` right there, never return."""
    request = b""
    while not request.endswith(b"\n"):
        chunk = conn.recv(65536)
        if not chunk:
            return
        request += chunk
    request = json.loads(request)
    pid = os.fork()
    if pid == 0:  # the child: a fresh-process equivalent of `python -m properties ARGS`
        code = 1
        try:
            listener.close()
            os.setpgid(0, 0)
            os.chdir(request["cwd"])
            os.dup2(conn.fileno(), 1)
            os.dup2(conn.fileno(), 2)
            sys.stdout = open(1, "w", buffering=1, closefd=False)
            sys.stderr = open(2, "w", buffering=1, closefd=False)
            if module:
                cache = os.path.join(os.path.dirname(module) or ".", "__pycache__")
                stem = os.path.splitext(os.path.basename(module))[0] + "."
                for name in os.listdir(cache) if os.path.isdir(cache) else ():
                    if name.startswith(stem):
                        os.unlink(os.path.join(cache, name))
            sys.path.insert(0, request["cwd"])
            sys.argv = [f"python -m {run_module}"] + request["argv"]
            import runpy

            try:
                runpy.run_module(run_module, run_name="__main__", alter_sys=True)
                code = 0
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
        except BaseException:  # noqa: BLE001 - report anything, then leave without cleanup
            import traceback

            traceback.print_exc()
            code = 1
        finally:
            try:
                sys.stdout.flush(), sys.stderr.flush()
            finally:
                os._exit(code)
    start = time.monotonic()
    status = None
    while status is None:
        done, raw = os.waitpid(pid, os.WNOHANG)
        if done:
            status = os.waitstatus_to_exitcode(raw)
            break
        readable, _, _ = select.select([conn], [], [], 0.2)
        gone = readable and not conn.recv(1, socket.MSG_PEEK)
        if gone or time.monotonic() - start > test_timeout:
            _kill_group(pid)
            os.waitpid(pid, 0)
            print(f"run {time.strftime('%H:%M:%S')} child {pid}: {'client gone' if gone else 'timeout'}, killed "
                  f"after {time.monotonic() - start:.1f} s", flush=True)
            return
    code = status if status >= 0 else 128 - status  # killed by a signal: 128 + signal, as a shell says
    print(f"run {time.strftime('%H:%M:%S')} child {pid}: exit {code} in {time.monotonic() - start:.1f} s", flush=True)
    try:
        conn.sendall(_EXIT_MARK + str(code).encode() + b"\n")
    except OSError:
        pass


def _kill_group(pid):
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def client(argv, socket_path=SOCKET_NAME):
    """Run ``python -m properties ARGV`` in the fork server of this directory; its output goes to
    stdout and its exit status is returned (1 when the server is unreachable or the run ended
    without a status)."""
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(socket_path)
    except OSError as error:
        print(f"selftest fork server at {os.path.abspath(socket_path)}: {error}", file=sys.stderr)
        return 3
    connection.sendall(json.dumps({"argv": list(argv), "cwd": os.getcwd()}).encode() + b"\n")
    tail = b""
    out = sys.stdout.buffer
    while True:
        chunk = connection.recv(65536)
        if not chunk:
            break
        tail += chunk
        cut = tail.rfind(b"\0")
        if cut < 0:
            out.write(tail)
            tail = b""
        elif cut > 0:
            out.write(tail[:cut])
            tail = tail[cut:]
    out.flush()
    if tail.startswith(_EXIT_MARK):
        return int(tail[len(_EXIT_MARK):].split()[0])
    out.write(tail)
    print("selftest fork server: the run ended without an exit status", file=sys.stderr)
    return 1


def _start_servers(trees, module, env, work, preload=PRELOAD, run_module="properties"):
    """One fork server per tree; returns the processes once every socket answers."""
    servers = []
    for i, tree in enumerate(trees):
        log = open(os.path.join(work, f"forkserver-{i}.log"), "w")
        words = ("serve", SOCKET_NAME, module, ",".join(preload), run_module)
        servers.append(subprocess.Popen(_module_command(*words), cwd=tree,
                                        env={**env, "PYTHONPATH": tree}, stdout=log, stderr=log,
                                        start_new_session=True))  # see _execute: Ctrl-C reaches selftest alone
    deadline = time.monotonic() + 300
    try:
        for server, tree in zip(servers, trees):
            path = os.path.join(tree, SOCKET_NAME)
            while not os.path.exists(path):
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the fork server in {tree} did not start: see {work}/forkserver-*.log")
                time.sleep(0.5)
    except BaseException:  # a Ctrl-C too: the servers sit in sessions of their own, so stop them here
        _stop(servers)
        raise
    return servers


def _module_command(*words):
    return [sys.executable, "-m", "properties.tools.selftest.source", *words]


def _stop(processes):
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(3)
        except subprocess.TimeoutExpired:  # aiohttp's http-worker can take long to shut down gracefully
            process.kill()
            process.wait()


def _trim(session, limit):
    """Keep the first ``limit`` work items (a demonstration or a test, not a campaign)."""
    import sqlite3

    with sqlite3.connect(session) as db:
        ids = [r[0] for r in db.execute("select job_id from work_items order by rowid")][limit:]
        db.executemany("delete from mutation_specs where job_id = ?", [(i,) for i in ids])
        db.executemany("delete from work_items where job_id = ?", [(i,) for i in ids])
    return len(ids)


@dataclasses.dataclass
class _Campaign:
    """One :func:`run_source` campaign: its settings once resolved (from the arguments, or from a
    resumed session's ``campaign.json``), then what running it adds (the timeout the baseline
    sets, the processes that ``run_source``'s ``finally`` stops)."""

    root: str
    module: str
    commit: str  # as given (HEAD, a name), or a resumed session's full hash
    commit_full: str
    revision: str  # the short hash, for the report
    module_commit: str  # the last commit that changed ``module``
    dirty: str  # what ``git status`` says of ``module`` in the working tree
    runner: str
    timeout: float | None
    verify_args: list
    run_module: str
    exclude_operators: object
    since: str | None
    work: str
    workdir: str | None  # given or resumed: the trees are kept
    keep: bool
    jobs: int
    trees: list
    env: dict
    command: str
    resume: str | None
    record: dict | None  # a resumed session's campaign.json
    baseline_seconds: float = 0.0
    servers: list = dataclasses.field(default_factory=list)
    workers: list = dataclasses.field(default_factory=list)
    runner_process: object = None


@dataclasses.dataclass
class _Session:
    """Cosmic Ray's session once initialised (or resumed): its paths and its counts."""

    path: str
    config: str
    urls: list | None
    generated: int
    trimmed: int
    total: int
    excluded: int
    unchanged: int
    completed: list

    @property
    def already(self):
        return len(self.completed) - self.excluded - self.unchanged


def _git(root, *words):
    return subprocess.run(["git", *words], cwd=root, capture_output=True, text=True).stdout.strip()


def _resolve(spec, spec_arg, layer_arg, module, profile, jobs, timeout, workdir, keep, commit, runner,
             exclude_operators, test_args, run_module, resume, since):
    """:func:`run_source`'s arguments checked, a resumed session's settings read in their place,
    the work directory made and the project copied into one tree per worker."""
    root = os.getcwd()
    record = None
    if resume:
        with open(os.path.join(resume, "campaign.json")) as handle:
            record = json.load(handle)
        module = record["module"]
    module = module or default_module(spec, root)
    if not os.path.isfile(os.path.join(root, module)):
        raise ValueError(f"--module {module!r}: no such file under {root}")
    if runner not in ("fork", "process"):
        raise ValueError(f"--runner must be fork or process, got {runner!r}")
    try:
        import cosmic_ray  # noqa: F401
    except ImportError:
        raise ValueError("--engine source needs Cosmic Ray: pip install -e '.[selftest]'") from None
    if resume:
        module, commit, runner, timeout = record["module"], record["commit_full"], record["runner"], \
            record["timeout_s"]
        test_args, run_module, exclude_operators = record["test_args"], record["run_module"], record["exclude"]
        since = record.get("since")
        _reuse(root, resume, record, module, commit)
        workdir, keep = resume, True
    dirty = _git(root, "status", "--porcelain", "--", module)
    if since is not None and not resume:
        _check_since(root, since, module, commit, dirty)
    work = workdir or tempfile.mkdtemp(prefix="selftest-source-")
    verify_args = ["verify", spec_arg, "--profile", profile, "--exitfirst"] + (["--layer", layer_arg] if layer_arg else [])
    verify_args = verify_args if test_args is None else list(test_args)
    commit_full = _git(root, "rev-parse", commit or "HEAD")
    if runner == "fork":
        command = " ".join(shlex.quote(w) for w in _module_command("client", "--", *verify_args))
    else:
        command = " ".join(shlex.quote(w) for w in [sys.executable, "-m", run_module, *verify_args])
    trees = [copy_tree(root, os.path.join(work, f"worker-{i}"), commit) for i in range(max(1, jobs))]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": ""}
    return _Campaign(root=root, module=module, commit=commit, commit_full=commit_full,
                     revision=_git(root, "rev-parse", "--short", commit or "HEAD"),
                     module_commit=_git(root, "log", "-1", "--format=%h", commit or "HEAD", "--", module),
                     dirty=dirty, runner=runner, timeout=timeout, verify_args=verify_args, run_module=run_module,
                     exclude_operators=exclude_operators, since=since, work=work, workdir=workdir, keep=keep,
                     jobs=jobs, trees=trees, env=env, command=command, resume=resume, record=record)


def _reuse(root, resume, record, module, commit):
    """A resumed session's work directory, checked (its module must be the file it mutated) and
    cleared of the worker trees of the earlier run."""
    if _git(root, "rev-parse", f"{commit}:{module}") != record["module_blob"]:
        raise ValueError(f"--resume {resume!r}: {module} at {commit} is not the file the session mutated")
    for name in os.listdir(resume):
        if name.startswith("worker-") and os.path.isdir(os.path.join(resume, name)):
            shutil.rmtree(os.path.join(resume, name))


def _announce(spec, c):
    print(f"selftest {spec.name}  engine source (Cosmic Ray)  module {c.module} as committed at {c.revision}"
          f" (last changed in {c.module_commit})"
          f"{' (the working tree has uncommitted changes to it, not mutated)' if c.dirty else ''}  jobs {c.jobs}"
          f"  runner {c.runner}")
    print(f"test command: {c.command}")


def _run_baseline(c, baseline):
    """The unmutated tree must pass in every worker tree, or no kill means anything; sets the
    timeout per mutant (default: 4 x the baseline run + 60 s)."""
    base_start = time.perf_counter()
    baselines = [subprocess.Popen(shlex.split(c.command), cwd=tree, env={**c.env, "PYTHONPATH": tree},
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
                 for tree in (c.trees if baseline else [])]
    outputs = [b.communicate()[0].decode(errors="replace") for b in baselines]
    c.baseline_seconds = time.perf_counter() - base_start
    for tree, b, out in zip(c.trees, baselines, outputs):
        if b.returncode != 0:
            raise ValueError(f"the unmutated {c.module} fails its test command in {tree} (exit {b.returncode}); "
                             f"no mutant can be judged:\n{out[-3000:]}")
    if baseline:
        held = re.search(r"(\d+) of (\d+) property/column cells hold; (\d+) examples", outputs[0])
        print(f"baseline (unmutated, {len(c.trees)} tree(s) at once): passes, "
              f"{held.group(0) if held else 'cells hold'}; {c.baseline_seconds:.0f} s")
    else:
        print("baseline: skipped (baseline=False): kills are not checked against the unmutated tree")
    c.timeout = float(c.timeout or (4 * c.baseline_seconds + 60 if baseline else 600))


def _write_campaign(c):
    """``campaign.json``: what ``--resume`` needs to run the same campaign again."""
    with open(os.path.join(c.work, "campaign.json"), "w") as handle:
        json.dump({"module": c.module, "commit_full": c.commit_full, "runner": c.runner, "timeout_s": c.timeout,
                   "test_args": c.verify_args, "run_module": c.run_module, "exclude": list(c.exclude_operators),
                   "since": c.since,
                   "module_blob": _git(c.root, "rev-parse", f"{c.commit_full}:{c.module}")},
                  handle, indent=1)


def _start_http_workers(c):
    """One ``cosmic-ray http-worker`` per tree (each started is stopped by ``run_source``); their URLs."""
    urls = []
    for tree in c.trees:
        port = _free_port()
        log = open(os.path.join(c.work, f"worker-{port}.log"), "w")
        c.workers.append(subprocess.Popen(_cosmic_ray() + ["http-worker", "--port", str(port)], cwd=tree,
                                          env={**c.env, "PYTHONPATH": tree}, stdout=log, stderr=log,
                                          start_new_session=True))
        urls.append(f"http://127.0.0.1:{port}")
    return urls


def _write_config(c, urls):
    """``cosmic-ray.toml``, with the operator and git filters the campaign asks for; its path."""
    config = os.path.join(c.work, "cosmic-ray.toml")
    with open(config, "w") as handle:
        handle.write(config_text(c.module, c.command, c.timeout, urls))
        if c.exclude_operators:
            handle.write("\n[cosmic-ray.filters.operators-filter]\nexclude-operators = ["
                         + ", ".join(json.dumps(e) for e in c.exclude_operators) + "]\n")
        if c.since is not None:
            handle.write(f"\n[cosmic-ray.filters.git-filter]\nbranch = {json.dumps(c.since)}\n")
    return config


def _init_session(c, limit):
    """Cosmic Ray's session: campaign.json, the HTTP workers (``jobs`` > 1), the config,
    ``cosmic-ray init``, the ``limit`` trim and the filters (a resumed session has them
    already); prints the counts and the table's header."""
    from cosmic_ray.work_db import WorkDB, use_db

    session = os.path.join(c.work, "session.sqlite")
    if not c.resume:
        _write_campaign(c)
    urls = _start_http_workers(c) if c.jobs > 1 else None
    config = _write_config(c, urls)
    if not c.resume:
        subprocess.run(_cosmic_ray() + ["init", config, session], cwd=c.trees[0], env=c.env, check=True,
                       capture_output=True)
    with use_db(session, WorkDB.Mode.open) as db:
        generated = db.num_work_items
    trimmed = _trim(session, limit) if limit is not None and not c.resume else 0
    if c.resume:
        generated, trimmed = c.record.get("generated", generated), c.record.get("trimmed", 0)
    else:
        with open(os.path.join(c.work, "campaign.json")) as handle:
            record = json.load(handle)
        record.update(generated=generated, trimmed=trimmed)
        with open(os.path.join(c.work, "campaign.json"), "w") as handle:
            json.dump(record, handle, indent=1)
    if c.exclude_operators and not c.resume:
        subprocess.run([sys.executable, "-m", "cosmic_ray.tools.filters.operators_filter", session, config],
                       cwd=c.trees[0], env=c.env, check=True, capture_output=True)
    if c.since is not None and not c.resume:  # the working tree's module is the committed one (checked)
        subprocess.run([sys.executable, "-m", "cosmic_ray.tools.filters.git", session, "--config", config],
                       cwd=c.root, env=c.env, check=True, capture_output=True)
    with use_db(session, WorkDB.Mode.open) as db:
        total = db.num_work_items
        completed = db.completed_work_items
    unchanged = sum(1 for _, r in completed if r.worker_outcome.value == "skipped" and r.output == _GIT_SKIP)
    excluded = sum(1 for _, r in completed if r.worker_outcome.value == "skipped") - unchanged
    s = _Session(path=session, config=config, urls=urls, generated=generated, trimmed=trimmed, total=total,
                 excluded=excluded, unchanged=unchanged, completed=completed)
    _print_counts(c, s, limit)
    return s


def _print_counts(c, s, limit):
    if c.resume:
        print(f"resuming {s.path}: {s.already} mutants already run, {s.total - len(s.completed)} pending")
    print(f"{s.generated} mutants generated"
          + (f"; {s.trimmed} left out by limit={limit} (not a full campaign)" if s.trimmed else "")
          + (f"; {s.excluded} excluded by operator filter {list(c.exclude_operators)}"
             if c.exclude_operators else "")
          + (f"; {s.unchanged} on lines unchanged since {c.since}" if c.since is not None else "")
          + f"; {s.total - s.excluded - s.unchanged} to run, timeout {c.timeout:.0f} s each;"
          + " one line per mutant as it finishes")
    print(f"{'mutant':26} {'group':7} {'result':9} {'killed by':38} {'examples':>8} {'seconds':>8}")


def _wait_for_workers(urls, work):
    """Every HTTP worker listening before ``cosmic-ray exec`` hands out mutants."""
    for url in urls or ():
        port, deadline = int(url.rsplit(":", 1)[1]), time.monotonic() + 120
        while True:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"the Cosmic Ray HTTP worker at {url} did not start: see {work}/worker-*.log")
            time.sleep(0.2)


def _execute(c, s, on_result, max_seconds):
    """``cosmic-ray exec``, polled: one printed line per mutant as it finishes (``on_result`` sees
    it); stopped after ``max_seconds`` or by a Ctrl-C (the mutants not finished stay pending in
    the session, for ``--resume``).  Returns the rows (a resumed session's earlier ones first),
    why it stopped early (``"max-time"``, ``"interrupted"`` or ``""``) and the seconds it ran."""
    from cosmic_ray.work_db import WorkDB, use_db

    seen, rows, stopped = set(), [], ""
    for item, result in s.completed:  # a resumed session: earlier results count, printed once at the end
        seen.add(item.job_id)
        rows.append(_row(item, result, 0.0))
    _wait_for_workers(s.urls, c.work)
    start = last = time.perf_counter()

    def collect():
        nonlocal last
        with use_db(s.path, WorkDB.Mode.open) as db:
            done = db.completed_work_items
        now = time.perf_counter()
        fresh = [(item, result) for item, result in done if item.job_id not in seen]
        for item, result in fresh:
            seen.add(item.job_id)
            row = _row(item, result, (now - last) / len(fresh))
            rows.append(row)
            if row.outcome == "skipped":
                continue
            on_result(row)
            print(f"{row.operator:26} {row.group:7} {row.status:9} {row.killed_by[:38]:38} {row.examples:8d} "
                  f"{row.seconds:8.1f}", flush=True)
        if fresh:
            last = now

    c.runner_process = subprocess.Popen(_cosmic_ray() + ["exec", s.config, s.path], cwd=c.trees[0],
                                        env={**c.env, "PYTHONPATH": c.trees[0]}, stdout=subprocess.DEVNULL,
                                        stderr=open(os.path.join(c.work, "exec.log"), "w"),
                                        # In a session of its own, with the workers and fork servers: a
                                        # terminal's Ctrl-C reaches selftest alone, which stops exec
                                        # before the workers, so no interrupted test is recorded as a kill.
                                        start_new_session=True)
    while not stopped:
        try:
            finished = c.runner_process.poll() is not None
            collect()
            if finished:
                break
            if max_seconds is not None and time.perf_counter() - start > max_seconds:
                stopped = "max-time"
            else:
                time.sleep(2.0)
        except KeyboardInterrupt:
            stopped = "interrupted"
    if stopped:
        c.runner_process.terminate()
        c.runner_process.wait(30)
        collect()  # what finished before it stopped
        why = f"stopped after {max_seconds:.0f} s (max_seconds)" if stopped == "max-time" else "interrupted"
        print(f"{why}: the pending mutants stay in the session; resume with --resume {c.work}")
    return rows, stopped, time.perf_counter() - start


def _stop_campaign(c):
    for worker in c.workers:  # stateless once exec is done; aiohttp's graceful shutdown only costs time
        worker.kill()
    _stop([p for p in [c.runner_process] if p is not None] + c.workers + c.servers)


def _summary(c, s, rows, stopped, seconds, pending):
    """The tested rows and ``extra``: the counts, the rate, the fork servers' runs per tree."""
    tested = [r for r in rows if r.outcome != "skipped"]
    runs = []  # per worker tree: test runs its fork server served (the baseline included)
    for i in range(len(c.servers)):
        with open(os.path.join(c.work, f"forkserver-{i}.log"), errors="replace") as log:
            runs.append(sum(line.startswith("run ") for line in log))
    killed = sum(r.killed for r in tested)
    survived = sum(r.applicable and not r.killed for r in tested)
    extra = {"session": s.path, "module": c.module, "commit": c.revision, "module_commit": c.module_commit,
             "module_dirty": bool(c.dirty), "test_command": c.command, "runner": c.runner,
             "generated_mutants": s.generated, "left_out_by_limit": s.trimmed, "total_mutants": s.total,
             "excluded": s.excluded, "exclude_operators": list(c.exclude_operators), "since": c.since,
             "unchanged_since": s.unchanged, "tested": len(tested),
             "killed_count": killed, "survived_count": survived,
             "incompetent_count": sum(not r.applicable for r in tested), "timeout_s": c.timeout,
             "baseline_s": round(c.baseline_seconds, 1), "seconds": round(seconds, 1),
             "mutants_per_hour": round((len(tested) - s.already) / seconds * 3600, 1) if seconds else None,
             "jobs": c.jobs, "pending": pending, "stopped_by_budget": stopped == "max-time",
             "interrupted": stopped == "interrupted",
             "resumed_with": s.already if c.resume else None, "runs_per_worker": runs}
    return tested, extra


def run_source(spec, spec_arg, layer_arg=None, module=None, profile="quick", jobs=1, timeout=None,
               workdir=None, on_result=None, keep=False, commit="HEAD", runner="fork", exclude_operators=(),
               limit=None, test_args=None, run_module="properties", preload=PRELOAD, baseline=True,
               max_seconds=None, resume=None, since=None):
    """Run a Cosmic Ray campaign on ``module``; returns ``(rows, extra)`` with the session path,
    the commit, the counts and the rate.  Usage problems are ValueErrors.

    ``runner``: ``fork`` (default) runs each mutant's ``verify`` in a child of a per-worker fork
    server that imported TensorFlow once (:func:`serve`); ``process`` runs ``python -m properties
    verify`` as a fresh process per mutant (TensorFlow imported each time).  Both give the same
    cells and examples on the unmutated tree (the baseline run checks it: it must pass).
    ``exclude_operators``: regular expressions over Cosmic Ray operator names; matching mutants
    are marked skipped by Cosmic Ray's own ``operators-filter`` and reported as excluded, never
    dropped silently.  ``timeout``: seconds per mutant (default: 4 x the baseline run + 60 s);
    a mutant over it counts as killed (Cosmic Ray's rule) and says "timeout".  ``test_args``,
    ``run_module``, ``preload``: the test is ``python -m RUN_MODULE TEST_ARGS`` (default: ``verify
    SPEC --profile PROFILE --exitfirst``), the fork server imports ``preload``; for tests.
    ``limit``: keep only the first N mutants (a demonstration, reported as not a full campaign).
    ``baseline=False`` skips the unmutated run (benchmarks only: then a kill proves nothing).
    ``max_seconds``: stop ``cosmic-ray exec`` after this long; Cosmic Ray runs pending mutants in
    random order (``ORDER BY random()``), so the mutants run so far are a uniform sample, and the
    rest stay pending in the session.  ``resume``: the work directory of an earlier run (its
    ``session.sqlite`` and ``campaign.json``): its pending mutants run on fresh copies of the same
    commit, with the same module, test command, filters and timeout; the rows cover the whole
    session.  ``since``: a commit; only mutants on lines of ``module`` changed since it run (an
    incremental campaign), the rest are marked skipped by Cosmic Ray's own git filter
    (``cr-filter-git``) and reported as unchanged, never dropped silently.  That filter diffs
    the working tree, so ``since`` needs ``module`` as committed at ``commit`` (HEAD)."""
    c = _resolve(spec, spec_arg, layer_arg, module, profile, jobs, timeout, workdir, keep, commit, runner,
                 exclude_operators, test_args, run_module, resume, since)
    on_result = on_result or (lambda row: None)
    _announce(spec, c)
    try:
        if c.runner == "fork":
            c.servers = _start_servers(c.trees, c.module, c.env, c.work, preload, c.run_module)
        _run_baseline(c, baseline)
        s = _init_session(c, limit)
        rows, stopped, seconds = _execute(c, s, on_result, max_seconds)
    finally:
        _stop_campaign(c)
    if c.runner_process.returncode and not stopped:
        raise RuntimeError(f"cosmic-ray exec failed (exit {c.runner_process.returncode}): see {c.work}/exec.log")
    from cosmic_ray.work_db import WorkDB, use_db

    with use_db(s.path, WorkDB.Mode.open) as db:
        pending = db.num_work_items - len(db.completed_work_items)
    if not c.keep and not c.workdir and not pending:
        for tree in c.trees:
            shutil.rmtree(tree, ignore_errors=True)
    return _summary(c, s, rows, stopped, seconds, pending)


if __name__ == "__main__":
    # python -m properties.tools.selftest.source serve [SOCKET] [MODULE] [PRELOAD,...] [RUN_MODULE]
    # python -m properties.tools.selftest.source client [SOCKET] -- ARGS...   (= python -m properties ARGS)
    if sys.argv[1:2] == ["serve"]:
        words = sys.argv[2:] + [None] * 4
        serve(words[0] or SOCKET_NAME, words[1] or None,
              tuple(p for p in (words[2] if words[2] is not None else ",".join(PRELOAD)).split(",") if p),
              words[3] or "properties")
    elif sys.argv[1:2] == ["client"]:
        rest = sys.argv[2:]
        split = rest.index("--") if "--" in rest else 0
        sys.exit(client(rest[split + 1:] if "--" in rest else rest, *(rest[:split] or [SOCKET_NAME])))
    else:
        print(__doc__)
        sys.exit(2)
