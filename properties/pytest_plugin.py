"""pytest integration (contract 2.3): the same properties as ``verify``, as pytest tests.

Installed as a pytest plugin (entry point ``pytest11``).  In a test module::

    from properties.pytest_plugin import property_tests
    from mymodule import MY_SPEC

    test_my_layer = property_tests(MY_SPEC)

gives one test per property and column, with ids like ``zeroed-exactly-xla``.  The plugin picks
the Hypothesis profile (``--hypothesis-profile``, else ``HYPOTHESIS_PROFILE``, else ``ci`` under
CI, else ``dev``), splits the CPU into two logical devices for ``devices-agree``, and prints how
many examples the properties ran, summed over xdist workers.
"""

import pytest

# Registered at import, before Hypothesis's own plugin loads `--hypothesis-profile NAME`.
import properties.profiles  # noqa: F401, E402

_EXAMPLES_KEY = "property_examples"
_CRASH_SKIPS_KEY = "property_known_crash_skips"


def property_tests(spec, names=None, examples_scale=1.0):
    """A pytest test function parametrized over every (property, column) of ``spec``.

    ``names`` limits it to some properties; ``examples_scale`` multiplies the profile's
    examples per property and column (at least 2 are run).
    """
    from properties.registry import all_properties

    plan = [
        pytest.param(prop, column, id=f"{spec.name}-{prop.name}-{column}")
        for prop in all_properties()
        if prop.applies(spec) and (names is None or prop.name in names)
        for column in prop.columns(spec)
    ]

    @pytest.mark.parametrize("prop, column", plan)
    def test_property(prop, column, record_property):
        from properties.runner import run_cell

        from hypothesis import settings

        examples = max(2, round(settings().max_examples * examples_scale))
        cell = run_cell(spec, prop, column, max_examples=examples)
        record_property(_EXAMPLES_KEY, cell.examples)
        record_property(_CRASH_SKIPS_KEY, cell.crash_skips)
        if cell.failures:
            pytest.fail(cell.message, pytrace=False)

    return test_property


def pytest_configure(config):
    from properties.profiles import choose_profile

    if not config.getoption("hypothesis_profile", default=None):
        choose_profile()
    from properties.modes import split_cpu_for_device_checks

    split_cpu_for_device_checks()
    config._property_examples = 0


def pytest_runtest_logreport(report):
    # Runs in the controller for xdist workers' reports too: user_properties travel with them.
    if report.when == "call":
        for key, value in report.user_properties:
            if key == _EXAMPLES_KEY:
                pytest_runtest_logreport.total = getattr(pytest_runtest_logreport, "total", 0) + value
            elif key == _CRASH_SKIPS_KEY:
                pytest_runtest_logreport.skips = getattr(pytest_runtest_logreport, "skips", 0) + value


def pytest_terminal_summary(terminalreporter):
    total = getattr(pytest_runtest_logreport, "total", 0)
    if total:
        from hypothesis import settings

        terminalreporter.write_line(
            f"properties: {total} Hypothesis examples run (profile {settings._current_profile})"
        )
    skips = getattr(pytest_runtest_logreport, "skips", 0)
    if skips:
        terminalreporter.write_line(
            f"properties: {skips} of them not run because a spec's known_crashes says they kill the process"
        )
