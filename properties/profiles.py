"""Hypothesis profiles (``dev``, ``ci``, ``thorough``, ``quick``) and how one is chosen.

Every profile sets ``deadline=None``: the first TensorFlow call of an example may trace or
compile.  Choice, highest first: ``verify --profile`` or pytest's ``--hypothesis-profile``,
then ``HYPOTHESIS_PROFILE``, then ``ci`` when a CI variable is set, else ``dev``.
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

for _name, _values in PROFILES.items():
    settings.register_profile(_name, **_values)


def default_profile():
    explicit = os.environ.get("HYPOTHESIS_PROFILE")
    if explicit:
        return explicit
    return "ci" if os.environ.get("CI") or os.environ.get("GITHUB_ACTIONS") or os.environ.get("TF_BUILD") else "dev"


def choose_profile(name=None):
    """Load and return the profile's name: ``name`` if given, else the environment's choice."""
    name = name or default_profile()
    if name not in PROFILES:
        raise ValueError(f"unknown Hypothesis profile {name!r}: choose one of {sorted(PROFILES)}")
    settings.load_profile(name)
    return name
