"""Relations between calls: applying twice equals once; each sample alone gives its slice."""

import numpy as np
from hypothesis import event
from hypothesis import strategies as st

from properties.core.bits import bit_mismatches
from properties.core.dtypes import COMPLEX_DTYPES, FLOAT_DTYPES
from properties.core.failures import element_mismatch
from properties.strategies.cases import cases
from properties.execution.columns import mode_cases, mode_columns, mode_landmarks, run_case
from properties.checks.table import Property, needs_reference


def check_idempotent(ctx, case):
    _, once = run_case(ctx, case)
    _, twice = ctx.executor.run(ctx.column, case.config, once)
    detail = element_mismatch("f(f(x))", twice, once, bit_mismatches(twice, once))
    if detail:
        ctx.fail(detail + " (should equal f(x))", case)


#: Batch axes longer than this are checked on this many slices: the first, the last and
#: drawn ones (a batch of 256 would otherwise cost 256 calls per example).
MAX_SLICES = 8


@st.composite
def _batched_cases(draw, spec, mode):
    case = draw(cases(spec, spec.dtypes_in(mode)).filter(lambda c: len(spec.batch_axes(c.config, c.x.ndim)) > 0))
    axis = draw(st.sampled_from(tuple(spec.batch_axes(case.config, case.x.ndim))))
    n = case.x.shape[axis]
    if n <= MAX_SLICES:
        return case, axis, list(range(n))
    drawn = draw(st.lists(st.integers(1, n - 2), min_size=MAX_SLICES - 2, max_size=MAX_SLICES - 2, unique=True))
    return case, axis, sorted({0, n - 1, *drawn})


def check_batch_slices(ctx, drawn):
    case, axis, indices = drawn
    ctx.label(case)
    n = case.x.shape[axis]
    event(f"sliced along axis {axis} of length {'0' if n == 0 else '1' if n == 1 else 'several'}")
    if len(indices) < n:
        event("sliced at some positions of a long batch axis")
    seen, out = run_case(ctx, case)
    for i in indices:
        part = np.take(seen, [i], axis=axis)
        _, alone = ctx.executor.run(ctx.column, case.config, part)
        in_batch = np.take(out, [i], axis=axis)
        detail = element_mismatch("alone", alone, in_batch, bit_mismatches(alone, in_batch))
        if detail:
            ctx.fail(f"slice {i} along axis {axis} run alone differs from the batched run: {detail}", case)


def _float_parts(array):
    """Real arrays as they are; complex ones as their real and imaginary parts (last axis)."""
    array = np.asarray(array)
    if array.dtype.kind == "c":
        return np.stack([array.real, array.imag], axis=-1)
    return array


def _sum_keeps(total, x):
    """Where ``layer(x) + complement(x)`` gives back ``x`` as IEEE addition can.

    Bit for bit, except where addition itself changes bits: ``-0.0 + +0.0`` is ``+0.0``, and a
    signalling NaN plus anything comes out quiet.  There the sum must still be a zero or a
    NaN.  Complex numbers are judged part by part: ``(-0+3e38j) + (0+0j)`` is ``0+3e38j``.
    """
    parts_total, parts_x = _float_parts(total), _float_parts(x)
    wide = np.float64  # exact for every float format here, ml_dtypes' bfloat16 too
    with np.errstate(invalid="ignore"):
        t, v = parts_total.astype(wide), parts_x.astype(wide)
        same = (bit_mismatches(parts_total, parts_x) == 0) | ((v == 0) & (t == 0)) | (np.isnan(v) & np.isnan(t))
    return same.all(axis=-1) if np.asarray(x).dtype.kind == "c" else same


def check_complement(ctx, case):
    """``layer(x) + complement(x) == x``: the two regions split every map between them."""
    ctx.label(case)
    other, other_config = ctx.spec.complement
    _, out = ctx.executor.run("eager", case.config, case.x)
    rest = np.asarray(other(**other_config(case.config))(case.x))
    total = out + rest
    x = case.x
    if case.dtype in FLOAT_DTYPES + COMPLEX_DTYPES:
        same = _sum_keeps(total, x)
    else:
        same = bit_mismatches(total, x) == 0
    detail = element_mismatch("layer(x) + complement(x)", total, x, ~same)
    if detail:
        ctx.fail(detail, case)


PROPERTIES = [
    Property("complement-sum", "layer(x) + complement(x) == x for numeric dtypes", lambda spec: ["eager"],
             lambda spec, column: cases(spec, tuple(d for d in spec.dtypes if d != "bool")), check_complement,
             applies=lambda spec: spec.complement is not None,
             promises=("region", "zero-inside")),
    Property("idempotent", "applying the layer twice equals applying it once", mode_columns, mode_cases,
             check_idempotent, applies=needs_reference, value=True, landmarks=mode_landmarks,
             promises=("idempotent",)),
    Property("batch-slices", "each sample alone gives the same slice as in the batch", mode_columns,
             lambda spec, mode: _batched_cases(spec, mode), check_batch_slices, applies=needs_reference,
             promises=("batch-independent",)),
]
