"""``center_zero``: the operation behind the layer, usable on its own.

The limit for any mask layer is one read and one write of the tensor: a same-size copy.  Eager
calls on the CPU run the native kernel (``centerzero.native``: one pass, one input, at or under
a copy's time for every window) where it is built; everything else uses TensorFlow's ops, in
two formulations, and which is fastest depends on the mode and the window:

* ``update``: copy the input and write zeros into the window (``TensorScatterUpdate`` with
  the window's indices, or ``TensorStridedSliceUpdate`` for a large zero block or lengths
  unknown at trace time).  A copy moves bits without looking at them, so NaN payloads,
  ``-0.0``, subnormals and every other pattern survive; the zeros written are ``+0``, ``0``,
  ``False`` or ``0+0j``.  It runs at copy speed in eager mode and in ``tf.function`` as long
  as the window is small against the tensor (each zeroed element costs some 15-25 ns), and
  it has TensorFlow's own exact gradient (the upstream gradient with the window overwritten
  by zeros).
* ``and``: AND each element's bit pattern with an all-ones or all-zeros word (complex numbers
  through their real and imaginary parts: XLA cannot bitcast complex types), with the mask
  built from two ``range`` comparisons.  XLA fuses it into one pass, like ``x * mask``;
  TensorFlow's own kernels broadcast the mask 2-3 times slower than a copy.  So it runs under
  XLA: inside ``jit_compile=True`` (path ``xla``), and, outside XLA, for large windows on large
  inputs, where ``update`` would spend more on the window than on the copy, as a small
  compiled function of its own (path ``compiled``).

Every path gives the same bits (tests/test_ops_paths.py pins each one against NumPy); the size
thresholds that choose between them are the module constants below.  They are for the CPU; off
the CPU (a GPU) every window stays on ``update``, written by the first write of the device's
order (``set_write_order``; by default the scatter, else the strided write) that has a kernel
there for the dtype (TensorFlow's kernel registry says).
"""

import functools

import numpy as np
import tensorflow as tf

from centerzero import native
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


#: Outside XLA, ``update`` pays about 15-25 ns for each element of its zero block (the strided
#: write is far from memory speed) while a copy moves a byte in about 0.1-0.2 ns, so a window
#: is *large* when its elements exceed this share of its map's bytes:
#: ``kh * kw > LARGE_WINDOW_SHARE * h * w * itemsize`` (on 224x224 maps: more than 98 elements
#: for float32, 24 for uint8).  A large window takes the ``compiled`` path when the input also
#: has at least ``COMPILED_MIN_ELEMENTS`` elements (or an element count unknown at trace time,
#: with every map length known).  At the threshold ``update`` costs about 5-10% over a copy.
LARGE_WINDOW_SHARE = 1 / 2048

#: The smallest input (in elements) that a large window sends to the ``compiled`` path; smaller
#: inputs stay on ``update``, where a call costs less than a compiled function's dispatch and
#: no XLA compilation happens for each new shape.
COMPILED_MIN_ELEMENTS = 1 << 16

#: The ``update`` path scatters zeros (``TensorScatterUpdate`` with a constant list of the
#: window's indices over the axes up to the last map axis: a little faster than the strided
#: write) while the indices and the zero block together take at most this many bytes, and
#: otherwise, or when a length is unknown at trace time, writes a zero block made on each call
#: through ``TensorStridedSliceUpdate``.  In eager mode the constants are cached per shape.
MAX_SCATTER_BYTES = 1 << 20

#: Set to False to keep large windows on ``update`` outside XLA (for a device without XLA).
USE_COMPILED_PATH = True

#: Set to False to keep eager CPU calls off the native kernel (``centerzero.native``), on
#: TensorFlow's ops; ``CENTERZERO_NATIVE=0`` also keeps it from being built or loaded.
USE_NATIVE_KERNEL = True

#: The paths, as :func:`choose_path` names them.
PATHS = ("identity", "xla", "compiled", "update")


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


def _in_xla_context():
    """Whether the op is being traced into a ``jit_compile=True`` function."""
    if tf.executing_eagerly():
        return False
    return _graph_in_xla(tf.compat.v1.get_default_graph())


