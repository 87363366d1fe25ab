"""Execution modes (contract 1.6) and devices, with the compiled functions cached and traced
at most once per input signature.

A signature is ``(config, dtype, rank)``: the layer is rebuilt per config, and every compiled
mode here traces with an all-``None`` input signature, so new lengths never retrace; the
``graph`` mode, whose point is static shapes, adds the shape, and ``graph-unknown-dims`` adds
the lengths it leaves known when it mixes known and unknown ones (:func:`unknown_dims`).  ``Executor.trace_counts``
reports traces against signatures so the report can show that nothing retraced.
"""

import os
import tempfile

import numpy as np
import tensorflow as tf

from centerzero._keras import keras
from properties.failures import KnownCrashSkipped
from properties.spec import VALUE_MODES


def config_key(config):
    """A hashable key for a config dict (the layer and its compiled functions are cached by it)."""
    return repr(sorted(config.items()))


def split_cpu_for_device_checks():
    """Make two logical CPUs out of one, so that ``devices-agree`` really compares devices on a
    CPU-only machine; True where the CPU is split.  Must run before TensorFlow initialises its
    devices; later it changes nothing (and says whether an earlier call split it)."""
    cpus = tf.config.list_physical_devices("CPU")
    try:
        if len(tf.config.get_logical_device_configuration(cpus[0]) or []) < 2:
            tf.config.set_logical_device_configuration(
                cpus[0], [tf.config.LogicalDeviceConfiguration(), tf.config.LogicalDeviceConfiguration()]
            )
    except RuntimeError:
        pass  # devices already initialised: use whatever exists
    return len(tf.config.get_logical_device_configuration(cpus[0]) or []) >= 2


def devices():
    """Names of the logical CPU and GPU devices, the columns of ``devices-agree``."""
    return [d.name for d in tf.config.list_logical_devices() if d.device_type in ("CPU", "GPU")]


def input_signature(x, dims=None):
    """A one-tensor ``input_signature`` for ``x``: every length ``None`` unless ``dims`` given."""
    return [tf.TensorSpec([None] * x.ndim if dims is None else dims, tf.as_dtype(x.dtype))]


def unknown_dims(shape):
    """The ``graph-unknown-dims`` signature's lengths for an input of ``shape``: every length
    ``None`` for two shapes in three; for the third (``sum(shape) % 3``), a mix of known and
    unknown lengths, alternating by axis (even axes known when the sum leaves 1, odd axes when
    it leaves 2), so that a layer sees one map length known and the other not.  A function of
    the shape alone: the same input always traces the same signature, also while shrinking.

    >>> unknown_dims((2, 10, 10)), unknown_dims((2, 10, 11)), unknown_dims((2, 11, 11))
    ([2, None, 10], [None, 10, None], [None, None, None])
    """
    pattern = sum(int(n) for n in shape) % 3
    if pattern == 0 or len(shape) < 2:
        return [None] * len(shape)
    return [int(n) if i % 2 == pattern - 1 else None for i, n in enumerate(shape)]


