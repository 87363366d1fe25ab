"""Targeted tests for survivors of the Cosmic Ray campaign on ``centerzero/ops.py``
(``python -m properties selftest center-zero --engine source --module centerzero/ops.py``).

The properties exercise the *layer*, which always hands ``center_zero`` a normalised ``(int, int)``
size and axes; these survivors change the operation only for other argument forms, which its
public signature accepts (``center_zero(x, size=2, axes=(-2, -1))`` takes anything
``normalize_size`` / ``normalize_axes`` take).  Cheap: eager calls on one 10x10 map.
"""

import numpy as np
import pytest
import tensorflow as tf

from centerzero.ops import center_zero


def _reference(x):
    out = np.array(x)
    out[4:6, 4:6] = 0
    return out


@pytest.mark.parametrize("size, axes", [
    # (Written for an earlier fast path, `_plain_pair`; the cases stand for `_plain` now.)
    # ReplaceAndWithOr in center_zero's eager fast path (`if pair is not None and axes_pair is not
    # None` -> `or`): with axes given as a list, the mutant sends axes=None into _eager_plan.
    (2, [-2, -1]),
    ((2, 2), [0, 1]),
    # ReplaceComparisonOperator_Is_NotEq in _plain_pair (`kind is tuple` -> `!=`): a size list
    # becomes an unhashable lru_cache key.
    ([2, 2], (-2, -1)),
    # ... and with a size that is an integer but not an `int` (NumPy), it sends size=None.
    (np.int64(2), (-2, -1)),
    ((np.int32(2), 2), (0, 1)),
])
def test_eager_op_with_size_or_axes_outside_the_fast_path(size, axes):
    x = tf.reshape(tf.range(1, 101, dtype=tf.float32), (10, 10))
    np.testing.assert_array_equal(center_zero(x, size=size, axes=axes).numpy(), _reference(x))


@pytest.mark.parametrize("argument, value", [("size", (2,)), ("size", ()), ("axes", (-1,))])
def test_eager_op_rejects_short_tuples_with_the_contract_error(argument, value):
    # ReplaceComparisonOperator_Eq_LtE in _plain_pair (`len(value) == 2` -> `<= 2`): the mutant
    # indexes value[1] of a shorter tuple and raises IndexError instead of the ValueError naming
    # the argument.
    x = tf.zeros((10, 10))
    with pytest.raises(ValueError, match=argument):
        center_zero(x, **{argument: value})


def test_op_defaults_are_size_2_on_the_last_two_axes():
    # NumberReplacer on `def center_zero(x, size=2, ...)` (2 -> 1, 2 -> 3) and
    # ReplaceUnaryOperator_Delete_USub on its `axes=(-2, -1)` (-> (-2, 1): the same as (-2, -1) on
    # a rank-2 input, a ValueError on rank 3): the layer always passes both, so only a direct call
    # with the defaults sees the change.
    x = tf.reshape(tf.range(1, 201, dtype=tf.float32), (2, 10, 10))
    expected = x.numpy().copy()
    expected[:, 4:6, 4:6] = 0
    np.testing.assert_array_equal(center_zero(x).numpy(), expected)
    np.testing.assert_array_equal(center_zero(x[0]).numpy(), expected[0])


def test_eager_split_write_zeroes_the_window():
    # A large window (the split write) on a map larger than the quick profile's 3 examples draw.
    x = tf.ones((1, 1024, 1024), tf.float32)
    out = center_zero(x, 200).numpy()
    assert out[0, 412:612, 412:612].max() == 0 and out.sum() == 1024 * 1024 - 200 * 200


def test_op_refuses_a_numpy_object_array_with_a_type_error():
    # ReplaceComparisonOperator_Eq_Gt in check_input_type (`x.dtype == object` -> `>`): object
    # arrays pass the check, and TensorFlow converts this one to float64 and returns a result.
    # (The layer never sees one: Keras converts NumPy inputs first, and refuses object arrays.)
    with pytest.raises(TypeError, match="object"):
        center_zero(np.array([[1.0, 2.0], [3.0, 4.0]], dtype=object))


@pytest.mark.parametrize("cached, given", [((1, 2), (True, 2)), ((2, 1), (2, True))])
def test_eager_op_rejects_a_bool_size_even_after_the_equal_int_size_was_cached(cached, given):
    # NumberReplacer in _plain_pair / _plain (`type(value[0]) is int` -> `type(value[-1]) is int`),
    # and ReplaceComparisonOperator_Is_NotEq on `type(size[1]) is int`: the mutant lets (True, 2)
    # or (2, True) onto the fast path, where the plan cached for (1, 2) or (2, 1) (equal key:
    # True == 1) answers instead of the ValueError for a bool size.
    x = tf.zeros((10, 10))
    center_zero(x, size=cached)
    with pytest.raises(ValueError, match="size"):
        center_zero(x, size=given)


