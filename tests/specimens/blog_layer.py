"""The blog post's ``centerZero``, kept as it was: a known-bad specimen for the harness.

It multiplies by a fixed 10x10 kernel of ones with ``[4:6, 4:6]`` zeroed, held in a
non-trainable ``tf.Variable``.  The blog's constructor took ``(units, input_dim)`` and built a
``(input_dim, units)`` kernel; here it takes the contract's ``(size, axes)`` so that
``verify --layer`` can build it, and ignores them, as the blog's kernel ignored everything
but 10x10.
"""

import numpy as np
import tensorflow as tf

from properties.core.keras_compat import keras


class BlogCenterZero(keras.layers.Layer):
    def __init__(self, size=2, axes=(-2, -1), **kwargs):
        super().__init__(**kwargs)
        weight = np.ones(shape=(10, 10), dtype="float32")
        weight[4:6, 4:6] = 0
        weight = tf.convert_to_tensor(weight)
        self.kernel = tf.Variable(initial_value=weight, trainable=False)

    def call(self, input):
        return input * self.kernel