class Executor:
    """Runs a spec's layer in each mode; one per property run, so trace counts are per property."""

    def __init__(self, spec, skip_known_crashes=True):
        self.spec = spec
        self.skip_known_crashes = skip_known_crashes
        self._layers = {}
        self._functions = {}  # (mode, signature) -> tf.function or model
        self._tmp = None

    # -- building blocks -------------------------------------------------------------------
    def layer(self, config):
        key = config_key(config)
        if key not in self._layers:
            self._layers[key] = self.spec.build(config)
        return self._layers[key]

    def _cached(self, mode, key, make):
        if (mode, key) not in self._functions:
            self._functions[(mode, key)] = make()
        return self._functions[(mode, key)]

    def cached_function(self, mode, config, key, make):
        """A compiled function (or model) a property builds itself, cached like the modes'
        own per config and ``key``, so that its traces count in ``trace_counts``."""
        return self._cached(mode, (config_key(config),) + tuple(key), make)

    def _tmpdir(self):
        if self._tmp is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="properties-")
        return self._tmp.name

    def artifacts(self, mode):
        """The models and reloaded objects a mode built, for checks on them (``no-weights``)."""
        found = [obj for (m, _), obj in self._functions.items() if m == mode]
        return [obj for obj in found if not isinstance(obj, tf.types.experimental.GenericFunction)]

    def trace_counts(self):
        """``{mode: {"traces": n, "signatures": m}}`` for the modes that trace."""
        counts = {}
        for (mode, _), fn in self._functions.items():
            if isinstance(fn, tf.types.experimental.GenericFunction):
                entry = counts.setdefault(mode, {"traces": 0, "signatures": 0})
                entry["traces"] += fn.experimental_get_tracing_count()
                entry["signatures"] += 1
        return counts

    def _refuse_known_crash(self, op, mode, config, x):
        crash = self.spec.known_crash(op, mode, x, config) if self.skip_known_crashes else None
        if crash is not None:
            raise KnownCrashSkipped(crash)

    # -- the modes -------------------------------------------------------------------------
    def run(self, mode, config, x, device=None):
        """``(seen, out)``: the input as the layer received it, and its output, as NumPy."""
        self._refuse_known_crash("call", mode, config, x)
        if device is not None:
            with tf.device(device):
                return self.run(mode, config, x)
        runner = getattr(self, "_run_" + mode.replace("-", "_"))
        return runner(config, x)

    def _run_eager(self, config, x):
        return x, np.asarray(self.layer(config)(x))

    def _run_graph(self, config, x):
        key = (config_key(config), x.dtype.str, x.shape)
        layer = self.layer(config)
        fn = self._cached("graph", key, lambda: tf.function(layer.__call__, input_signature=input_signature(x, x.shape)))
        return x, np.asarray(fn(x))

    def _run_graph_unknown_dims(self, config, x):
        dims = unknown_dims(x.shape)
        key = (config_key(config), x.dtype.str, tuple(dims))
        layer = self.layer(config)
        fn = self._cached("graph-unknown-dims", key,
                          lambda: tf.function(layer.__call__, input_signature=input_signature(x, dims)))
        return x, np.asarray(fn(x))

    def _run_xla(self, config, x):
        key = (config_key(config), x.dtype.str, x.ndim)
        layer = self.layer(config)
        fn = self._cached(
            "xla", key, lambda: tf.function(layer.__call__, input_signature=input_signature(x), jit_compile=True)
        )
        return x, np.asarray(fn(x))

    def _model(self, config, x, layer=None):
        inputs = keras.Input(shape=(None,) * (x.ndim - 1), dtype=tf.as_dtype(x.dtype).name)
        return keras.Model(inputs, [inputs, (layer or self.layer(config))(inputs)])

    def _run_model_predict(self, config, x):
        key = (config_key(config), x.dtype.str, x.ndim)
        model = self._cached("model-predict", key, lambda: self._model(config, x))
        if x.shape[0] == 0:
            # Keras's predict loop yields no batch for zero samples, with or without the layer.
            seen, out = model(x)
        else:
            # predict is judged against what the same pipeline delivers without the layer:
            # Keras's data adapter casts float64 to floatx and quiets float16 signalling NaNs.
            # One batch: predict splits axis 0 into batches, and a layer whose map spans axis 0
            # would see other maps.
            seen, out = model.predict(x, verbose=0, batch_size=x.shape[0])
        return np.asarray(seen), np.asarray(out)

    def _run_from_config(self, config, x):
        layer = self.layer(config)
        clone = self._cached("from-config", config_key(config), lambda: type(layer).from_config(layer.get_config()))
        return x, np.asarray(clone(x))

    def _keras_file_model(self, config, x):
        key = (config_key(config), x.dtype.str, x.ndim)

        def make():
            path = os.path.join(self._tmpdir(), f"model-{len(self._functions)}.keras")
            inputs = keras.Input(shape=(None,) * (x.ndim - 1), dtype=tf.as_dtype(x.dtype).name)
            keras.Model(inputs, self.spec.build(config)(inputs)).save(path)
            return keras.models.load_model(path)  # no custom_objects: registration must do

        return self._cached("keras-file", key, make)

    def _saved_module(self, config, x):
        key = (config_key(config), x.dtype.str, x.ndim)

        def make():
            module = tf.Module()
            module.layer = self.spec.build(config)
            module.call = tf.function(lambda t: module.layer(t), input_signature=input_signature(x))
            path = os.path.join(self._tmpdir(), f"saved-{len(self._functions)}")
            tf.saved_model.save(module, path)
            return tf.saved_model.load(path)

        return self._cached("saved-model", key, make)

    def _run_keras_file(self, config, x):
        return x, np.asarray(self._keras_file_model(config, x)(x))

    def _run_saved_model(self, config, x):
        return x, np.asarray(self._saved_module(config, x).call(tf.constant(x)))

    # -- gradients -------------------------------------------------------------------------
    def gradient(self, mode, config, x):
        """d(sum of outputs)/d(input) in ``mode``, as NumPy, or None if there is none."""
        self._refuse_known_crash("gradient", mode, config, x)

        def gradient_of(fn):
            def grad(t):
                with tf.GradientTape() as tape:
                    tape.watch(t)
                    y = fn(t)
                return tape.gradient(y, t)

            return grad

        t = tf.constant(x)
        if mode == "eager":
            g = gradient_of(self.layer(config))(t)
        elif mode in ("graph", "graph-unknown-dims", "xla"):
            key = (config_key(config), x.dtype.str, x.shape if mode == "graph" else x.ndim)
            layer = self.layer(config)
            fn = self._cached(
                "gradient-" + mode,
                key,
                lambda: tf.function(
                    gradient_of(layer),
                    input_signature=input_signature(x, x.shape if mode == "graph" else None),
                    jit_compile=(mode == "xla"),
                ),
            )
            g = fn(t)
        elif mode == "from-config":
            layer = self.layer(config)
            g = gradient_of(type(layer).from_config(layer.get_config()))(t)
        elif mode == "keras-file":
            g = gradient_of(self._keras_file_model(config, x))(t)
        elif mode == "saved-model":
            g = gradient_of(self._saved_module(config, x).call)(t)
        else:
            raise ValueError(f"no gradient in mode {mode!r}")
        return None if g is None else np.asarray(g)


GRADIENT_MODES = ("eager", "graph", "graph-unknown-dims", "xla", "from-config", "keras-file", "saved-model")
ALL_MODES = VALUE_MODES
