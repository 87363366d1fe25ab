"""``keras.layers.Masking``: time steps whose features all equal ``mask_value`` are zeroed."""

import ml_dtypes
import numpy as np
import tensorflow as tf
from hypothesis import strategies as st

from properties.core.keras_compat import IS_KERAS_3, keras
from properties.core.dtypes import FLOAT_DTYPES, dtype_name
from properties.strategies.shapes import map_shapes
from properties.spec.mask_spec import KnownCrash, MaskSpec

_TF_VERSION = tuple(int(part) for part in tf.__version__.split(".")[:2])


def as_compared(x, flush=True):
    """``x`` as TensorFlow's CPU kernels compare it: subnormals read as zero (denormals-are-zero),
    so a step of subnormal features equals a ``mask_value`` of 0.0.  Complex: part by part.
    ``flush=False``: as a comparison that keeps subnormals sees it (below)."""
    x = np.asarray(x)
    if x.dtype.kind == "c":
        return as_compared(x.real, flush) + 1j * as_compared(x.imag, flush)
    if x.dtype.kind != "f" and x.dtype.name != "bfloat16":
        return x
    wide = x.astype(np.float64)
    if not flush:
        return wide
    with np.errstate(invalid="ignore"):
        tiny = np.abs(wide) < float(ml_dtypes.finfo(x.dtype).smallest_normal)
    return np.where(tiny, np.copysign(0.0, wide), wide)


def equals_as_compared(x, value, flush=True):
    """``as_compared(x, flush) == value``, element by element, without a widened copy of ``x``
    (a 10^7-element input made five of them): a flushed element equals ``value`` only if that is
    0.0, and any other element equals it as its float64 value does."""
    x = np.asarray(x)
    if isinstance(value, complex) or (x.dtype.kind != "c" and x.dtype.kind != "f" and x.dtype.name != "bfloat16"):
        return as_compared(x, flush) == value
    if x.dtype.kind == "c":  # a real value: the real part equals it and the imaginary part is 0
        return equals_as_compared(x.real, value, flush) & equals_as_compared(x.imag, 0.0, flush)
    value = float(value)
    if not flush:
        return _in_float64(np.equal, x, value)
    smallest_normal = float(ml_dtypes.finfo(x.dtype).smallest_normal)
    if value == 0:
        with np.errstate(invalid="ignore"):
            return _in_float64(np.less, np.abs(x), smallest_normal)  # zeros and subnormals; NaN is not
    if abs(value) < smallest_normal:
        return np.zeros(x.shape, bool)  # only a flushed element could, and it reads as 0.0
    return _in_float64(np.equal, x, value)


def _in_float64(compare, x, value):
    """``compare(x, value)`` in float64, as ``as_compared`` compares (exact for every float
    format), each element widened on the fly. The loop is named: NumPy 1 would otherwise round
    a scalar ``value`` to ``x``'s dtype first (0.1 in float16 equals float16(0.1))."""
    return compare(x, value, signature=(np.float64, np.float64, np.bool_))


def masked_steps(x, config, flush=True):
    """True for each step (all but the last axis) whose features all equal ``mask_value``, as
    the layer's comparison sees them (:func:`as_compared`)."""
    return equals_as_compared(x, config["mask_value"], flush).all(axis=-1)


def zeroed(x, config):
    return np.broadcast_to(masked_steps(x, config)[..., None], np.shape(x))


def zeroed_unflushed(x, config):
    """The region where the comparison keeps subnormals: a step of subnormals is not 0.0.  On an
    H200 (scripts/gpu/flush_probe.py) complex64 compared so in every mode, float32 and bfloat16
    under XLA, and the CPU's XLA bfloat16 too; the CPU's eager and graph comparisons flush."""
    return np.broadcast_to(masked_steps(x, config, flush=False)[..., None], np.shape(x))


