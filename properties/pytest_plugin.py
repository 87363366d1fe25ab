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
``PROPERTIES_PROFILE``, else ``ci`` where Hypothesis runs its own ``ci`` profile, else ``dev``:
``properties/core/profiles.py``), applied to that test alone.  Where the spec's properties include
``devices-agree``, asking splits the CPU into two logical devices (the summary says so), as
that column needs and as TensorFlow allows only before it starts.  The summary also says how
many examples the properties ran, summed over xdist workers.
"""

import pytest

_EXAMPLES_KEY = "property_examples"
_CRASH_SKIPS_KEY = "property_known_crash_skips"
_SPLIT_KEY = "property_cpu_split"
_PROFILE_OPTION = None  # --properties-profile, once pytest has parsed it


def property_tests(spec, names=None, examples_scale=1.0):
    """A pytest test function parametrized over every (property, column) of ``spec``.

    ``names`` limits it to some properties; ``examples_scale`` multiplies the profile's
    examples per property and column (at least 2 are run).
    """
    from properties.checks.catalogue import all_properties

    chosen = [prop for prop in all_properties() if prop.applies(spec) and (names is None or prop.name in names)]
    split = False
    if any(prop.name == "devices-agree" for prop in chosen):
        from properties.execution.devices import split_cpu_for_device_checks

        split = split_cpu_for_device_checks()
    plan = [pytest.param(prop, column, id=f"{spec.name}-{prop.name}-{column}")
            for prop in chosen for column in prop.columns(spec)]

    @pytest.mark.parametrize("prop, column", plan)
    def test_property(prop, column, record_property):
        from properties.core.profiles import profile_settings
        from properties.running.runner import run_cell

        try:
            base = profile_settings(_PROFILE_OPTION)
        except ValueError as error:
            raise pytest.UsageError(f"properties: {error}") from None
        examples = max(2, round(base.max_examples * examples_scale))
        cell = run_cell(spec, prop, column, max_examples=examples, base_settings=base)
        record_property(_EXAMPLES_KEY, cell.examples)
        record_property(_CRASH_SKIPS_KEY, cell.crash_skips)
        record_property(_SPLIT_KEY, int(split))
        if cell.failures:
            pytest.fail(cell.message, pytrace=False)

    return test_property


def pytest_addoption(parser):
    parser.getgroup("properties").addoption(
        "--properties-profile", metavar="NAME", default=None,
        help="the property kit's profile for its property tests: dev, ci, thorough or quick "
             "(default: PROPERTIES_PROFILE, else ci where Hypothesis runs its ci profile, else dev)")


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
