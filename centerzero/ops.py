"""``center_zero``: the operation behind the layer, usable on its own, in public TensorFlow only.

A mask layer can be no faster than a same-size copy (one read, one write), and it must move
every element outside the window without looking at it, so that NaN payloads, ``-0.0``,
subnormals and every other bit pattern come through.  Two writes do that:

* **update** (small windows, the usual case): ``TensorStridedSliceUpdate`` copies the input and
  writes a block of zeros over the window.  It runs at a copy's speed while the window is small,
  but writes the zeros one element at a time (some 4 ns each on a 2-core CPU).
* **split** (windows over ``LARGE_WINDOW_SHARE`` of their map, and graphs traced with a length
  off the maps unknown: ``uses_split``): ``tf.split`` cuts the input into the rows before,
  through and after the window, then the middle rows into columns; ``tf.concat`` puts the
  pieces back around ``tf.zeros_like`` of the window.  Two copies, each at memory speed,
  whatever the window's size; XLA fuses them into one.

Both have TensorFlow's own exact gradient, the vector-Jacobian product of contract 1.6: the
upstream gradient outside the window, bit for bit, and ``+0`` inside (no addition is involved).
Both run in eager mode, in ``tf.function`` (also with unknown lengths) and under XLA.

Four dtypes are written as their bytes: ``tf.bitcast`` to uint8 (which moves no data) adds an
axis of the element's width after the last axis, the write runs on uint8, and a second bitcast
puts the elements back.  Their gradient is the op applied to the upstream gradient.

* bfloat16: XLA on the CPU computes bfloat16 in float32 and so quiets NaN payloads outside the
  window, even in a pure copy (``0x7fc1`` becomes ``0x7fc0``); a float16 view instead loses
  subnormals there.
* int16, uint16 and uint32: a GPU's ``TensorStridedSliceUpdate`` registers these dtypes but
  fails on them at run time.
"""

import functools
import math

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

_SUPPORTED = frozenset(SUPPORTED_DTYPES)  # a set: `in` on a tuple compares DTypes one by one

#: Dtypes written as their bytes (see the module's docstring).
AS_BYTES = frozenset({tf.bfloat16, tf.int16, tf.uint16, tf.uint32})

#: A window is *large*, and takes the ``split`` write, when it holds more than this share of
#: its map's elements (``kh * kw > LARGE_WINDOW_SHARE * h * w``) and the input has more than
#: ``SPLIT_MIN_ZEROS`` elements in windows: ``update`` writes each zero for some 4 ns, ``split``
#: costs a second copy and, in eager mode, some 50 us of dispatch (docs: speed).
LARGE_WINDOW_SHARE = 1 / 32
SPLIT_MIN_ZEROS = 1 << 14


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
    """The input's dtype as a ``tf.DType``, or the contract's ``TypeError`` naming it."""
    dtype = tf.as_dtype(dtype)
    if dtype not in _SUPPORTED:
        names = ", ".join(d.name for d in SUPPORTED_DTYPES)
        raise TypeError(f"CenterZero: input dtype {dtype.name} is not supported; supported dtypes: {names}")
    return dtype


def check_input_type(x):
    """Refuse, with the contract's ``TypeError``, inputs that TensorFlow would reject obscurely."""
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


_TOO_LARGE = "CenterZero: the window is larger than the map: size {} on axis {} of length {} (input shape {})"


def check_static_shape(shape, axes, size):
    """Rank, axes and window checks that the static ``shape`` allows; returns the resolved axes."""
    shape = tf.TensorShape(shape)
    resolved = resolve_axes(shape.rank, axes)
    for axis, k in zip(resolved, size):
        if shape[axis] is not None and k > shape[axis]:
            raise ValueError(_TOO_LARGE.format(k, axis, shape[axis], tuple(shape.as_list())))
    return resolved


def _runtime_checks(x, axes, size):
    """Contract 1.8's run-time error, for the map lengths unknown at trace time."""
    shape = tf.shape(x)
    return [
        tf.debugging.Assert(k <= shape[axis], [tf.strings.format(_TOO_LARGE, (k, axis, shape[axis], shape))])
        for axis, k in zip(axes, size)
        if x.shape[axis] is None
    ]


def is_large(shape, axes, size):
    """Whether the window takes the ``split`` write: every length is known, the window holds
    more than ``LARGE_WINDOW_SHARE`` of its map and all windows more than ``SPLIT_MIN_ZEROS``
    elements."""
    if None in shape:
        return False
    h, w = (shape[a] for a in axes)
    zeros = size[0] * size[1] * math.prod(n for i, n in enumerate(shape) if i not in axes)
    return size[0] * size[1] > LARGE_WINDOW_SHARE * h * w and zeros > SPLIT_MIN_ZEROS


def uses_split(shape, axes, size):
    """Whether the op writes with ``split``: for a large window, and wherever a length off the
    maps is unknown at trace time (it may be 0 at run time, and XLA cannot compile a
    ``TensorStridedSliceUpdate`` of an empty block, even in a branch never taken)."""
    return any(n is None for i, n in enumerate(shape) if i not in axes) or is_large(tuple(shape), axes, size)


