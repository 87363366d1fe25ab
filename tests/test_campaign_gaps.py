"""Two gaps the source campaign on ``centerzero/ops.py`` showed in the properties themselves
(issue 11), each closed in ``properties/`` and proven here on the defect it let through:

* ``bad-inputs-raise`` drew bad ranks, axes and windows, never an input of a bad *type*:
  a layer that accepts a NumPy object array passed.  ``bad-types-raise`` now checks every kind
  a spec lists in ``bad_types`` (``properties/bad_types.py``) on every example.
* no column traced a signature with one map length known and the other unknown, where a
  layer that handles "every length known" and "every length unknown" can still break.
  ``graph-unknown-dims`` now mixes them for one input shape in three (``unknown_dims``).
* the ``quick`` profile's 3 examples per cell did not reach CenterZero's ``compiled`` path
  outside XLA in the campaign's runs, so a broken eager compiled path passed ``verify
  --profile quick`` (whether 3 drawn examples reach it depends on the draw: a test that
  asserted the miss failed in CI, where the draw reached it; landmarks make it certain).  A spec's
  ``landmarks`` are now checked first in every column of the ``mode_cases`` properties.
"""

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import settings

from centerzero import CenterZero, ops
from properties.bad_types import KINDS, make, traceable
from properties.registry import all_properties
from properties.runner import run_cell
from properties.spec import MaskSpec, builtin_specs

SPEC = builtin_specs()["center-zero"]


def _property(name):
    return next(p for p in all_properties() if p.name == name)


def _quick():
    return settings.get_profile("quick")


# --- bad input types ----------------------------------------------------------------------


class AcceptsObjectArrays(CenterZero):
    """The campaign's survivor ``x.dtype == object`` -> ``x.dtype > object``, as a layer: an
    object array of numbers is converted (to float64) and masked instead of refused."""

    def __call__(self, inputs, *args, **kwargs):
        if isinstance(inputs, np.ndarray) and inputs.dtype == object:
            inputs = inputs.astype(np.float64)
        return super().__call__(inputs, *args, **kwargs)


def test_bad_types_property_catches_a_layer_that_takes_object_arrays_under_quick():
    cell = run_cell(SPEC.with_layer(AcceptsObjectArrays), _property("bad-types-raise"), "eager",
                    base_settings=_quick())
    assert cell.failures and "object-array" in cell.message and "returned a result" in cell.message, cell.message


@pytest.mark.parametrize("column", ["eager", "graph", "graph-unknown-dims"])
def test_center_zero_refuses_every_bad_type_in_its_words(column):
    cell = run_cell(SPEC, _property("bad-types-raise"), column, base_settings=_quick())
    assert not cell.failures, cell.message
    checked = {label.split()[-1] for label in cell.labels if label.startswith("bad input type")}
    expected = {kind for kind in KINDS if column == "eager" or traceable(kind)}
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
def compiled_path_returns_its_input(monkeypatch, tensorflow_ops_only):
    """The campaign's survivor in ``_eager_plan`` (``path == "identity"`` -> ``<=``): every
    input on the ``compiled`` path comes back unmasked.  Planted through ``_compiled``.  Eager
    calls take it only without the native kernel (test_native.py checks the kernel)."""
    monkeypatch.setattr(ops, "_compiled", lambda shape, axes, size, dtype_name: tf.identity)


@pytest.mark.parametrize("column", ["eager", "graph", "model-predict"])
def test_landmarks_catch_a_broken_compiled_path_under_quick(column, compiled_path_returns_its_input):
    cell = run_cell(SPEC, _property("zeroed-exactly"), column, base_settings=_quick())
    assert cell.failures and "inside the zeroed region" in cell.message, cell.message
    assert "(1, 256, 256)" in cell.message, cell.message  # the landmark, not a drawn input


