"""One planted defect per promise of the ``center-zero`` spec (contract 2.8).

Each class is a ``CenterZero`` that is right everywhere except where its docstring says: it
breaks the one promise it is filed under, the way real layers go wrong (a cache, a threshold,
a conversion, an axis shortcut, a mode-specific path, a Keras hook), and as little else as
that mistake allows.  Each docstring names the promise, the mistake, and the property expected
to catch it.  ``SPECIMENS`` maps every promise id (``properties.core.promises``) to its class.

Every class is registered with Keras, like ``CenterZero`` itself, so that a model holding one
saves and loads (all but ``TupleOnlySize``, whose defect that is); only the planted defect may
fail a property.  The specimens use the layer's
public API only (``CenterZero``, ``center_zero``, ``window``): where one writes the window
itself, it does so with the helpers below, which keep every bit outside the window in every
execution mode and have the contract's gradient.
"""

import time

import numpy as np
import tensorflow as tf

import centerzero
from centerzero import CenterZero, window
from properties.core.keras_compat import keras, register_serializable

#: The layer's public op.  Not ``from centerzero import center_zero``: import-linter reads that
#: as an import of the submodule ``centerzero.center_zero``, which the kit may not import.
center_zero = centerzero.center_zero
_registered = register_serializable(package="properties.specimens")


# -- helpers: a bit-exact write of an explicitly given window --------------------------------------


def _is_plain(x):
    """A dense tensor of a numeric or bool dtype with a known rank of at least 2: the inputs a
    specimen handles itself.  Anything else goes to ``CenterZero.call``, which refuses it with
    the contract's error."""
    return (isinstance(x, tf.Tensor) and x.shape.rank is not None and x.shape.rank >= 2
            and (x.dtype.is_bool or x.dtype.is_integer or x.dtype.is_floating or x.dtype.is_complex))


def _map_axes(rank, axes):
    """The two map axes as non-negative indices, or None where they are out of range or equal."""
    if not all(-rank <= a < rank for a in axes):
        return None
    resolved = tuple(a % rank for a in axes)
    return resolved if resolved[0] != resolved[1] else None


def _static_maps(x, axes):
    """The resolved map axes of ``x`` when both their lengths are known, else None."""
    if not _is_plain(x):
        return None
    resolved = _map_axes(x.shape.rank, axes)
    if resolved is None or any(x.shape[a] is None for a in resolved):
        return None
    return resolved


def _bounds(shape, size, axes):
    """``{axis: (start, stop)}`` of the window on each map axis of ``shape`` (contract 1.2)."""
    rank = len(shape)
    return {a % rank: window(int(shape[a % rank]), k) for a, k in zip(axes, size)}


def _keep(shape, bounds):
    """A bool tensor that broadcasts against an input of ``shape``: False inside the window
    ``bounds`` names (``{axis: (start, stop)}``, on map axes of known length), True elsewhere."""
    shape = tf.TensorShape(shape)
    inside = None
    for axis, (start, stop) in sorted(bounds.items()):
        n = shape[axis]
        positions = tf.range(n)
        on = tf.logical_and(positions >= start, positions < stop)
        target = [1] * shape.rank
        target[axis] = n
        on = tf.reshape(on, target)
        inside = on if inside is None else tf.logical_and(inside, on)
    return tf.logical_not(inside)


def _select(keep, x, fill):
    """``tf.where(keep, x, fill)``; bfloat16 as its uint16 bits, since XLA on the CPU computes
    bfloat16 in float32 and quiets NaN payloads even in a select."""
    if x.dtype == tf.bfloat16:
        return tf.bitcast(tf.where(keep, tf.bitcast(x, tf.uint16), tf.bitcast(fill, tf.uint16)), tf.bfloat16)
    return tf.where(keep, x, fill)


def _write(keep, x, fill=None):
    """``x`` where ``keep``, ``fill`` (default ``+0``) elsewhere, every kept bit unchanged; its
    gradient is the upstream gradient where ``keep`` and ``+0`` elsewhere (contract 1.6)."""
    if not (x.dtype.is_floating or x.dtype.is_complex):
        return _select(keep, x, tf.zeros_like(x) if fill is None else fill)

    @tf.custom_gradient
    def write(t):
        def grad(upstream):
            return _select(keep, upstream, tf.zeros_like(upstream))

        return _select(keep, t, tf.zeros_like(t) if fill is None else fill), grad

    return write(x)