@st.composite
def with_masked_steps(draw, config, x):
    """``x`` with some whole steps set to ``mask_value``: a drawn share of the steps, at
    positions from a seeded generator (vectorised: big inputs draw no value per step)."""
    x = x.copy()
    if x.dtype.kind == "u" and config["mask_value"] < 0:
        return x  # no unsigned value equals a negative mask value
    share = draw(st.sampled_from([0.5, 0.0, 0.1, 0.9, 1.0]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    steps = rng.random(x.shape[:-1]) < share
    x[steps] = config["mask_value"]  # whole steps equal to the mask value
    return x


KERAS_MASKING = MaskSpec(
    name="keras-masking",
    layer=keras.layers.Masking,
    configs=st.fixed_dictionaries({"mask_value": st.sampled_from([0.0, 1.0, -1.0])}),
    input_shapes=lambda config: map_shapes(min_rank=2, max_rank=4, min_map=(0, 1)),
    zeroed=zeroed,
    # Keras 2 refuses integers and bool ("Cannot convert 0.0 to EagerTensor of dtype int8").
    dtypes=("float16", "bfloat16", "float32", "float64", "complex64")
    + (("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "bool") if IS_KERAS_3
       else ("complex128",)),
    adjust_input=with_masked_steps,
    fits=lambda config, shape: len(shape) >= 2 and shape[-1] >= 1,
    unreachable={"*/*/inside": "a zeroed step holds mask_value (0.0, 1.0 or -1.0) in every feature, so no "
                               "special value can sit inside the zeroed region"},
    keras_mask=lambda x, config: ~masked_steps(x, config),
    alternatives=({"zeroed": zeroed_unflushed, "keras_mask": lambda x, config: ~masked_steps(x, config, flush=False)},),
    # Findings, each checked on every run (README, "What the suite found").
    casts={"float16": "float32", "bfloat16": "float32", "float64": "float32"}
    | ({"uint64": "uint32", "bool": "int32"} if IS_KERAS_3 else {}),
    # Deterministic findings: they fail the same way on every run and every thread.  Keras 3's
    # Masking selects (`ops.where`), which keeps every bit of a kept step; Keras 2's multiplies.
    known_failures={
        "symbolic-call": "Keras 3 reports float32 for a symbolic call on integer, bool and complex inputs, "
                         "whose dtype the call keeps",
        "claimed-dtypes": "complex128 is accepted, but comes out complex64 in graph modes and complex128 eagerly",
        **({} if IS_KERAS_3 else {
            "zeroed-exactly": "Keras 2 multiplies by the mask: masked negatives become -0.0",
            "rest-unchanged": "Keras 2 multiplies by the mask: subnormals in kept steps are flushed to zero",
            "devices-agree": "the same flushed subnormals as rest-unchanged",
            "one-instance-many-inputs": "the same flushed subnormals as rest-unchanged",
            "many-instances": "the same flushed subnormals as rest-unchanged",
            "idempotent": "Keras 2 multiplies complex inputs by 1+0j, which turns a complex inf into NaN",
            "training-invariant/train-step": "Keras 2 multiplies complex inputs by 1+0j, and where a part is "
                                             "NaN or inf the product's NaN bits depend on the graph around it: "
                                             "in a compiled model or under a GradientTape in tf.function they "
                                             "differ from an eager call's",
            "modes-agree/xla": "Keras 2 under XLA differs from eager (cause not analysed)",
            "vjp-is-mask": "Keras 2 multiplies by the mask, so its gradient is the upstream times the mask: an "
                           "inf or NaN upstream inside a masked step gives NaN, not +0",
        }),
    },
    # Thread-dependent findings: whether a kernel flushes subnormals can depend on the CPU thread
    # that runs it; the reference models the flushing comparison (`as_compared`), so a failure
    # here is a kernel that did not flush this time.
    flaky_findings={} if IS_KERAS_3 else {
        "rest-unchanged": "subnormals in kept steps are flushed to zero on some CPU threads, not others",
        "devices-agree": "the two logical CPUs disagree: one flushes subnormals to zero, the other keeps them",
        "one-instance-many-inputs": "the same thread-dependent subnormal flushing as rest-unchanged",
        "many-instances": "the same thread-dependent subnormal flushing as rest-unchanged",
        "threads-agree": "the same thread-dependent subnormal flushing as rest-unchanged: calls from other "
                         "threads may flush where the same calls made one after another did not",
    },
    known_crashes=(
        KnownCrash(
            op="gradient",
            mode="graph",
            # tf_keras multiplies by a (..., 1) mask; from TensorFlow 2.17 on, Grappler dies with
            # SIGFPE optimising the gradient of that broadcast product when the static shape has
            # a zero-length axis before the last one (plain TF reproduces it: t * m, t of shape
            # (0, 3), m of shape (0, 1), gradient inside tf.function).  Keras 3 and TF <= 2.16
            # do not crash.
            when=lambda x, config: dtype_name(x.dtype) in FLOAT_DTYPES and 0 in x.shape[:-1],
            example=((0, 3), "float32", {"mask_value": 0.0}),
            reason="TensorFlow >= 2.17 Grappler SIGFPE on the gradient of a broadcast product with a "
                   "zero-length static axis (tf_keras Masking, graph mode)",
            applies=not IS_KERAS_3 and _TF_VERSION >= (2, 17),
        ),
    ),
)
