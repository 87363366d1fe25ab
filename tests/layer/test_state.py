"""Contract 1.5: no weights, one instance for every shape, the input never modified."""

import numpy as np
import pytest
import tensorflow as tf

from centerzero import CenterZero
from properties.core.bits import as_bits, assert_bitwise_equal
from properties.specs.windows import center_window_expected
from properties.strategies.special_values import special_values


def assert_no_weights(layer):
    assert layer.weights == [] and layer.trainable_weights == [] and layer.non_trainable_weights == []


def test_no_weights_before_or_after_calls():
    layer = CenterZero(size=3)
    assert_no_weights(layer)
    layer(np.ones((2, 5, 5), np.float32))
    tf.function(layer)(tf.ones((4, 1, 6, 6), tf.int8))
    assert_no_weights(layer)
    assert layer.count_params() == 0


def test_one_instance_serves_many_shapes_ranks_and_dtypes_in_a_row():
    layer = CenterZero(size=(1, 2))
    graph_layer = tf.function(layer)
    inputs = [
        np.arange(1, 13, dtype=np.float32).reshape(3, 4),
        np.arange(1, 61, dtype=np.int16).reshape(5, 3, 4),
        special_values("float64").reshape(1, 1, 1, 11, 1).repeat(3, axis=-1),
        np.ones((2, 1, 2, 1, 7, 9), np.uint8),
        np.arange(1, 13, dtype=np.float32).reshape(3, 4) * -1,
        np.ones((0, 4, 4), bool),
    ]
    for x in inputs:
        for run in (layer, graph_layer):
            out = np.asarray(run(x))
            assert_bitwise_equal(out, center_window_expected(x, (1, 2)), f"shape={x.shape}, dtype={x.dtype}")


@pytest.mark.parametrize("dtype", ["float32", "int64", "complex64", "bool"])
def test_a_writable_numpy_input_is_never_modified(dtype):
    x = np.resize(special_values(dtype), (3, 6, 6))
    x.setflags(write=True)
    before = as_bits(x).copy()
    CenterZero()(x)
    tf.function(CenterZero())(x)
    assert (as_bits(x) == before).all()


def test_a_tensor_and_a_variable_input_are_never_modified():
    x = tf.constant(np.arange(1, 37, dtype=np.float32).reshape(6, 6))
    v = tf.Variable(x)
    before = as_bits(x.numpy()).copy()
    CenterZero()(x)
    CenterZero()(v)
    assert (as_bits(x.numpy()) == before).all()
    assert (as_bits(v.numpy()) == before).all()
