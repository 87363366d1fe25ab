"""The defect operators of ``selftest --engine wrap``, as data.

An :class:`Operator` describes one generic defect that any mask layer could have.  The wrap
engine (``properties/tools/selftest/wrap.py``) turns it into a subclass of a spec's layer class with
the same constructor, whose hooks plant the defect, and proves before counting the mutant that
the defect is real for that spec (one concrete input on which the mutant differs bit for bit
from ``spec.expected`` while the original layer does not, or breaks the contract otherwise).

Hooks (all optional, each a plain function):

``after_call(layer, x, out, info) -> out``
    runs after the layer's own ``call`` with its input ``x`` and output ``out`` (tensors,
    possibly symbolic); ``info`` has ``training`` (as the call received it) and ``spec``.
``on_init(layer)``
    runs at the end of ``__init__`` (add state here).
``before_call(layer, inputs) -> inputs``
    runs in ``__call__`` before Keras converts the inputs (NumPy arrays are still arrays).
``get_config(layer, config) -> config``, ``compute_mask(layer, inputs, mask) -> mask``
    replace the layer's own.

``proof`` names how the wrap engine proves the defect (one of ``PROOFS``): ``values`` (one
call differs from the reference in ``proof_mode`` with ``proof_training``; ``grow`` asks for a
large input), ``weights``, ``same-shape-twice``, ``two-instances``, ``input-written``,
``keras-mask``, ``config-round-trip``, ``keras-file``.

Adding your own operator::

    >>> from properties.tools.selftest.operators import Operator, register_operator, unmasked
    >>> register_operator(Operator(
    ...     "negated-outside", "values", "outside the region every value is negated",
    ...     after_call=lambda layer, x, out, info: -out if out.dtype.is_floating else out))

Then ``python -m properties selftest SPEC --operators negated-outside`` runs it (with
``--jobs`` above 1, register it in a module the spec's module imports, so the worker
processes see it too).
"""

import dataclasses
import sys
import weakref
from typing import Callable, Optional

import numpy as np
import tensorflow as tf

#: How the wrap engine can prove a defect real (``wrap.prove`` has one function for each).
PROOFS = ("values", "weights", "same-shape-twice", "two-instances", "input-written", "keras-mask",
          "config-round-trip", "keras-file")
#: Inputs above this many elements are perturbed by ``above-size``.
LARGE_ELEMENTS = 2**20
#: Batches longer than this (axis 0) are perturbed by ``beyond-batch``.
LARGE_BATCH = 128


@dataclasses.dataclass(frozen=True)
class Operator:
    """One generic defect.  See the module docstring for the hooks and proofs.

    >>> Operator("identity", "values", "the mask is never applied",
    ...          after_call=lambda layer, x, out, info: unmasked(x, out)).name
    'identity'
    """

    name: str
    group: str
    summary: str
    after_call: Optional[Callable] = None
    on_init: Optional[Callable] = None
    before_call: Optional[Callable] = None
    get_config: Optional[Callable] = None
    compute_mask: Optional[Callable] = None
    register: bool = True  # register the mutant class for .keras loading
    needs_training: bool = False  # give `call` a `training` argument even if the layer's has none
    proof: str = "values"
    proof_mode: str = "eager"
    proof_training: Optional[bool] = None
    grow: Optional[tuple] = None  # ("elements", n) or ("batch", n): a proof input larger than n
    dtypes: Optional[Callable] = None  # dtype name -> bool: which dtypes the perturbation can touch
    applies: Callable = lambda spec: None  # spec -> None, or the reason the operator cannot apply

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name or " " in self.name:
            raise ValueError(f"Operator: `name` must be a word, got {self.name!r}")
        if self.proof not in PROOFS:
            raise ValueError(f"Operator {self.name}: `proof` must be one of {sorted(PROOFS)}, got {self.proof!r}")
        if self.proof_mode not in ("eager", "graph", "xla"):
            raise ValueError(f"Operator {self.name}: `proof_mode` must be eager, graph or xla, got {self.proof_mode!r}")
        if self.grow is not None and (len(self.grow) != 2 or self.grow[0] not in ("elements", "batch")):
            raise ValueError(f"Operator {self.name}: `grow` must be ('elements' or 'batch', n), got {self.grow!r}")


# -- building blocks for perturbations (tensor code: eager, graph and XLA alike) --------------

