"""Contract 1.7: incoming Keras masks pass through; symbolic calls keep shape and dtype."""

import numpy as np
import tensorflow as tf
from hypothesis import strategies as st

from properties.core.keras_compat import keras
from properties.core.dtypes import FLOAT_DTYPES
from properties.strategies.cases import cases
from properties.checks.table import Property
from properties.spec import judge


class _MaskProbe(keras.layers.Layer):
    """Returns the Keras mask its input carries, as int8 (-1, a scalar, where there is none).

    Keras hands a layer's ``call`` the mask of its input through the public ``mask`` argument,
    eagerly and in functional models alike: this is how the kit reads a mask without Keras's
    private tensor attributes."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return tf.constant(-1, tf.int8)
        return tf.cast(mask, tf.int8)

    def compute_mask(self, inputs, mask=None):
        return None


def _received_mask(result):
    """The mask a probe returned: a bool array, or None."""
    result = np.asarray(result)
    return None if result.shape == () and result == -1 else result.astype(bool)


def _keras_mask(tensor):
    """The Keras mask an eager tensor carries, or None."""
    return _received_mask(_MaskProbe()(tensor))


@st.composite
def _masked_cases(draw, spec):
    floats = tuple(d for d in spec.dtypes if d in FLOAT_DTYPES)
    case = draw(cases(spec, floats).filter(lambda c: c.x.shape[0] > 0))
    # Masking hides the positions (all but the last axis) whose features all equal 0.  Which
    # samples get a hidden first step: a drawn share, at positions from a seeded generator (a
    # batch of thousands draws no value per sample).
    share = draw(st.sampled_from([0.5, 0.0, 1.0]))
    hidden = np.random.default_rng(draw(st.integers(0, 2**32 - 1))).random(case.x.shape[0]) < share
    x = case.x.copy()
    if x.ndim >= 3 and x.shape[1] > 0:
        x[hidden, 0] = 0
    case.x = x
    return case


def check_mask_passes(ctx, case):
    ctx.label(case)
    layer = ctx.executor.layer(case.config)
    masking = keras.layers.Masking(mask_value=0.0)
    incoming = masking.compute_mask(tf.constant(case.x))
    direct = layer.compute_mask(tf.constant(case.x), incoming)
    detail = _mask_mismatch("compute_mask", direct, np.asarray(incoming))
    if detail:
        ctx.fail(f"{detail} (it should pass the incoming mask through)", case)
    inputs = keras.Input(shape=(None,) * (case.x.ndim - 1), dtype=case.dtype)
    masked = masking(inputs)
    # Judged against the same model without the layer: Masking autocasts float64 to float32,
    # which turns tiny values into zeros and so changes the mask before the layer sees it.
    expected = _received_mask(keras.Model(inputs, _MaskProbe()(masked))(case.x))
    out_mask = _received_mask(keras.Model(inputs, _MaskProbe()(layer(masked)))(case.x))
    detail = _mask_mismatch("in a functional model the output mask", out_mask, np.asarray(expected))
    if detail:
        ctx.fail(detail, case)


def _mask_mismatch(name, got, expected):
    """``None`` when the Keras mask ``got`` equals ``expected``; else where it first differs
    (vectorised; a mask of a big input is never printed whole)."""
    if got is None:
        return f"{name} is None, but should be a mask of shape {expected.shape}"
    got = np.asarray(got)
    if got.shape != expected.shape:
        return f"{name} has shape {got.shape}, but should have shape {expected.shape}"
    diff = got != expected
    if not diff.any():
        return None
    index = tuple(int(i) for i in np.argwhere(diff)[0])
    return (f"{name}[{', '.join(map(str, index))}]={bool(got[index])}, but should be {bool(expected[index])} "
            f"({int(diff.sum())} of {diff.size} positions)")


@st.composite
def _symbolic_cases(draw, spec):
    case = draw(cases(spec))
    known = draw(st.lists(st.booleans(), min_size=case.x.ndim - 1, max_size=case.x.ndim - 1))
    shape = tuple(n if keep else None for n, keep in zip(case.x.shape[1:], known))
    return case, shape


def check_symbolic(ctx, drawn):
    case, shape = drawn
    ctx.label(case)
    inputs = keras.Input(shape=shape, dtype=case.dtype)
    outputs = ctx.executor.layer(case.config)(inputs)
    dtype = ctx.spec.output_dtype(case.dtype)
    if tuple(outputs.shape) != tuple(inputs.shape) or tf.as_dtype(outputs.dtype).name != dtype:
        ctx.fail(f"symbolic out.shape={tuple(outputs.shape)}, out.dtype={tf.as_dtype(outputs.dtype).name}, "
                 f"but should be {tuple(inputs.shape)}, {dtype}", case)
    declared = ctx.executor.layer(case.config).compute_output_shape(tuple(inputs.shape))
    if tuple(declared) != tuple(inputs.shape):
        ctx.fail(f"compute_output_shape gave {tuple(declared)}, but should be {tuple(inputs.shape)}", case)


def check_mask_set(ctx, case):
    ctx.label(case)
    layer = ctx.executor.layer(case.config)
    # Judged on the input as the layer claims to see it (after `casts`), like every reference.
    out = layer(case.x)
    # The reference the output follows (of the spec's `alternatives`) says which mask to set.
    reference = judge.reference_for(ctx.spec, np.asarray(out), case.x, case.config)
    expected = np.asarray(reference.keras_mask(judge.cast_input(ctx.spec, case.x), case.config), bool)
    mask = layer.compute_mask(tf.constant(case.x))
    out_mask = _keras_mask(out)
    for name, got in (("compute_mask", mask), ("the output's mask", out_mask)):
        detail = _mask_mismatch(name, got, expected)
        if detail:
            ctx.fail(detail, case)


PROPERTIES = [
    Property("keras-mask-set", "the layer sets the Keras mask the spec says", lambda spec: ["eager"],
             lambda spec, column: cases(spec), check_mask_set, applies=lambda spec: callable(spec.keras_mask),
             promises=("mask-passes",)),
    Property("keras-mask-passes", "an incoming Keras mask comes through unchanged", lambda spec: ["functional"],
             lambda spec, column: _masked_cases(spec), check_mask_passes,
             applies=lambda spec: spec.keras_mask == "pass" and any(d in FLOAT_DTYPES for d in spec.dtypes),
             promises=("mask-passes",)),
    Property("symbolic-call", "a call on keras.Input gives the input's shape and dtype", lambda spec: ["symbolic"],
             lambda spec, column: _symbolic_cases(spec), check_symbolic,
             promises=("symbolic",)),
]
