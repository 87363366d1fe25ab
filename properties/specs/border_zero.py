"""``BorderZero``: everything but the central window zeroed, the complement of CenterZero."""

from hypothesis import strategies as st

from centerzero import CenterZero
from properties.core.keras_compat import IS_KERAS_3
from properties.specs.windows import center_window_zeroed
from properties.strategies.shapes import map_shapes
from properties.spec.mask_spec import MaskSpec
from properties.specs.layers import BorderZero

BORDER_ZERO = MaskSpec(
    name="border-zero",
    layer=BorderZero,
    # Cropping2D refuses to crop a whole axis away, so no size 0 and no empty maps (README).
    configs=st.fixed_dictionaries({"size": st.tuples(st.integers(1, 6), st.integers(1, 6))}),
    input_shapes=lambda config: map_shapes(min_rank=4, max_rank=4, min_map=config["size"], channels=True),
    zeroed=lambda x, config: ~center_window_zeroed(x.shape, config["size"], (-3, -2)),
    # Cropping2D and ZeroPadding2D need static lengths: no unknown-dims modes.
    modes=("eager", "graph", "from-config"),
    dtypes=("float16", "bfloat16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "uint16",
            "uint32", "uint64", "complex64", "complex128", "bool"),
    complement=(CenterZero, lambda config: {"size": config["size"], "axes": (-3, -2)}),
    batch_axes=lambda config, rank: (0, 3),
    fits=lambda config, shape: len(shape) == 4 and all(k <= n for k, n in zip(config["size"], shape[1:3])),
    # A model saved to .keras is rebuilt on keras.Input with unknown lengths, which Cropping2D
    # cannot crop: the layer claims eager, graph and from-config only.
    opt_out={"keras-file": "Cropping2D needs static lengths, and a .keras model is rebuilt on unknown lengths"},
    known_failures={} if IS_KERAS_3 else {
        "symbolic-call": "Keras 2 traces call() on keras.Input's unknown lengths, which Cropping2D cannot crop",
        "keras-mask-passes": "the same: a functional model with unknown lengths",
    },
)
