"""The ``CenterZero`` Keras layer (contract section 1)."""

import tensorflow as tf

from centerzero._keras import IS_KERAS_3, keras, register_serializable, symbolic_like
from centerzero.arguments import normalize_axes, normalize_size
from centerzero.ops import center_zero, check_dtype, check_static_shape


@register_serializable(package="centerzero")
class CenterZero(keras.layers.Layer):
    """Zeroes the central window of each 2-D map and leaves every other element bit for bit.

    Args:
        size: ``k`` or ``(kh, kw)``, each an int ``>= 0``; ``kh`` applies to ``axes[0]``.
        axes: two distinct axes spanning each map; every other axis is a batch axis.
            ``(-2, -1)`` fits ``(H, W)``, ``(N, H, W)`` and ``(N, C, H, W)``; use
            ``(-3, -2)`` for channels-last ``(N, H, W, C)``.
        **kwargs: standard layer arguments (``name``, ``dtype``, ``trainable``).

    The layer has no weights, never casts its input (also under a mixed-precision policy)
    and serves inputs of any shape, rank and supported dtype with one instance.

    >>> CenterZero(size=2)(tf.fill((10, 10), 6.0)).numpy()[4, 3:7]
    array([6., 0., 0., 6.], dtype=float32)
    """

    def __init__(self, size=2, axes=(-2, -1), **kwargs):
        if kwargs.pop("autocast", False):
            raise ValueError("CenterZero: `autocast` must be False: the layer keeps its input's dtype, got True")
        super().__init__(autocast=False, **kwargs)
        self.size = normalize_size(size)
        self.axes = normalize_axes(axes)
        self.supports_masking = True

    def build(self, input_shape=None):
        # Nothing to create: the window depends on each call's shape, so one instance serves
        # many shapes; the rank, the axes and the window are checked against what is known
        # (an unknown rank, and an input that is not a tensor, are refused by `call`).
        if input_shape is not None and tf.TensorShape(input_shape).rank is not None:
            check_static_shape(input_shape, self.axes, self.size)
        self.built = True

    def call(self, inputs):
        return center_zero(inputs, self.size, self.axes)

    def compute_output_shape(self, input_shape):
        check_static_shape(input_shape, self.axes, self.size)
        return input_shape

    if IS_KERAS_3:

        def compute_output_spec(self, inputs, *args, **kwargs):
            check_dtype(inputs.dtype)
            check_static_shape(inputs.shape, self.axes, self.size)
            return symbolic_like(self, inputs)

    else:

        def compute_output_signature(self, input_signature):
            check_dtype(input_signature.dtype)
            check_static_shape(input_signature.shape, self.axes, self.size)
            return symbolic_like(self, input_signature)

    def get_config(self):
        config = super().get_config()
        config.update({"size": list(self.size), "axes": list(self.axes)})
        return config
