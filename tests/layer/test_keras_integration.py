"""Contract 1.7: config round trip, .keras files, masks, symbolic calls, which Keras."""

import numpy as np
import pytest
import tensorflow as tf

import centerzero
from centerzero import CenterZero
from tensorflow import keras  # the Keras tf.keras is: Keras 3, Keras 2.15 or tf_keras
from properties.core.bits import assert_bitwise_equal
from properties.specs.windows import center_window_expected
from properties.strategies.special_values import special_values

IS_KERAS_3 = hasattr(keras, "ops")


def test_the_layer_belongs_to_the_keras_that_tf_keras_resolves_to():
    assert isinstance(CenterZero(), tf.keras.layers.Layer)


@pytest.mark.parametrize(
    "kwargs", [{}, {"size": 3}, {"size": (0, 5), "axes": (-3, -2)}, {"size": [1, 2], "axes": [2, 0], "name": "z"}]
)
def test_get_config_from_config_round_trips_every_argument(kwargs):
    layer = CenterZero(**kwargs)
    config = layer.get_config()
    clone = CenterZero.from_config(config)
    assert clone.get_config() == config
    assert (clone.size, clone.axes) == (layer.size, layer.axes)
    x = np.resize(special_values("float32"), (2, 6, 6, 6))
    assert_bitwise_equal(np.asarray(clone(x)), np.asarray(layer(x)))


def test_config_survives_json():
    import json

    config = CenterZero(size=(1, 3), axes=(0, 2)).get_config()
    assert CenterZero.from_config(json.loads(json.dumps(config))).get_config() == config


def test_a_model_saved_to_keras_format_loads_back_without_custom_objects(tmp_path):
    inputs = keras.Input((7, 6, 3), dtype="float32")
    model = keras.Model(inputs, CenterZero(size=(3, 2), axes=(-3, -2))(inputs))
    path = str(tmp_path / "model.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    x = np.resize(special_values("float32"), (2, 7, 6, 3))
    restored = [layer for layer in loaded.layers if isinstance(layer, CenterZero)]
    assert len(restored) == 1 and restored[0].size == (3, 2) and restored[0].axes == (-3, -2)
    assert_bitwise_equal(np.asarray(loaded(x)), np.asarray(model(x)))
    assert_bitwise_equal(np.asarray(loaded(x)), center_window_expected(x, (3, 2), (-3, -2)))


def test_the_registered_name_is_stable():
    name = keras.utils.get_registered_name(CenterZero)
    assert name == "centerzero>CenterZero"
    assert keras.utils.get_registered_object(name) is centerzero.CenterZero


def keras_mask_of(tensor):
    mask = getattr(tensor, "_keras_mask", None)
    if mask is None and IS_KERAS_3:
        from keras.src.backend import get_keras_mask

        mask = get_keras_mask(tensor)
    return mask


def test_an_incoming_keras_mask_passes_through_unchanged():
    x = np.ones((2, 5, 4), np.float32)
    x[0, 3:] = 0.0  # Masking hides the last two time steps of the first sample
    expected_mask = np.array([[True, True, True, False, False], [True] * 5])
    layer = CenterZero(size=(1, 2))
    assert layer.supports_masking
    assert np.array_equal(np.asarray(layer.compute_mask(x, tf.constant(expected_mask))), expected_mask)

    inputs = keras.Input((5, 4))
    model = keras.Model(inputs, CenterZero(size=(1, 2))(keras.layers.Masking(mask_value=0.0)(inputs)))
    assert np.array_equal(np.asarray(keras_mask_of(model(x))), expected_mask)


@pytest.mark.parametrize("dtype", ["float16", "int8", "uint64", "bool", "complex64", "float64"])
def test_symbolic_call_gives_the_input_shape_and_dtype(dtype):
    inputs = keras.Input((None, 9, 3), dtype=dtype)
    outputs = CenterZero(axes=(-3, -2))(inputs)
    assert tuple(outputs.shape) == tuple(inputs.shape)
    assert tf.as_dtype(outputs.dtype) == tf.as_dtype(dtype)


def test_compute_output_shape_is_the_input_shape():
    assert tuple(CenterZero().compute_output_shape((None, 3, 8, 8))) == (None, 3, 8, 8)


def test_a_symbolic_call_checks_rank_and_window():
    with pytest.raises(ValueError, match="rank 1"):
        CenterZero()(keras.Input((), dtype="float32", batch_size=4))
    with pytest.raises(ValueError, match="size 5 on axis 2 of length 4"):
        CenterZero(size=5)(keras.Input((9, 4)))


# --- eager calls of a built layer skip Keras's `Layer.__call__` when it has nothing to do ----


@pytest.fixture
def keras_calls(monkeypatch):
    """Counts the calls that reach Keras's own `Layer.__call__`."""
    calls = []
    original = keras.layers.Layer.__call__

    def counting(self, *args, **kwargs):
        calls.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(keras.layers.Layer, "__call__", counting)
    return calls


@pytest.mark.parametrize("kwargs", [{}, {"training": True}, {"training": False}, {"training": None}])
def test_every_call_goes_through_keras(keras_calls, kwargs):
    """No shortcut past ``Layer.__call__``: Keras's name scopes, input specs, masks and
    distribution run for this layer as for any other (contract 2.7)."""
    layer = CenterZero(size=(3, 2), axes=(-3, -2))
    for shape in [(2, 7, 6, 3), (2, 7, 6, 3), (5, 9, 4, 1)]:
        x = tf.constant(np.resize(special_values("float32"), shape))
        assert_bitwise_equal(layer(x, **kwargs).numpy(), center_window_expected(x.numpy(), (3, 2), (-3, -2)))
    assert len(keras_calls) == 3 and layer.built


def test_a_built_layer_still_checks_each_eager_call():
    layer = CenterZero(size=3)
    layer(tf.zeros((4, 4)))
    with pytest.raises(ValueError, match="size 3 on axis 1 of length 2"):
        layer(tf.zeros((4, 2)))
    with pytest.raises(TypeError, match="string"):
        layer(tf.constant([["a"] * 4] * 4))


def test_a_subclass_that_overrides_call_is_called_in_eager_mode():
    class Doubles(CenterZero):
        def call(self, inputs):
            return 2 * super().call(inputs)

    layer = Doubles(size=1)
    x = tf.fill((3, 3), 2.0)
    for _ in range(2):  # the second call comes after the layer is built
        assert_bitwise_equal(layer(x).numpy(), 2 * center_window_expected(x.numpy(), (1, 1), (-2, -1)))


def test_a_subclass_that_overrides_compute_mask_keeps_its_mask_in_eager_mode():
    class MasksEverything(CenterZero):
        def compute_mask(self, inputs, previous_mask=None):
            return tf.ones(tf.shape(inputs)[:-1], tf.bool)

    layer = MasksEverything(size=1)
    x = tf.fill((3, 3), 2.0)
    for _ in range(2):  # the second call comes after the layer is built
        assert np.array_equal(np.asarray(keras_mask_of(layer(x))), [True] * 3)
