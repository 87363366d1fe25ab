"""Properties of random masks (a cutout drawn per call): the same seed gives the same output,
the zeroed region is one allowed region, everything else keeps its bits, and
``training=False`` is the identity."""

import numpy as np
import tensorflow as tf

from properties.bitwise import as_bits, bit_mismatches
from properties.failures import element_mismatch
from properties.hypothesis_helpers import cases
from properties.registry import Property

RANDOM_MODES = ("eager", "graph")


def _is_random(spec):
    return spec.random


def _call(column, layer, x, training):
    if column == "eager":
        return np.asarray(layer(x, training=training))
    fn = tf.function(lambda t: layer(t, training=training))
    return np.asarray(fn(tf.constant(x)))


def check_same_seed(ctx, case):
    ctx.label(case)
    first = _call(ctx.column, ctx.spec.build(case.config), case.x, True)
    second = _call(ctx.column, ctx.spec.build(case.config), case.x, True)
    detail = element_mismatch("second", second, first, bit_mismatches(second, first))
    if detail:
        ctx.fail(f"two layers with the same seed differ: {detail}", case)


def check_region(ctx, case):
    ctx.label(case)
    out = _call(ctx.column, ctx.spec.build(case.config), case.x, True)
    if out.shape != case.x.shape or out.dtype != case.x.dtype:
        ctx.fail(f"out.shape={out.shape}, out.dtype={out.dtype}, but should be {case.x.shape}, {case.x.dtype}", case)
    out_zero, x_zero = as_bits(out) == 0, as_bits(case.x) == 0
    if out.dtype.kind == "c":
        out_zero, x_zero = out_zero.all(axis=-1), x_zero.all(axis=-1)
    zeroed = out_zero & ~x_zero
    # Outside what became zero, every bit is the input's (the input has no +0 of its own).
    detail = element_mismatch("out", out, case.x, ~zeroed & bit_mismatches(out, case.x))
    if detail:
        ctx.fail(f"outside the cutout: {detail}", case)
    reason = ctx.spec.random_region(zeroed, case.config)
    if reason:
        ctx.fail(f"the zeroed region is not allowed: {reason}", case)


def check_inference_identity(ctx, case):
    ctx.label(case)
    out = _call(ctx.column, ctx.spec.build(case.config), case.x, False)
    detail = element_mismatch("out", out, case.x, bit_mismatches(out, case.x))
    if detail:
        ctx.fail(f"training=False must be the identity: {detail}", case)


PROPERTIES = [
    Property("same-seed-same-output", "two layers with the same seed give the same bits", lambda spec: list(RANDOM_MODES),
             lambda spec, column: cases(spec), check_same_seed, applies=_is_random),
    Property("one-allowed-region", "the zeroed region is one allowed region; the rest keeps its bits",
             lambda spec: list(RANDOM_MODES), lambda spec, column: cases(spec), check_region, applies=_is_random),
    Property("inference-identity", "training=False returns the input bit for bit", lambda spec: list(RANDOM_MODES),
             lambda spec, column: cases(spec), check_inference_identity, applies=_is_random),
]
