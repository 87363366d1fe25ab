"""Contract 1.8: every bad input is a clear error, eagerly and under tf.function."""

import numpy as np
import pytest
import tensorflow as tf

from centerzero import CenterZero

EAGER_AND_GRAPH = {"eager": lambda layer, x: layer(x), "graph": lambda layer, x: tf.function(layer)(x)}


@pytest.fixture(params=list(EAGER_AND_GRAPH))
def call(request):
    return EAGER_AND_GRAPH[request.param]


@pytest.mark.parametrize("shape", [(), (5,)])
def test_rank_below_two_names_the_rank_and_the_axes(call, shape):
    with pytest.raises(ValueError) as info:
        call(CenterZero(), tf.zeros(shape))
    assert f"rank {len(shape)}" in str(info.value) and "(-2, -1)" in str(info.value)


@pytest.mark.parametrize("axes, shape", [((-3, -2), (4, 4)), ((0, 2), (4, 4)), ((1, 5), (2, 3, 4, 4)), ((-5, 0), (3, 3))])
def test_an_axis_out_of_range_names_the_rank_and_the_axes(call, axes, shape):
    with pytest.raises(ValueError) as info:
        call(CenterZero(axes=axes), tf.zeros(shape))
    assert f"rank {len(shape)}" in str(info.value) and str(axes) in str(info.value)


def test_two_axes_naming_the_same_axis_of_this_rank(call):
    with pytest.raises(ValueError, match=r"axes=\(-1, 1\) name the same axis of an input of rank 2"):
        call(CenterZero(axes=(-1, 1)), tf.zeros((4, 4)))


@pytest.mark.parametrize(
    "size, shape, axis, length",
    [(5, (4, 6), 0, 4), ((2, 7), (3, 6, 6), 2, 6), ((1, 1), (2, 0, 3), 1, 0), (11, (10, 10), 0, 10)],
)
def test_a_window_larger_than_its_map_names_both_sizes(call, size, shape, axis, length):
    k = size if isinstance(size, int) else size[0] if axis == len(shape) - 2 else size[1]
    with pytest.raises(ValueError) as info:
        call(CenterZero(size=size), tf.zeros(shape))
    assert f"size {k} on axis {axis} of length {length}" in str(info.value), str(info.value)


def test_a_window_larger_than_a_map_known_only_at_run_time_is_invalid_argument():
    layer = CenterZero(size=(2, 5))
    run = tf.function(layer, input_signature=[tf.TensorSpec([None, None, None], tf.float32)])
    assert run(tf.zeros((1, 6, 6))).shape == (1, 6, 6)
    with pytest.raises(tf.errors.InvalidArgumentError, match="size 5 on axis 2 of length 4"):
        run(tf.zeros((1, 6, 4)))


def test_unknown_rank_is_a_value_error():
    # The op says so in its words.  The layer raises a ValueError too; under Keras 3 it is
    # Keras's own ("as_list() is not defined on an unknown TensorShape"), raised in
    # Layer.__call__ before any code of the layer runs (Keras 2 lets the layer's build say it).
    from centerzero import center_zero

    run = tf.function(center_zero, input_signature=[tf.TensorSpec(None, tf.float32)])
    with pytest.raises(ValueError, match="unknown rank"):
        run.get_concrete_function()
    run = tf.function(CenterZero(), input_signature=[tf.TensorSpec(None, tf.float32)])
    with pytest.raises(ValueError):
        run.get_concrete_function()


def test_a_string_tensor_is_a_type_error(call):
    with pytest.raises(TypeError, match="string"):
        call(CenterZero(), tf.constant([["a", "b"], ["c", "d"]]))


@pytest.mark.parametrize(
    "value, words",
    [(None, "None"), (np.array([["a", "b"], ["c", "d"]]), "string")],
    ids=["None", "unicode-array"],
)
def test_inputs_that_are_not_numeric_tensors_are_type_errors(value, words):
    with pytest.raises(TypeError) as info:
        CenterZero()(value)
    assert "CenterZero" in str(info.value) and words in str(info.value)


def test_an_object_array_is_refused_by_keras_before_the_layer_runs():
    # Keras converts NumPy inputs in Layer.__call__, before any code of the layer runs, and
    # refuses object arrays itself (a ValueError naming the object type); the op's own
    # TypeError is in tests/layer/test_ops.py.
    with pytest.raises((TypeError, ValueError), match="object"):
        CenterZero()(np.array([[1, "a"], [2, 3]], dtype=object))


def test_a_ragged_tensor_is_a_type_error():
    with pytest.raises(TypeError, match="RaggedTensor"):
        CenterZero()(tf.ragged.constant([[[1.0, 2.0]], [[3.0]]]))


def test_errors_do_not_leave_a_half_built_layer():
    layer = CenterZero(size=3)
    with pytest.raises(ValueError):
        layer(tf.zeros((2, 2)))
    assert np.asarray(layer(tf.ones((4, 4)))).sum() == 16 - 9


def test_a_zero_window_on_one_axis_does_not_skip_the_run_time_check_on_the_other():
    # Found by the property suite: size (0, 1) on a (0, 0) input returned a result when the
    # map lengths were only known at run time.
    run = tf.function(CenterZero(size=(0, 1), axes=(0, 1)), input_signature=[tf.TensorSpec([None, None], tf.bool)])
    with pytest.raises(tf.errors.InvalidArgumentError, match="size 1 on axis 1 of length 0"):
        run(tf.zeros((0, 0), tf.bool))
