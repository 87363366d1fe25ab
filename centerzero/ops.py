"""``center_zero``: the operation behind the layer, usable on its own.

Why bit patterns: ``x * mask`` breaks NaN, inf, -0.0, subnormals and bool (contract 1.9) and
``tf.where`` with a broadcast mask runs 2-3 times slower than the multiply.  An integer AND of
the input's bit pattern with a mask of all-ones / all-zeros words is exact for every dtype
(outside the window the word is ANDed with all ones, inside it becomes all zeros, which is
``+0``, ``0``, ``False`` or ``0+0j``) and runs at the multiply's speed, in eager, graph and
XLA alike.  ``tf.bitcast`` between same-width types does not copy.
"""

import functools

import numpy as np
import tensorflow as tf

from centerzero.arguments import normalize_axes, normalize_size

#: The dtypes of contract 1.4, in a stable order.
SUPPORTED_DTYPES = (
    tf.bool,
    tf.float16, tf.bfloat16, tf.float32, tf.float64,
    tf.int8, tf.int16, tf.int32, tf.int64,
    tf.uint8, tf.uint16, tf.uint32, tf.uint64,
    tf.complex64, tf.complex128,
)

_UNSIGNED_OF_WIDTH = {1: tf.uint8, 2: tf.uint16, 4: tf.uint32, 8: tf.uint64}


def window(length, size):
    """The half-open window ``[start, stop)`` on an axis of ``length`` (contract 1.2).

    >>> window(10, 2)
    (4, 6)
    >>> window(5, 2)   # n - k odd: leans to the lower index, like CenterCrop
    (1, 3)
    """
    start = (length - size) // 2
    return start, start + size


def check_dtype(dtype):
    dtype = tf.as_dtype(dtype)
    if dtype not in SUPPORTED_DTYPES:
        names = ", ".join(d.name for d in SUPPORTED_DTYPES)
        raise TypeError(f"CenterZero: input dtype {dtype.name} is not supported; supported dtypes: {names}")
    return dtype


def check_input_type(x):
    """Refuse, with the contract's TypeError, inputs that TensorFlow would reject obscurely."""
    if x is None:
        raise TypeError("CenterZero: the input must be a tensor or an array, but got None")
    if isinstance(x, (tf.RaggedTensor, tf.SparseTensor)):
        raise TypeError(f"CenterZero: the input must be a dense tensor, but got a {type(x).__name__}")
    if isinstance(x, np.ndarray) and x.dtype == object:
        raise TypeError("CenterZero: input dtype object (a NumPy object array) is not supported")


def resolve_axes(rank, axes):
    """The two map axes as non-negative indices for an input of ``rank`` (contract 1.8)."""
    if rank is None:
        raise ValueError(
            f"CenterZero: the input's rank must be known when the layer is called or traced, "
            f"but got an input of unknown rank (axes={axes})"
        )
    if rank < 2:
        raise ValueError(f"CenterZero: the input must have rank >= 2, but got rank {rank} (axes={axes})")
    for axis in axes:
        if not -rank <= axis < rank:
            raise ValueError(f"CenterZero: axes={axes} is out of range for an input of rank {rank}")
    resolved = tuple(axis % rank for axis in axes)
    if resolved[0] == resolved[1]:
        raise ValueError(f"CenterZero: axes={axes} name the same axis of an input of rank {rank}")
    return resolved


def _too_large_message(size, axis, length, shape):
    return (
        f"CenterZero: the window is larger than the map: size {size} on axis {axis} "
        f"of length {length} (input shape {shape})"
    )


def check_static_shape(shape, axes, size):
    """Rank, axes and window checks that the static ``shape`` allows; returns resolved axes."""
    shape = tf.TensorShape(shape)
    resolved = resolve_axes(shape.rank, axes)
    for axis, k in zip(resolved, size):
        length = shape[axis]
        if length is not None and k > length:
            raise ValueError(_too_large_message(k, axis, length, tuple(shape.as_list())))
    return resolved


