"""Names the command line checks before anything imports TensorFlow or Hypothesis: the built-in
specs' and the profiles' names (``tests/kit/test_cli.py`` holds them equal to
``properties.specs.BUILTIN_SPECS`` and ``properties.core.profiles.PROFILES``) and a "did you mean"
for a name that is close to one of them; ``MODULE:ATTR`` whose module is nowhere to be found
(``properties.core.imports``); and ``-k``'s pattern over the cells' names."""

import difflib
import re

from properties.core.imports import check_module_found

#: The built-in specs, by the name ``verify`` takes (the specs themselves import TensorFlow).
BUILTIN_SPEC_NAMES = ("center-zero", "keras-masking", "border-zero", "causal-zero", "band-zero", "random-cutout")


#: The kinds of input of a bad type a spec may list in ``MaskSpec.bad_types``
#: (``properties.strategies.bad_types`` makes them; ``tests/kit`` holds the two equal).
BAD_TYPE_KINDS = ("none", "object-array", "ragged", "sparse", "string")


#: The kit's profiles (``properties.core.profiles``, which imports Hypothesis, defines them).
PROFILE_NAMES = ("dev", "ci", "thorough", "quick")


def did_you_mean(name, choices):
    close = difflib.get_close_matches(name, list(choices), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def check_spec_argument(value):
    """A usage error (``ValueError``) for a SPEC that is neither a built-in name nor ``MODULE:ATTR``."""
    if value in BUILTIN_SPEC_NAMES:
        return value
    from properties.core.config import registered_specs

    if ":" not in value and value in registered_specs():
        return value
    if ":" not in value:
        known = (*BUILTIN_SPEC_NAMES, *registered_specs())
        raise ValueError(f"unknown spec {value!r}: built-in specs are {', '.join(BUILTIN_SPEC_NAMES)}"
                         + (f"; registered (entry points {'properties.specs'!r}): {', '.join(registered_specs())}"
                            if registered_specs() else "")
                         + f"; or give MODULE:ATTR{did_you_mean(value, known)}")
    module, _, attr = value.partition(":")
    if not module or not attr:
        raise ValueError(f"SPEC {value!r} must look like MODULE:ATTR")
    check_module_found(value, "SPEC")
    return value


def check_select(pattern):
    """A usage error (``ValueError``) for a ``-k`` PATTERN that is not a regular expression."""
    try:
        re.compile(pattern)
    except re.error as error:
        raise ValueError(f"-k must be a regular expression, got {pattern!r} ({error})") from None
    return pattern
