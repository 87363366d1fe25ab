"""Mask layers other than CenterZero, each a few lines, checked by the specs in ``specs/``."""

import tensorflow as tf

from properties.core.keras_compat import IS_KERAS_3, keras, register_serializable, symbolic_like


class _DtypeKeeping(keras.layers.Layer):
    """No autocast, masks pass through, symbolic calls keep the input dtype."""

    def __init__(self, **kwargs):
        super().__init__(autocast=False, **kwargs)
        self.supports_masking = True

    def __call__(self, inputs, *args, **kwargs):
        if getattr(inputs, "dtype", None) is not None and tf.as_dtype(inputs.dtype) == tf.string:
            raise TypeError(f"{type(self).__name__}: input dtype string is not supported")
        return super().__call__(inputs, *args, **kwargs)

    def compute_output_shape(self, input_shape):
        return input_shape

    if IS_KERAS_3:

        def compute_output_spec(self, inputs, *args, **kwargs):
            return symbolic_like(self, inputs)

    else:

        def compute_output_signature(self, input_signature):
            return symbolic_like(self, input_signature)


@register_serializable(package="properties.zoo")
class BorderZero(_DtypeKeeping):
    """Zeroes everything but the central ``size`` window of ``(N, H, W, C)`` maps: the
    complement of ``CenterZero(size, axes=(-3, -2))``, built from Cropping2D and ZeroPadding2D."""

    def __init__(self, size=2, **kwargs):
        super().__init__(**kwargs)
        self.size = (size, size) if isinstance(size, int) else tuple(size)

    def call(self, inputs):
        x = tf.convert_to_tensor(inputs)
        (h, w), (kh, kw) = x.shape[1:3], self.size
        top, left = (h - kh) // 2, (w - kw) // 2
        crop = ((top, h - kh - top), (left, w - kw - left))
        # Floats keep their dtype only if the sublayers' policy is theirs; Keras 3 reads "int8"
        # as a quantization mode, and integers are never autocast anyway.
        policy = {"dtype": x.dtype.name} if x.dtype.is_floating else {}
        kept = keras.layers.Cropping2D(crop, **policy)(x)
        return keras.layers.ZeroPadding2D(crop, **policy)(kept)

    def get_config(self):
        return {**super().get_config(), "size": list(self.size)}


@register_serializable(package="properties.zoo")
class CausalZero(_DtypeKeeping):
    """Zeroes every element above the diagonal of the last two axes (attention scores)."""

    def call(self, inputs):
        return tf.linalg.band_part(inputs, -1, 0)


@register_serializable(package="properties.zoo")
class BandZero(_DtypeKeeping):
    """SpecAugment-style: zeroes ``width`` consecutive rows (``axis=-2``, frequency) or columns
    (``axis=-1``, time) starting at ``offset``."""

    def __init__(self, offset=0, width=1, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.offset, self.width, self.axis = offset, width, axis

    def call(self, inputs):
        x = tf.convert_to_tensor(inputs)
        index = tf.range(tf.shape(x)[self.axis])
        band = (index >= self.offset) & (index < self.offset + self.width)
        band = band[:, None] if self.axis == -2 else band
        return tf.where(band, tf.zeros_like(x), x)

    def get_config(self):
        return {**super().get_config(), "offset": self.offset, "width": self.width, "axis": self.axis}


@register_serializable(package="properties.zoo")
class RandomCutout(_DtypeKeeping):
    """While training, zeroes one ``size`` rectangle per sample at a position drawn from
    ``seed`` (stateless: the same seed gives the same positions); at inference, the identity."""

    def __init__(self, size=(2, 2), seed=0, **kwargs):
        super().__init__(**kwargs)
        self.size, self.seed = tuple(size), seed

    def call(self, inputs, training=False):
        x = tf.convert_to_tensor(inputs)
        if not training:
            return tf.identity(x)
        shape = tf.shape(x)
        (kh, kw), n, h, w = self.size, shape[0], shape[-2], shape[-1]
        top = tf.random.stateless_uniform([n], [self.seed, 0], 0, h - kh + 1, tf.int32)
        left = tf.random.stateless_uniform([n], [self.seed, 1], 0, w - kw + 1, tf.int32)
        rows, cols = tf.range(h)[None, :], tf.range(w)[None, :]
        in_rows = (rows >= top[:, None]) & (rows < top[:, None] + kh)
        in_cols = (cols >= left[:, None]) & (cols < left[:, None] + kw)
        zero = in_rows[:, :, None] & in_cols[:, None, :]
        zero = tf.reshape(zero, tf.concat([[n], tf.ones([x.shape.rank - 3], tf.int32), [h, w]], 0))
        return tf.where(zero, tf.zeros_like(x), x)

    def get_config(self):
        return {**super().get_config(), "size": list(self.size), "seed": self.seed}
