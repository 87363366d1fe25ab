"""``RandomCutout``: one ``size`` rectangle per sample zeroed at a seeded random position."""

import numpy as np
from hypothesis import strategies as st

from properties.strategies.shapes import map_shapes
from properties.core.dtypes import ALL_DTYPES
from properties.spec.mask_spec import MaskSpec
from properties.specs.layers import RandomCutout


def one_rectangle(zeroed, config):
    """None if every map's zeros form exactly one ``size`` rectangle, else what is wrong."""
    kh, kw = config["size"]
    maps = zeroed.reshape((int(np.prod(zeroed.shape[:-2])),) + zeroed.shape[-2:])
    for i, zero in enumerate(maps):
        rows, cols = np.flatnonzero(zero.any(axis=1)), np.flatnonzero(zero.any(axis=0))
        if zero.sum() != kh * kw or len(rows) != (kh and kw and kh) or len(cols) != (kh and kw and kw):
            return f"map {i}: {int(zero.sum())} zeros in rows {rows.tolist()}, columns {cols.tolist()}"
    return None


RANDOM_CUTOUT = MaskSpec(
    name="random-cutout",
    layer=RandomCutout,
    configs=st.fixed_dictionaries(
        {"size": st.tuples(st.integers(0, 4), st.integers(0, 4)), "seed": st.integers(0, 2**31 - 1)}
    ),
    input_shapes=lambda config: map_shapes(min_rank=3, max_rank=4, min_map=config["size"]),
    zeroed=None,
    random=True,
    random_region=one_rectangle,
    # Finding (once the random properties ran under XLA): XLA's select on the CPU quiets
    # bfloat16 NaN payloads (0x7f81 -> 0x7fc0), as for causal-zero and band-zero.
    xla_dtypes=tuple(d for d in ALL_DTYPES if d != "bfloat16"),
    # The layer draws its region per call: training=True is its purpose, and the properties of
    # these promises compare outputs with a reference or a sequential run, which a random
    # region has not.  The random properties check every call's region instead.
    opt_out={
        "training": "a random cutout zeroes only with training=True; inference-identity checks training=False",
        **{promise: "not checked for random layers: its properties need a reference region per call"
           for promise in ("many-inputs", "instances-independent", "threads", "batch-independent", "keras-file")},
    },
)
