"""``BandZero``: a SpecAugment band of ``width`` rows or columns from ``offset`` zeroed."""

import numpy as np
from hypothesis import strategies as st

from properties.core.dtypes import ALL_DTYPES
from properties.strategies.shapes import map_shapes
from properties.spec.mask_spec import MaskSpec
from properties.specs.layers import BandZero


def zeroed(x, config):
    zero = np.zeros(np.shape(x), bool)
    index = [slice(None)] * zero.ndim
    index[config["axis"]] = slice(config["offset"], config["offset"] + config["width"])
    zero[tuple(index)] = True
    return zero


def shapes(config):
    need = config["offset"] + config["width"]
    return map_shapes(min_rank=2, max_rank=4, min_map=(need, 0) if config["axis"] == -2 else (0, need))


BAND_ZERO = MaskSpec(
    name="band-zero",
    layer=BandZero,
    configs=st.fixed_dictionaries(
        {"offset": st.integers(0, 6), "width": st.integers(0, 6), "axis": st.sampled_from([-2, -1])}
    ),
    input_shapes=shapes,
    zeroed=zeroed,
    batch_axes=lambda config, rank: tuple(range(rank - 2)),
    fits=lambda config, shape: len(shape) >= 2 and config["offset"] + config["width"] <= shape[config["axis"]],
    # Finding: under XLA on the CPU, select quiets bfloat16 NaN payloads (0x7f81 -> 0x7fc0).
    xla_dtypes=tuple(d for d in ALL_DTYPES if d != "bfloat16"),
)
