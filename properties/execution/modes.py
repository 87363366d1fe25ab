"""The execution modes of contract 1.6, one small class each: how a mode calls a layer, and
what it differentiates for the gradient.

Every compiled mode traces with an all-``None`` input signature, keyed ``(config, dtype,
rank)``, so new lengths never retrace; ``graph``, whose point is static shapes, adds the shape,
and ``graph-unknown-dims`` the lengths it leaves known (:func:`unknown_dims`).  The
:class:`~properties.execution.executor.Executor` holds the caches each mode fills through
``executor.cached(mode, key, make)``.
"""

import os

import tensorflow as tf

from properties.core.keras_compat import keras
from properties.spec.mask_spec import VALUE_MODES


def config_key(config):
    """A hashable key for a config dict (the layer and its compiled functions are cached by it)."""
    return repr(sorted(config.items()))


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


def gradient_of(fn):
    """``t -> d(sum of fn(t))/dt``."""
    def grad(t):
        with tf.GradientTape() as tape:
            tape.watch(t)
            y = fn(t)
        return tape.gradient(y, t)

    return grad


class Mode:
    """One execution mode: ``call`` returns ``(seen, out)``, the input as the layer received it
    and its output; ``gradient`` returns the input gradient of the summed output, or None."""

    name = None

    def call(self, executor, config, x):
        raise NotImplementedError

    def gradient(self, executor, config, x):
        raise ValueError(f"no gradient in mode {self.name!r}")


class Eager(Mode):
    name = "eager"

    def call(self, executor, config, x):
        return x, executor.layer(config)(x)

    def gradient(self, executor, config, x):
        return gradient_of(executor.layer(config))(tf.constant(x))


class Traced(Mode):
    """A ``tf.function`` of the layer's ``__call__``: ``graph`` (static shapes),
    ``graph-unknown-dims`` and ``xla`` (``jit_compile=True``)."""

    def __init__(self, name, jit_compile=False):
        self.name, self.jit_compile = name, jit_compile

    def dims(self, x):
        """The input signature's lengths (None: all unknown) and the part of the cache key they add."""
        return None, x.ndim

    def call(self, executor, config, x):
        dims, key = self.dims(x)
        layer = executor.layer(config)
        fn = executor.cached(self.name, (config_key(config), x.dtype.str, key), lambda: tf.function(
            layer.__call__, input_signature=input_signature(x, dims), jit_compile=self.jit_compile))
        return x, fn(x)

    def gradient(self, executor, config, x):
        # The gradient's function keeps static lengths in ``graph`` only, and every other
        # traced mode differentiates with all lengths unknown.
        dims = key = x.shape if self.name == "graph" else None
        key = key or x.ndim
        layer = executor.layer(config)
        fn = executor.cached("gradient-" + self.name, (config_key(config), x.dtype.str, key), lambda: tf.function(
            gradient_of(layer), input_signature=input_signature(x, dims), jit_compile=self.jit_compile))
        return fn(tf.constant(x))


class Graph(Traced):
    def __init__(self):
        super().__init__("graph")

    def dims(self, x):
        return x.shape, x.shape


class GraphUnknownDims(Traced):
    def __init__(self):
        super().__init__("graph-unknown-dims")

    def dims(self, x):
        dims = unknown_dims(x.shape)
        return dims, tuple(dims)


class XLA(Traced):
    """``tf.function(jit_compile=True)``: every length unknown for three inputs in four, static
    for the fourth (``sum(shape) % 4 == 0``), so XLA also compiles the static-shape programs a
    Keras model with fixed input sizes gets, empty inputs among them.  A function of the shape
    alone: the same input always takes the same signature."""

    def __init__(self):
        super().__init__("xla", jit_compile=True)

    def dims(self, x):
        if static_in_xla(x.shape):
            return x.shape, x.shape
        return None, x.ndim


def static_in_xla(shape):
    """Whether the ``xla`` column traces an input of ``shape`` with its static shape."""
    return sum(int(n) for n in shape) % 4 == 0


class ModelPredict(Mode):
    """``Model.predict`` of a functional model, judged against what the same pipeline delivers
    without the layer: Keras's data adapter casts float64 to floatx and quiets float16
    signalling NaNs."""

    name = "model-predict"

    def call(self, executor, config, x):
        model = executor.cached(self.name, (config_key(config), x.dtype.str, x.ndim),
                                lambda: functional_model(x, executor.layer(config), outputs_input=True))
        if x.shape[0] == 0:
            # Keras's predict loop yields no batch for zero samples, with or without the layer.
            return model(x)
        # One batch: predict splits axis 0 into batches, and a layer whose map spans axis 0
        # would see other maps.
        return model.predict(x, verbose=0, batch_size=x.shape[0])


class FromConfig(Mode):
    """A clone made by ``from_config(get_config())``."""

    name = "from-config"

    def clone(self, executor, config):
        layer = executor.layer(config)
        return type(layer).from_config(layer.get_config())

    def call(self, executor, config, x):
        return x, executor.cached(self.name, config_key(config), lambda: self.clone(executor, config))(x)

    def gradient(self, executor, config, x):
        return gradient_of(self.clone(executor, config))(tf.constant(x))


class KerasFile(Mode):
    """A model saved to a ``.keras`` file and loaded back without ``custom_objects``."""

    name = "keras-file"

    def model(self, executor, config, x):
        def make():
            path = os.path.join(executor.tmpdir(), f"model-{executor.cache_size()}.keras")
            functional_model(x, executor.spec.build(config)).save(path)
            return keras.models.load_model(path)  # no custom_objects: registration must do

        return executor.cached(self.name, (config_key(config), x.dtype.str, x.ndim), make)

    def call(self, executor, config, x):
        return x, self.model(executor, config, x)(x)

    def gradient(self, executor, config, x):
        return gradient_of(self.model(executor, config, x))(tf.constant(x))


class SavedModel(Mode):
    """A ``tf.Module`` holding the layer, saved with ``tf.saved_model.save`` and loaded back."""

    name = "saved-model"

    def module(self, executor, config, x):
        def make():
            module = tf.Module()
            module.layer = executor.spec.build(config)
            module.call = tf.function(lambda t: module.layer(t), input_signature=input_signature(x))
            path = os.path.join(executor.tmpdir(), f"saved-{executor.cache_size()}")
            tf.saved_model.save(module, path)
            return tf.saved_model.load(path)

        return executor.cached(self.name, (config_key(config), x.dtype.str, x.ndim), make)

    def call(self, executor, config, x):
        return x, self.module(executor, config, x).call(tf.constant(x))

    def gradient(self, executor, config, x):
        return gradient_of(self.module(executor, config, x).call)(tf.constant(x))


def functional_model(x, layer, outputs_input=False):
    """A functional model around ``layer`` for inputs like ``x`` (every length but the batch
    free); with ``outputs_input``, the model also returns its input as the pipeline delivered it."""
    inputs = keras.Input(shape=(None,) * (x.ndim - 1), dtype=tf.as_dtype(x.dtype).name)
    outputs = layer(inputs)
    return keras.Model(inputs, [inputs, outputs] if outputs_input else outputs)


#: Every mode by name, in the order of ``VALUE_MODES``.
MODES = {mode.name: mode for mode in (
    Eager(), Graph(), GraphUnknownDims(), XLA(), ModelPredict(), FromConfig(), KerasFile(),
    SavedModel(),
)}

GRADIENT_MODES = tuple(name for name, mode in MODES.items() if type(mode).gradient is not Mode.gradient)
ALL_MODES = VALUE_MODES
