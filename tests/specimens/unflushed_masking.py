"""``keras.layers.Masking`` as an H200 computes it for complex64 (and for float32 and bfloat16
under XLA): its comparison keeps subnormals, so a step of subnormal features is not 0.0 and is
kept (scripts/gpu/flush_probe.py).  The CPU's comparisons flush subnormals; this layer compares
bit patterns instead, so the CPU can run a GPU's arithmetic.  Any other difference from
Masking is a defect, so specimens built on it (``MixedMasking``) can show what the kit still
catches."""

import tensorflow as tf

from properties.core.keras_compat import IS_KERAS_3, keras

_BITS = {tf.float32: tf.int32, tf.float64: tf.int64}
_PARTS = {tf.complex64: tf.float32, tf.complex128: tf.float64}


def _differs(part, value):
    """``part != value`` without flushing: bit patterns, with +0 and -0 equal."""
    bits = _BITS.get(part.dtype)
    if bits is None:
        return tf.not_equal(part, tf.cast(value, part.dtype))
    ones = tf.constant(2**31 - 1 if bits == tf.int32 else 2**63 - 1, bits)  # all but the sign
    got, want = tf.bitcast(part, bits), tf.bitcast(tf.cast(value, part.dtype), bits)
    return tf.not_equal(got, want) & ~(tf.equal(got & ones, 0) & tf.equal(want & ones, 0))


def _unflushed_not_equal(x, value):
    if x.dtype in _PARTS:
        return _differs(tf.math.real(x), value) | _differs(tf.math.imag(x), 0.0)
    return _differs(x, value)


class UnflushedMasking(keras.layers.Masking):
    def _keep(self, x):
        return tf.reduce_any(_unflushed_not_equal(x, self.mask_value), axis=-1, keepdims=True)

    def compute_mask(self, inputs, mask=None):
        return tf.squeeze(self._keep(tf.convert_to_tensor(inputs)), axis=-1)

    def call(self, inputs):
        x = tf.convert_to_tensor(inputs)
        keep = self._keep(x)
        out = tf.where(keep, x, tf.zeros([], x.dtype))
        if IS_KERAS_3:
            from keras.src import backend

            backend.set_keras_mask(out, mask=tf.squeeze(keep, axis=-1))
        else:  # as tf_keras's Masking.call does
            out._keras_mask = tf.squeeze(keep, axis=-1)
        return out


class MixedMasking(UnflushedMasking):
    """Defect: keeps the steps of subnormals in the first half of the batch and masks them in
    the rest, so no one comparison explains its output."""

    def _keep(self, x):
        keep = super()._keep(x)
        flushed = tf.reduce_any(tf.not_equal(x, tf.cast(self.mask_value, x.dtype)), axis=-1, keepdims=True)
        first = tf.range(tf.shape(x)[0]) < tf.shape(x)[0] // 2
        first = tf.reshape(first, tf.concat([[-1], tf.ones([tf.rank(x) - 1], tf.int32)], 0))
        return tf.where(first, keep, flushed)