_BITS = {  # float dtype -> (signed int of its width, sign mask, exponent mask, mantissa mask)
    "float16": (tf.int16, -0x8000, 0x7C00, 0x03FF),
    "bfloat16": (tf.int16, -0x8000, 0x7F80, 0x007F),
    "float32": (tf.int32, -(2**31), 0x7F800000, 0x007FFFFF),
    "float64": (tf.int64, -(2**63), 0x7FF0000000000000, 0x000FFFFFFFFFFFFF),
}


def unmasked(x, out):
    """The input, in the output's dtype: what a layer returns when it skips its mask."""
    return tf.cast(x, out.dtype) if x.dtype != out.dtype else tf.identity(x)


def per_float_part(out, fn):
    """``fn`` applied to a float tensor, or to both parts of a complex one; others unchanged."""
    if out.dtype.is_complex:
        return tf.complex(fn(tf.math.real(out)), fn(tf.math.imag(out)))
    if out.dtype.is_floating:
        return fn(out)
    return out


def _bits(v):
    int_type, sign, exponent, mantissa = _BITS[v.dtype.name]
    return tf.bitcast(v, int_type), tf.constant(sign, int_type), tf.constant(exponent, int_type), \
        tf.constant(mantissa, int_type)


def _scrub_nan(v):
    return tf.where(tf.math.is_nan(v), tf.zeros_like(v), v)


def _lose_zero_sign(v):
    bits, sign, _, _ = _bits(v)
    return tf.where(tf.equal(bits, sign), tf.zeros_like(v), v)  # exactly -0.0 becomes +0.0


def _flush_subnormals(v):
    bits, sign, exponent, mantissa = _bits(v)
    subnormal = tf.equal(tf.bitwise.bitwise_and(bits, exponent), 0) & tf.not_equal(
        tf.bitwise.bitwise_and(bits, mantissa), 0)
    return tf.where(subnormal, tf.bitcast(tf.bitwise.bitwise_and(bits, sign), v.dtype), v)


def in_xla():
    """True while tracing a ``tf.function(jit_compile=True)``: looks for the compiling function
    object on the Python stack (TensorFlow has no public query for it)."""
    frame = sys._getframe(1)
    while frame is not None:
        owner = frame.f_locals.get("self")
        if owner is not None and getattr(owner, "_jit_compile", None) is True:
            return True
        frame = frame.f_back
    return False


def reference_region(layer, x, shift=False):
    """The spec's own reference region for ``x`` as a tensor (``tf.numpy_function``; eager and
    graph, not XLA), optionally shifted by one along the last axis where that changes it."""
    spec, config = layer._selftest_spec, layer._selftest_config

    def region(value):
        zero = np.asarray(spec.zeroed(value, config), bool)
        if shift:
            for axis in reversed(range(zero.ndim)):
                moved = np.roll(zero, 1, axis)
                if (moved != zero).any():
                    return moved
        return zero

    found = tf.numpy_function(region, [x], tf.bool, stateful=False)
    found.set_shape(x.shape)
    return found


def _no_reference(spec):
    return "the spec has no reference region (spec.random): there is no region to build it from" \
        if spec.zeroed is None else None


def _is_float(name):
    return name.startswith(("float", "bfloat", "complex"))


def _is_real_float(name):
    return name.startswith(("float", "bfloat"))


# -- the operators ------------------------------------------------------------------------------

def same_bits(a, b):
    """Elementwise: whether ``a`` and ``b`` (same dtype) have the same bit patterns."""
    if a.dtype.is_complex:
        return same_bits(tf.math.real(a), tf.math.real(b)) & same_bits(tf.math.imag(a), tf.math.imag(b))
    if a.dtype.is_floating:
        int_type = _BITS[a.dtype.name][0]
        return tf.equal(tf.bitcast(a, int_type), tf.bitcast(b, int_type))
    return tf.equal(a, b)


def _multiply(layer, x, out, info):
    """The region the layer really zeroed (where its output's bits differ from the input's; the
    reference's region wherever the layer is right and the input is not already +0), applied as
    the blog did: ``x * (1 - zeroed)``.  Tensor code, so it runs in every mode, XLA included."""
    zeroed = tf.logical_not(same_bits(out, unmasked(x, out)))
    return tf.cast(x * tf.cast(tf.logical_not(zeroed), x.dtype), out.dtype)