try:  # private, but the only way to know at trace time; Keras uses the same function
    from tensorflow.python.ops.control_flow_util import GraphOrParentsInXlaContext as _graph_in_xla
except ImportError:  # pragma: no cover - older or newer TensorFlow layouts

    def _graph_in_xla(graph):
        return False


def has_kernel(op, device_type, **types):
    """Whether TensorFlow has a kernel for ``op`` on ``device_type`` that takes these dtypes
    (attribute name to DType, e.g. ``T=tf.uint8``) and that runs: a kernel listed in
    ``BROKEN_KERNELS`` for the ``T`` given counts as none."""
    broken = BROKEN_KERNELS.get((op, device_type))
    if broken and "T" in types and tf.as_dtype(types["T"]).name in broken:
        return False
    return _kernel_lookup(op, device_type, tuple(sorted((k, tf.as_dtype(v).as_datatype_enum) for k, v in types.items())))


@functools.lru_cache(maxsize=None)
def _kernel_lookup(op, device_type, types):
    from tensorflow.python.framework import kernels

    for kernel in kernels.get_registered_kernels_for_op(op).kernel:
        if kernel.device_type != device_type:
            continue
        allowed = {c.name: c.allowed_values.list.type for c in kernel.constraint}
        if all(name not in allowed or enum in allowed[name] for name, enum in types):
            return True
    return False


def _index_dtype(shape):
    """The scatter's index dtype for an input of static ``shape``."""
    return np.int32 if max((n for n in shape if n is not None), default=0) < 2**31 else np.int64


#: The writes the ``update`` path can use (``_eager_plan(..., write=)`` forces one; the
#: benchmark's ``--writes`` and the GPU probe time and check each):
#:
#: * ``scatter``: ``TensorScatterUpdate`` of a zero block at the window's indices (the copy is
#:   the op's own);
#: * ``strided``: ``TensorStridedSliceUpdate`` of a zero block between the window's bounds;
#: * ``select``: ``SelectV2`` of a boolean window mask (1 on every axis but the two map axes),
#:   a ``+0`` scalar and the input: one pass that moves each element's bits untouched; its
#:   registered gradient is the same select of the upstream gradient;
#: * ``and``: the ``and`` formulation below, outside XLA (a mask of all-ones or all-zeros words);
#: * ``native``: ``centerzero.native``'s ``CenterZeroWindow``, one CPU kernel with one input
#:   that copies every byte outside the window and zeroes the window, in eager calls only (a
#:   graph never holds it, so graphs and SavedModels need nothing built).
#:
#: ``select`` and ``and`` are masks over the whole tensor, not a copy and a write, and a plan
#: that uses one has path ``mask``.  The CPU broadcasts them 10-50x slower than a copy; a GPU
#: runs every elementwise kernel near memory speed.
EAGER_WRITES = ("scatter", "strided", "select", "and", "native")
_MASK_WRITES = ("select", "and")

#: The order in which ``update`` tries the writes when nothing else is said for a device and
#: dtype (``set_write_order``) and ``DEVICE_WRITE_ORDERS`` names no order for the device type
#: and mode: the scatter, else the strided write.  The CPU's order in graphs, and in eager
#: calls where the native kernel is not loaded.
DEFAULT_WRITE_ORDER = ("scatter", "strided")