def _mask_multiply(layer, x):
    """The blog's write: ``x`` times a 0/1 mask of the window."""
    return x * center_zero(tf.ones_like(x), layer.size, layer.axes)


# -- 1.1 the constructor -----------------------------------------------------------------------------


@_registered
class IntCheckAcceptsBool(CenterZero):
    """Breaks ``config-errors``: ``size=True`` is accepted as ``(1, 1)`` (and ``False`` as
    ``(0, 0)``) instead of a ``ValueError``.

    Mistake: the subclass normalises a single size itself with ``isinstance(size, int)``, and
    ``bool`` is an ``int`` subclass, so the base class only ever sees the pair ``(1, 1)``.
    Caught by: ``bad-config-raises`` (constructor).
    """

    def __init__(self, size=2, axes=(-2, -1), **kwargs):
        if isinstance(size, int):
            size = (int(size), int(size))
        super().__init__(size, axes, **kwargs)


@_registered
class SwallowsKerasKwargs(CenterZero):
    """Breaks ``keras-arguments``: ``name``, ``trainable`` and ``dtype`` are dropped; the layer
    gets a generated name and is always trainable.

    Mistake: ``__init__`` takes ``**kwargs`` "for compatibility" and does not pass them on to
    the base class.
    Caught by: ``keras-arguments``.
    """

    def __init__(self, size=2, axes=(-2, -1), **kwargs):
        super().__init__(size, axes)


# -- 1.2 / 1.3 values --------------------------------------------------------------------------------


@_registered
class NegatedFillValue(CenterZero):
    """Breaks ``zero-inside``: inside the window, floats and complex numbers are written as
    ``-0.0`` (sign bit set) instead of ``+0``; integers, bools and everything outside are right.

    Mistake: the write was generalised from an attention-style mask that fills with a large
    negative number, ``-fill_value``; with ``fill_value = 0.0`` the fill is ``-0.0``, which
    compares equal to ``+0.0`` but has other bits.
    Caught by: ``zeroed-exactly`` (every column).
    """

    fill_value = 0.0

    def call(self, inputs):
        if not _is_plain(inputs) or not (inputs.dtype.is_floating or inputs.dtype.is_complex):
            return super().call(inputs)
        keep = center_zero(tf.ones_like(inputs, dtype=tf.bool), self.size, self.axes)  # checks as the layer does
        fill = tf.fill(tf.shape(inputs), tf.cast(tf.constant(-self.fill_value, tf.float64), inputs.dtype))
        return _write(keep, inputs, fill=fill)


@_registered
class HalfViaFloat32(CenterZero):
    """Breaks ``bits-outside``: a float16 signalling NaN outside the window comes back quiet
    (``0x7c01`` as ``0x7e01``); every other value round-trips.

    Mistake: float16 inputs are computed in float32 and cast back ("half types have no fast
    kernel"); the conversion quiets signalling NaNs.
    Caught by: ``rest-unchanged``.
    """

    def call(self, inputs):
        if isinstance(inputs, tf.Tensor) and inputs.dtype == tf.float16:
            return tf.cast(center_zero(tf.cast(inputs, tf.float32), self.size, self.axes), tf.float16)
        return super().call(inputs)


@_registered
class RoundsWindowStart(CenterZero):
    """Breaks ``region``: when ``n - k`` is 3 modulo 4 the window sits one index too high.

    Mistake: the start is ``round((n - k) / 2)`` instead of ``(n - k) // 2``; Python's ``round``
    and ``tf.round`` round half to even, so 0.5, 2.5, ... go down (right) and 1.5, 3.5, ... go
    up (wrong): the window leans high for ``n - k = 3, 7, 11, ...``.
    Caught by: ``zeroed-exactly``, ``rest-unchanged``, ``independent-reference``.
    """

    def call(self, inputs):
        if not _is_plain(inputs) or _map_axes(inputs.shape.rank, self.axes) is None:
            return super().call(inputs)
        keep = center_zero(tf.ones_like(inputs, dtype=tf.bool), self.size, self.axes)  # the right window
        for axis, k in zip(_map_axes(inputs.shape.rank, self.axes), self.size):
            n = inputs.shape[axis]
            if n is not None:
                shift = round((n - k) / 2) - (n - k) // 2
            else:
                d = tf.shape(inputs)[axis] - k
                shift = tf.cast(tf.round(tf.cast(d, tf.float64) / 2), tf.int32) - d // 2
            keep = tf.roll(keep, shift, axis)  # the window moved to round()'s start
        return _write(keep, inputs)