def test_eager_op_accepts_numpy_arrays():
    # ReplaceAndWithOr in center_zero (`type(x) is _EagerTensor and tf.executing_eagerly()` ->
    # `or`): a NumPy array takes the eager fast path and fails on `x._shape_tuple()`.
    x = np.arange(1, 101, dtype=np.float32).reshape(10, 10)
    np.testing.assert_array_equal(center_zero(x).numpy(), _reference(x))


def test_graph_with_one_map_length_unknown():
    # ReplaceOrWithAnd in choose_path (`h is None or w is None` -> `and`): with one map length
    # unknown at trace time, the mutant multiplies by None (TypeError while tracing).  The
    # properties trace with every length known or every length unknown, never a mix.
    from centerzero import CenterZero

    layer = CenterZero(2)
    fn = tf.function(layer.__call__, input_signature=[tf.TensorSpec([None, None, 10], tf.float32)])
    x = tf.reshape(tf.range(1, 201, dtype=tf.float32), (2, 10, 10))
    expected = x.numpy().copy()
    expected[:, 4:6, 4:6] = 0
    np.testing.assert_array_equal(fn(x).numpy(), expected)


def test_eager_op_names_the_axes_value_given():
    # ReplaceComparisonOperator_Is_NotEq in center_zero (`if type(axes) is tuple` -> `is not`):
    # an int axes becomes the pair (3, 3) on the fast path, and the error names (3, 3).
    with pytest.raises(ValueError, match=r"`axes`.* got 3$"):
        center_zero(tf.zeros((10, 10)), axes=3)


# Two mutants of resolve_axes' range test `-rank <= axis < rank`, as predicates: an axis far past
# the rank (3 on rank 2) or one below -rank (-3 on rank 2) then wraps around instead of raising.
_RANGE_MUTANTS = {
    "Lt_NotEq": lambda rank, axis: -rank <= axis != rank,
    "USub_Invert": lambda rank, axis: ~rank <= axis < rank,
}


@pytest.mark.parametrize("mutant", sorted(_RANGE_MUTANTS))
def test_bad_inputs_raise_catches_an_axis_far_out_of_range_under_ci(mutant, monkeypatch):
    # ReplaceComparisonOperator_Lt_NotEq and ReplaceUnaryOperator_USub_Invert in resolve_axes:
    # reachable through the layer; the quick profile's 3 examples per cell did not draw a config
    # with such an axis, the ci profile's do (bad-inputs-raise checks 4 bad inputs per example,
    # and the spec favours the lowest invalid rank).

    from centerzero import ops
    from properties.checks.catalogue import all_properties
    from properties.running.runner import run_cell
    from properties.core.profiles import profile_settings
    from properties.specs import builtin_specs

    original, in_range = ops.resolve_axes, _RANGE_MUTANTS[mutant]

    def mutated(rank, axes):
        if rank is not None and rank >= 2 and all(in_range(rank, axis) for axis in axes):
            resolved = tuple(axis % rank for axis in axes)
            if resolved[0] != resolved[1]:
                return resolved
        return original(rank, axes)

    monkeypatch.setattr(ops, "resolve_axes", mutated)  # check_static_shape looks it up here
    prop = next(p for p in all_properties() if p.name == "bad-inputs-raise")
    cell = run_cell(builtin_specs()["center-zero"], prop, "eager", base_settings=profile_settings("ci"))
    assert cell.failures and "should raise ValueError" in cell.message, cell.message


@pytest.mark.parametrize("cached, given", [((1, -1), (True, -1)), ((0, 1), (0, True))])
def test_eager_op_rejects_a_bool_axis_even_after_the_equal_int_axes_were_cached(cached, given):
    # NumberReplacer in _plain (`type(axes[0]) is int` -> `type(axes[-1]) is int`, and
    # `type(axes[1])` -> `type(axes[0])`) and ReplaceComparisonOperator_Is_NotEq on
    # `type(axes[1]) is int` (int pairs then take the slow path, a bool pair the fast one): one
    # axis goes unchecked, so a bool axis equal to a cached int axis
    # (True == 1, False == 0) is answered by the cached plan instead of the bool ValueError.
    # size as a pair: a call that takes the slow path caches its plan under the normalised
    # pair, and a DType key equals its enum, so either path's cached plan can answer the other.
    x = tf.zeros((4, 10, 10))
    center_zero(x, size=(2, 2), axes=cached)
    with pytest.raises(ValueError, match="axes"):
        center_zero(x, size=(2, 2), axes=given)
