"""Shapes at real scale (contract 2.4): lengths across orders of magnitude, rich in the
coincidences implementations special-case.

Every example first draws a *size class*: ``small`` (up to a few thousand elements, most
examples, cheap to trace and shrink towards), ``medium`` (2^16 to 2^21 elements) or ``large``
(2^22 to 1.2 x 10^7, about 2^23.5, elements: batches of hundreds of maps, maps of 512 and more).  Lengths
are drawn by :func:`lengths`, which favours ``2^k - 1``, ``2^k`` and ``2^k + 1``, the ends of
the range and 1.  Spec authors use :func:`map_shapes`; ``specs/center_zero.py`` uses the
parts directly for its own axes.
"""

import functools

import numpy as np
from hypothesis import event
from hypothesis import strategies as st

#: Elements per input, by size class: ``(low, high)`` bounds the product of the lengths.
SIZE_CLASSES = {"small": (0, 1 << 12), "medium": (1 << 16, 1 << 21), "large": (1 << 22, 12_000_000)}

#: The share of examples per size class, as weights of ``st.sampled_from`` (first: simplest,
#: where failures shrink to): about 3 in 15 examples are medium and 1 in 15 large.
_CLASS_WEIGHTS = ("small",) * 11 + ("medium",) * 3 + ("large",)

#: The longest batch axis and map side a ``large`` example may draw.
MAX_BATCH, MAX_SIDE = 300, 1100


def size_classes():
    """The size class of one example: ``"small"``, ``"medium"`` or ``"large"``.

    >>> size_classes().example() in SIZE_CLASSES
    True
    """
    return st.sampled_from(_CLASS_WEIGHTS)


def _near_powers_of_two(low, high):
    values = sorted({v for k in range(0, 14) for v in (2**k - 1, 2**k, 2**k + 1) if low <= v <= high})
    return values


def lengths(min_value=0, max_value=64):
    """An axis length in ``[min_value, max_value]``, often at a boundary: ``2^k - 1``, ``2^k``,
    ``2^k + 1`` (with ``k`` uniform, three draws in six, ``2^k`` itself half of those), the lower
    end of the range, or 1.

    >>> lengths(2, 40).example() in range(2, 41)
    True
    """
    if not isinstance(min_value, (int, np.integer)) or not isinstance(max_value, (int, np.integer)):
        raise TypeError(f"lengths: min_value and max_value must be ints, got {min_value!r}, {max_value!r}")
    if not 0 <= min_value <= max_value:
        raise ValueError(f"lengths: need 0 <= min_value <= max_value, got {min_value}, {max_value}")
    return _lengths(int(min_value), int(max_value))


# Built once per range, after the arguments are checked (a cache keyed on them would take 2.0
# for 2): strategies are immutable, and building and validating a new one for every drawn
# length cost about 8% of a property cell. (Hypothesis then sees one strategy where it saw
# many, so the ci profile's fixed examples differ from those drawn before; their distribution
# does not.)
@functools.lru_cache(maxsize=4096)
def _lengths(min_value, max_value):
    options = [st.integers(min_value, max_value), st.just(min_value)]
    powers = [k for k in range(0, 14) if any(min_value <= v <= max_value for v in (2**k - 1, 2**k, 2**k + 1))]
    if powers:
        # k uniform first, then 2^k - 1, 2^k or 2^k + 1: long lengths are as likely as short ones.
        boundary = st.sampled_from(powers).flatmap(
            lambda k: st.sampled_from([v for v in (2**k, 2**k, 2**k - 1, 2**k + 1) if min_value <= v <= max_value]))
        options += [boundary, boundary, boundary]  # three shares of six; 2^k itself half of them
    if min_value <= 1 <= max_value:
        options.append(st.just(1))
    return st.one_of(options)


def length_events(kind, n):
    """Labels for one length: ``"<kind> length 2^k - 1"`` and the like, ``"<kind> length 1"``."""
    if n == 1:
        yield f"{kind} length 1"
    elif n == 0:
        yield f"{kind} length 0"
    for delta, text in ((1, " + 1"), (0, ""), (-1, " - 1")):
        m = n - delta
        if m >= 2 and m & (m - 1) == 0:
            yield f"{kind} length 2^k{text}"


