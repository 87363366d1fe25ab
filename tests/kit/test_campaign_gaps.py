"""Two gaps the source campaign on ``centerzero/ops.py`` showed in the properties themselves
(issue 11), each closed in ``properties/`` and proven here on the defect it let through:

* ``bad-inputs-raise`` drew bad ranks, axes and windows, never an input of a bad *type*:
  a layer that accepts a NumPy object array passed.  ``bad-types-raise`` now checks every kind
  a spec lists in ``bad_types`` (``properties/bad_types.py``) on every example.
* no column traced a signature with one map length known and the other unknown, where a
  layer that handles "every length known" and "every length unknown" can still break.
  ``graph-unknown-dims`` now mixes them for one input shape in three (``unknown_dims``).
* the ``quick`` profile's 3 examples per cell did not reach CenterZero's large-window write
  in the campaign's runs, so a broken large-window write passed ``verify --profile quick`` (whether 3 drawn examples reach it depends on the draw: a test that
  asserted the miss failed in CI, where the draw reached it; landmarks make it certain).  A spec's
  ``landmarks`` are now checked first in every column of the ``mode_cases`` properties.
"""

import dataclasses

import numpy as np
import pytest
import tensorflow as tf

from centerzero import CenterZero, ops
from properties.core.profiles import profile_settings
from properties.strategies.bad_types import KINDS, make, traceable
from properties.checks.catalogue import all_properties
from properties.running.runner import run_cell
from properties.spec.mask_spec import MaskSpec
from properties.specs import builtin_specs

SPEC = builtin_specs()["center-zero"]


def _property(name):
    return next(p for p in all_properties() if p.name == name)


def _quick():
    return profile_settings("quick")


# --- bad input types ----------------------------------------------------------------------


class AcceptsObjectArrays(CenterZero):
    """The campaign's survivor ``x.dtype == object`` -> ``x.dtype > object``, as a layer: an
    object array of numbers is converted (to float64) and masked instead of refused."""

    def __call__(self, inputs, *args, **kwargs):
        if isinstance(inputs, np.ndarray) and inputs.dtype == object:
            inputs = inputs.astype(np.float64)
        return super().__call__(inputs, *args, **kwargs)


def test_bad_types_property_catches_a_layer_that_takes_object_arrays_under_quick():
    # CenterZero does not list object arrays (Keras refuses them before the layer runs): a spec
    # that lists every kind.
    spec = dataclasses.replace(SPEC, bad_types=tuple(KINDS)).with_layer(AcceptsObjectArrays)
    cell = run_cell(spec, _property("bad-types-raise"), "eager", base_settings=_quick())
    assert cell.failures and "object-array" in cell.message and "returned a result" in cell.message, cell.message


@pytest.mark.parametrize("column", ["eager", "graph", "graph-unknown-dims"])
def test_center_zero_refuses_every_bad_type_in_its_words(column):
    cell = run_cell(SPEC, _property("bad-types-raise"), column, base_settings=_quick())
    assert not cell.failures, cell.message
    checked = {label.split()[-1] for label in cell.labels if label.startswith("bad input type")}
    expected = {kind for kind in SPEC.bad_types if column == "eager" or traceable(kind)}
    assert checked == expected, checked


def test_bad_types_make_and_the_spec_field_validate():
    with pytest.raises(ValueError, match="tuple"):
        make("tuple", (2, 3))
    with pytest.raises(ValueError, match="bad_types"):
        MaskSpec(**{**SPEC.__dict__, "bad_types": ("strings",)})
    with pytest.raises(ValueError, match="bad_types"):
        MaskSpec(**{**SPEC.__dict__, "bad_types": ["none"]})
    assert make("ragged", (4,)).shape.rank == 2  # a ragged tensor needs rank 2


# --- landmarks ----------------------------------------------------------------------------


@pytest.fixture
def split_write_returns_its_input(monkeypatch):
    """A broken ``split`` write (large windows): every input on it comes back unmasked."""
    monkeypatch.setattr(ops, "_split", lambda x, axes, size: tf.identity(x))


@pytest.mark.parametrize("column", ["eager", "graph", "model-predict"])
def test_landmarks_catch_a_broken_split_write_under_quick(column, split_write_returns_its_input):
    cell = run_cell(SPEC, _property("zeroed-exactly"), column, base_settings=_quick())
    assert cell.failures and "inside the zeroed region" in cell.message, cell.message


def test_landmarks_reach_the_split_write_in_every_claimed_dtype():
    from properties.execution.columns import mode_landmarks

    one_map, two_maps = mode_landmarks(SPEC, "eager")
    for landmark, size in ((one_map, (200, 120)), (two_maps, (120, 240))):
        assert {case.dtype for case in landmark.cases} == set(SPEC.dtypes)
        assert all(ops.is_large(case.x.shape, (1, 2), size) for case in landmark.cases)
    for case in one_map.cases:  # every special value in each region, as drawn inputs have them
        assert case.planted.inside and case.planted.outside, case.describe()
    (graph_case,) = mode_landmarks(SPEC, "graph")[1:]
    assert graph_case.dtype == "float64"


@pytest.mark.parametrize("landmarks", [[({}, (1, 2))], (({}, [1, 2]),), (("size", (1, 2)),), (({}, (1, -2)),),
                                       (({}, (1, 2), "float8"),), (({}, (1, 2), "float32", 0),)])
def test_spec_validates_landmarks(landmarks):
    with pytest.raises(TypeError, match="landmarks"):
        MaskSpec(**{**SPEC.__dict__, "landmarks": landmarks})


# --- mixed known and unknown lengths ------------------------------------------------------


class BreaksOnOneUnknownMapLength(CenterZero):
    """The campaign's survivor in ``choose_path`` (``h is None or w is None`` -> ``and``): with
    one map length unknown at trace time, the mutant multiplies by None while tracing."""

    def call(self, inputs):
        rank = inputs.shape.rank
        lengths = [inputs.shape[a % rank] for a in self.axes]
        if (lengths[0] is None) != (lengths[1] is None):
            raise TypeError("unsupported operand type(s) for *: 'int' and 'NoneType'")
        return super().call(inputs)


def test_unknown_dims_mixes_known_and_unknown_lengths():
    from properties.execution.modes import unknown_dims

    patterns = {tuple(d is None for d in unknown_dims((2, h, w))) for h in range(10, 13) for w in range(10, 13)}
    assert patterns == {(True, True, True), (False, True, False), (True, False, True)}, patterns


@pytest.mark.parametrize("mixed", [True, False])
def test_graph_unknown_dims_catches_a_layer_that_breaks_on_one_unknown_map_length(mixed, monkeypatch):
    from properties.execution import modes

    if not mixed:  # the column as it was: every length unknown
        monkeypatch.setattr(modes, "unknown_dims", lambda shape: [None] * len(shape))
    spec = SPEC.with_layer(BreaksOnOneUnknownMapLength)
    cell = run_cell(spec, _property("zeroed-exactly"), "graph-unknown-dims", base_settings=profile_settings("ci"))
    if mixed:
        assert cell.failures and "NoneType" in cell.message, cell.message
    else:
        assert not cell.failures, "the planted defect is no longer missed without the mix: the test shows nothing"
