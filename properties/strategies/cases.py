"""Hypothesis strategies: inputs that find bugs in mask layers, not just run them.

Hypothesis's ``arrays`` fills most cells of a large array with one background value, often 0,
and a layer that zeroes too much passes on such input.  Here the bulk of every array comes
from a seeded NumPy generator spread over the dtype's range with no ``+0`` anywhere (bool: all
True) and not all equal, and Hypothesis plants special values (NaN payloads, +-inf, -0.0,
subnormals, integer extremes) at drawn positions, inside and outside the zeroed region.
"""

import dataclasses
import functools

import numpy as np
from hypothesis import strategies as st

from properties.core.bits import as_bits
from properties.core.dtypes import COMPLEX_DTYPES, FLOAT_DTYPES, dtype_name, numpy_dtype
from properties.strategies.shapes import map_shapes  # noqa: F401  (public here since the first release)
from properties.strategies.special_values import special_values
from properties.spec import judge

# log10 of the smallest and largest normal magnitudes the bulk values spread over.
_MAGNITUDES = {"float16": (-4, 4.8), "bfloat16": (-37, 38), "float32": (-37, 38), "float64": (-300, 300)}


#: Bulk values of bigger inputs are drawn from a pool of this many (``10 ** uniform`` per
#: element costs about a second for 10^7 elements; picking from a pool, a few milliseconds).
_POOL = 1 << 16


#: Positions per step when a bigger input picks from the pool: an even number (two picks come
#: from one 32-bit draw, so the picks are those of one call), small enough that its index
#: array is reused memory, not a fresh 10^7-element one.
_CHUNK = 1 << 18


def _float_bulk(rng, dtype, shape):
    size = int(np.prod(shape, dtype=np.int64))
    if size > _POOL:
        pool, out = _float_bulk(rng, dtype, (_POOL,)), np.empty(size, dtype)
        for start in range(0, size, _CHUNK):
            stop = min(start + _CHUNK, size)
            np.take(pool, rng.integers(0, _POOL, stop - start, dtype=np.int32), out=out[start:stop])
        return out.reshape(shape)
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
    """Where special values went, for ``event`` statistics, the coverage table and failures.

    ``reached`` holds ``(kind, region)`` pairs, region ``"inside"`` or ``"outside"`` the
    zeroed region (``"anywhere"`` when there is no reference)."""

    inside: int = 0
    outside: int = 0
    kinds: tuple = ()
    reached: frozenset = frozenset()


class _Positions:
    """The flat positions out of ``size`` that are in ``marked`` (sorted flat positions), or
    with ``want=False`` those that are not, in increasing order, as an array that is indexed but
    never listed whole.

    ``positions[k]`` is the k-th such position: a 10^7-element input with a small zeroed region
    costs a listing of that region, not a 10^7-element index array."""

    def __init__(self, size, marked, want=True):
        self._len = len(marked) if want else size - len(marked)
        # The k-th unmarked position is k plus the marked ones before it: with
        # shift[i] = marked[i] - i (non-decreasing), that is #{i : shift[i] <= k}.
        self._listed, self._shift = (marked, None) if want else (None, marked - np.arange(len(marked)))

    def __len__(self):
        return self._len

    def __getitem__(self, k):
        if self._listed is not None:
            return self._listed[k]
        k = np.asarray(k, np.int64)
        return k + np.searchsorted(self._shift, k, side="right")


def _region_positions(size, region):
    """``{"inside": ..., "outside": ...}`` :class:`_Positions` of a flat boolean ``region``
    (``{"anywhere": ...}`` without one), the pools special values are planted from: the smaller
    side is listed, the other indexed through it."""
    if region is None:
        return {"anywhere": _Positions(size, np.zeros(0, np.int64), want=False)}
    if np.count_nonzero(region) > size // 2:
        outside = np.flatnonzero(~region)
        return {"inside": _Positions(size, outside, want=False), "outside": _Positions(size, outside)}
    inside = np.flatnonzero(region)
    return {"inside": _Positions(size, inside), "outside": _Positions(size, inside, want=False)}


