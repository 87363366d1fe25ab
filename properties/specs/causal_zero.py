"""``CausalZero``: attention scores above the diagonal of the last two axes zeroed."""

import numpy as np
from hypothesis import strategies as st

from properties.core.dtypes import ALL_DTYPES
from properties.strategies.shapes import map_shapes
from properties.spec.mask_spec import MaskSpec
from properties.specs.layers import CausalZero


def zeroed(x, config):
    rows, cols = np.shape(x)[-2:]
    return np.broadcast_to(np.triu(np.ones((rows, cols), bool), k=1), np.shape(x))


CAUSAL_ZERO = MaskSpec(
    name="causal-zero",
    layer=CausalZero,
    configs=st.just({}),
    input_shapes=lambda config: map_shapes(min_rank=2, max_rank=5),
    zeroed=zeroed,
    batch_axes=lambda config, rank: tuple(range(rank - 2)),
    fits=lambda config, shape: len(shape) >= 2,
    # Finding: under XLA on the CPU, select quiets bfloat16 NaN payloads (0x7f81 -> 0x7fc0).
    xla_dtypes=tuple(d for d in ALL_DTYPES if d != "bfloat16"),
)