@_registered
class BoolThroughUint8(CenterZero):
    """Breaks ``shape-and-dtype``: a bool input comes back as uint8 (with the right 0/1 values).

    Mistake: bool inputs take the arithmetic path (``tf.cast(x, tf.uint8)``, since "zero" is
    arithmetic) and the result is never cast back.
    Caught by: ``shape-and-dtype`` (every column; also ``claimed-dtypes``, which checks the
    output dtype).
    """

    def call(self, inputs):
        if isinstance(inputs, tf.Tensor) and inputs.dtype == tf.bool:
            return center_zero(tf.cast(inputs, tf.uint8), self.size, self.axes)
        return super().call(inputs)


@_registered
class LoopRelaxesShape(CenterZero):
    """Breaks ``static-shape``: in a graph, the batch (and channel) lengths the input knew are
    unknown on the output; the values are right.

    Mistake: graph mode runs the write as the body of a ``tf.while_loop`` (a one-pass loop, left
    from a "write until the window is clear" retry), whose carried tensor is declared with every
    batch axis unknown in ``shape_invariants`` ("the batch may change between passes"); a loop's
    output has its invariant's shape, not the input's.
    Caught by: ``static-shape`` (``graph-unknown-dims``, ``functional``).
    """

    def call(self, inputs):
        maps = _static_maps(inputs, self.axes)
        if tf.executing_eagerly() or maps is None:
            return super().call(inputs)
        invariant = tf.TensorShape([n if i in maps else None for i, n in enumerate(inputs.shape.as_list())])
        write = super().call

        def body(i, y):
            return i + 1, write(y)

        _, out = tf.while_loop(lambda i, y: i < 1, body, (tf.constant(0), inputs),
                               shape_invariants=(tf.TensorShape([]), invariant), maximum_iterations=1)
        return out


# -- 1.4 dtypes --------------------------------------------------------------------------------------

#: The dtypes whose ``TensorStridedSliceUpdate`` runs on a GPU: int16, uint16 and uint32 are
#: registered there but fail at run time, so the author left them out.
_GPU_SAFE_DTYPES = frozenset({
    tf.bool, tf.float16, tf.bfloat16, tf.float32, tf.float64, tf.int8, tf.int32, tf.int64,
    tf.uint8, tf.uint64, tf.complex64, tf.complex128,
})


@_registered
class GpuDtypeAllowlist(CenterZero):
    """Breaks ``claimed-dtypes``: int16, uint16 and uint32, claimed dtypes, are refused with a
    ``TypeError`` naming them.

    Mistake: the layer checks the input against its own allowlist, the dtypes a GPU's
    ``TensorStridedSliceUpdate`` runs, instead of writing the other three as their bytes (as
    ``center_zero`` does).
    Caught by: ``claimed-dtypes`` (and every value property that draws one of the three).
    """

    def call(self, inputs):
        if isinstance(inputs, tf.Tensor) and inputs.dtype.is_integer and inputs.dtype not in _GPU_SAFE_DTYPES:
            raise TypeError(f"CenterZero: input dtype {inputs.dtype.name} is not supported")
        return super().call(inputs)


@_registered
class CastsUnderMixedPolicy(CenterZero):
    """Breaks ``no-autocast``: under a mixed-precision policy (``mixed_float16``,
    ``mixed_bfloat16``) float inputs come back in the compute dtype, float32 as float16 or
    bfloat16; under the default policy nothing changes.

    Mistake: ``call`` follows the policy by hand, "like Keras layers do": when the compute dtype
    differs from the variable dtype, float inputs are cast to ``self.compute_dtype``.
    Caught by: ``no-autocast``.
    """

    def call(self, inputs):
        policy = self.dtype_policy
        if (isinstance(inputs, tf.Tensor) and inputs.dtype.is_floating
                and policy.compute_dtype != policy.variable_dtype):
            inputs = tf.cast(inputs, self.compute_dtype)
        return super().call(inputs)