def _split(x, axes, size):
    """Split the rows before, through and after the window, then the middle rows' columns, and
    concatenate the pieces around zeros."""
    pieces = []
    for axis, k in zip(axes, size):
        n = tf.shape(x, out_type=tf.int64)[axis] if x.shape[axis] is None else x.shape[axis]
        start, stop = window(n, k)  # a length known only at run time gives tensors
        sizes = [start, k, n - stop]
        before, middle, after = tf.split(x, tf.stack(sizes) if tf.is_tensor(n) else sizes, num=3, axis=axis)
        pieces.append((before, after, axis))
        x = middle
    x = tf.zeros_like(x)  # the window
    for before, after, axis in reversed(pieces):
        x = tf.concat([before, x, after], axis=axis)
    return x


@functools.lru_cache(maxsize=64)
def _eager_plan(shape, dtype, size, axes, device):
    """``center_zero`` for eager tensors of one shape, dtype and device, with every check and
    every constant made once (an error is raised each time, never cached): an eager call on a
    large tensor starts with cold caches, where each Python step and conversion costs more."""
    check_dtype(dtype)
    axes = check_static_shape(shape, axes, size)
    if 0 in size or 0 in shape:
        return tf.identity
    if dtype in AS_BYTES or uses_split(shape, axes, size):
        return lambda x: _write(x, axes, size)
    with tf.device(device):
        begin, end, strides, zeros = _constants(shape, dtype, axes, size, tf.constant)
    return lambda x: tf.raw_ops.TensorStridedSliceUpdate(input=x, begin=begin, end=end, strides=strides, value=zeros)


def _constants(shape, dtype, axes, size, const):
    begin, end, block = [0] * len(shape), list(shape), list(shape)
    for axis, k in zip(axes, size):
        begin[axis], end[axis] = window(shape[axis], k)
        block[axis] = k
    return const(begin, np.int64), const(end, np.int64), const([1] * len(shape), np.int64), tf.zeros(block, dtype)


def _dynamic_constants(x, axes, size):
    """The same as tensors, for lengths unknown at trace time."""
    shape = tf.shape(x, out_type=tf.int64)
    begin, end, block = tf.unstack(tf.zeros_like(shape)), tf.unstack(shape), tf.unstack(shape)
    for axis, k in zip(axes, size):
        begin[axis], end[axis] = window(shape[axis], k)
        block[axis] = tf.constant(k, tf.int64)
    return tf.stack(begin), tf.stack(end), tf.ones_like(shape), tf.zeros(tf.stack(block), x.dtype)


def _update(x, axes, size):
    shape = tuple(x.shape.as_list())
    if None in shape:
        begin, end, strides, zeros = _dynamic_constants(x, axes, size)
    elif tf.executing_eagerly():
        return _eager_plan(shape, x.dtype, size, axes, x.device)(x)
    else:
        begin, end, strides, zeros = _constants(shape, x.dtype, axes, size, np.asarray)
    return tf.raw_ops.TensorStridedSliceUpdate(input=x, begin=begin, end=end, strides=strides, value=zeros)


def center_zero(x, size=2, axes=(-2, -1)):
    """Zero the central ``size`` window of every 2-D map of ``x`` spanned by ``axes``.

    Every element outside the window keeps its exact bits; inside it becomes ``+0``.

    >>> center_zero(tf.fill((10, 10), 6.0)).numpy()[3:7, 3:7]
    array([[6., 6., 6., 6.],
           [6., 0., 0., 6.],
           [6., 0., 0., 6.],
           [6., 6., 6., 6.]], dtype=float32)
    """
    size, axes = normalize_size(size), normalize_axes(axes)
    if not isinstance(x, tf.Tensor):
        check_input_type(x)
        x = tf.convert_to_tensor(x)
    if tf.executing_eagerly():
        return _eager_plan(tuple(x.shape), x.dtype, size, axes, x.device)(x)
    check_dtype(x.dtype)
    resolved = check_static_shape(x.shape, axes, size)
    checks = _runtime_checks(x, resolved, size)
    if checks:
        with tf.control_dependencies(checks):
            x = tf.identity(x)
    if 0 in size or 0 in x.shape.as_list():  # nothing to zero (and XLA compiles no empty write)
        return tf.identity(x)
    return _write(x, resolved, size)


def _write(x, axes, size):
    """The ``update`` or the ``split`` write, on the bytes for the dtypes of ``AS_BYTES``."""
    if x.dtype not in AS_BYTES:
        return _split(x, axes, size) if uses_split(x.shape, axes, size) else _update(x, axes, size)

    @tf.custom_gradient
    def as_bytes(x):
        y = tf.bitcast(_write(tf.bitcast(x, tf.uint8), axes, size), x.dtype)
        return y, lambda upstream: _write(upstream, axes, size)

    return as_bytes(x)
