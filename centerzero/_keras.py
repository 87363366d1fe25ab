"""The one place where Keras 2 and Keras 3 differ for this package.

The layer must belong to whichever Keras ``tf.keras`` resolves to: Keras 2.15 with
TensorFlow 2.15, ``tf_keras`` under ``TF_USE_LEGACY_KERAS=1``, Keras 3 otherwise.  A plain
``import keras`` would pick Keras 3 even when the user's models are ``tf_keras`` models, so
everything here goes through ``tf.keras``.
"""

import tensorflow as tf

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