#: A device type's own default orders, ``(device type, "eager" or "graph") -> {dtype name or
#: "*": order}``.  From three benchmark runs on an H200 (README, "On a GPU"):
#:
#: * in graphs, ``select`` for every dtype: one elementwise kernel that every supported dtype
#:   has there, 1.0-1.5x a copy (the scatter 1.6-18x, the strided write 1.3-2.0x);
#: * in eager mode, ``select`` too (1.2-1.8x; the scatter has no GPU kernel for 10 of the 15
#:   dtypes and took 70x for int64), except float32 and complex64, where the scatter took
#:   1.1-1.3x and ``select`` 1.2-2.1x (2.1x on a batch of 256 and on 512x512 maps), and
#:   bfloat16, whose ``select`` took 2.5-3.2x and the strided write 1.8x;
#: * the strided write fails at run time there for three dtypes (``BROKEN_KERNELS``).
DEVICE_WRITE_ORDERS = {
    # The CPU's eager calls: the native kernel where it is loaded (at or under a copy's time
    # for every window, where the scatter's dispatch costs 5-10 us more and each zeroed element
    # some 20 ns), else the default order.
    ("CPU", "eager"): {"*": ("native", "scatter", "strided")},
    ("GPU", "eager"): {
        "*": ("select", "scatter", "strided"),
        "float32": ("scatter", "select", "strided"),
        "complex64": ("scatter", "select", "strided"),
        "bfloat16": ("strided", "select", "scatter"),
    },
    ("GPU", "graph"): {"*": ("select", "scatter", "strided")},
}

#: Kernels that TensorFlow registers but that fail at run time, by ``(op, device type)``: the
#: dtype names ``has_kernel`` answers no for.  Measured on an H200 with TensorFlow 2.21
#: (scripts/gpu/probe.py): the GPU's ``TensorStridedSliceUpdate`` raises "Unsupported dtype
#: from DoCopy" for int16, uint16 and uint32.
BROKEN_KERNELS = {("TensorStridedSliceUpdate", "GPU"): frozenset({"int16", "uint16", "uint32"})}

#: ``(device type, dtype name) -> order``, set through ``set_write_order``.
_WRITE_ORDER = {}


def set_write_order(device_type, dtype, order):
    """Make ``update`` try these writes (from ``EAGER_WRITES``), in this order, for ``dtype``
    on ``device_type`` (``"CPU"``, ``"GPU"``); ``order=None`` restores the device type's default
    (``DEVICE_WRITE_ORDERS``, else ``DEFAULT_WRITE_ORDER``).  An order set here holds for eager
    calls and graphs alike.

    Every write gives the same bits; this is a speed choice, for a device whose kernels favour
    another write (scripts/gpu/ measures them).  The first write in the order that can run is
    used: it needs a kernel on that device for the dtype, and the scatter also needs static
    lengths, a non-empty tensor and at most ``MAX_SCATTER_BYTES`` of indices and zeros.  Eager
    calls see the new order at once; a graph keeps the write it was traced with.

    >>> set_write_order("GPU", tf.uint8, ("select", "strided"))
    >>> set_write_order("GPU", tf.uint8, None)
    """
    if not isinstance(device_type, str) or not device_type:
        raise TypeError(f"set_write_order: device_type must be a device type name such as 'GPU', but got {device_type!r}")
    dtype = check_dtype(dtype)
    if order is not None:
        if not isinstance(order, (tuple, list)) or not order or not all(isinstance(w, str) for w in order):
            raise TypeError(f"set_write_order: order must be a non-empty tuple or list of write names, but got {order!r}")
        unknown = [w for w in order if w not in EAGER_WRITES]
        if unknown:
            raise ValueError(f"set_write_order: order={tuple(order)!r} names {unknown}, not in {EAGER_WRITES}")
    key = (device_type.upper(), dtype.name)
    if order is None:
        _WRITE_ORDER.pop(key, None)
    else:
        _WRITE_ORDER[key] = tuple(order)
    _eager_plan.cache_clear()


def _scatter_fits(shape, axes, size, dtype):
    """Whether the scatter's constants can be made: static lengths, a non-empty tensor, and at
    most ``MAX_SCATTER_BYTES`` of indices and zeros."""
    return None not in shape and 0 not in shape and _scatter_layout(shape, axes, size, dtype)[-1] <= MAX_SCATTER_BYTES