def _one_off(layer, x, out, info):
    region = reference_region(layer, x, shift=True)
    return tf.where(region, tf.zeros_like(out), unmasked(x, out))


WIDER = {"float16": "float32", "bfloat16": "float32", "float32": "float64", "int8": "int16", "int16": "int32",
         "int32": "int64", "uint8": "uint16", "uint16": "uint32", "uint32": "uint64", "complex64": "complex128"}
NARROWER = {"float64": "float32", "float32": "float16", "complex128": "complex64", "int64": "int32",
            "int32": "int16", "int16": "int8", "uint64": "uint32", "uint32": "uint16", "uint16": "uint8"}


def _upcast(layer, x, out, info):
    return tf.cast(out, WIDER[out.dtype.name]) if out.dtype.name in WIDER else out


def _narrow_round_trip(layer, x, out, info):
    if out.dtype.name not in NARROWER:
        return out
    return tf.cast(tf.cast(out, NARROWER[out.dtype.name]), out.dtype)


def _add_weight(layer):
    layer._selftest_weight = layer.add_weight(name="selftest_extra", shape=(), initializer="zeros", trainable=False)


def _add_counter(layer):
    layer._selftest_calls = tf.Variable(0, dtype=tf.int64, trainable=False, name="selftest_calls")


def _count(layer, x, out, info):
    layer._selftest_calls.assign_add(1)
    return out


_INSTANCE_CACHES = weakref.WeakKeyDictionary()


def _cache_by_shape(layer, x, out, info):
    if not tf.executing_eagerly():
        return out
    cache = _INSTANCE_CACHES.setdefault(layer, {})
    key = (tuple(x.shape), x.dtype.name)
    if key in cache:
        return cache[key]
    cache[key] = out
    return out


def _shared_region(layer, x, out, info):
    """A region cache shared by every instance of the class, keyed by shape only: the first
    instance's region is reused by the others, whatever their configs."""
    if not tf.executing_eagerly():
        return out
    cache = type(layer)._selftest_shared
    key = tuple(x.shape)
    if key not in cache:
        cache[key] = np.asarray(layer._selftest_spec.zeroed(x.numpy(), layer._selftest_config), bool)
    return tf.where(tf.constant(cache[key]), tf.zeros_like(out), unmasked(x, out))


def _write_input(layer, inputs):
    if isinstance(inputs, np.ndarray) and inputs.flags.writeable and inputs.size:
        given = inputs.copy()
        first = (0,) * inputs.ndim
        word = np.array(inputs[first]).reshape(1)
        flipped = word.view(np.uint8).copy()
        flipped[0] ^= 1
        inputs[first] = flipped.view(inputs.dtype)[0]
        return given
    return inputs


def _graph_only(layer, x, out, info):
    return out if tf.executing_eagerly() else unmasked(x, out)


def _xla_only(layer, x, out, info):
    return unmasked(x, out) if in_xla() else out


def _training_only(layer, x, out, info):
    return unmasked(x, out) if info["training"] is True else out


def _above_size(layer, x, out, info):
    return tf.where(tf.size(x, out_type=tf.int64) > LARGE_ELEMENTS, unmasked(x, out), out)


def _beyond_batch(layer, x, out, info):
    return tf.where(tf.shape(x)[0] > LARGE_BATCH, unmasked(x, out), out)


def _first_sample_only(layer, x, out, info):
    index = tf.reshape(tf.range(tf.shape(x)[0]), [-1] + [1] * (x.shape.rank - 1))
    return tf.where(index > 0, unmasked(x, out), out)


_BASE_CONFIG = ("name", "trainable", "dtype")


def _lose_argument(layer, config):
    lost = [k for k in sorted(layer._selftest_config) if k not in _BASE_CONFIG and k in config]
    if lost:
        config.pop(lost[0])
    return config


def _no_random(spec):
    return ("the spec's layer is random (spec.random): training=True changes its output by design, "
            "so a perturbation while training is not a defect the reference can show") if spec.random else None


def _no_keras_mask(spec):
    return "the spec claims nothing about Keras masks (keras_mask=None)" if spec.keras_mask is None else None


def _no_arguments(spec):
    return None  # decided by the proof: a spec whose configs are all {} has nothing to lose


