"""Validation of the constructor arguments ``size`` and ``axes`` (contract 1.1).

Errors are raised when the layer is built, not when it is first called, and always name the
argument and the value received.
"""

import numbers


def _is_int(value):
    # bool is an int subclass in Python and NumPy's bool_ is not Integral: refuse both.
    return type(value) is int or (
        isinstance(value, numbers.Integral) and not isinstance(value, bool) and type(value).__name__ != "bool_")


def _pair(name, value):
    if isinstance(value, (list, tuple)):
        if len(value) != 2:
            raise ValueError(
                f"CenterZero: `{name}` must be an int or a pair of ints, "
                f"but got {value!r} of length {len(value)}"
            )
        return tuple(value)
    return None


def normalize_size(size):
    """``size`` as a pair ``(kh, kw)`` of non-negative Python ints.

    >>> normalize_size(2)
    (2, 2)
    >>> normalize_size([3, 0])
    (3, 0)
    """
    pair = _pair("size", size)
    if pair is None:
        pair = (size, size)
    for k in pair:
        if not _is_int(k):
            raise ValueError(
                f"CenterZero: `size` must be an int >= 0 or a pair of them, "
                f"but got {size!r} (an element of type {type(k).__name__})"
            )
        if k < 0:
            raise ValueError(f"CenterZero: `size` must be >= 0, but got {size!r}")
    return tuple(int(k) for k in pair)


def normalize_axes(axes):
    """``axes`` as a pair of distinct Python ints, negative or positive.

    Whether the two name the same axis (``(-1, 1)`` on a rank-2 input) is only known once
    the rank is: :func:`centerzero.ops.resolve_axes` checks it then.

    >>> normalize_axes((-3, -2))
    (-3, -2)
    """
    pair = _pair("axes", axes)
    if pair is None:
        raise ValueError(f"CenterZero: `axes` must be a pair of distinct ints, but got {axes!r}")
    for a in pair:
        if not _is_int(a):
            raise ValueError(
                f"CenterZero: `axes` must be a pair of distinct ints, "
                f"but got {axes!r} (an element of type {type(a).__name__})"
            )
    if pair[0] == pair[1]:
        raise ValueError(f"CenterZero: `axes` must name two different axes, but got {axes!r}")
    return tuple(int(a) for a in pair)