def _work_dtype(dtype):
    """The dtype whose words are ANDed with the mask."""
    if dtype == tf.bool or dtype.is_integer:
        return dtype
    if dtype.is_complex:
        return _UNSIGNED_OF_WIDTH[dtype.size // 2]
    return _UNSIGNED_OF_WIDTH[dtype.size]


def _all_ones(dtype):
    if dtype == tf.bool:
        return True
    return -1 if not dtype.is_unsigned else dtype.max


# Masks up to this many elements cover every axis from the first map axis on; larger ones
# broadcast over the axes between and after the maps too (slower, but bounded in memory).
_MAX_MATERIALIZED_MASK = 1 << 22


def _mask_shape(shape, axes):
    """The mask's shape: 1 on the leading batch axes, the input's lengths from the first map
    axis on.  TensorFlow collapses ``(1, M)`` against ``(N, M)`` into a row broadcast that runs
    at memory speed, while a ``(1, H, W, 1)`` mask against ``(N, H, W, C)`` takes Eigen's
    general broadcasting path, 1.3 to 5 times slower than this (benchmarks/layer_speed.py)."""
    first = min(axes)
    full = [1] * first + list(shape[first:])
    if np.prod(full, dtype=np.int64) <= _MAX_MATERIALIZED_MASK:
        return full
    return [length if i in axes else 1 for i, length in enumerate(shape)]


@functools.lru_cache(maxsize=64)
def _static_keep(shape, axes, size, work_dtype):
    """The keep mask as a read-only NumPy constant for a fully known ``shape``; cached."""
    zero = np.ones((), bool)
    for axis, k in zip(axes, size):
        start, stop = window(shape[axis], k)
        inside = np.zeros(shape[axis], bool)
        inside[start:stop] = True
        target = [1] * len(shape)
        target[axis] = shape[axis]
        zero = zero & inside.reshape(target)
    zero = np.broadcast_to(zero, _mask_shape(shape, axes))
    dtype = tf.as_dtype(work_dtype)
    if dtype == tf.bool:
        keep = ~zero
    else:
        # np.where(zero, 0, 2**64 - 1) goes through float64 on NumPy 1.x: fill in the dtype.
        keep = np.full(zero.shape, _all_ones(dtype), dtype.as_numpy_dtype)
        keep[zero] = 0
    keep.setflags(write=False)
    return keep


def _runtime_checks(x, axes, size):
    """Assertions for the map lengths unknown at trace time (contract 1.8's run-time error)."""
    shape = tf.shape(x)
    checks = []
    for axis, k in zip(axes, size):
        if x.shape[axis] is None:
            checks.append(
                tf.debugging.Assert(
                    k <= shape[axis],
                    [
                        tf.strings.format(
                            "CenterZero: the window is larger than the map: size {} on axis {} "
                            "of length {} (input shape {})",
                            (k, axis, shape[axis], shape),
                        )
                    ],
                )
            )
    return checks


def _dynamic_keep(x, axes, size, work_dtype):
    """The keep mask built from ``tf.shape`` when a length is unknown at trace time."""
    rank = x.shape.rank
    shape = tf.shape(x)
    zero = None
    for axis, k in zip(axes, size):
        length = shape[axis]
        start = (length - k) // 2
        index = tf.range(length)
        target = [1] * rank
        target[axis] = -1
        inside = tf.reshape((index >= start) & (index < start + k), target)
        zero = inside if zero is None else zero & inside
    first = min(axes)
    # Same layout as the static mask; the size cap needs static lengths, so it is left out.
    zero = tf.broadcast_to(zero, tf.concat([tf.ones([first], tf.int32), shape[first:]], 0))
    if work_dtype == tf.bool:
        return tf.logical_not(zero)
    return tf.where(zero, tf.zeros([], work_dtype), tf.constant(_all_ones(work_dtype), work_dtype))


def _and(x, keep):
    dtype = x.dtype
    if dtype == tf.bool:
        return tf.logical_and(x, keep)
    if dtype.is_integer:
        return tf.bitwise.bitwise_and(x, keep)
    if dtype.is_complex:
        # XLA cannot bitcast complex types: mask the real and imaginary parts instead.
        return tf.complex(_and(tf.math.real(x), keep), _and(tf.math.imag(x), keep))
    bits = tf.bitcast(x, _UNSIGNED_OF_WIDTH[dtype.size])
    return tf.bitcast(tf.bitwise.bitwise_and(bits, keep), dtype)


try:  # private, but it saves about 240 us per eager call when no GradientTape is recording
    from tensorflow.python.eager.record import could_possibly_record as _tape_may_record
except ImportError:  # pragma: no cover - older or newer TensorFlow layouts

    def _tape_may_record():
        return True


@functools.lru_cache(maxsize=64)
def _eager_keep(shape, axes, size, work_dtype):
    # One host tensor per shape instead of a NumPy-to-tensor copy on every eager call.
    return tf.constant(_static_keep(shape, axes, size, work_dtype))


@tf.custom_gradient
def _and_differentiable(x, keep):
    # tf.bitcast has no gradient; d(out)/d(x) is the mask itself, and masking the upstream
    # gradient with the same AND keeps an inf or NaN gradient inside the window from
    # leaking in as NaN, which `dy * mask` would do.
    def grad(dy):
        return _and(dy, keep), None

    return _and(x, keep), grad


def center_zero(x, size=2, axes=(-2, -1)):
    """Zero the central ``size`` window of every 2-D map of ``x`` spanned by ``axes``.

    Every element outside the window keeps its exact bits; inside it becomes ``+0``.

    >>> center_zero(tf.fill((10, 10), 6.0)).numpy()[3:7, 3:7]
    array([[6., 6., 6., 6.],
           [6., 0., 0., 6.],
           [6., 0., 0., 6.],
           [6., 6., 6., 6.]], dtype=float32)
    """
    size = normalize_size(size)
    axes = normalize_axes(axes)
    check_input_type(x)
    x = tf.convert_to_tensor(x)
    dtype = check_dtype(x.dtype)
    resolved = check_static_shape(x.shape, axes, size)
    checks = _runtime_checks(x, resolved, size)
    if checks:
        with tf.control_dependencies(checks):
            x = tf.identity(x)
    if 0 in size:
        return tf.identity(x)
    work_dtype = _work_dtype(dtype)
    # The mask depends on every length from the first map axis on; the batch axes before it
    # may stay unknown without leaving the static path.
    shape = tuple([1] * min(resolved) + x.shape.as_list()[min(resolved):])
    if None in shape:
        keep = _dynamic_keep(x, resolved, size, work_dtype)
    else:
        key = (shape, resolved, size, work_dtype.name)
        keep = _eager_keep(*key) if tf.executing_eagerly() else tf.constant(_static_keep(*key))
    differentiable = dtype.is_floating or dtype.is_complex
    if differentiable and (not tf.executing_eagerly() or _tape_may_record()):
        return _and_differentiable(x, keep)
    return _and(x, keep)