OPERATORS = [
    # values
    Operator("mask-skipped", "values", "the mask is never applied: the input comes back",
             after_call=lambda layer, x, out, info: unmasked(x, out)),
    Operator("multiply-by-mask", "values", "x * (1 - zeroed) with the region the layer zeroes, as the blog did",
             after_call=_multiply),
    Operator("nan-scrubbed", "values", "NaN in the output replaced by +0",
             after_call=lambda layer, x, out, info: per_float_part(out, _scrub_nan), dtypes=_is_float),
    Operator("zero-sign-lost", "values", "-0.0 in the output becomes +0.0",
             after_call=lambda layer, x, out, info: per_float_part(out, _lose_zero_sign), dtypes=_is_float),
    Operator("subnormals-flushed", "values", "subnormal outputs flushed to (signed) zero",
             after_call=lambda layer, x, out, info: per_float_part(out, _flush_subnormals), dtypes=_is_float),
    Operator("region-one-off", "values", "the spec's reference region shifted by one along an axis",
             after_call=_one_off, applies=_no_reference),
    # dtypes
    Operator("upcast", "dtypes", "the output cast to a wider dtype (float32 -> float64, int8 -> int16, ...)",
             after_call=_upcast, dtypes=lambda name: name in WIDER),
    Operator("narrow-round-trip", "dtypes", "the output cast to a narrower dtype and back",
             after_call=_narrow_round_trip, dtypes=lambda name: name in NARROWER),
    # state
    Operator("weight-added", "state", "a non-trainable weight created in __init__",
             on_init=_add_weight, proof="weights"),
    Operator("call-counter", "state", "a tf.Variable counting calls", on_init=_add_counter, after_call=_count,
             proof="weights"),
    Operator("cached-by-shape", "state", "the first output per (shape, dtype) cached within an instance (eager)",
             after_call=_cache_by_shape, proof="same-shape-twice"),
    Operator("shared-across-instances", "state",
             "a class-level region cache keyed by shape only, shared by all instances (eager)",
             after_call=_shared_region, proof="two-instances", applies=_no_reference),
    # input
    Operator("input-written", "input", "a writable NumPy input has a bit flipped in place",
             before_call=_write_input, proof="input-written"),
    # modes
    Operator("graph-only", "modes", "the mask skipped whenever tf.executing_eagerly() is False",
             after_call=_graph_only, proof_mode="graph"),
    Operator("xla-only", "modes", "the mask skipped under tf.function(jit_compile=True)",
             after_call=_xla_only, proof_mode="xla"),
    Operator("training-only", "modes", "the mask skipped when called with training=True",
             after_call=_training_only, needs_training=True, proof_training=True, applies=_no_random),
    # scale
    Operator("above-size", "scale", f"the mask skipped on inputs of more than {LARGE_ELEMENTS} elements",
             after_call=_above_size, grow=("elements", LARGE_ELEMENTS)),
    Operator("beyond-batch", "scale", f"the mask skipped when axis 0 is longer than {LARGE_BATCH}",
             after_call=_beyond_batch, grow=("batch", LARGE_BATCH)),
    # batch
    Operator("first-sample-only", "batch", "only the first sample along axis 0 is masked",
             after_call=_first_sample_only, grow=("batch", 1)),  # proof inputs: axis 0 tiled to 2 or more
    # Keras
    Operator("keras-mask-dropped", "keras", "an incoming Keras mask is dropped (compute_mask returns None)",
             compute_mask=lambda layer, inputs, mask: None, proof="keras-mask", applies=_no_keras_mask),
    Operator("config-loses-argument", "keras", "get_config drops the first constructor argument (sorted by name)",
             get_config=_lose_argument, proof="config-round-trip", applies=_no_arguments),
    Operator("unregistered", "keras", "the class is not registered as Keras serializable",
             register=False, proof="keras-file"),
]


def register_operator(operator):
    """Add an operator (replacing one of the same name) so that selftest runs it."""
    if not isinstance(operator, Operator):
        raise TypeError(f"register_operator: `operator` must be an Operator, got {operator!r}")
    OPERATORS[:] = [op for op in OPERATORS if op.name != operator.name] + [operator]
    return operator


def operators_by_name(names=None):
    """The operators named (all when ``names`` is None), in library order; ValueError names
    an unknown one."""
    known = {op.name: op for op in OPERATORS}
    if names is None:
        return list(OPERATORS)
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"--operators: unknown operator {unknown[0]!r}: choose from {sorted(known)}")
    return [known[n] for n in names]
