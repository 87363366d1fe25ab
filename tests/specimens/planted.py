"""Implementations of the contract with one planted defect each, to show the harness finds them."""

import numpy as np
import tensorflow as tf

from centerzero import CenterZero
from centerzero.ops import center_zero


class LeansHigh(CenterZero):
    """Odd ``n - k`` leans to the higher index (CenterCrop and the contract lean lower)."""

    def call(self, inputs):
        x = tf.convert_to_tensor(inputs)
        rank = x.shape.rank
        keep = np.ones(x.shape, bool)
        index = [slice(None)] * rank
        for axis, k in zip(self.axes, self.size):
            n = x.shape[axis]
            start = (n - k + 1) // 2
            index[axis % rank] = slice(start, start + k)
        keep[tuple(index)] = False
        return tf.where(keep, x, tf.zeros_like(x))


class Multiplies(CenterZero):
    """Multiplies by a 0/1 mask, as the blog did, but with the right window for every shape."""

    def call(self, inputs):
        x = tf.convert_to_tensor(inputs)
        ones = tf.ones_like(x)
        return x * center_zero(ones, self.size, self.axes)


class Autocasts(CenterZero):
    """Lets Keras cast float inputs to the layer's compute dtype."""

    def __init__(self, size=2, axes=(-2, -1), **kwargs):
        super().__init__(size, axes, **kwargs)
        self._autocast = True
        self.autocast = True


class DropsKerasMask(CenterZero):
    def __init__(self, size=2, axes=(-2, -1), **kwargs):
        super().__init__(size, axes, **kwargs)
        self.supports_masking = False


class IgnoresAxes(CenterZero):
    """Always masks the last two axes."""

    def call(self, inputs):
        return center_zero(inputs, self.size, (-2, -1))


class ClampsLargeWindows(CenterZero):
    """Clamps a window larger than its map instead of raising."""

    def build(self, input_shape=None):
        self.built = True

    def call(self, inputs):
        x = tf.convert_to_tensor(inputs)
        rank = x.shape.rank
        size = tuple(min(k, x.shape[a % rank]) for a, k in zip(self.axes, self.size)) if rank and rank >= 2 else self.size
        return center_zero(x, size, self.axes)
