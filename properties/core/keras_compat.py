"""The kit's own Keras compatibility: the one place where Keras 2 and Keras 3 differ for the kit.

The kit checks layers of whichever Keras ``tf.keras`` resolves to: Keras 2.15 with TensorFlow
2.15, ``tf_keras`` under ``TF_USE_LEGACY_KERAS=1``, Keras 3 otherwise.  A plain ``import keras``
would pick Keras 3 even where the user's models are ``tf_keras`` models, so everything here goes
through ``tf.keras``.  The kit never imports the private modules of the layer it checks.
"""

import importlib.metadata

import tensorflow as tf

keras = tf.keras

#: True for Keras 3, False for Keras 2 and ``tf_keras``.
IS_KERAS_3 = hasattr(keras, "ops")

register_serializable = keras.utils.register_keras_serializable


def keras_name():
    """Which Keras ``tf.keras`` is, as the module name tells it (for reports)."""
    return keras.__name__


def keras_version():
    """The version of the Keras ``tf.keras`` is (for reports)."""
    if IS_KERAS_3:
        return keras.version()
    for dist in ("tf-keras", "tf_keras", "keras"):
        try:
            return importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            continue
    return "unknown"


def symbolic_like(layer, inputs):
    """The output spec of a dtype- and shape-preserving layer on a symbolic input (the example
    layers of the built-in specs keep the input's dtype, as Keras's own ``Identity`` does)."""
    if IS_KERAS_3:
        return keras.KerasTensor(inputs.shape, dtype=inputs.dtype, sparse=getattr(inputs, "sparse", False))
    return tf.TensorSpec(inputs.shape, inputs.dtype)
