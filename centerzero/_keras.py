"""The one place where Keras 2 and Keras 3 differ for this package.

The layer must belong to whichever Keras ``tf.keras`` resolves to: Keras 2.15 with
TensorFlow 2.15, ``tf_keras`` under ``TF_USE_LEGACY_KERAS=1``, Keras 3 otherwise.  A plain
``import keras`` would pick Keras 3 even when the user's models are ``tf_keras`` models, so
everything here goes through ``tf.keras``.
"""

import tensorflow as tf

from centerzero.ops import executing_eagerly

keras = tf.keras

#: True for Keras 3 (``keras._tf_keras.keras``), False for Keras 2 and ``tf_keras``.
IS_KERAS_3 = hasattr(keras, "ops")

register_serializable = keras.utils.register_keras_serializable


def keras_name():
    """Which Keras ``tf.keras`` is, as the module name tells it (for reports)."""
    return keras.__name__


def keras_version():
    if IS_KERAS_3:
        return keras.version()
    import importlib.metadata as md

    for dist in ("tf-keras", "tf_keras", "keras"):
        try:
            return md.version(dist)
        except md.PackageNotFoundError:
            continue
    return "unknown"


def symbolic_like(layer, inputs):
    """Output spec of a dtype-preserving, shape-preserving layer on a symbolic input.

    Keras 3 reports ``compute_dtype`` by default and Keras 2 the layer dtype; this layer
    keeps the input's dtype, as Keras's own ``Identity`` does.
    """
    if IS_KERAS_3:
        return keras.KerasTensor(inputs.shape, dtype=inputs.dtype, sparse=getattr(inputs, "sparse", False))
    return tf.TensorSpec(inputs.shape, inputs.dtype)


def _public_distribution():
    return keras.distribution.distribution() if IS_KERAS_3 else None


def _thread_local_distribution():
    """Keras 3's current distribution, read as ``keras.distribution.distribution()`` reads it:
    ``get_global_attribute`` calls ``getattr`` on a ``threading.local``, which raises and
    catches an ``AttributeError`` while no distribution is set.  Right after a large tensor
    has flushed the caches that costs some 20 us a call (0.45 us when they are warm); the
    thread's own attribute dict answers the same question without the exception."""
    return _global_state.GLOBAL_STATE_TRACKER.__dict__.get(_DISTRIBUTION_NAME)  # replaced by clear_session


_FAST_DISTRIBUTION = False
if IS_KERAS_3:
    try:  # private Keras 3 state, used only where it is what the public function reads
        from keras.src.backend.common import global_state as _global_state
        from keras.src.distribution import distribution_lib as _distribution_lib

        _DISTRIBUTION_NAME = _distribution_lib.GLOBAL_ATTRIBUTE_NAME
        _FAST_DISTRIBUTION = (
            keras.distribution.distribution is _distribution_lib.distribution
            and _thread_local_distribution() is _public_distribution()
        )
    except (ImportError, AttributeError):  # pragma: no cover - another Keras 3 layout
        pass

_distribution = _thread_local_distribution if _FAST_DISTRIBUTION else _public_distribution


_MASK_IS_A_CLASS_ATTRIBUTE = hasattr(tf.Tensor, "_keras_mask")


def _keras_mask_of(tensor):
    # An eager tensor keeps Keras's mask in its instance dict; `getattr` on one without a mask
    # raises and catches an AttributeError inside, about 1 us against 60 ns for the dict.
    if _MASK_IS_A_CLASS_ATTRIBUTE:  # pragma: no cover - no TensorFlow seen so far
        return getattr(tensor, "_keras_mask", None)
    return getattr(tensor, "__dict__", {}).get("_keras_mask")


def keras_call_needed(layer, inputs):
    """Whether Keras's own ``Layer.__call__`` has work to do for a call of ``layer`` (a layer
    that keeps its input as it is and creates nothing) on the eager tensor ``inputs``: a graph
    being traced (Keras names the ops), the first call (which builds the layer and records its
    build shapes), an incoming Keras mask to pass on, an activity regularizer, an input spec,
    or a Keras 3 distribution that lays out outputs.  Otherwise ``__call__`` would only open
    name scopes, which eager tensors do not carry."""
    return (
        not executing_eagerly()
        or not layer.built
        or not getattr(layer, "_called", True)
        or _keras_mask_of(inputs) is not None
        or layer.activity_regularizer is not None
        or layer.input_spec is not None
        or _distribution() is not None
    )