def _can_write(write, shape, axes, size, dtype, device_type, mode="eager"):
    """Whether ``write`` can run for this input on ``device_type`` (see ``set_write_order``)."""
    if write == "native":
        return (USE_NATIVE_KERNEL and mode == "eager" and device_type == "CPU" and native.fits(size, axes)
                and native.available())
    if write == "scatter":
        return (_scatter_fits(shape, axes, size, dtype)
                and has_kernel("TensorScatterUpdate", device_type, T=dtype, Tindices=_index_dtype(shape)))
    if write == "strided":
        return has_kernel("TensorStridedSliceUpdate", device_type, T=dtype)
    if write == "select":
        return has_kernel("SelectV2", device_type, T=dtype)
    if dtype == tf.bool:
        return has_kernel("LogicalAnd", device_type)
    return has_kernel("BitwiseAnd", device_type, T=_work_dtype(dtype))


def _device_write(shape, axes, size, dtype, device_type, mode="eager"):
    """The write ``update`` uses for this input on ``device_type``: the first in its order
    that can run.  Where none can (no kernel there for the dtype), the scatter, or the strided
    write where the scatter's constants are too big: TensorFlow then places the op on the CPU
    (exact, but it copies the tensor both ways).  With the default order the CPU runs the
    native kernel in eager calls where it is loaded, and otherwise, having both kernels for
    every supported dtype, scatters unless the constants are too big or a length is unknown;
    a GPU mostly selects (``DEVICE_WRITE_ORDERS``: an H200 has a GPU ``SelectV2`` for every
    supported dtype, no GPU scatter for uint8, float16, bfloat16,
    bool, int8-32 or the wider unsigned types, and no working strided write for int16, uint16
    and uint32).  ``mode``: ``"eager"`` or ``"graph"``, for the device's default order."""
    name = tf.as_dtype(dtype).name
    defaults = DEVICE_WRITE_ORDERS.get((device_type, mode))
    default = DEFAULT_WRITE_ORDER if defaults is None else defaults.get(name, defaults["*"])
    order = _WRITE_ORDER.get((device_type, name), default)
    for write in order:
        if _can_write(write, shape, axes, size, dtype, device_type, mode):
            return write
    return "scatter" if _scatter_fits(shape, axes, size, dtype) else "strided"


def device_type_of(device):
    """``"CPU"``, ``"GPU"``, ... for a device name; for no name (a graph tensor not yet
    placed), the type TensorFlow's placer prefers: ``"GPU"`` where one is visible.  (Visible,
    not logical: listing logical devices would initialise TensorFlow's runtime while a graph is
    only being built, and the user could no longer configure devices afterwards.)"""
    if device:
        kind = tf.DeviceSpec.from_string(device).device_type
        if kind:
            return kind
    return "GPU" if tf.config.get_visible_devices("GPU") else "CPU"


def choose_path(shape, size, axes, dtype, xla=False, device_type="CPU"):
    """The path ``center_zero`` takes for an input of static ``shape`` (``None`` for unknown
    lengths) and ``dtype``, with ``size`` a pair and ``axes`` resolved; ``xla``: traced under
    ``jit_compile=True``; ``device_type``: where the op runs (``"CPU"``, ``"GPU"``).

    >>> choose_path((64, 224, 224, 3), (2, 2), (1, 2), tf.float32)
    'update'
    >>> choose_path((64, 224, 224, 3), (200, 200), (1, 2), tf.float32)
    'compiled'

    Off the CPU (a GPU) a write of zeros runs in parallel at memory speed whatever the window,
    and a compiled function's dispatch costs more than the whole copy of a large batch, so
    every window takes ``update`` there (with the first write in the device's order that can
    run there: see ``set_write_order``).  ``compiled`` would also need XLA on that device, which not every device
    has.
    """
    if 0 in size:
        return "identity"
    if xla:
        return "xla"
    if device_type != "CPU":
        return "update"
    h, w = shape[axes[0]], shape[axes[1]]
    if not USE_COMPILED_PATH or h is None or w is None:
        return "update"
    if size[0] * size[1] <= LARGE_WINDOW_SHARE * h * w * tf.as_dtype(dtype).size:
        return "update"
    elements = None if None in shape else int(np.prod(shape, dtype=np.int64))
    if elements is not None and elements < COMPILED_MIN_ELEMENTS:
        return "update"
    return "compiled"


# --- the ``and`` formulation (paths ``xla`` and ``compiled``) -------------------------------


