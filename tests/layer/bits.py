"""Bit-for-bit helpers shared by the tests of ``center_zero``'s paths and kernels: a NumPy
reference, one assertion that compares bytes (``-0.0`` is not ``+0.0`` here, and every NaN
payload counts) and names the first differing element, and inputs of special values."""

import numpy as np

from centerzero import ops
from properties.strategies.special_values import special_values


def reference(x, size, axes):
    """NumPy: a copy with the window set to +0."""
    out = np.array(x, copy=True)
    index = [slice(None)] * out.ndim
    for axis, k in zip(axes, size):
        start = (out.shape[axis] - k) // 2
        index[axis] = slice(start, start + k)
    out[tuple(index)] = np.zeros((), out.dtype)
    return out


def assert_bits(actual, expected, what):
    actual, expected = np.ascontiguousarray(actual), np.ascontiguousarray(expected)
    assert actual.dtype == expected.dtype, f"{what}: dtype {actual.dtype}, but should be {expected.dtype}"
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape}, but should be {expected.shape}"
    a, e = actual.view(np.uint8), expected.view(np.uint8)
    if not np.array_equal(a, e):
        width = actual.dtype.itemsize
        diff = np.flatnonzero((a != e).reshape(-1, width).any(axis=1))
        first = np.unravel_index(diff[0], actual.shape)
        raise AssertionError(
            f"{what}: {diff.size} of {actual.size} elements differ; first at {first}: "
            f"{actual[first]!r} (bytes {a.reshape(-1, width)[diff[0]].tobytes().hex()}), but should be "
            f"{expected[first]!r} (bytes {e.reshape(-1, width)[diff[0]].tobytes().hex()})"
        )


def special_input(dtype, shape):
    """The dtype's special values tiled over ``shape``, with the values shifted per map so that
    every special value lands inside and outside the window."""
    values = special_values(dtype)
    count = int(np.prod(shape))
    index = (np.arange(count) * 7 + np.arange(count) // 5) % len(values)
    return values[index].reshape(shape)


def resolved(shape, axes):
    return ops.resolve_axes(len(shape), axes)