def test_landmarks_reach_the_compiled_path_and_the_strided_write_in_every_claimed_dtype(tensorflow_ops_only):
    from properties.columns import mode_landmarks

    compiled, strided = mode_landmarks(SPEC, "eager")
    paths = {case.dtype: ops.choose_path(case.x.shape, (200, 120), (1, 2), case.dtype) for case in compiled.cases}
    assert set(paths) == set(SPEC.dtypes) and set(paths.values()) == {"compiled"}, paths
    for case in compiled.cases:  # every special value in each region, as drawn inputs have them
        assert case.planted.inside and case.planted.outside, case.describe()
    writes = {case.dtype: ops._device_write(case.x.shape, (1, 2), (120, 240), tf.as_dtype(case.dtype), "CPU") == "strided"
              for case in strided.cases}
    assert {d for d, is_strided in writes.items() if is_strided} == {"float64", "int64", "uint64", "complex64", "complex128"}, writes
    (graph_case,) = mode_landmarks(SPEC, "graph")[1:]
    assert graph_case.dtype == "float64"


@pytest.fixture
def strided_write_returns_its_input(monkeypatch, tensorflow_ops_only):
    """A broken strided write (the campaign's ``_update_bounds`` survivors raise there; this one
    leaves the window unzeroed)."""
    monkeypatch.setattr(ops, "_update", lambda x, begin, end, strides, zeros: tf.identity(x))


@pytest.mark.parametrize("column", ["eager", "graph"])
def test_landmarks_catch_a_broken_strided_write_under_quick(column, strided_write_returns_its_input):
    cell = run_cell(SPEC, _property("zeroed-exactly"), column, base_settings=_quick())
    assert cell.failures and "(2, 128, 255)" in cell.message, cell.message


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
    from properties.modes import unknown_dims

    patterns = {tuple(d is None for d in unknown_dims((2, h, w))) for h in range(10, 13) for w in range(10, 13)}
    assert patterns == {(True, True, True), (False, True, False), (True, False, True)}, patterns


@pytest.mark.parametrize("mixed", [True, False])
def test_graph_unknown_dims_catches_a_layer_that_breaks_on_one_unknown_map_length(mixed, monkeypatch):
    from properties import modes

    if not mixed:  # the column as it was: every length unknown
        monkeypatch.setattr(modes, "unknown_dims", lambda shape: [None] * len(shape))
    spec = SPEC.with_layer(BreaksOnOneUnknownMapLength)
    cell = run_cell(spec, _property("zeroed-exactly"), "graph-unknown-dims", base_settings=settings.get_profile("ci"))
    if mixed:
        assert cell.failures and "NoneType" in cell.message, cell.message
    else:
        assert not cell.failures, "the planted defect is no longer missed without the mix: the test shows nothing"


def _update_bounds_mutant(kind):
    """``_update_bounds`` as three survivors of the campaign left it: every begin 1 or -1
    (NumberReplacer on ``[0] * len(shape)``), or the loop over the map axes never run
    (ZeroIterationForLoop: the zero block is the whole tensor)."""

    def bounds(shape, axes, size):
        begin, end, block = [{"begin 1": 1, "begin -1": -1}.get(kind, 0)] * len(shape), list(shape), list(shape)
        for axis, k in ([] if kind == "no loop" else zip(axes, size)):
            start, stop = ops.window(shape[axis], k)
            begin[axis], end[axis], block[axis] = start, stop, k
        return begin, end, block

    return bounds


@pytest.mark.parametrize("kind", ["begin 1", "begin -1", "no loop"])
def test_landmarks_catch_the_update_bounds_survivors_under_quick(kind, monkeypatch, tensorflow_ops_only):
    monkeypatch.setattr(ops, "_update_bounds", _update_bounds_mutant(kind))  # tensorflow_ops_only drops the plans
    cells = [run_cell(SPEC, _property(name), "eager", base_settings=_quick())
             for name in ("zeroed-exactly", "rest-unchanged")]
    assert any(cell.failures and "(2, 128, 255)" in cell.message for cell in cells), [c.message for c in cells]
