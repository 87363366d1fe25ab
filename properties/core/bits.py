"""Bit-for-bit comparison of arrays (contract 1.3).

``np.testing.assert_array_equal`` treats ``-0.0 == 0.0`` and every NaN as equal to every
other; here two elements are equal only when their bit patterns are, so the sign of zero,
NaN payloads and subnormals all count.
"""

import numpy as np

_UNSIGNED_OF_WIDTH = {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}


def as_bits(array):
    """An unsigned-integer view of ``array``'s bit patterns (complex: two words per element).

    >>> as_bits(np.array([0.0, -0.0], np.float32))
    array([         0, 2147483648], dtype=uint32)
    """
    array = np.ascontiguousarray(np.asarray(array))
    if array.dtype == np.bool_:
        return array.view(np.uint8)
    if array.dtype.kind == "c":
        width = array.dtype.itemsize // 2
        return array.view(_UNSIGNED_OF_WIDTH[width]).reshape(array.shape + (2,))
    return array.view(_UNSIGNED_OF_WIDTH[array.dtype.itemsize])


def bit_mismatches(actual, expected):
    """A boolean array, True where the bit patterns of ``actual`` and ``expected`` differ."""
    a, e = as_bits(actual), as_bits(expected)
    diff = a != e
    if np.asarray(actual).dtype.kind == "c":
        diff = diff.any(axis=-1)
    return diff


def describe_element(array, index):
    """``value (bits 0x...)`` for one element, the form every failure message uses."""
    array = np.asarray(array)
    value = array[index]
    bits = as_bits(array)[index]
    if np.ndim(bits):
        bits_text = "/".join(f"0x{int(b):0{2 * array.dtype.itemsize // 2}x}" for b in bits)
    else:
        bits_text = f"0x{int(bits):0{2 * array.dtype.itemsize}x}"
    return f"{value} (bits {bits_text})"


def first_mismatch(actual, expected):
    """``(index, count)`` of the first differing element and how many differ, or None."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    if actual.shape != expected.shape or actual.dtype != expected.dtype:
        raise AssertionError(
            f"out.shape={actual.shape}, out.dtype={actual.dtype}, "
            f"but should be shape={expected.shape}, dtype={expected.dtype}"
        )
    diff = bit_mismatches(actual, expected)
    if not diff.any():
        return None
    index = tuple(int(i) for i in np.argwhere(diff)[0])
    return index, int(diff.sum())


def assert_bitwise_equal(actual, expected, context=""):
    """Assert that two arrays have the same shape, dtype and bits, element for element.

    The vectorised check comes first; the message names the first differing index with both
    values and their bit patterns.
    """
    found = first_mismatch(actual, expected)
    if found is None:
        return
    index, count = found
    raise AssertionError(
        f"out[{', '.join(map(str, index))}]={describe_element(actual, index)}, "
        f"but should be {describe_element(expected, index)} "
        f"({count} of {np.asarray(expected).size} elements differ)"
        + (f" [{context}]" if context else "")
    )
