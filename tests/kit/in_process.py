"""The command line run inside the test's own process: ``properties.__main__.main`` with its
output captured, answered as a :class:`subprocess.CompletedProcess`.

A fresh ``python -m properties`` costs about 3.5 s of CPU before its first cell (TensorFlow,
Keras and Hypothesis imported again). The tests that check what only a process shows start one:
signals, what is imported before a usage error, the console script, an installed copy, a run
repeated in another process, a soak's own processes. The others call ``main`` here, as
``python -m properties`` does (``sys.exit(main())``), in the same working directory.
"""

import contextlib
import io
import os
import shlex
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _set(name, value):
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


@contextlib.contextmanager
def _environment(changes):
    """``os.environ`` with ``changes`` (a value of None removes the variable), restored after."""
    before = {name: os.environ.get(name) for name in changes}
    try:
        for name, value in changes.items():
            _set(name, value)
        yield
    finally:
        for name, value in before.items():
            _set(name, value)


def run_in_process(*args, cwd=ROOT, env=None):
    """``python -m properties ARGS`` in this process: its exit status, stdout and stderr.

    The working directory, the environment (``env``: changes, None removes) and the current
    Hypothesis profile are what they were before, afterwards."""
    from hypothesis import settings

    from properties.__main__ import main

    out, err = io.StringIO(), io.StringIO()
    profile = settings.get_current_profile_name()
    here = os.getcwd()
    try:
        os.chdir(cwd)
        with _environment(env or {}), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                status = main(list(args))
            except SystemExit as stop:  # usage errors: sys.exit(2), as in a process of its own
                status = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    finally:
        os.chdir(here)
        settings.load_profile(profile)
    return subprocess.CompletedProcess(["python", "-m", "properties", *args], status, out.getvalue(), err.getvalue())


def run_line_in_process(line, cwd=ROOT, env=None):
    """A printed command line ``python -m properties ...`` (a replay line, say), run in this
    process; a line that is not such a command fails the test."""
    words = shlex.split(line)
    assert words[:3] == ["python", "-m", "properties"], f"not a `python -m properties` command: {line}"
    return run_in_process(*words[3:], cwd=cwd, env=env)