@_registered
class DensifiesRagged(CenterZero):
    """Breaks ``bad-types``: a ragged input is padded to a dense tensor and masked, instead of
    a ``TypeError``.

    Mistake: "accept ragged batches": ``inputs.to_tensor()`` before the write, which zeroes the
    window of the padded maps and returns a dense tensor of another shape.
    Caught by: ``bad-types-raise`` (eager).
    """

    def call(self, inputs):
        if isinstance(inputs, tf.RaggedTensor):
            inputs = inputs.to_tensor()
        return super().call(inputs)


# -- 1.5 state ---------------------------------------------------------------------------------------


@_registered
class KernelAsWeight(CenterZero):
    """Breaks ``no-weights``: the layer holds a non-trainable weight.

    Mistake: the blog's 0/1 window kernel is kept as a non-trainable weight ("for inspection and
    export"), made in ``__init__`` since ``size`` gives its shape, though ``call`` no longer
    multiplies by it.
    Caught by: ``no-weights``.
    """

    def __init__(self, size=2, axes=(-2, -1), **kwargs):
        super().__init__(size, axes, **kwargs)
        self.kernel = self.add_weight(name="window", shape=self.size, initializer="zeros", trainable=False)


@_registered
class WindowFromBuildShape(CenterZero):
    """Breaks ``many-inputs``: after the first input, every input whose map lengths are known
    gets the first input's window (clipped to its maps), not its own.

    Mistake: ``build`` computes the window's bounds from the ``input_shape`` Keras passes it,
    once, and ``call`` reuses them; Keras builds a layer on its first input only.
    Caught by: ``one-instance-many-inputs`` (and the value properties in eager mode, where one
    instance serves every example of a config).
    """

    def build(self, input_shape=None):
        super().build(input_shape)
        self._window = None
        shape = tf.TensorShape(input_shape) if input_shape is not None else tf.TensorShape(None)
        if shape.rank is not None and shape.rank >= 2:
            maps = _map_axes(shape.rank, self.axes)
            if maps is not None and all(shape[a] is not None for a in maps):
                self._window = (shape.rank, _bounds(shape, self.size, self.axes))

    def call(self, inputs):
        stale = getattr(self, "_window", None)
        if stale is None or _static_maps(inputs, self.axes) is None or inputs.shape.rank != stale[0]:
            return super().call(inputs)
        self.compute_output_shape(inputs.shape)  # the contract's checks on this input
        return _write(_keep(inputs.shape, stale[1]), inputs)


@_registered
class ZeroesNumpyInPlace(CenterZero):
    """Breaks ``input-unmodified``: a writable NumPy input has its window zeroed in place; the
    output is right.

    Mistake: an eager fast path for NumPy arrays "saves a copy" by writing the zeros into the
    caller's array (``x[..., i0:i1, j0:j1] = 0``) before handing it to Keras.
    Caught by: ``input-not-modified`` (eager).
    """

    def __call__(self, *args, **kwargs):
        x = args[0] if args else None
        if isinstance(x, np.ndarray) and x.flags.writeable and x.ndim >= 2:
            maps = _map_axes(x.ndim, self.axes)
            if maps is not None:
                index = [slice(None)] * x.ndim
                for axis, k in zip(maps, self.size):
                    index[axis] = slice(*window(x.shape[axis], k))
                x[tuple(index)] = 0
        return super().__call__(*args, **kwargs)


@_registered
class ClassWindowCache(CenterZero):
    """Breaks ``instances-independent``: a second instance with other arguments, called on an
    input of a shape some instance has seen, gets that instance's window.

    Mistake: window bounds are cached in a dict on the class, keyed by the input's shape only
    (not by ``size`` and ``axes``), so every instance shares it.
    Caught by: ``many-instances``.
    """

    _windows = {}

    def call(self, inputs):
        if _static_maps(inputs, self.axes) is None or not inputs.shape.is_fully_defined():
            return super().call(inputs)
        self.compute_output_shape(inputs.shape)  # the contract's checks on this input
        key = tuple(inputs.shape.as_list())
        if key not in ClassWindowCache._windows:
            ClassWindowCache._windows[key] = _bounds(inputs.shape, self.size, self.axes)
        return _write(_keep(inputs.shape, ClassWindowCache._windows[key]), inputs)


def _bookkeeping():
    """Some Python work between two steps of a call (here, a millisecond without the GIL)."""
    time.sleep(0.001)