def _dense_positions(rng, pool, count):
    """``count`` distinct positions from ``pool`` (fewer if it is smaller), vectorised."""
    if len(pool) <= 4 * count:
        return pool[rng.permutation(len(pool))[:count]]
    return np.unique(pool[rng.integers(0, len(pool), 2 * count)])[:count]


def _plant_every_special(rng, pools, count, plant):
    """Every one of ``count`` special values at distinct positions of each pool that has room."""
    for name, pool in pools.items():
        which = rng.permutation(count)
        positions = _dense_positions(rng, pool, len(which))
        plant(name, positions, which[: len(positions)])


@st.composite
def mask_inputs(draw, dtype, shape, zeroed_region=None):
    """An array of ``dtype`` and ``shape`` with special values planted inside and outside
    ``zeroed_region`` (a boolean array of ``shape``; without it, anywhere).

    Most examples plant *every* special value of the dtype (``special_values``) in each
    region that has room for them, at positions drawn by a seeded NumPy generator (vectorised:
    a 10^7-element input costs no per-element Python); up to 4 more go to positions that
    Hypothesis draws, so that a shrunk counterexample can hold a single special value.
    Returns ``(array, Planted)``.

    >>> x, planted = mask_inputs("float32", (4, 4)).example()
    """
    np_dtype = numpy_dtype(dtype)
    shape = tuple(int(n) for n in shape)
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    x = _bulk(rng, np_dtype, shape)
    if x.size == 0:
        return x, Planted()
    specials = special_values(dtype)
    bits = as_bits(x).reshape(-1)
    if x.size >= 2 and np_dtype != np.bool_ and bits[1] == bits[0] and (bits == bits[0]).all():
        x.flat[1] = specials[-1]  # never all equal
    flat = x.reshape(-1)
    region = None if zeroed_region is None else np.asarray(zeroed_region, bool).reshape(-1)
    pools = {name: pool for name, pool in _region_positions(x.size, region).items() if len(pool)}
    counts, reached = {"inside": 0, "outside": 0, "anywhere": 0}, set()
    kinds = _kinds_of_specials(dtype_name(np_dtype))

    def plant(name, positions, which):
        flat[positions] = specials[which]
        counts[name] += len(positions)
        reached.update((kind, name) for k in which for kind in kinds[k])

    if draw(st.sampled_from([True] * 7 + [False])):  # dense: every special in every region
        _plant_every_special(rng, pools, len(specials), plant)
    for _ in range(draw(st.integers(0, 4))):
        name = draw(st.sampled_from(sorted(pools)))
        pool = pools[name]
        plant(name, pool[[draw(st.integers(0, len(pool) - 1))]], [draw(st.integers(0, len(specials) - 1))])
    planted = Planted(inside=counts["inside"], outside=counts["outside"] + counts["anywhere"],
                      kinds=tuple(sorted({kind for kind, _ in reached})), reached=frozenset(reached))
    return x, planted


_SMALLEST_NORMAL = {"float16": 2.0**-14, "bfloat16": 2.0**-126, "float32": 2.0**-126, "float64": 2.0**-1022}
_QUIET_BIT = {"float16": 0x0200, "bfloat16": 0x0040, "float32": 0x00400000, "float64": 0x0008000000000000}


