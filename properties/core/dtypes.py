"""Dtype names, NumPy equivalents and classes: the vocabulary every other module shares."""

import numpy as np
import tensorflow as tf

#: Contract 1.4: every TensorFlow numeric dtype and bool, in a stable order.
ALL_DTYPES = (
    "bool",
    "float16", "bfloat16", "float32", "float64",
    "int8", "int16", "int32", "int64",
    "uint8", "uint16", "uint32", "uint64",
    "complex64", "complex128",
)
#: Dtypes no mask layer is expected to take; a spec's claims are checked against these too.
NON_NUMERIC_DTYPES = ("string",)

FLOAT_DTYPES = tuple(d for d in ALL_DTYPES if d.startswith(("float", "bfloat")))
COMPLEX_DTYPES = tuple(d for d in ALL_DTYPES if d.startswith("complex"))
INTEGER_DTYPES = tuple(d for d in ALL_DTYPES if d.startswith(("int", "uint")))


def numpy_dtype(dtype):
    """The NumPy dtype of a TensorFlow dtype or name (``bfloat16`` comes from ml_dtypes)."""
    return np.dtype(tf.as_dtype(dtype).as_numpy_dtype)


def dtype_name(dtype):
    """``"float32"`` for ``tf.float32``, ``np.float32``, ``"float32"`` and ml_dtypes alike."""
    if isinstance(dtype, str):
        return tf.as_dtype(dtype).name
    if isinstance(dtype, tf.DType):
        return dtype.name
    return tf.as_dtype(np.dtype(dtype)).name


def is_differentiable(dtype):
    return dtype_name(dtype) in FLOAT_DTYPES + COMPLEX_DTYPES
