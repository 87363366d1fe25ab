"""The command line's usage errors come before TensorFlow is imported (fast, with a "did you
mean"), ``--version`` answers, and the console script ``mask-properties`` is the same program."""

import os
import pathlib
import subprocess
import sys

import pytest

from tests.kit.in_process import run_in_process

ROOT = pathlib.Path(__file__).resolve().parents[2]


def run(*args, program=(sys.executable, "-m", "properties")):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    return subprocess.run([*program, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_the_static_names_are_the_built_in_specs_and_the_profiles():
    from properties.core.names import BUILTIN_SPEC_NAMES, PROFILE_NAMES
    from properties.core.profiles import PROFILES
    from properties.specs import BUILTIN_SPECS

    assert set(BUILTIN_SPEC_NAMES) == set(BUILTIN_SPECS)
    assert set(PROFILE_NAMES) == set(PROFILES)


@pytest.mark.parametrize("args, words", [
    (["verify", "centre-zero"], ["unknown spec 'centre-zero'", "did you mean 'center-zero'?"]),
    (["verify", "center-zero", "--profile", "quik"], ["unknown profile 'quik'", "did you mean 'quick'?"]),
    (["soak", "center-zero", "no-such-spec"], ["unknown spec 'no-such-spec'"]),
    (["selftest", "band-zer0"], ["did you mean 'band-zero'?"]),
    (["verify", "center-zero", "--layer", "mymodule.MyLayer"], ["--layer must look like MODULE:ATTR"]),
    (["verify", "nosuchmod:SPEC"], ["SPEC 'nosuchmod:SPEC': cannot import module 'nosuchmod'"]),
], ids=["spec", "profile", "soak", "selftest", "layer", "module"])
def test_usage_errors_name_the_argument_and_exit_2(args, words):
    result = run(*args)
    assert result.returncode == 2, result.stderr[-2000:]
    for word in words:
        assert word in result.stderr, result.stderr[-2000:]


@pytest.mark.parametrize("args", [["no-such-spec"], ["center-zero", "--max-examples", "0"],
                                  ["center-zero", "--seed", "-1"], ["center-zero", "-k", "("],
                                  ["nosuchmod:SPEC"], ["center-zero", "--layer", "nosuchmod.layers:Layer"]],
                         ids=["spec", "max-examples", "seed", "k", "spec-module", "layer-module"])
def test_a_usage_error_is_answered_before_tensorflow_is_imported(args):
    probe = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "properties", "verify", *args],
        cwd=ROOT, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"), capture_output=True, text=True, timeout=300)
    assert probe.returncode == 2, probe.stderr[-2000:]
    assert "tensorflow" not in probe.stderr.replace("no-such-spec", ""), "TensorFlow was imported before the usage error"


def test_version_and_the_console_script():
    result = run("--version")
    assert result.returncode == 0 and "centerzero" in result.stdout, result.stdout + result.stderr
    script = pathlib.Path(sys.executable).parent / "mask-properties"
    if not script.exists():
        pytest.fail(f"the console script is not installed beside {sys.executable}: reinstall the package")
    from_script = run("--version", program=(str(script),))
    assert from_script.stdout.split(" ", 1)[1] == result.stdout.split(" ", 1)[1]


def test_list_names_specs_properties_columns_and_profiles(capsys):
    """In this process (the program's ``main``, as the console script calls it): four commands."""
    from properties import __main__ as cli

    for what, expected in [("specs", "center-zero"), ("properties", "zeroed-exactly"), ("profiles", "quick"),
                           ("columns", "zeroed-exactly-xla")]:
        try:
            status = cli.main(["list", what])
        except SystemExit as done:
            status = done.code
        out, err = capsys.readouterr()
        assert status in (0, None) and expected in out, (what, out[-1000:], err[-1000:])


def test_verify_k_runs_the_matching_cells_and_exits_5_when_none_match():
    result = run_in_process("verify", "center-zero", "--profile", "quick", "-k", "^zeroed-exactly-(eager|graph)$")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    rows = [line.split()[:3] for line in result.stdout.splitlines() if line.startswith("[")]
    assert rows == [["[1/2]", "zeroed-exactly", "eager"], ["[2/2]", "zeroed-exactly", "graph"]], result.stdout
    assert "2 of 2 property/column cells hold" in result.stdout
    nothing = run_in_process("verify", "center-zero", "--profile", "quick", "-k", "no-such-property")
    assert nothing.returncode == 5 and "no property/column cell matches" in nothing.stdout


@pytest.mark.usefixtures("restore_hypothesis_profile")  # verify loads the kit's profile in its own process
def test_a_harness_error_exits_3_not_1(monkeypatch, capsys):
    """The harness failing (here: a planted error in running a cell) is exit 3, not a property's 1."""
    import properties.running.verify as verifying
    from properties import __main__ as cli

    def broken(*args, **kwargs):
        raise RuntimeError("planted: the harness breaks")

    monkeypatch.setattr(verifying, "run_cell", broken)
    assert cli.main(["verify", "center-zero", "--profile", "quick", "-k", "^zeroed-exactly-eager$"]) == 3
    assert "internal error" in capsys.readouterr().err


def test_trace_runs_a_promises_specimen_and_writes_the_table(tmp_path):
    table = tmp_path / "trace.md"
    result = run_in_process("trace", "center-zero", "--promise", "no-weights", "--write", str(table))
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "no-weights               caught by no-weights [eager]" in result.stdout, result.stdout[-2000:]
    assert "| `no-weights` (1.5 (generic)) |" in table.read_text() and "`KernelAsWeight` | `no-weights` in eager" in table.read_text()
    bad = run("trace", "center-zero", "--promise", "no-weight")
    assert bad.returncode == 2 and "did you mean 'no-weights'" in bad.stderr, bad.stderr