def _inside(x, axes, size):
    """True inside the window, False outside; 1 on every axis but the two map axes.

    Built from ``range`` comparisons, so there is no constant to store and unknown lengths
    need nothing else; XLA fuses it into the AND."""
    rank = x.shape.rank
    inside = None
    for axis, k in zip(axes, size):
        length = x.shape[axis]
        if length is None:
            length = tf.shape(x, out_type=tf.int64)[axis]
        start = (length - k) // 2
        index = tf.range(length, dtype=tf.int64)
        target = [1] * rank
        target[axis] = -1
        hit = tf.reshape((index >= start) & (index < start + k), target)
        inside = hit if inside is None else inside & hit
    return inside


def _keep_words(x, axes, size, work_dtype):
    """All-ones words outside the window, zeros inside; 1 on every axis but the two map axes."""
    inside = _inside(x, axes, size)
    if work_dtype == tf.bool:
        return tf.logical_not(inside)
    return tf.where(inside, tf.zeros([], work_dtype), tf.constant(_all_ones(work_dtype), work_dtype))


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


@tf.custom_gradient
def _and_differentiable(x, keep):
    # tf.bitcast has no gradient; d(out)/d(x) is the mask itself, and masking the upstream
    # gradient with the same AND keeps an inf or NaN gradient inside the window from
    # leaking in as NaN, which `dy * mask` would do.
    def grad(dy):
        return _and(dy, keep), None

    return _and(x, keep), grad


def _masked_and(x, keep):
    """``x`` ANDed with ``keep``: ``_work_dtype`` words (bools for bool), with the mask's
    gradient for the dtypes that have one."""
    if x.dtype.is_floating or x.dtype.is_complex:
        return _and_differentiable(x, keep)
    return _and(x, keep)


def _and_formulation(x, axes, size):
    return _masked_and(x, _keep_words(x, axes, size, _work_dtype(x.dtype)))


@functools.lru_cache(maxsize=64)
def _compiled(shape, axes, size, dtype_name):
    """One XLA-compiled ``and`` per (shape, axes, size, dtype): path ``compiled``."""
    del shape, dtype_name  # cache keys only: each function is traced for one input signature

    def masked(x):
        return _and_formulation(x, axes, size)

    return tf.function(masked, jit_compile=True, autograph=False)


# --- the ``update`` formulation ---------------------------------------------------------------


def _update_bounds(shape, axes, size):
    """``begin``, ``end`` and the zero block's shape for a fully known ``shape``."""
    begin, end, block = [0] * len(shape), list(shape), list(shape)
    for axis, k in zip(axes, size):
        start, stop = window(shape[axis], k)
        begin[axis], end[axis], block[axis] = start, stop, k
    return begin, end, block


def _dynamic_update_bounds(x, axes, size):
    """``begin``, ``end`` and the zero block's shape as tensors, for lengths unknown at trace time."""
    dynamic = tf.shape(x, out_type=tf.int64)
    begin, end, block = [], [], []
    for i, length in enumerate(x.shape):
        if length is None:
            length = dynamic[i]
        if i in axes:
            k = size[axes.index(i)]
            start = (length - k) // 2
            begin.append(start), end.append(start + k), block.append(k)
        else:
            begin.append(0), end.append(length), block.append(length)
    as_vector = functools.partial(tf.stack, axis=0)
    return (as_vector([tf.cast(v, tf.int64) for v in begin]), as_vector([tf.cast(v, tf.int64) for v in end]),
            as_vector([tf.cast(v, tf.int64) for v in block]))


def _update(x, begin, end, strides, zeros):
    # The registered gradients of both ops are exact: the upstream gradient with the window
    # overwritten by zeros, inf and NaN included.
    return tf.raw_ops.TensorStridedSliceUpdate(input=x, begin=begin, end=end, strides=strides, value=zeros)


def _scatter(x, indices, zeros):
    return tf.raw_ops.TensorScatterUpdate(tensor=x, indices=indices, updates=zeros)


