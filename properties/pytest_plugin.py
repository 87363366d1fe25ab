"""pytest integration (contract 2.3): the same properties as ``verify``, as pytest tests.

Installed as a pytest plugin (entry point ``pytest11``) that does nothing until it is asked:
loading it adds one command-line option and reads the results of the kit's own tests, and
imports neither Hypothesis nor TensorFlow, loads no Hypothesis profile and configures no device.
It is asked in a test module::

    from properties.pytest_plugin import property_tests
    from mymodule import MY_SPEC

    test_my_layer = property_tests(MY_SPEC)

which gives one test per property and column, with ids like ``zeroed-exactly-xla``.  Each of
those tests runs under the kit's profile (``--properties-profile``, else
``PROPERTIES_PROFILE``, else the kit's profile a conftest loaded with ``choose_profile()``, else
``ci`` where Hypothesis runs its own ``ci`` profile, else ``dev``: ``properties/core/profiles.py``),
applied to that test alone.  Where the spec's properties include ``devices-agree``, asking splits
the CPU into two logical devices (the summary says so), as that column needs and as TensorFlow
allows only before it starts.  The summary also says how
many examples the properties ran, summed over xdist workers.
"""

import pytest

_EXAMPLES_KEY = "property_examples"
_CRASH_SKIPS_KEY = "property_known_crash_skips"
_SPLIT_KEY = "property_cpu_split"
_PROFILE_OPTION = None  # --properties-profile, once pytest has parsed it


class PropertyTests:
    """What ``property_tests`` returns: the plugin collects it as one pytest item per (property,
    column) of the spec, each item's function a real Hypothesis test (see the module docstring)."""

    def __init__(self, spec, names=None, examples_scale=1.0):
        from properties.checks.catalogue import all_properties

        self.spec, self.examples_scale = spec, examples_scale
        chosen = [prop for prop in all_properties() if prop.runs_for(spec) and (names is None or prop.name in names)]
        self.split = False
        if any(prop.name == "devices-agree" for prop in chosen):
            from properties.execution.devices import split_cpu_for_device_checks

            self.split = split_cpu_for_device_checks()
        self.cells = [(prop, column) for prop in chosen for column in prop.columns(spec)]

    def items(self, collector, name):
        return [self._item(collector, name, prop, column) for prop, column in self.cells]

    def _item(self, collector, name, prop, column):
        from properties.core.profiles import profile_settings

        try:
            base = profile_settings(_PROFILE_OPTION)
        except ValueError as error:
            raise pytest.UsageError(f"properties: {error}") from None
        test, check = cell_test(self.spec, prop, column, base, max(2, round(base.max_examples * self.examples_scale)))
        item = pytest.Function.from_parent(collector, name=f"{name}[{self.spec.name}-{prop.name}-{column}]",
                                           callobj=test)
        item.properties_check, item.properties_split = check, self.split
        known = self.spec.known_failure(prop.name, column)
        flaky = self.spec.flaky_finding(prop.name, column)
        if known or flaky:
            # Documented findings are expected failures with their reason: XFAIL where they show,
            # XPASS (visible, not an error) where this run's examples do not reach them.
            reason = f"known finding: {known}" if known else f"flaky finding (thread-dependent): {flaky}"
            item.add_marker(pytest.mark.xfail(reason=reason, strict=False))
        return item


def cell_test(spec, prop, column, base_settings, max_examples):
    """``(test, check)``: a Hypothesis test of one cell, and a function that reports, after it
    ran, what the runner checks beyond the property (retraced functions, examples all skipped as
    known crashes).  ``test`` carries Hypothesis's attributes (``functools.wraps``), so pytest's
    Hypothesis plugin and HypoFuzz see a Hypothesis test."""
    import functools

    from properties.running.runner import build_test, harness_problem

    given_test, cell, ctx = build_test(spec, prop, column, base_settings, max_examples)

    def check():
        cell.traces = ctx.executor.trace_counts()
        problem = harness_problem(spec, prop, column, cell)
        return problem and problem[1]

    @functools.wraps(given_test)
    def test():
        given_test()
        problem = check()
        if problem:
            pytest.fail(problem, pytrace=False)

    check.cell = cell
    return test, check


def property_tests(spec, names=None, examples_scale=1.0):
    """One pytest test per (property, column) of ``spec``, each a Hypothesis test.

    Assign it to a ``test_*`` name in a test module.  ``names`` limits it to some properties;
    ``examples_scale`` multiplies the profile's examples per property and column (at least 2
    are run).
    """
    return PropertyTests(spec, names, examples_scale)


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makeitem(collector, name, obj):
    if isinstance(obj, PropertyTests):
        _spawn_under_hypofuzz()
        return obj.items(collector, name)
    return None


def _spawn_under_hypofuzz():
    """Under ``hypothesis fuzz``, start processes by spawning them instead of forking.

    HypoFuzz collects the tests (which imports TensorFlow) and then starts its workers with
    multiprocessing's default start method, ``fork`` on Linux; TensorFlow does not survive a
    fork, and the forked worker died without a word after its first input.  Done only where
    HypoFuzz says it is running, in the process that collects property tests."""
    import sys

    hypofuzz = sys.modules.get("hypofuzz")
    if hypofuzz is not None and hypofuzz.in_hypofuzz_run():
        import multiprocessing

        if multiprocessing.get_start_method(allow_none=True) != "spawn":
            multiprocessing.set_start_method("spawn", force=True)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    check = getattr(item, "properties_check", None)
    if check is not None and call.when == "call":
        report = outcome.get_result()
        report.user_properties += [(_EXAMPLES_KEY, check.cell.examples), (_CRASH_SKIPS_KEY, check.cell.crash_skips),
                                   (_SPLIT_KEY, int(item.properties_split))]


def pytest_addoption(parser):
    parser.getgroup("properties").addoption(
        "--properties-profile", metavar="NAME", default=None,
        help="the property kit's profile for its property tests: dev, ci, thorough or quick "
             "(default: PROPERTIES_PROFILE, else the kit's profile a conftest loaded with choose_profile(), "
             "else ci where Hypothesis runs its ci profile, else dev)")


def pytest_configure(config):
    global _PROFILE_OPTION
    _PROFILE_OPTION = config.getoption("properties_profile", default=None)


_totals = {_EXAMPLES_KEY: 0, _CRASH_SKIPS_KEY: 0, _SPLIT_KEY: 0}


def pytest_runtest_logreport(report):
    # Runs in the controller for xdist workers' reports too: user_properties travel with them.
    if report.when == "call":
        for key, value in report.user_properties:
            if key in _totals:
                _totals[key] += value


def pytest_terminal_summary(terminalreporter):
    if _totals[_EXAMPLES_KEY]:
        from properties.core.profiles import default_profile

        terminalreporter.write_line(
            f"properties: {_totals[_EXAMPLES_KEY]} Hypothesis examples run "
            f"(profile {_PROFILE_OPTION or default_profile()})")
    if _totals[_SPLIT_KEY]:
        terminalreporter.write_line("properties: the CPU was split into two logical devices for devices-agree")
    if _totals[_CRASH_SKIPS_KEY]:
        terminalreporter.write_line(
            f"properties: {_totals[_CRASH_SKIPS_KEY]} of them not run because a spec's known_crashes says they "
            "kill the process")
