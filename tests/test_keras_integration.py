"""Contract 1.7: config round trip, .keras files, masks, symbolic calls, which Keras."""

import numpy as np
import pytest
import tensorflow as tf

import centerzero
from centerzero import CenterZero
from centerzero._keras import IS_KERAS_3, keras
from properties.bitwise import assert_bitwise_equal
from properties.center_window import center_window_expected
from properties.special_values import special_values


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
def test_an_eager_call_of_a_built_layer_runs_the_op_directly(keras_calls, kwargs):
    layer = CenterZero(size=(3, 2), axes=(-3, -2))
    x = tf.constant(np.resize(special_values("float32"), (2, 7, 6, 3)))
    assert_bitwise_equal(layer(x, **kwargs).numpy(), center_window_expected(x.numpy(), (3, 2), (-3, -2)))
    assert len(keras_calls) == 1 and layer.built  # the first call builds, through Keras
    for shape in [(2, 7, 6, 3), (5, 9, 4, 1)]:
        x = tf.constant(np.resize(special_values("float32"), shape))
        assert_bitwise_equal(layer(x, **kwargs).numpy(), center_window_expected(x.numpy(), (3, 2), (-3, -2)))
    assert len(keras_calls) == 1


def test_a_built_layer_still_checks_each_eager_call():
    layer = CenterZero(size=3)
    layer(tf.zeros((4, 4)))
    with pytest.raises(ValueError, match="size 3 on axis 1 of length 2"):
        layer(tf.zeros((4, 2)))
    with pytest.raises(TypeError, match="string"):
        layer(tf.constant([["a"] * 4] * 4))


def test_keras_runs_the_call_when_the_input_carries_a_mask(keras_calls):
    layer = CenterZero(size=(1, 2))
    layer(tf.zeros((2, 5, 4)))
    x = tf.ones((2, 5, 4))
    mask = tf.constant([[True, True, True, False, False], [True] * 5])
    x._keras_mask = mask  # where Keras 2 and Keras 3 keep an eager tensor's mask
    out = layer(x)
    assert len(keras_calls) == 2
    assert np.array_equal(np.asarray(keras_mask_of(out)), mask.numpy())


def test_keras_runs_the_call_for_an_activity_regularizer(keras_calls):
    layer = CenterZero(size=1, activity_regularizer=keras.regularizers.L1(1.0))
    x = tf.fill((3, 3), 2.0)
    layer(x)
    layer(x)
    assert len(keras_calls) == 2
    assert len(layer.losses) == 1 and float(layer.losses[0]) > 0


def test_keras_runs_the_call_for_an_input_spec(keras_calls):
    layer = CenterZero(size=1)
    layer(tf.zeros((3, 3)))
    layer.input_spec = keras.layers.InputSpec(ndim=3)
    with pytest.raises(ValueError, match="ndim"):
        layer(tf.zeros((3, 3)))
    assert len(keras_calls) == 2


def test_keras_runs_the_call_inside_a_tf_function(keras_calls):
    layer = CenterZero(size=1)
    x = tf.fill((3, 3), 2.0)
    layer(x)
    traced = tf.function(lambda: layer(x))  # x is an eager tensor captured by the graph
    assert_bitwise_equal(traced().numpy(), center_window_expected(x.numpy(), (1, 1), (-2, -1)))
    assert len(keras_calls) == 2


class _RecordingDistribution:
    """What Keras 3's `Layer.__call__` asks of a distribution: the layout of each output."""

    def __init__(self):
        self.paths = []

    def get_tensor_layout(self, path):
        self.paths.append(path)
        return None  # no layout: the output stays as it is


@pytest.mark.skipif(not IS_KERAS_3, reason="Keras 3's distribution API")
def test_keras_runs_the_call_under_a_distribution(keras_calls):
    layer = CenterZero(size=1)
    x = tf.fill((3, 3), 2.0)
    layer(x)
    keras.backend.clear_session()  # Keras 3 replaces its thread-local state here
    distribution = _RecordingDistribution()
    keras.distribution.set_distribution(distribution)
    try:
        out = layer(x)
    finally:
        keras.distribution.set_distribution(None)
    assert len(keras_calls) == 2 and distribution.paths  # Keras asked for the output's layout
    assert_bitwise_equal(out.numpy(), center_window_expected(x.numpy(), (1, 1), (-2, -1)))
    layer(x)  # the distribution is gone: the direct call again
    assert len(keras_calls) == 2


@pytest.mark.skipif(not IS_KERAS_3, reason="Keras 3's distribution API")
def test_a_distribution_set_in_another_thread_leaves_this_one_alone(keras_calls):
    # Keras keeps the distribution per thread; so does the layer's check of it.
    import threading

    layer = CenterZero(size=1)
    x = tf.fill((3, 3), 2.0)
    layer(x)
    distribution = _RecordingDistribution()
    worker = threading.Thread(target=keras.distribution.set_distribution, args=(distribution,))
    worker.start()
    worker.join()
    assert keras.distribution.distribution() is None
    layer(x)
    assert len(keras_calls) == 1 and not distribution.paths


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