def _scatter_layout(shape, axes, size, dtype):
    """``(count, depth, index dtype, zero block shape, bytes)`` of the scatter formulation."""
    depth = max(axes) + 1
    lengths = [size[axes.index(i)] if i in axes else shape[i] for i in range(depth)]
    count = int(np.prod(lengths, dtype=np.int64))
    index_dtype = _index_dtype(shape)
    block = [count, *shape[depth:]]
    nbytes = count * depth * np.dtype(index_dtype).itemsize + int(np.prod(block, dtype=np.int64)) * dtype.size
    return lengths, depth, index_dtype, block, nbytes


def _scatter_constants(shape, axes, size, dtype):
    """The window's indices and the zero block's shape for a static, non-empty ``shape``, or
    None for an empty one: TensorScatterUpdate refuses indices into an empty tensor (a
    length-0 axis after the maps); the strided write takes empty inputs of every layout."""
    lengths, depth, index_dtype, block, nbytes = _scatter_layout(shape, axes, size, dtype)
    if 0 in shape:
        return None
    ranges = []
    for i in range(depth):
        start = window(shape[i], lengths[i])[0] if i in axes else 0
        ranges.append(np.arange(start, start + lengths[i], dtype=index_dtype))
    grid = np.meshgrid(*ranges, indexing="ij")
    return np.stack(grid, axis=-1).reshape(-1, depth), block


def _select(x, inside, zero):
    return tf.raw_ops.SelectV2(condition=inside, t=zero, e=x)


def _update_formulation(x, axes, size, device_type):
    """Path ``update`` while tracing a graph for ``device_type``, with that device's write."""
    shape = tuple(x.shape.as_list())
    write = _device_write(shape, axes, size, x.dtype, device_type, mode="graph")
    if write == "select":
        return _select(x, _inside(x, axes, size), tf.zeros([], x.dtype))
    if write == "and":
        return _and_formulation(x, axes, size)
    if write == "scatter":
        indices, block = _scatter_constants(shape, axes, size, x.dtype)
        return _scatter(x, indices, tf.zeros(block, x.dtype))
    if None in shape:
        begin, end, block = _dynamic_update_bounds(x, axes, size)
    else:
        begin, end, block = (np.asarray(v, np.int64) for v in _update_bounds(shape, axes, size))
    return _update(x, begin, end, tf.ones([x.shape.rank], tf.int64), tf.zeros(block, x.dtype))


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


# --- eager calls ------------------------------------------------------------------------------


try:  #: The type of eager tensors (``type(x) is EagerTensor``: the eager fast paths' test).
    from tensorflow.python.framework.ops import EagerTensor
except ImportError:  # pragma: no cover - a layout that hides it: no input takes the fast paths

    class EagerTensor:
        pass


try:  # private, but what every generated op wrapper calls: it saves the wrapper's 2-4 us per call
    from tensorflow.python import pywrap_tfe as _pywrap_tfe
    from tensorflow.python.eager import context as _context

    _FAST_EXECUTE = _pywrap_tfe.TFE_Py_FastPathExecute
except (ImportError, AttributeError):  # pragma: no cover - other TensorFlow layouts
    _FAST_EXECUTE = None


def executing_eagerly():
    """``tf.executing_eagerly()``, read as TensorFlow's generated op wrappers read it: one
    Python call instead of three, which saves some 2 us a call right after a large tensor has
    flushed the caches (and every eager call on a large tensor comes right after one)."""
    try:
        return (_context._context or _context.context())._thread_local_data.is_eager
    except (NameError, AttributeError):  # pragma: no cover - another TensorFlow layout
        return tf.executing_eagerly()


def _eager_op(op_name, fallback, *rest):
    """A one-argument function that runs ``op_name`` on an eager tensor, followed by ``rest``
    (its other inputs, then its attributes as name, value pairs), through TensorFlow's own fast
    path for eager ops (one C call, the gradient recorded there too); ``fallback(x)`` where
    this TensorFlow has no fast path, or where it declines or fails (the public op then says
    why in its words)."""
    if _FAST_EXECUTE is None:  # pragma: no cover
        return fallback

    def run(x):
        try:
            ctx = _context._context or _context.context()  # as the generated wrappers do
            return _FAST_EXECUTE(ctx, op_name, None, x, *rest)
        except Exception:
            return fallback(x)

    return run


