"""Repository-wide pytest set-up for this project's own tests (not installed, not a plugin).

* TensorFlow's logging is quietened before anything imports it.
* This project's own Hypothesis tests run under the property kit's profile (``dev``, or ``ci``
  under CI, or ``PROPERTIES_PROFILE``): the project's choice for its own suite, which the
  installed plugin never makes for anyone else.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from properties.core.profiles import choose_profile  # noqa: E402

choose_profile()

import pytest  # noqa: E402


def pytest_configure(config):
    """Two logical CPUs for devices-agree, before any test starts TensorFlow (the plugin does
    this for a user's property tests when their module asks for them).  Not in pytest-xdist's
    controller, which runs no test: importing TensorFlow there (3 s) only delayed the workers."""
    if getattr(config.option, "numprocesses", None) and not hasattr(config, "workerinput"):
        return
    from properties.execution.devices import split_cpu_for_device_checks

    split_cpu_for_device_checks()


@pytest.fixture
def restore_hypothesis_profile():
    """For a test that loads a Hypothesis profile (``choose_profile``): the profile that was
    current before it is current again after it, for the tests that follow in this process."""
    from hypothesis import settings

    before = settings.get_current_profile_name()
    yield
    settings.load_profile(before)
