"""A mask layer of your own and its spec: copy this file, run
``python -m properties verify mymask:SPEC`` next to it, then adapt both halves."""

import numpy as np
import tensorflow as tf
from hypothesis import strategies as st

from properties import MaskSpec, map_shapes

keras = tf.keras  # the Keras your models use (tf_keras under TF_USE_LEGACY_KERAS=1)
DTYPES = ("float32", "float64", "int32", "int64", "uint8", "bool")


@keras.utils.register_keras_serializable(package="mymask")
class FirstRowsZero(keras.layers.Layer):
    """Zeroes the first ``rows`` rows of every map (the last two axes)."""

    def __init__(self, rows=1, **kwargs):
        super().__init__(autocast=False, **kwargs)  # keep the input's dtype
        self.rows, self.supports_masking = rows, True

    def call(self, x):
        if x.dtype.name not in DTYPES:
            raise TypeError(f"FirstRowsZero: input dtype {x.dtype.name} is not supported")
        kept = tf.range(tf.shape(x)[-2]) >= self.rows
        return tf.where(kept[:, None], x, tf.zeros_like(x))

    def compute_output_shape(self, input_shape):
        return input_shape

    def compute_output_spec(self, x):  # Keras 3: a symbolic call keeps the input dtype
        return keras.KerasTensor(x.shape, dtype=x.dtype)

    def get_config(self):
        return {**super().get_config(), "rows": self.rows}


def first_rows(x, config):
    zeroed = np.zeros(np.shape(x), bool)
    zeroed[..., : config["rows"], :] = True
    return zeroed


SPEC = MaskSpec(
    name="first-rows-zero",
    layer=FirstRowsZero,
    configs=st.fixed_dictionaries({"rows": st.integers(0, 4)}),
    input_shapes=lambda config: map_shapes(min_rank=2, max_rank=4, min_map=(config["rows"], 0)),
    zeroed=first_rows,
    dtypes=DTYPES,
    batch_axes=lambda config, rank: tuple(range(rank - 2)),
)
