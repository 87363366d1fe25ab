"""The ``CenterZero`` Keras layer (contract section 1)."""

from centerzero._keras import IS_KERAS_3, keras, keras_call_needed, register_serializable, symbolic_like
from centerzero.arguments import normalize_axes, normalize_size
from centerzero.ops import EagerTensor, center_zero, eager_center_zero, check_dtype, check_input_type, check_static_shape, resolve_axes


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
        # Nothing to create: the mask depends on each call's shape, so one instance can serve
        # many shapes; only the rank and the axes are checked here.
        if input_shape is not None:
            check_static_shape(input_shape, self.axes, self.size)
        self.built = True

    def call(self, inputs):
        return center_zero(inputs, self.size, self.axes)

    def compute_output_shape(self, input_shape):
        check_static_shape(input_shape, self.axes, self.size)
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"size": list(self.size), "axes": list(self.axes)})
        return config

    def __call__(self, inputs, *args, **kwargs):
        if (
            type(inputs) is EagerTensor
            and type(self) is CenterZero  # a subclass may override any hook Keras's call runs
            and not args
            and (not kwargs or len(kwargs) == 1 and "training" in kwargs)
            and not keras_call_needed(self, inputs)
        ):
            # An eager call of a built layer: Keras's `__call__` would cost some 40-100 us (and
            # more after a large tensor has flushed the caches) to change nothing here, so the
            # op runs directly.  `training` changes nothing (contract 1.6).
            return eager_center_zero(inputs, self.size, self.axes)
        # Keras converts and builds before `call` runs, and fails in its own words on None,
        # object arrays and inputs of unknown rank: say why in the contract's words first.
        check_input_type(inputs)
        if getattr(getattr(inputs, "shape", None), "rank", 0) is None:
            resolve_axes(None, self.axes)
        return super().__call__(inputs, *args, **kwargs)

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
