"""``python -m properties verify``: usage errors exit 2 and say what was wrong (contract 2.2)."""

import os
import signal
import subprocess
import sys

import pytest

from tests.kit.in_process import run_in_process, run_line_in_process
from tests.kit.interruptible import properties_command

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run(*args):
    """``python -m properties ARGS`` in this process; the tests of signals and of a report's
    timing below start processes of their own."""
    return run_in_process(*args)


@pytest.mark.parametrize(
    "args, words",
    [
        (["verify"], "SPEC"),
        (["verify", "no-such-spec"], "unknown spec 'no-such-spec'"),
        (["verify", "tests.specimens.planted:LeansHigh"], "not a properties.MaskSpec"),
        (["verify", "center-zero", "--layer", "no_such_module:Layer"], "no_such_module"),
        (["verify", "center-zero", "--layer", "tests.specimens.planted:Missing"], "has no attribute 'Missing'"),
        (["verify", "center-zero", "--layer", "no-colon"], "MODULE:ATTR"),
        (["verify", "center-zero", "--max-examples", "0"], "--max-examples must be >= 1, got 0"),
        (["verify", "center-zero", "--max-time", "nan"], "--max-time must be > 0, got nan"),
        (["verify", "center-zero", "-k", "(zeroed"], "-k must be a regular expression, got '(zeroed'"),
        (["verify", "center-zero", "--max-examples", "many"], "invalid int value"),
        (["verify", "center-zero", "--profile", "nightly"], "unknown profile 'nightly'"),
        (["verify", "center-zero", "--unknown-option"], "unrecognized arguments"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_usage_errors_exit_2_and_say_why(args, words):
    result = run(*args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert words in result.stderr, result.stderr


def test_a_property_failure_exits_1_with_the_failure_template_and_a_report(tmp_path):
    report = tmp_path / "out" / "report.json"
    result = run("verify", "center-zero", "--layer", "tests.specimens.planted:LeansHigh", "--profile", "quick",
                 "--exitfirst", "--report", str(report))
    assert result.returncode == 1, result.stdout + result.stderr
    # A drawn counterexample replays from its Hypothesis blob; a failing landmark (an explicit
    # example, checked first, so here) has no blob and replays as verify --exitfirst.
    assert "failed [spec center-zero," in result.stdout
    assert ("replay: python -m properties replay" in result.stdout
            or "replay: python -m properties verify center-zero --exitfirst" in result.stdout), result.stdout
    assert report.exists() and (tmp_path / "out" / "report.md").exists()
    replay = next(line for line in result.stdout.splitlines() if "replay:" in line).split("replay: ", 1)[1]
    again = run_line_in_process(replay)
    assert again.returncode == 1 and "failed [spec center-zero," in again.stdout, again.stdout + again.stderr


def test_a_failure_is_reported_on_stderr_as_soon_as_its_cell_ends():
    """A run stopped by a time limit (``timeout``, a CI job's limit) keeps what it found: each
    failing cell's report goes to stderr when the cell ends, before the next cell runs."""
    env = dict(os.environ, PYTHONPATH=ROOT, TF_CPP_MIN_LOG_LEVEL="3", PYTHONUNBUFFERED="1")
    process = subprocess.Popen(
        [sys.executable, "-m", "properties", "verify", "center-zero", "--layer", "tests.specimens.planted:LeansHigh",
         "--profile", "quick"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        stderr = []
        for line in process.stderr:  # read until the first report arrives, then stop the run
            stderr.append(line)
            if "failed [spec center-zero," in line:
                break
        first_report = "".join(stderr)
    finally:
        process.kill()
        process.communicate(timeout=60)
    assert "failed [spec center-zero," in first_report, first_report


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_ctrl_c_ends_the_run_with_a_partial_report_and_exit_2(tmp_path, signum):
    """SIGINT (a terminal's Ctrl-C) or SIGTERM (``timeout``, a CI job's limit) after the first
    cell: the cells that ran are reported, the report says the run is partial and how many of
    how many cells ran, and verify exits 2."""
    import json

    env = dict(os.environ, PYTHONPATH=ROOT, TF_CPP_MIN_LOG_LEVEL="3", PYTHONUNBUFFERED="1")
    process = subprocess.Popen(
        properties_command("verify", "center-zero", "--profile", "quick", "-k", "eager$",
                           "--report", str(tmp_path / "report.json")),
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = []
        for line in process.stdout:  # the first finished cell, then Ctrl-C
            lines.append(line)
            if line.startswith("[1/"):
                process.send_signal(signum)
                break
        stdout, stderr = process.communicate(timeout=240)
    finally:
        process.kill()
    assert process.returncode == 2, "".join(lines) + stdout + stderr
    assert ("SIGTERM: stopping as for Ctrl-C" in stderr) == (signum == signal.SIGTERM), stderr
    planned = int(lines[-1].split("/", 1)[1].split("]", 1)[0])
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["stopped"] == "interrupted" and report["planned_cells"] == planned > report["cells_run"] >= 1
    assert f"PARTIAL RUN (interrupted): {report['cells_run']} of {planned} cells ran" in stdout
    assert f"Partial run (interrupted): {report['cells_run']} of {planned} cells ran" in \
        (tmp_path / "report.md").read_text()
