"""The kit as a user gets it: a tiny project outside this repository, with its own mask layer
and spec (``examples/mymask.py``, the README's example), checked by ``python -m properties
verify mymask:SPEC`` and by ``pytest`` with the plugin, against the built and installed
distribution rather than the source tree."""

import os
import shutil
import subprocess
import sys
import textwrap

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run(args, cwd, env, timeout=600):
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A wheel of this repository installed into a directory of its own, first on PYTHONPATH."""
    base = tmp_path_factory.mktemp("installed")
    wheels, target, source = base / "wheels", base / "site", base / "source"
    # setuptools builds in the source tree's build/: two xdist workers that each build this
    # fixture at once collided there ("File exists: build/bdist..."), so each builds a copy.
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", ".tox", ".gpu", "build", "*.egg-info", "__pycache__", ".hypothesis", ".*_cache"))
    built = run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(source)], base, os.environ)
    assert built.returncode == 0, built.stderr
    wheel = next(wheels.glob("centerzero-*.whl"))
    done = run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
               base, os.environ)
    assert done.returncode == 0, done.stderr
    project = base / "project"
    project.mkdir()
    shutil.copy(os.path.join(ROOT, "examples", "mymask.py"), project / "mymask.py")
    (project / "test_mymask.py").write_text(textwrap.dedent("""
        from properties.pytest_plugin import property_tests
        from mymask import SPEC

        test_first_rows_zero = property_tests(SPEC)
    """))
    # The project as a distribution of its own: its spec registered by entry point, its runs
    # configured in [tool.properties] (docs/kit/cli.md#configuration).
    (project / "pyproject.toml").write_text(textwrap.dedent("""
        [build-system]
        requires = ["setuptools>=68"]
        build-backend = "setuptools.build_meta"

        [project]
        name = "mymask"
        version = "0.1"

        [project.entry-points."properties.specs"]
        first-rows-zero = "mymask:SPEC"

        [tool.setuptools]
        py-modules = ["mymask"]

        [tool.properties]
        profile = "quick"
        junitxml = "reports/{spec}.xml"
        selftest-fail-under = 50
    """))
    built = run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels),
                 str(project)], base, os.environ)
    assert built.returncode == 0, built.stderr
    done = run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target),
                str(next(wheels.glob("mymask-*.whl")))], base, os.environ)
    assert done.returncode == 0, done.stderr
    env = dict(os.environ, PYTHONPATH=f"{target}{os.pathsep}{project}", TF_CPP_MIN_LOG_LEVEL="3")
    return project, target, env


def test_the_kit_is_imported_from_the_installed_distribution(installed):
    project, target, env = installed
    where = run([sys.executable, "-c", "import properties, centerzero; print(properties.__file__, centerzero.__file__)"],
                project, env)
    assert where.stdout.split() and all(path.startswith(str(target)) for path in where.stdout.split()), where.stdout


def test_verify_checks_a_users_own_spec(installed):
    """``verify MODULE:ATTR`` from the installed kit, in every column of two properties (every
    cell of the spec runs from the installed kit under pytest, in the next test)."""
    project, _, env = installed
    result = run([sys.executable, "-m", "properties", "verify", "mymask:SPEC", "--profile", "quick",
                  "-k", "^(zeroed-exactly|shape-and-dtype)-"], project, env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "verify first-rows-zero" in result.stdout and "cells hold" in result.stdout
    columns = {line.split()[2] for line in result.stdout.splitlines() if line.startswith("[")}
    assert {"eager", "graph", "xla", "saved-model"} <= columns, result.stdout


def test_pytest_runs_the_same_properties_with_the_plugin(installed):
    project, _, env = installed
    result = run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--properties-profile", "quick",
                  "test_mymask.py"], project, env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Hypothesis examples run (profile quick)" in result.stdout, result.stdout[-2000:]


def test_the_readme_shows_this_example_verbatim():
    with open(os.path.join(ROOT, "examples", "mymask.py")) as f:
        example = f.read()
    with open(os.path.join(ROOT, "README.md")) as f:
        assert example in f.read(), "README's 'Verify your own mask layer' must show examples/mymask.py as it is"


def test_a_bare_verify_checks_the_projects_registered_spec_and_writes_junit(installed):
    """Issue 25's new user: the spec registered by entry point, a bare ``verify``, a JUnit
    report from ``[tool.properties]``."""
    project, _, env = installed
    result = run([sys.executable, "-m", "properties", "verify", "-k", "^(zeroed-exactly|no-weights)-eager$"],
                 project, env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "verify first-rows-zero" in result.stdout and "profile quick" in result.stdout, result.stdout[-2000:]
    import xml.etree.ElementTree as ET

    cases = ET.parse(project / "reports" / "first-rows-zero.xml").getroot().iter("testcase")
    assert sorted((c.get("classname"), c.get("name")) for c in cases) == [
        ("properties.first-rows-zero.no-weights", "eager"), ("properties.first-rows-zero.zeroed-exactly", "eager")]
    listed = run([sys.executable, "-m", "properties", "verify", "first-rows-zer"], project, env)
    assert listed.returncode == 2 and "did you mean 'first-rows-zero'" in listed.stderr, listed.stderr


def test_selftest_takes_its_threshold_from_the_project(installed):
    project, _, env = installed
    result = run([sys.executable, "-m", "properties", "selftest", "first-rows-zero", "--operators",
                  "mask-skipped,zero-sign-lost", "--max-examples", "3"], project, env)
    assert "--fail-under 50:" in result.stdout, result.stdout[-3000:] + result.stderr[-3000:]
    assert result.returncode == (0 if "met" in result.stdout.split("--fail-under 50:")[1].split("\n")[0]
                                 and "NOT met" not in result.stdout else 1)
