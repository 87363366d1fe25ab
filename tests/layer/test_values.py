"""Contract 1.3 and 1.4: +0 inside the window, every other bit untouched, for all 15 dtypes."""

import numpy as np
import pytest
import tensorflow as tf

from centerzero import SUPPORTED_DTYPES, CenterZero
from tensorflow import keras  # the Keras tf.keras is: Keras 3, Keras 2.15 or tf_keras
from properties.core.bits import as_bits, assert_bitwise_equal
from properties.specs.windows import center_window_expected, center_window_zeroed
from properties.core.dtypes import numpy_dtype
from properties.strategies.special_values import special_values
from tests.layer.execution_modes import ALL_MODES

DTYPE_NAMES = [d.name for d in SUPPORTED_DTYPES]


def special_batch(dtype, h=6, w=7):
    """One map per special value, filled with it, then one map cycling through all of them."""
    values = special_values(dtype)
    maps = np.repeat(values, h * w).reshape(len(values), h, w)
    cycled = np.resize(values, h * w).reshape(1, h, w)
    return np.concatenate([maps, cycled])


@pytest.mark.parametrize("mode", list(ALL_MODES))
@pytest.mark.parametrize("dtype", DTYPE_NAMES)
def test_special_values_survive_outside_the_window_and_become_positive_zero_inside(dtype, mode):
    x = special_batch(dtype)
    seen, out = ALL_MODES[mode](CenterZero(size=(2, 3)), x)
    assert out.dtype == numpy_dtype(dtype), f"out.dtype={out.dtype}, but should be {dtype} [{mode}]"
    assert_bitwise_equal(out, center_window_expected(seen, (2, 3)), f"CenterZero(size=(2, 3)), {dtype}, {mode}")


@pytest.mark.parametrize("dtype", DTYPE_NAMES)
def test_zeros_inside_the_window_have_a_clear_sign_bit(dtype):
    x = -np.abs(special_batch(dtype)) if tf.as_dtype(dtype).is_floating else special_batch(dtype)
    out = np.asarray(CenterZero()(x))
    inside = as_bits(out)[center_window_zeroed(x.shape)]
    assert (inside == 0).all(), inside


def test_subnormals_are_not_flushed_outside_the_window():
    # TensorFlow's CPU multiply flushes these to zero: the blog's `x * mask` loses them.
    x = np.full((4, 4), np.float32(1e-40))
    out = np.asarray(CenterZero()(x))
    assert (as_bits(out)[0] == as_bits(x)[0]).all()


@pytest.mark.parametrize("policy", ["mixed_float16", "mixed_bfloat16", "float16"])
@pytest.mark.parametrize("dtype", ["float32", "float64", "bfloat16", "int32", "bool"])
def test_output_dtype_is_input_dtype_under_any_dtype_policy(policy, dtype):
    previous = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy(policy)
    try:
        layer = CenterZero()
        x = special_batch(dtype)
        out = layer(x)
        assert out.dtype == tf.as_dtype(dtype), f"out.dtype={out.dtype.name}, but should be {dtype} [{policy}]"
        assert_bitwise_equal(np.asarray(out), center_window_expected(x), policy)
    finally:
        keras.mixed_precision.set_global_policy(previous)


@pytest.mark.parametrize("dtype", ["float32", "uint8"])
def test_layer_dtype_argument_does_not_cast(dtype):
    x = special_batch(dtype)
    out = CenterZero(dtype="float16")(x)
    assert out.dtype == tf.as_dtype(dtype)


def test_a_string_tensor_is_a_type_error_naming_the_dtype():
    with pytest.raises(TypeError, match="string"):
        CenterZero()(tf.constant([["a", "b"], ["c", "d"]]))


@pytest.mark.parametrize("dtype", ["qint8", "quint16", "resource", "variant"])
def test_unsupported_dtypes_are_type_errors_naming_the_dtype(dtype):
    from centerzero.ops import check_dtype

    with pytest.raises(TypeError, match=dtype):
        check_dtype(getattr(tf, dtype))