def _native_plan(size, axes):  # axes resolved
    """The native kernel for eager tensors (``centerzero.native``), through TensorFlow's eager
    fast path; under a graph (a forced plan that a benchmark wraps in ``tf.function``), its
    generated op.  Its gradient is registered with the op: ``center_zero`` of the upstream."""
    module = native.load()
    if module is None:
        raise ValueError(f"CenterZero: write='native' needs the native kernel, which is not loaded: "
                         f"{native.status()['reason']}")
    window = native.pack_window(size, axes)
    write = _eager_op(native.OP_NAME, lambda x: module.center_zero_window(x, window=window), "window", window)
    return _plan(write, "update", "native")


def _plan(fn, path, formulation=None):
    fn.path, fn.formulation = path, formulation  # for tests/test_ops_paths.py
    return fn


def _map_mask(shape, axes, size):
    """True inside the window, as a NumPy array of 1s on every axis but the two map axes."""
    mask_shape = [shape[a] if a in axes else 1 for a in range(len(shape))]
    inside = np.zeros(mask_shape, bool)
    index = [slice(None)] * len(shape)
    for axis, k in zip(axes, size):
        index[axis] = slice(*window(shape[axis], k))
    inside[tuple(index)] = True
    return inside


def _mask_plan(shape, dtype, axes, size, device, write):
    """The ``select`` or ``and`` write for eager tensors, its mask cached on ``device``."""
    inside = _map_mask(shape, axes, size)
    work = _work_dtype(dtype)
    words = work.as_numpy_dtype  # both branches in it: NumPy 1.x makes float64 of 0 and 2**64 - 1
    with tf.device(device):
        if write == "select":
            condition, zero = tf.constant(inside), tf.zeros([], dtype)
            return _plan(lambda x: _select(x, condition, zero), "mask", "select")
        keep = tf.constant(np.where(inside, np.zeros((), words), np.array(_all_ones(work), words)))
    return _plan(lambda x: _masked_and(x, keep), "mask", "and")


@functools.lru_cache(maxsize=128)
def _eager_plan(shape, dtype, size, axes, device=None, write=None):
    """A one-argument function computing ``center_zero`` for eager tensors of this shape,
    dtype, size and axes (unresolved, as the caller gave them), held on ``device`` (``None``:
    the default device): every check and every constant is done once per key; the errors are
    raised each time (not cached).  Its ``path`` attribute names the path; ``formulation``
    says how ``update`` writes (one of ``EAGER_WRITES``).  ``write`` forces a write for any
    window but an empty one, whatever its size, kernels and ``set_write_order``.

    The scatter's indices and zeros live on the input's device, so a GPU call copies nothing
    from the host; the strided write's bounds stay on the host, where its kernels read them."""
    dtype = check_dtype(dtype)
    size = normalize_size(size)
    axes = normalize_axes(axes)
    resolved = check_static_shape(shape, axes, size)
    device_type = device_type_of(device)
    if write is not None and write not in EAGER_WRITES:
        raise ValueError(f"CenterZero: write={write!r} is not one of {EAGER_WRITES}")
    path = choose_path(shape, size, resolved, dtype, device_type=device_type)
    if path == "identity":
        return _plan(lambda x: tf.identity(x), path)
    chosen = write or _device_write(shape, resolved, size, dtype, device_type)
    if path == "compiled" and write is None and chosen != "native":  # the kernel skips the window: no need
        compiled = _compiled(shape, resolved, size, dtype.name)
        return _plan(lambda x: compiled(x), path)
    write = chosen
    if write == "native":
        return _native_plan(size, resolved)
    if write in _MASK_WRITES:
        return _mask_plan(shape, dtype, resolved, size, device, write)
    scatter = _scatter_constants(shape, resolved, size, dtype) if write == "scatter" else None
    if scatter is not None:
        with tf.device(device):
            indices = tf.constant(scatter[0])  # an eager constant is made on the scope's device
            zeros = tf.zeros(scatter[1], dtype)
        return _plan(_eager_op("TensorScatterUpdate", lambda x: _scatter(x, indices, zeros), indices, zeros),
                     "update", "scatter")
    begin, end, block = _update_bounds(shape, resolved, size)
    with tf.device("CPU:0"):  # TensorStridedSliceUpdate reads its bounds from host memory
        begin, end, strides = (tf.constant(v, tf.int64) for v in (begin, end, [1] * len(shape)))
    if int(np.prod(block, dtype=np.int64)) * dtype.size > MAX_SCATTER_BYTES:  # a zero block made per call
        return _plan(lambda x: _update(x, begin, end, strides, tf.zeros(block, dtype)), "update", "strided")
    with tf.device(device):  # small: made once, where the input is (tf.zeros copies it from the host)
        zeros = tf.zeros(block, dtype)
    return _plan(lambda x: _update(x, begin, end, strides, zeros), "update", "strided")