@st.composite
def batch_lengths(draw, count, size_class="small", room=1):
    """``count`` batch lengths.  ``small``: 1, 2 or 3 each, at most 6 maps in all; otherwise
    boundary-rich lengths from 1 up to :data:`MAX_BATCH` whose product stays near ``room``,
    the elements the size class leaves beside the maps.  (:func:`scaled_shapes` makes 1 in 8
    small inputs empty.)"""
    out, product = [], 1
    for _ in range(count):
        if size_class == "small":
            n = draw(st.sampled_from([1, 2, 3]))
            n = n if product * n <= 6 else 1
        else:
            n = draw(lengths(1, max(1, min(MAX_BATCH, room // product))))
        product *= max(n, 1)
        out.append(n)
    return out


def elements(shape):
    """The number of elements of ``shape``."""
    return int(np.prod(shape, dtype=np.int64)) if len(shape) else 1


@st.composite
def map_sides(draw, min_map=(0, 0), size_class="small", max_small=24):
    """``(h, w)`` with ``h >= min_map[0]`` and ``w >= min_map[1]``; square maps are half of the
    draws when both minima allow it.  ``small`` sides go up to ``max_small``; ``medium``
    and ``large`` ones from 8 up to 512 and :data:`MAX_SIDE`."""
    top = {"small": max_small, "medium": 512, "large": MAX_SIDE}[size_class]
    low = 0 if size_class == "small" else 8
    h = draw(lengths(max(min_map[0], low), max(min_map[0], low, top)))
    if draw(st.booleans()) and h >= min_map[1]:
        event("map drawn square")
        return h, h
    w = draw(lengths(max(min_map[1], low), max(min_map[1], low, top)))
    return h, w


@st.composite
def scaled_shapes(draw, rank, map_axes, min_map=(0, 0), max_small=24, min_lengths=None):
    """A shape of ``rank`` whose ``map_axes`` span the maps, in a drawn size class.

    Small shapes keep at most 6 maps; medium and large ones draw an element target in the
    class, boundary-rich batch lengths towards it, and grow the first other axis (or the
    second map axis, if there is none) until the target is reached.  ``min_lengths`` maps an
    axis to its least length (a channel axis of at least 1, say).

    >>> scaled_shapes(4, (1, 2)).example()
    (2, 7, 7, 1)
    """
    map_axes = tuple(a % rank for a in map_axes)
    min_lengths = min_lengths or {}
    size_class = draw(size_classes())
    shape = [0] * rank
    shape[map_axes[0]], shape[map_axes[1]] = draw(map_sides(min_map, size_class, max_small))
    others = [a for a in range(rank) if a not in map_axes]
    low, high = SIZE_CLASSES[size_class]
    # The element target, on a grid spread evenly over the class (Hypothesis's integers favour
    # the low end, which would keep large inputs near 2^22).
    target = max(1, low + (high - low) * draw(st.integers(0, 16)) // 16)
    room = max(1, target // max(1, shape[map_axes[0]] * shape[map_axes[1]]))
    for a in others:
        shape[a] = draw(batch_lengths(1, size_class, room))[0]
        room = max(1, room // max(1, shape[a]))
    empty = [a for a in others if min_lengths.get(a, 0) == 0]
    if size_class == "small" and empty and draw(st.integers(0, 7)) == 0:
        shape[draw(st.sampled_from(empty))] = 0  # an empty batch, 1 in 8 small inputs
    if size_class != "small" and elements(shape) < target:
        grow = others[0] if others else map_axes[1]
        rest = elements(shape) // max(1, shape[grow])
        shape[grow] = max(shape[grow], -(-target // max(1, rest)))
    return tuple(shape)


@st.composite
def map_shapes(draw, min_rank=2, max_rank=4, min_map=(0, 0), max_side=24, channels=False):
    """Shapes ``(*batch, H, W)`` (``(*batch, H, W, C)`` with ``channels``) across size classes
    (see :func:`scaled_shapes`): mostly small, with batch axes of length 0, 1 or more and
    sides up to ``max_side``; about one in five of them between 2^16 and 1.2 x 10^7 elements.

    >>> map_shapes(min_rank=3, min_map=(2, 2)).example()
    (1, 5, 2)
    """
    if not 2 + channels <= min_rank <= max_rank:
        raise ValueError(f"map_shapes: need {2 + channels} <= min_rank <= max_rank, got {min_rank}, {max_rank}")
    rank = draw(st.integers(min_rank, max_rank))
    maps = (rank - 3, rank - 2) if channels else (rank - 2, rank - 1)
    return draw(scaled_shapes(rank, maps, min_map, max_side, {rank - 1: 1} if channels else None))


def size_events(shape):
    """The label of an input's size: ``elements > 2^22`` and the like."""
    n = elements(shape)
    for bits in (22, 20, 16):
        if n > 1 << bits:
            return f"elements > 2^{bits}"
    return "elements <= 2^16"


def shape_events(shape, map_axes, batch_axes):
    """``event`` labels for a shape: its size, boundary lengths by axis kind, square maps."""
    event(size_events(shape))
    for kind, axes in (("batch", batch_axes), ("map", map_axes)):
        for a in axes:
            for text in length_events(kind, shape[a]):
                event(text)
    if len(map_axes) == 2 and shape[map_axes[0]] == shape[map_axes[1]]:
        event("map square")
