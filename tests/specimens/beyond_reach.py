"""Plausible CenterZero defects that the generators and call patterns before issue 9 could not
reach: one per category of that issue (size, instances, training, coincidences, special
values).  Each is a subclass that is correct everywhere except where its docstring says.
``tests/kit/test_reach.py`` shows each is caught under the ``ci`` profile; each was checked to pass
``verify center-zero --layer ... --profile ci --exitfirst`` on the generators it replaced
(README, "Reach: what the suite now finds")."""

import numpy as np
import tensorflow as tf

from centerzero import CenterZero
from properties.core.keras_compat import register_serializable
from centerzero.ops import center_zero, check_dtype, window

# Registered like CenterZero, so that only the planted defect can fail a property.
_registered = register_serializable(package="beyond_reach")


def _multiply(layer, x):
    return x * center_zero(tf.ones_like(x), layer.size, layer.axes)


@_registered
class BigInputsMultiply(CenterZero):
    """Size: a "fast path" for inputs above 2^20 elements multiplies float inputs by the mask
    (NaN and inf in the window become NaN, negatives there become -0.0)."""

    def call(self, inputs):
        x = tf.convert_to_tensor(inputs)
        count = x.shape.num_elements()
        if x.dtype.is_floating and count is not None and count > 2**20:
            return _multiply(self, x)
        return super().call(x)


@_registered
class ChunksBatch(CenterZero):
    """Size: the batch is processed in chunks of 64 along axis 0 and the tail chunk is passed
    through unmasked (an off-by-one in the chunk loop)."""

    def call(self, inputs):
        x = tf.convert_to_tensor(inputs)
        rank = x.shape.rank
        n = x.shape[0]
        if n is None or n <= 64 or any(a % rank == 0 for a in self.axes):
            return super().call(x)
        full = n - n % 64 if n % 64 else n - 64
        return tf.concat([center_zero(x[:full], self.size, self.axes), x[full:]], axis=0)


_LAST = {}  # module-level: the last mask made, keyed by shape and dtype, not by the layer's arguments


@_registered
class SharedShapeCache(CenterZero):
    """Instances: the keep mask of the last call is kept at module level and reused when the
    next call, from any instance, has the same shape and dtype, so a second instance with
    other arguments, called right after the first on an input of the same shape, reuses the
    first one's mask."""

    def call(self, inputs):
        x = tf.convert_to_tensor(inputs)
        if None in x.shape.as_list():
            return super().call(x)
        check_dtype(x.dtype)
        key = (tuple(x.shape.as_list()), x.dtype.name)
        if _LAST.get("key") != key:
            shape, rank = x.shape.as_list(), x.shape.rank
            keep = np.ones(shape, bool)
            inside = [slice(None)] * rank
            for axis, k in zip(self.axes, self.size):
                inside[axis % rank] = slice(*window(shape[axis % rank], k))
            keep[tuple(inside)] = 0 in self.size
            _LAST.update(key=key, keep=keep)
        return tf.where(tf.constant(_LAST["keep"]), x, tf.zeros_like(x))


@_registered
class IdentityWhileTraining(CenterZero):
    """Training: the window is only zeroed at inference; with ``training=True`` (and so inside
    ``fit``) the input comes back unchanged."""

    def call(self, inputs, training=None):
        if training:
            return tf.identity(inputs)
        return super().call(inputs)


@_registered
class SwapsOnSquarePowerOfTwo(CenterZero):
    """Coincidences: on square maps whose side is a power of two of at least 4 a "fast path"
    takes ``(kw, kh)`` instead of ``(kh, kw)`` (it assumed square maps make the order moot)."""

    def call(self, inputs):
        x = tf.convert_to_tensor(inputs)
        rank = x.shape.rank
        h, w = (x.shape[a % rank] if rank else None for a in self.axes)
        if h is not None and h == w and h >= 4 and h & (h - 1) == 0:
            return center_zero(x, self.size[::-1], self.axes)
        return super().call(x)


@_registered
class Float16ThroughFloat32(CenterZero):
    """Special values: float16 inputs are masked in float32 and cast back, which quiets a
    float16 signalling NaN outside the window (0x7c01 comes back 0x7e01); everything else
    round-trips exactly."""

    def call(self, inputs):
        x = tf.convert_to_tensor(inputs)
        if x.dtype == tf.float16:
            return tf.cast(center_zero(tf.cast(x, tf.float32), self.size, self.axes), tf.float16)
        return super().call(x)
