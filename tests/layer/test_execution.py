"""Contract 1.6: eager, graph, unknown dims, XLA and predict agree bit for bit; gradients."""

import numpy as np
import pytest
import tensorflow as tf

from centerzero import CenterZero
from tensorflow import keras  # the Keras tf.keras is: Keras 3, Keras 2.15 or tf_keras
from properties.core.bits import as_bits, assert_bitwise_equal
from properties.specs.windows import center_window_expected, center_window_zeroed
from properties.strategies.special_values import special_values
from tests.layer.execution_modes import ALL_MODES


@pytest.mark.parametrize("mode", list(ALL_MODES))
@pytest.mark.parametrize("dtype", ["float32", "bfloat16", "uint16", "complex128", "bool"])
def test_every_mode_gives_the_eager_bits(dtype, mode):
    layer = CenterZero(size=(3, 2), axes=(-3, -2))
    x = np.resize(special_values(dtype), (2, 7, 6, 3))
    _, eager_out = ALL_MODES["eager"](layer, x)
    seen, out = ALL_MODES[mode](layer, x)
    if mode != "model-predict":
        assert_bitwise_equal(out, eager_out, f"{mode} vs eager")
    assert_bitwise_equal(out, center_window_expected(seen, (3, 2), (-3, -2)), mode)


@pytest.mark.parametrize("mode", [m for m in ALL_MODES if m != "model-predict"])
def test_empty_batch_works_in_every_mode(mode):
    seen, out = ALL_MODES[mode](CenterZero(), np.zeros((0, 5, 4), np.float32))
    assert out.shape == (0, 5, 4) and out.dtype == np.float32


def test_empty_batch_works_in_a_functional_model():
    inputs = keras.Input((5, 4))
    model = keras.Model(inputs, CenterZero()(inputs))
    assert tuple(model(np.zeros((0, 5, 4), np.float32)).shape) == (0, 5, 4)
    # `predict` is left out above because Keras's predict loop itself yields no batch for
    # zero samples; this checks that claim on a model without CenterZero.
    identity = keras.Model(inputs, inputs)
    try:
        result = identity.predict(np.zeros((0, 5, 4), np.float32), verbose=0)
    except Exception:
        return
    assert np.asarray(result).shape == (0, 5, 4), "Keras now predicts on empty input: add model-predict above"


def test_every_available_device_gives_the_same_bits():
    x = np.resize(special_values("float32"), (2, 6, 6))
    outputs = {}
    for device in tf.config.list_logical_devices():
        if device.device_type not in ("CPU", "GPU"):
            continue
        with tf.device(device.name):
            outputs[device.name] = np.asarray(CenterZero()(tf.constant(x)))
    assert outputs, "no device found"
    for name, out in outputs.items():
        assert_bitwise_equal(out, center_window_expected(x), name)


def gradient(layer, x, compile_mode):
    def grad(t):
        with tf.GradientTape() as tape:
            tape.watch(t)
            y = layer(t)
        return tape.gradient(y, t)

    if compile_mode == "graph":
        grad = tf.function(grad)
    elif compile_mode == "xla":
        grad = tf.function(grad, jit_compile=True)
    return np.asarray(grad(tf.constant(x)))


@pytest.mark.parametrize("compile_mode", ["eager", "graph", "xla"])
@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
def test_gradient_with_respect_to_the_input_is_the_mask(dtype, compile_mode):
    # The input holds NaN and inf, inside the window too: the gradient must still be exact.
    x = np.resize(special_values(dtype), (2, 5, 6))
    g = gradient(CenterZero(size=(3, 2)), x, compile_mode)
    mask = (~center_window_zeroed(x.shape, (3, 2))).astype(x.dtype)
    assert_bitwise_equal(g, mask, f"gradient, {dtype}, {compile_mode}")


def test_gradient_of_an_inf_upstream_stays_inf_outside_and_positive_zero_inside():
    x = tf.ones((4, 4))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = CenterZero()(x)
    g = tape.gradient(y, x, output_gradients=tf.fill((4, 4), np.inf)).numpy()
    assert np.isinf(g[0, 0]) and (as_bits(g[1:3, 1:3]) == 0).all()