def special_kinds(value):
    """The kinds of a one-element array of special values, for ``event`` and coverage: ``nan``
    (quiet), ``signalling nan``, ``inf``, ``-0.0``, ``subnormal``, ``extreme``; ``int-min``,
    ``int-max``, ``int-small``; ``true``.  A complex value has the kinds of both parts.

    >>> special_kinds(np.array([np.inf], np.float32))
    ('inf',)
    """
    dtype = value.dtype
    if dtype == np.bool_:
        return ("true",)
    if dtype.kind in "iu":
        v, info = int(value[0]), np.iinfo(dtype)
        return ("int-min",) if v == info.min else ("int-max",) if v == info.max else ("int-small",)
    if dtype.kind == "c":
        part = np.float32 if dtype.itemsize == 8 else np.float64
        return tuple(sorted(set(special_kinds(np.array([value[0].real], part))
                                + special_kinds(np.array([value[0].imag], part)))))
    with np.errstate(invalid="ignore"):
        v = float(value.astype(np.float64)[0])  # exact for every float format here
    if np.isnan(v):
        quiet = int(as_bits(value)[0]) & _QUIET_BIT[dtype.name]
        return ("nan",) if quiet else ("signalling nan",)
    if np.isinf(v):
        return ("inf",)
    if v == 0:
        return ("-0.0",)
    return ("subnormal",) if abs(v) < _SMALLEST_NORMAL[dtype.name] else ("extreme",)


@functools.lru_cache(maxsize=None)
def _kinds_of_specials(dtype):
    """:func:`special_kinds` of each of the special values of ``dtype`` (a name), in their order."""
    values = special_values(dtype)
    return tuple(special_kinds(values[k:k + 1]) for k in range(len(values)))


def claimed_kinds(dtype):
    """Every kind :func:`special_kinds` gives for ``dtype``'s special values."""
    return tuple(sorted({kind for kinds in _kinds_of_specials(dtype_name(dtype)) for kind in kinds}))


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
def cases(draw, spec, dtypes=None, config=None, shape=None):
    """A :class:`Case` for ``spec``: a config and a valid shape (each drawn unless given), a
    claimed dtype, an input."""
    config = draw(spec.configs) if config is None else config
    shape = draw(spec.input_shapes(config)) if shape is None else shape
    dtype = draw(_dtype_for(tuple(dtypes if dtypes is not None else spec.dtypes), shape))
    return draw(_case_for(spec, config, dtype, shape))


def _dtype_for(dtypes, shape):
    """A claimed dtype; for an input above :data:`SWEEP_MAX_ELEMENTS`, a float or complex one
    half of the time (they hold most special values, and big inputs are few)."""
    special = tuple(d for d in dtypes if d in FLOAT_DTYPES + COMPLEX_DTYPES)
    if special and int(np.prod(shape, dtype=np.int64)) > SWEEP_MAX_ELEMENTS:
        return st.one_of(st.sampled_from(dtypes), st.sampled_from(special))
    return st.sampled_from(dtypes)


#: Inputs up to this many elements are swept over every claimed dtype (see :func:`sweeps`).
SWEEP_MAX_ELEMENTS = 1 << 16


@dataclasses.dataclass(eq=False)
class Sweep:
    """One config and shape, with an input for each of several dtypes: checked one by one."""

    cases: list

    def describe(self):
        return "; ".join(case.describe() for case in self.cases)


@st.composite
def sweeps(draw, spec, dtypes=None):
    """A :class:`Sweep`: a config and a shape, and a :class:`Case` for *every* claimed dtype
    when the input has at most :data:`SWEEP_MAX_ELEMENTS` elements (above: one float or complex
    dtype and one other, drawn).

    Used by the value properties in eager mode, where a call costs little: 30 examples then
    reach every (dtype, special value, region) combination a spec claims, which 30 draws of
    one dtype out of 15 do not (contract 2.4's coverage table).
    """
    dtypes = tuple(dtypes if dtypes is not None else spec.dtypes)
    config = draw(spec.configs)
    shape = draw(spec.input_shapes(config))
    if int(np.prod(shape, dtype=np.int64)) > SWEEP_MAX_ELEMENTS:
        # Big: one float or complex dtype and one other, when the spec claims both kinds.
        special = tuple(d for d in dtypes if d in FLOAT_DTYPES + COMPLEX_DTYPES)
        plain = tuple(d for d in dtypes if d not in special)
        dtypes = tuple(draw(st.sampled_from(group)) for group in (special, plain) if group)
    return Sweep([draw(_case_for(spec, config, dtype, shape)) for dtype in dtypes])


