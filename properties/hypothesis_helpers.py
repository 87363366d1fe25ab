"""Hypothesis strategies: inputs that find bugs in mask layers, not just run them.

Hypothesis's ``arrays`` fills most cells of a large array with one background value, often 0,
and a layer that zeroes too much passes on such input.  Here the bulk of every array comes
from a seeded NumPy generator spread over the dtype's range with no ``+0`` anywhere (bool: all
True) and not all equal, and Hypothesis plants special values (NaN payloads, +-inf, -0.0,
subnormals, integer extremes) at drawn positions, inside and outside the zeroed region.
"""

import dataclasses

import numpy as np
from hypothesis import strategies as st

from properties.bitwise import as_bits
from properties.dtype_helpers import numpy_dtype
from properties.special_values import special_values

# log10 of the smallest and largest normal magnitudes the bulk values spread over.
_MAGNITUDES = {"float16": (-4, 4.8), "bfloat16": (-37, 38), "float32": (-37, 38), "float64": (-300, 300)}


def _float_bulk(rng, dtype, shape):
    name = np.dtype(dtype).name if np.dtype(dtype).name in _MAGNITUDES else "bfloat16"
    low, high = _MAGNITUDES[name]
    magnitude = 10.0 ** rng.uniform(low, high, shape)
    values = (magnitude * rng.choice([-1.0, 1.0], shape)).astype(dtype)
    values[as_bits(values) == 0] = 1  # never +0: a wrong zero must be visible
    return values


def _bulk(rng, dtype, shape):
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return np.ones(shape, bool)  # all True: a zeroed element is a False
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        values = rng.integers(info.min, info.max, shape, dtype=dtype, endpoint=True)
        values[values == 0] = 1
        return values
    if dtype.kind == "c":
        part = np.float32 if dtype.itemsize == 8 else np.float64
        values = np.empty(shape, dtype)
        values.real = _float_bulk(rng, part, shape)
        values.imag = _float_bulk(rng, part, shape)
        return values
    return _float_bulk(rng, dtype, shape)


@dataclasses.dataclass
class Planted:
    """Where special values went, for ``event`` statistics and failure reports."""

    inside: int = 0
    outside: int = 0
    kinds: tuple = ()


@st.composite
def mask_inputs(draw, dtype, shape, zeroed_region=None):
    """An array of ``dtype`` and ``shape`` with special values planted at drawn positions.

    ``zeroed_region``, a boolean array of ``shape``, lets the planting aim inside and outside
    it.  Returns ``(array, Planted)``.

    >>> x, planted = mask_inputs("float32", (4, 4)).example()
    """
    np_dtype = numpy_dtype(dtype)
    shape = tuple(int(n) for n in shape)
    seed = draw(st.integers(0, 2**32 - 1))
    x = _bulk(np.random.default_rng(seed), np_dtype, shape)
    planted = Planted()
    if x.size == 0:
        return x, planted
    if x.size >= 2 and np_dtype != np.bool_ and (as_bits(x) == as_bits(x).flat[0]).all():
        x.flat[1] = special_values(dtype)[-1]  # never all equal
    specials = special_values(dtype)
    flat = x.reshape(-1)
    inside = np.flatnonzero(zeroed_region) if zeroed_region is not None else np.array([], int)
    outside = np.flatnonzero(~zeroed_region) if zeroed_region is not None else np.arange(x.size)
    kinds = []
    for _ in range(draw(st.integers(0, 12))):
        where = draw(st.sampled_from(["inside", "outside"]))
        pool = inside if where == "inside" and len(inside) else outside if len(outside) else inside
        index = int(pool[draw(st.integers(0, len(pool) - 1))])
        k = draw(st.integers(0, len(specials) - 1))
        flat[index] = specials[k]
        kinds.append(_kind(specials[k:k + 1]))
        if zeroed_region is not None and zeroed_region.reshape(-1)[index]:
            planted.inside += 1
        else:
            planted.outside += 1
    planted.kinds = tuple(sorted(set(kinds)))
    return x, planted


_SMALLEST_NORMAL = {"float16": 2.0**-14, "bfloat16": 2.0**-126, "float32": 2.0**-126, "float64": 2.0**-1022}


def _kind(value):
    """A short name for a special value, for ``event``."""
    dtype = value.dtype
    if dtype == np.bool_:
        return "true"
    if dtype.kind in "iu":
        v, info = int(value[0]), np.iinfo(dtype)
        return "int-min" if v == info.min else "int-max" if v == info.max else "int-small"
    if dtype.kind == "c":
        return "complex-special"
    with np.errstate(invalid="ignore"):
        v = float(value.astype(np.float64)[0])  # exact for every float format here
    if np.isnan(v):
        return "nan"
    if np.isinf(v):
        return "inf"
    if v == 0:
        return "-0.0"
    return "subnormal" if abs(v) < _SMALLEST_NORMAL[dtype.name] else "extreme"


@dataclasses.dataclass(eq=False)  # identity: == on NumPy fields broadcasts or raises
class Case:
    """One drawn example: a config, an input and where its special values went."""

    config: dict
    dtype: str
    x: np.ndarray
    planted: Planted

    def describe(self):
        return f"config={self.config}, dtype={self.dtype}, shape={self.x.shape}"


@st.composite
def cases(draw, spec, dtypes=None, config=None):
    """A :class:`Case` for ``spec``: a config (drawn unless given), a claimed dtype, a valid
    shape, an input."""
    config = draw(spec.configs) if config is None else config
    dtype = draw(st.sampled_from(tuple(dtypes if dtypes is not None else spec.dtypes)))
    shape = draw(spec.input_shapes(config))
    region = None
    if spec.zeroed is not None:
        region = np.asarray(spec.zeroed(np.ones(shape, numpy_dtype(dtype)), config), bool)
    x, planted = draw(mask_inputs(dtype, shape, region))
    if spec.adjust_input is not None:
        x = draw(spec.adjust_input(config, x))
    return Case(config=config, dtype=dtype, x=x, planted=planted)


@st.composite
def map_shapes(draw, min_rank=2, max_rank=4, min_map=(0, 0), max_side=24, channels=False):
    """Shapes ``(*batch, H, W)`` (``(*batch, H, W, C)`` with ``channels``), batch axes of
    length 0, 1 or more (at most 6 maps in all), ``H >= min_map[0]`` and ``W >= min_map[1]``.

    >>> map_shapes(min_rank=3, min_map=(2, 2)).example()
    (1, 5, 2)
    """
    if not 2 + channels <= min_rank <= max_rank:
        raise ValueError(f"map_shapes: need {2 + channels} <= min_rank <= max_rank, got {min_rank}, {max_rank}")
    rank = draw(st.integers(min_rank, max_rank))
    batch, room = [], 6
    for _ in range(rank - 2 - channels):
        n = draw(st.integers(0, 3))
        n = n if n <= room else 1
        room = room // max(n, 1)
        batch.append(n)
    h, w = (draw(st.integers(m, max(m, max_side))) for m in min_map)
    return tuple(batch + [h, w] + ([draw(st.integers(1, 3))] if channels else []))
