"""A spec's ``known_crashes`` (inputs the kit does not run because they kill the process) are
strict: each declared crash must really crash where it applies and must not where it does not,
and the runner skips exactly the declared inputs, counts them, and runs the rest."""

import dataclasses

import numpy as np
import pytest
from hypothesis import settings

from centerzero import CenterZero
from properties.tools.known_crashes import run_example, verdict
from properties.checks.catalogue import all_properties
from properties.running.runner import run_cell
from properties.spec.mask_spec import KnownCrash
from properties.specs import builtin_specs

DECLARED = [
    pytest.param(name, index, id=f"{name}-{index}-{crash.op}-{crash.mode}")
    for name, spec in builtin_specs().items()
    for index, crash in enumerate(spec.known_crashes)
]


def test_some_builtin_spec_declares_a_crash():
    # Keeps the next test from silently parametrizing over nothing.
    assert DECLARED, "no built-in spec declares a known crash any more: remove this file's strict test"


@pytest.mark.parametrize("name, index", DECLARED)
def test_declared_crash_happens_exactly_where_it_applies(name, index):
    crash = builtin_specs()[name].known_crashes[index]
    returncode, stderr = run_example(name, index)
    problem = verdict(crash, returncode)
    assert problem is None, f"{name} known_crashes[{index}] ({crash.reason}): {problem}\n{stderr}"


def _spec_whose_empty_inputs_crash(applies):
    """CenterZero's spec with gradients of empty inputs in eager mode declared as crashing, and
    a layer that raises on them, so that running one would fail the property."""
    from properties.specs.center_zero import CENTER_ZERO

    class RaisesOnEmpty(CenterZero):
        def call(self, inputs):
            if inputs.shape.num_elements() == 0:
                raise RuntimeError("an empty input was run")
            return super().call(inputs)

    crash = KnownCrash(op="gradient", mode="eager", when=lambda x, config: x.size == 0,
                       example=((0, 3, 3), "float32", {"size": 1}), reason="test double", applies=applies)
    return dataclasses.replace(CENTER_ZERO, layer=RaisesOnEmpty, known_crashes=(crash,))


def _gradient_property():
    return next(p for p in all_properties() if p.name == "gradient-is-mask")


def test_runner_skips_and_counts_declared_inputs_and_runs_the_rest():
    spec = _spec_whose_empty_inputs_crash(applies=True)
    cell = run_cell(spec, _gradient_property(), "eager", base_settings=settings(max_examples=40, database=None))
    assert not cell.failures, cell.message
    assert 0 < cell.crash_skips < cell.examples, (cell.crash_skips, cell.examples)


def test_a_declaration_that_does_not_apply_skips_nothing():
    spec = _spec_whose_empty_inputs_crash(applies=False)
    cell = run_cell(spec, _gradient_property(), "eager", base_settings=settings(max_examples=40, database=None))
    assert cell.crash_skips == 0
    assert cell.failures and "an empty input was run" in cell.message, cell.message


def test_a_declaration_covering_every_input_fails_the_cell():
    spec = _spec_whose_empty_inputs_crash(applies=True)
    every = KnownCrash(op="gradient", mode="eager", when=lambda x, config: True,
                       example=((2, 3, 3), "float32", {"size": 1}), reason="covers everything")
    spec = dataclasses.replace(spec, known_crashes=(every,))
    cell = run_cell(spec, _gradient_property(), "eager", base_settings=settings(max_examples=10, database=None))
    assert cell.failures and "ran nothing" in cell.message, cell.message


def test_known_crash_validates_its_arguments():
    with pytest.raises(ValueError, match="`mode`"):
        KnownCrash(op="call", mode="jit", when=lambda x, c: True, example=((1, 1), "float32", {}), reason="")
    with pytest.raises(ValueError, match="`op`"):
        KnownCrash(op="fit", mode="graph", when=lambda x, c: True, example=((1, 1), "float32", {}), reason="")


def test_when_is_called_with_an_array():
    seen = []
    crash = KnownCrash(op="call", mode="eager", when=lambda x, c: seen.append(type(x)) or False,
                       example=((1, 1), "float32", {}), reason="")
    from properties.specs.center_zero import CENTER_ZERO

    spec = dataclasses.replace(CENTER_ZERO, known_crashes=(crash,))
    assert spec.known_crash("call", "eager", [[1.0]], {}) is None
    assert seen == [np.ndarray]