def _plain(size, axes):
    """Whether ``size`` is an int or a pair of ints and ``axes`` a pair of ints, exactly (no
    bools, which equal 0 and 1 and would share their cache keys): the eager fast path's keys."""
    kind = type(size)
    return (
        (kind is int or kind is tuple and len(size) == 2 and type(size[0]) is int and type(size[1]) is int)
        and type(axes) is tuple and len(axes) == 2 and type(axes[0]) is int and type(axes[1]) is int
    )


def eager_center_zero(x, size, axes):
    """``center_zero`` for a caller that knows that TensorFlow is executing eagerly, that ``x``
    is an ``EagerTensor`` and that ``size`` and ``axes`` are pairs of plain ints (the layer's
    normalised arguments): one cache look-up, one op."""
    return _eager_plan(x._shape_tuple(), x._datatype_enum(), size, axes, x.device)(x)


def center_zero(x, size=2, axes=(-2, -1)):
    """Zero the central ``size`` window of every 2-D map of ``x`` spanned by ``axes``.

    Every element outside the window keeps its exact bits; inside it becomes ``+0``.

    >>> center_zero(tf.fill((10, 10), 6.0)).numpy()[3:7, 3:7]
    array([[6., 6., 6., 6.],
           [6., 0., 0., 6.],
           [6., 0., 0., 6.],
           [6., 6., 6., 6.]], dtype=float32)
    """
    if type(x) is EagerTensor and _plain(size, axes) and executing_eagerly():
        # The fast path for eager tensors: one cache look-up (keyed by the dtype's enum, which
        # hashes faster than a DType, and the device holding x), one op.
        return eager_center_zero(x, size, axes)
    size = normalize_size(size)
    axes = normalize_axes(axes)
    check_input_type(x)
    x = tf.convert_to_tensor(x)
    dtype = check_dtype(x.dtype)
    resolved = check_static_shape(x.shape, axes, size)
    if tf.executing_eagerly():
        # The dtype's enum, as on the fast path: a key holding a DType would make every later
        # fast-path look-up of it compare a DType with an int through DType.__eq__ (some 35 us
        # right after a large tensor has flushed the caches).
        return _eager_plan(tuple(x.shape.as_list()), dtype.as_datatype_enum, size, axes, x.device)(x)
    checks = _runtime_checks(x, resolved, size)
    if checks:
        with tf.control_dependencies(checks):
            x = tf.identity(x)
    shape = tuple(x.shape.as_list())
    device_type = device_type_of(x.device)
    path = choose_path(shape, size, resolved, dtype, xla=_in_xla_context(), device_type=device_type)
    if path == "identity":
        return tf.identity(x)
    if path == "xla":
        return _and_formulation(x, resolved, size)
    if path == "compiled":
        return _compiled(shape, resolved, size, dtype.name)(x)
    return _update_formulation(x, resolved, size, device_type)


# Build (the first time: some 10-20 s) and load the native kernel at import, so that the build
# never lands inside a call that someone times: a Hypothesis deadline, a benchmark's round.
native.load()
