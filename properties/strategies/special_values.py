"""The values a mask layer most often gets wrong, per dtype (contract 1.3).

NaN with several payloads and both signs (quiet and signalling), ``+-inf``, ``-0.0``, the
smallest and largest subnormals, the finite extremes, and the integer types' minimum and
maximum.  Strategies plant these at drawn positions; the layer's own tests tile them.
"""

import numpy as np
import tensorflow as tf

from properties.core.dtypes import numpy_dtype

# Bit patterns, as (width in bytes) -> list; the exponent layout differs per float format.
_FLOAT_SPECIAL_BITS = {
    "float16": [0x7E00, 0x7E01, 0xFE2A, 0x7C01, 0x7C00, 0xFC00, 0x8000, 0x0001, 0x83FF, 0x7BFF, 0xFBFF],
    "bfloat16": [0x7FC0, 0x7FC1, 0xFFD5, 0x7F81, 0x7F80, 0xFF80, 0x8000, 0x0001, 0x807F, 0x7F7F, 0xFF7F],
    "float32": [
        0x7FC00000, 0x7FC00001, 0xFFC12345, 0x7F800001, 0x7F800000, 0xFF800000,
        0x80000000, 0x00000001, 0x807FFFFF, 0x7F7FFFFF, 0xFF7FFFFF,
    ],
    "float64": [
        0x7FF8000000000000, 0x7FF8000000000001, 0xFFF8DEADBEEF0000, 0x7FF0000000000001,
        0x7FF0000000000000, 0xFFF0000000000000, 0x8000000000000000, 0x0000000000000001,
        0x800FFFFFFFFFFFFF, 0x7FEFFFFFFFFFFFFF, 0xFFEFFFFFFFFFFFFF,
    ],
}
_UNSIGNED_OF_WIDTH = {2: np.uint16, 4: np.uint32, 8: np.uint64}


def special_values(dtype):
    """A 1-D array of the dtype's special values, none of them a plain ``+0``.

    >>> special_values("int8")
    array([-128,  127,   -1,    1], dtype=int8)
    """
    dtype = tf.as_dtype(dtype)
    np_dtype = numpy_dtype(dtype)
    if dtype == tf.bool:
        return np.array([True], np_dtype)
    if dtype.is_integer:
        values = [dtype.min, dtype.max, 1] if dtype.is_unsigned else [dtype.min, dtype.max, -1, 1]
        return np.array([v for v in values if v != 0], np_dtype)
    if dtype.is_complex:
        parts = special_values(dtype.real_dtype)
        real = np.repeat(parts, len(parts))
        imag = np.tile(parts, len(parts))
        values = np.empty(real.shape, np_dtype)
        values.real, values.imag = real, imag
        return values
    bits = np.array(_FLOAT_SPECIAL_BITS[dtype.name], _UNSIGNED_OF_WIDTH[np_dtype.itemsize])
    return bits.view(np_dtype)
