"""A failure that a spec declares (``known_failures``, ``flaky_findings``) is reported as that
finding without shrinking its counterexample; any other failure is shrunk as before."""

import dataclasses

import pytest

from centerzero import CenterZero
from properties.core.profiles import profile_settings
from properties.checks.catalogue import all_properties
from properties.running.runner import run_cell
from properties.specs import builtin_specs

SPEC = builtin_specs()["center-zero"]
# No landmarks: Hypothesis reports a failing explicit example without shrinking it, so the
# first failure must come from a drawn example (2-4 layer calls each).
MANY_INPUTS = next(p for p in all_properties() if p.name == "one-instance-many-inputs")


def _counting_identity():
    calls = []

    class ZeroesNothing(CenterZero):
        """Returns its input: the property fails on every example with a window."""

        def call(self, inputs):
            calls.append(inputs.shape)
            return inputs

    return ZeroesNothing, calls


def _run(**declared):
    layer, calls = _counting_identity()
    spec = dataclasses.replace(SPEC.with_layer(layer), **declared)
    cell = run_cell(spec, MANY_INPUTS, "eager", base_settings=profile_settings("ci"))
    return cell, calls


@pytest.mark.parametrize("declared", [
    {"known_failures": {"one-instance-many-inputs": "planted: the layer zeroes nothing"}},
    {"flaky_findings": {"one-instance-many-inputs/eager": "planted: the layer zeroes nothing"}},
])
def test_a_declared_finding_is_reported_without_shrinking(declared):
    cell, calls = _run(**declared)
    assert cell.failures == 0 and (cell.expected_failure or cell.flaky_failure)
    assert len(calls) <= 10, f"{len(calls)} layer calls: the failure was shrunk"


def test_an_undeclared_failure_is_still_shrunk():
    cell, calls = _run()
    assert cell.failures == 1 and "one-instance-many-inputs" in cell.message
    assert len(calls) > 20, f"only {len(calls)} layer calls: the failure was not shrunk"


@pytest.mark.parametrize("races", [False, True])
def test_a_failure_that_passes_on_replay_is_still_a_failure_and_says_so(races):
    """A check that fails once and then holds (as a race does): the cell fails as "unreliable",
    and its message says the replay passed, and why it may for a property that checks races."""
    seen = []

    def fails_the_first_time(ctx, drawn):
        seen.append(drawn)
        if len(seen) == 1:
            ctx.fail("planted: fails only the first time")

    prop = dataclasses.replace(MANY_INPUTS, name="fails-once", check=fails_the_first_time, landmarks=None,
                               races=races)
    cell = run_cell(SPEC, prop, "eager", max_examples=5, base_settings=profile_settings("ci"))
    assert (cell.failures, cell.failure_kind) == (1, "unreliable"), cell.message
    assert "planted: fails only the first time" in cell.message
    assert "it passed when Hypothesis replayed it" in cell.message
    assert ("a race shows only sometimes" in cell.message) == races, cell.message
