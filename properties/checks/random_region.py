"""Properties of random masks (a cutout drawn per call): the same seed gives the same output,
the zeroed region is one allowed region, everything else keeps its bits (also on a second
input of the same shape through the same instance), and ``training=False`` is the identity.
They run in every mode of ``RANDOM_MODES`` the spec claims: eager, ``tf.function`` with static,
unknown or mixed lengths, and XLA."""

import numpy as np
import tensorflow as tf

from properties.core.bits import as_bits, bit_mismatches
from properties.core.failures import element_mismatch
from properties.strategies.cases import cases
from properties.execution.modes import unknown_dims
from properties.checks.table import Property

RANDOM_MODES = ("eager", "graph", "graph-unknown-dims", "xla")


def _is_random(spec):
    return spec.random


def _columns(spec):
    return [mode for mode in RANDOM_MODES if mode in spec.modes]


def _cases(spec, column):
    return cases(spec, spec.dtypes_in(column))


def _call(column, layer, x, training):
    if column == "eager":
        return np.asarray(layer(x, training=training))
    dims = {"graph": list(x.shape), "graph-unknown-dims": unknown_dims(x.shape)}.get(column, [None] * x.ndim)
    fn = tf.function(lambda t: layer(t, training=training), input_signature=[tf.TensorSpec(dims, x.dtype)],
                     jit_compile=(column == "xla"))
    return np.asarray(fn(tf.constant(x)))


def check_same_seed(ctx, case):
    ctx.label(case)
    first = _call(ctx.column, ctx.spec.build(case.config), case.x, True)
    second = _call(ctx.column, ctx.spec.build(case.config), case.x, True)
    detail = element_mismatch("second", second, first, bit_mismatches(second, first))
    if detail:
        ctx.fail(f"two layers with the same seed differ: {detail}", case)


def _check_one_region(ctx, case, x, out, which):
    if out.shape != x.shape or out.dtype != x.dtype:
        ctx.fail(f"{which}: out.shape={out.shape}, out.dtype={out.dtype}, but should be {x.shape}, {x.dtype}", case)
    out_zero, x_zero = as_bits(out) == 0, as_bits(x) == 0
    if out.dtype.kind == "c":
        out_zero, x_zero = out_zero.all(axis=-1), x_zero.all(axis=-1)
    zeroed = out_zero & ~x_zero
    # Outside what became zero, every bit is the input's (the input has no +0 of its own).
    detail = element_mismatch("out", out, x, ~zeroed & bit_mismatches(out, x))
    if detail:
        ctx.fail(f"{which}, outside the cutout: {detail}", case)
    reason = ctx.spec.random_region(zeroed, case.config)
    if reason:
        ctx.fail(f"{which}: the zeroed region is not allowed: {reason}", case)


def check_region(ctx, case):
    ctx.label(case)
    layer = ctx.spec.build(case.config)
    _check_one_region(ctx, case, case.x, _call(ctx.column, layer, case.x, True), "first call")
    # The same instance on other values of the same shape: its output must follow them (an
    # output kept per shape, or any state from the first call, shows here).
    other = np.roll(case.x.reshape(-1), 1).reshape(case.x.shape)
    _check_one_region(ctx, case, other, _call(ctx.column, layer, other, True),
                      "second call of the same instance (the input rolled by one element)")


def check_inference_identity(ctx, case):
    ctx.label(case)
    out = _call(ctx.column, ctx.spec.build(case.config), case.x, False)
    detail = element_mismatch("out", out, case.x, bit_mismatches(out, case.x))
    if detail:
        ctx.fail(f"training=False must be the identity: {detail}", case)


PROPERTIES = [
    Property("same-seed-same-output", "two layers with the same seed give the same bits", _columns,
             _cases, check_same_seed, applies=_is_random,
             promises=("random-seeded",)),
    Property("one-allowed-region", "the zeroed region is one allowed region; the rest keeps its bits, call after call",
             _columns, _cases, check_region, applies=_is_random,
             promises=("random-region",)),
    Property("inference-identity", "training=False returns the input bit for bit", _columns,
             _cases, check_inference_identity, applies=_is_random,
             promises=("inference-identity",)),
]