@_registered
class WindowOnSelf(CenterZero):
    """Breaks ``threads``: calls from several threads on one instance use each other's window
    (or fail to broadcast it); one thread at a time, every call is right.

    Mistake: ``call`` stores the input's geometry on ``self`` in one step and reads it back in
    the next, after other Python work, so another thread's call can overwrite it in between.
    Caught by: ``threads-agree`` (eager).
    """

    def call(self, inputs):
        if _static_maps(inputs, self.axes) is None:
            return super().call(inputs)
        self._prepare(inputs.shape)
        _bookkeeping()
        return self._apply(inputs)

    def _prepare(self, shape):
        self.compute_output_shape(shape)  # the contract's checks on this input
        self._geometry = (shape, _bounds(shape, self.size, self.axes))

    def _apply(self, x):
        shape, bounds = self._geometry
        return _write(_keep(shape, bounds), x)


# -- 1.6 execution -----------------------------------------------------------------------------------


@_registered
class GraphMultiplies(CenterZero):
    """Breaks ``modes-agree``: inside ``tf.function`` (and so under XLA, in ``predict`` and in
    loaded models) float inputs are multiplied by a 0/1 mask: ``inf`` and NaN in the window
    become NaN, negatives ``-0.0``; eager calls are right.

    Mistake: a "fusable" graph path, taken when ``not tf.executing_eagerly()``.
    Caught by: ``modes-agree`` (and the value properties in the graph columns).
    """

    def call(self, inputs):
        if not tf.executing_eagerly() and _is_plain(inputs) and (inputs.dtype.is_floating or inputs.dtype.is_complex):
            return _mask_multiply(self, inputs)
        return super().call(inputs)


@_registered
class SecondCpuMultiplies(CenterZero):
    """Breaks ``devices-agree``: on ``/device:CPU:1`` float inputs are multiplied by a 0/1 mask
    (NaN inside the window for ``inf`` and NaN, ``-0.0`` for negatives, subnormals flushed); on
    ``/device:CPU:0`` every call is right.

    Mistake: a device-specific kernel choice: the current device's name (``tf.constant(0.).device``)
    picks the write, and the branch for "other" devices multiplies.
    Caught by: ``devices-agree`` (``/device:CPU:1``).
    """

    def call(self, inputs):
        if (tf.executing_eagerly() and _is_plain(inputs) and (inputs.dtype.is_floating or inputs.dtype.is_complex)
                and tf.constant(0.0).device.endswith("CPU:1")):
            return _mask_multiply(self, inputs)
        return super().call(inputs)


@_registered
class GradientPassesThrough(CenterZero):
    """Breaks ``gradient``: the gradient is 1 inside the window too (the upstream unchanged).

    Mistake: a ``tf.custom_gradient`` "because the op is a copy": ``lambda upstream: upstream``.
    Caught by: ``gradient-is-mask`` (and ``vjp-is-mask``).
    """

    def call(self, inputs):
        if not _is_plain(inputs) or not (inputs.dtype.is_floating or inputs.dtype.is_complex):
            return super().call(inputs)
        write = super().call

        @tf.custom_gradient
        def zero_window(x):
            return write(x), lambda upstream: upstream

        return zero_window(inputs)


@_registered
class GradientTimesMask(CenterZero):
    """Breaks ``vjp``: the vector-Jacobian product is ``upstream * mask``, so an ``inf`` or NaN
    upstream gradient inside the window gives NaN and a negative one ``-0.0``, instead of ``+0``
    (and TensorFlow's CPU kernels flush a subnormal upstream outside it to zero); with an
    upstream of ones (the summed output) it is exactly the mask.

    Mistake: a ``tf.custom_gradient`` that multiplies the upstream by the 0/1 mask.
    Caught by: ``vjp-is-mask``; ``gradient-is-mask`` does not catch it.
    """

    def call(self, inputs):
        if not _is_plain(inputs) or not (inputs.dtype.is_floating or inputs.dtype.is_complex):
            return super().call(inputs)
        write, size, axes = super().call, self.size, self.axes

        @tf.custom_gradient
        def zero_window(x):
            return write(x), lambda upstream: upstream * center_zero(tf.ones_like(upstream), size, axes)

        return zero_window(inputs)


