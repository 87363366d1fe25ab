"""The kit's Hypothesis profiles and how one is chosen.

Four profiles, registered with Hypothesis under names of their own (``properties-dev``,
``properties-ci``, ``properties-thorough``, ``properties-quick``) and named by their short name
everywhere in the kit (``verify --profile ci``).  Registering one loads nothing: the kit's
property tests apply their profile per test, and Hypothesis's own profile, whichever the user
loaded, stays as it is for every other test.  ``properties-ci`` is built on Hypothesis's own
``ci`` profile.

Every profile sets ``deadline=None``: the first TensorFlow call of an example may trace or
compile.  Choice, highest first: ``verify --profile`` (or pytest's ``--properties-profile``),
then ``PROPERTIES_PROFILE``, then the kit's own profile where :func:`choose_profile` loaded one
(a project's conftest may, as this repository's does), then ``ci`` where Hypothesis has loaded
its own ``ci`` profile (it does so by itself when it detects a CI service), else ``dev``.
``HYPOTHESIS_PROFILE`` is Hypothesis's, never read here.
"""

import os

from hypothesis import settings

CI_EXAMPLES = 30

PROFILES = {
    # Randomised, with the example database, so a failure found once replays first next time.
    "dev": dict(max_examples=25, deadline=None),
    # Derandomised and without a database: two runs draw the same examples; print_blob gives
    # the @reproduce_failure blob that `python -m properties replay` takes.
    "ci": dict(max_examples=CI_EXAMPLES, deadline=None, derandomize=True, database=None, print_blob=True),
    "thorough": dict(max_examples=10 * CI_EXAMPLES, deadline=None),
    "quick": dict(max_examples=3, deadline=None, derandomize=True, database=None, print_blob=True),
}

#: The environment variable that names the kit's profile.
ENV = "PROPERTIES_PROFILE"


def hypothesis_name(name):
    """The name the kit's profile ``name`` is registered under with Hypothesis."""
    return f"properties-{name}"


def _hypothesis_profile(name):
    try:
        return settings.get_profile(name)
    except Exception:  # noqa: BLE001 - an older Hypothesis without a built-in ``ci`` profile
        return settings.get_profile("default")


def _current_hypothesis_profile():
    current = getattr(settings, "get_current_profile_name", None)  # Hypothesis 6.13x and later
    return current() if current else None


for _name, _values in PROFILES.items():
    settings.register_profile(hypothesis_name(_name), parent=_hypothesis_profile(_name if _name == "ci" else "default"),
                              **_values)


def check_name(name):
    if name not in PROFILES:
        raise ValueError(f"unknown profile {name!r}: choose one of {sorted(PROFILES)}")
    return name


def default_profile():
    """The environment's choice: ``PROPERTIES_PROFILE``, else the kit's own profile where
    :func:`choose_profile` loaded one, else ``ci`` where Hypothesis runs its own ``ci`` profile,
    else ``dev``."""
    explicit = os.environ.get(ENV)
    if explicit:
        return check_name(explicit)
    current = _current_hypothesis_profile()
    for name in PROFILES:
        if current == hypothesis_name(name):  # the choice made once stays made
            return name
    return "ci" if current == "ci" else "dev"


def profile_settings(name=None):
    """The ``settings`` of the kit's profile ``name`` (default: the environment's choice)."""
    return settings.get_profile(hypothesis_name(check_name(name or default_profile())))


def choose_profile(name=None):
    """Load the kit's profile as Hypothesis's current one, in the kit's own processes (``verify``,
    ``soak``, ``selftest``: programs of the kit, not a user's test run), and return its name."""
    name = check_name(name or default_profile())
    settings.load_profile(hypothesis_name(name))
    return name