@st.composite
def _case_for(draw, spec, config, dtype, shape):
    region = None
    if spec.zeroed is not None:
        # A read-only view of ones, not a full-size array: the reference needs the shape (a
        # value-dependent one, like Keras's Masking, sees no mask value and plants anywhere).
        ones = np.broadcast_to(np.ones((), numpy_dtype(dtype)), shape)
        region = np.asarray(spec.zeroed(ones, config), bool)
    x, planted = draw(mask_inputs(dtype, shape, region))
    if spec.adjust_input is not None:
        x = draw(spec.adjust_input(config, x))
        # The adjustment may overwrite planted values and moves a value-dependent region:
        # count what the final input holds, where the reference now puts its region.
        final = None if spec.zeroed is None else judge.region(spec, x, config)
        planted = Planted(kinds=planted.kinds, reached=reached_specials(x, final))
        planted.inside = sum(1 for _, where in planted.reached if where == "inside")
        planted.outside = sum(1 for _, where in planted.reached if where != "inside")
    return Case(config=config, dtype=dtype, x=x, planted=planted)


def landmark_case(spec, config, dtype, shape, seed=0):
    """A :class:`Case` for a spec's landmark: the bulk of :func:`mask_inputs` from a generator
    seeded with ``seed``, every special value of the dtype in each region.  Deterministic, so
    that it can be a Hypothesis explicit example."""
    np_dtype = numpy_dtype(dtype)
    rng = np.random.default_rng(seed)
    x = _bulk(rng, np_dtype, tuple(shape))
    region = None if spec.zeroed is None else np.asarray(spec.zeroed(x, config), bool).reshape(-1)
    if x.size:
        specials, flat = special_values(dtype), x.reshape(-1)
        pools = _region_positions(x.size, region)

        def plant(name, positions, which):
            flat[positions] = specials[which]

        _plant_every_special(rng, {n: p for n, p in pools.items() if len(p)}, len(specials), plant)
    final = None if region is None else region.reshape(x.shape)
    reached = reached_specials(x, final)
    planted = Planted(inside=sum(1 for _, w in reached if w == "inside"),
                      outside=sum(1 for _, w in reached if w != "inside"),
                      kinds=tuple(sorted({kind for kind, _ in reached})), reached=reached)
    return Case(config=config, dtype=dtype, x=x, planted=planted)


def reached_specials(x, region=None):
    """``(kind, region)`` pairs of the special values ``x`` holds, by bit pattern; complex
    arrays by part.  ``region``: the zeroed region (None: ``"anywhere"``).  Vectorised."""
    x = np.asarray(x)
    if x.size == 0:
        return frozenset()
    if x.dtype.kind == "c":
        part = np.float32 if x.dtype.itemsize == 8 else np.float64
        return reached_specials(x.real.astype(part), region) | reached_specials(x.imag.astype(part), region)
    specials, kinds = special_values(x.dtype), _kinds_of_specials(dtype_name(x.dtype))
    bits, special_bits = as_bits(x).reshape(-1), as_bits(specials)
    hits = np.flatnonzero(np.isin(bits, special_bits))  # one pass per special value, few hits
    inside = np.zeros(len(hits), bool) if region is None else np.asarray(region, bool).reshape(-1)[hits]
    found = set()
    for name, chosen in (("anywhere" if region is None else "outside", ~inside), ("inside", inside)):
        for value in np.unique(bits[hits[chosen]]):
            k = int(np.flatnonzero(special_bits == value)[0])
            found.update((kind, name) for kind in kinds[k])
    return frozenset(found)


def checked_items(drawn):
    """The cases a property checks one by one: a :class:`Sweep`'s, or the drawn value itself."""
    return drawn.cases if isinstance(drawn, Sweep) else [drawn]