@_registered
class SkipsWhileTraining(CenterZero):
    """Breaks ``training``: with ``training=True`` (and so inside ``fit``) the input comes back
    unchanged; without it, or with ``training=False``, the window is zeroed.

    Mistake: the dropout pattern with its branches swapped: ``if training: return inputs``.
    Caught by: ``training-invariant`` (every column).
    """

    def call(self, inputs, training=None):
        if training:
            return tf.identity(inputs)
        return super().call(inputs)


#: Inputs above this many elements take the chunked path of ``ChunksDropTail``.
_CHUNKED_ABOVE = 1 << 20


@_registered
class ChunksDropTail(CenterZero):
    """Breaks ``any-size``: inputs above 2^20 elements are written in chunks of samples along
    axis 0, and the samples after the last full chunk are left unmasked.

    Mistake: a threshold path that bounds memory: chunks of ``2^20 // elements per sample``
    samples, counted with ``n // chunk`` (floor), so the tail of ``n % chunk`` samples is never
    written.
    Caught by: ``zeroed-exactly`` on large inputs.
    """

    def call(self, inputs):
        maps = _static_maps(inputs, self.axes)
        if maps is None or 0 in maps or not inputs.shape.is_fully_defined():
            return super().call(inputs)
        total = inputs.shape.num_elements()
        n = inputs.shape[0]
        if total <= _CHUNKED_ABOVE or n == 0:
            return super().call(inputs)
        chunk = max(1, _CHUNKED_ABOVE // (total // n))
        written = [super(ChunksDropTail, self).call(inputs[i:i + chunk]) for i in range(0, n // chunk * chunk, chunk)]
        return tf.concat(written + [inputs[n // chunk * chunk:]], axis=0)


@_registered
class SqueezesSingleSample(CenterZero):
    """Breaks ``batch-independent``: a sample alone (axis 0 of length 1) is written on other
    axes than the same sample in a batch, when ``axes`` are given as non-negative indices.

    Mistake: a single-sample shortcut squeezes the length-1 leading axis away before the write
    and restores it after, but passes ``axes`` through unchanged: non-negative axes then point
    one axis further along, or past the last one (a ``ValueError``); negative ones happen to be
    right.
    Caught by: ``batch-slices`` (and the value properties, on inputs with axis 0 of length 1).
    """

    def call(self, inputs):
        if not _is_plain(inputs) or inputs.shape.rank < 3 or inputs.shape[0] != 1:
            return super().call(inputs)
        maps = _map_axes(inputs.shape.rank, self.axes)
        if maps is None or 0 in maps:
            return super().call(inputs)
        return tf.expand_dims(center_zero(tf.squeeze(inputs, 0), self.size, self.axes), 0)


@_registered
class AddsZeroWhenClear(CenterZero):
    """Breaks ``idempotent``: applied to its own output, the layer turns ``-0.0`` outside the
    window into ``+0.0`` and quiets signalling NaNs there.

    Mistake: a shortcut for inputs whose window is already all zero ("already masked"): instead
    of the write it adds the empty correction, ``x + zeros_like(x)``, to keep one graph; and
    IEEE addition changes ``-0.0`` and signalling NaNs.
    Caught by: ``idempotent`` (and ``rest-unchanged`` on the rare input whose window holds
    only zeros).
    """

    def call(self, inputs):
        if not _is_plain(inputs) or inputs.dtype.is_bool or 0 in self.size:
            return super().call(inputs)
        inside = tf.logical_not(center_zero(tf.ones_like(inputs, dtype=tf.bool), self.size, self.axes))
        clear = tf.reduce_all(tf.logical_or(tf.logical_not(inside), tf.equal(inputs, tf.zeros_like(inputs))))
        write = super().call
        return tf.cond(clear, lambda: inputs + tf.zeros_like(inputs), lambda: write(inputs))


# -- 1.7 Keras ---------------------------------------------------------------------------------------


@_registered
class ConfigForgetsSize(CenterZero):
    """Breaks ``config-roundtrip``: ``from_config(get_config())`` has the default size 2.

    Mistake: ``get_config`` is written from Keras's ``Layer.get_config`` plus the arguments the
    author thought of, ``axes``, and forgets ``size``.
    Caught by: ``zeroed-exactly`` and ``rest-unchanged`` in the ``from-config`` column, and
    ``config-roundtrip`` (also the ``keras-file`` column, which loads through the config).
    """

    def get_config(self):
        config = keras.layers.Layer.get_config(self)
        config["axes"] = list(self.axes)
        return config


@_registered
class TupleOnlySize(CenterZero):
    """Breaks ``keras-file``: a model holding the layer saves to ``.keras`` but does not load:
    ``from_config`` refuses the size it reads back.

    Mistake: ``get_config`` keeps ``size`` as the tuple ``(kh, kw)``, and ``__init__`` tells a
    pair from a single size with ``isinstance(size, tuple)``; the file's JSON turns the tuple
    into a list, which ``__init__`` takes for one size and repeats, ``([kh, kw], [kh, kw])``.
    ``from_config(get_config())`` in memory keeps the tuple and works.
    Caught by: ``zeroed-exactly`` and ``rest-unchanged`` in the ``keras-file`` column.
    """

    def __init__(self, size=2, axes=(-2, -1), **kwargs):
        if not isinstance(size, tuple):
            size = (size, size)
        super().__init__(size, axes, **kwargs)

    def get_config(self):
        config = super().get_config()
        config["size"] = tuple(self.size)
        return config


@_registered
class ComputeMaskNone(CenterZero):
    """Breaks ``mask-passes``: an incoming Keras mask is dropped.

    Mistake: ``compute_mask`` returns ``None`` ("this layer makes no mask"), where the contract
    passes the incoming one through.
    Caught by: ``keras-mask-passes``.
    """

    def compute_mask(self, inputs, mask=None):
        return None


@_registered
class OutputShapeDropsBatch(CenterZero):
    """Breaks ``symbolic``: ``compute_output_shape`` leaves out the batch axis.

    Mistake: ``compute_output_shape`` returns ``input_shape[1:]``, the per-sample shape, as in
    examples written for layers that take the batch axis off.
    Caught by: ``symbolic-call``.
    """

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)[1:]


# -- 1.8 bad input -----------------------------------------------------------------------------------


@_registered
class ClampsWindow(CenterZero):
    """Breaks ``bad-inputs``: a window larger than its map (length known at call or trace time)
    is clamped to the map, which is then zeroed whole, instead of a ``ValueError``.

    Mistake: a "forgiving" layer, like ``CenterCrop`` resizing small images: ``min(k, n)``, and a
    ``build`` that no longer checks the shape.
    Caught by: ``bad-inputs-raise`` (``eager``, ``graph``).
    """

    def build(self, input_shape=None):
        self.built = True

    def call(self, inputs):
        if not _is_plain(inputs) or _map_axes(inputs.shape.rank, self.axes) is None:
            return super().call(inputs)
        maps = _map_axes(inputs.shape.rank, self.axes)
        size = tuple(k if inputs.shape[a] is None else min(k, inputs.shape[a]) for a, k in zip(maps, self.size))
        return center_zero(inputs, size, self.axes)


#: Every promise of the ``center-zero`` spec and the specimen that breaks it alone.
SPECIMENS = {
    "config-errors": IntCheckAcceptsBool,
    "keras-arguments": SwallowsKerasKwargs,
    "zero-inside": NegatedFillValue,
    "bits-outside": HalfViaFloat32,
    "region": RoundsWindowStart,
    "shape-and-dtype": BoolThroughUint8,
    "static-shape": LoopRelaxesShape,
    "claimed-dtypes": GpuDtypeAllowlist,
    "no-autocast": CastsUnderMixedPolicy,
    "bad-types": DensifiesRagged,
    "no-weights": KernelAsWeight,
    "many-inputs": WindowFromBuildShape,
    "input-unmodified": ZeroesNumpyInPlace,
    "instances-independent": ClassWindowCache,
    "threads": WindowOnSelf,
    "modes-agree": GraphMultiplies,
    "devices-agree": SecondCpuMultiplies,
    "gradient": GradientPassesThrough,
    "vjp": GradientTimesMask,
    "training": SkipsWhileTraining,
    "any-size": ChunksDropTail,
    "batch-independent": SqueezesSingleSample,
    "idempotent": AddsZeroWhenClear,
    "config-roundtrip": ConfigForgetsSize,
    "keras-file": TupleOnlySize,
    "mask-passes": ComputeMaskNone,
    "symbolic": OutputShapeDropsBatch,
    "bad-inputs": ClampsWindow,
}
