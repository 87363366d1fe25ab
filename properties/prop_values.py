"""Contract 1.3/1.4: +0 exactly where the reference says, every other bit unchanged, shape and
dtype preserved; in every execution mode."""

import numpy as np

from properties.bitwise import as_bits, bit_mismatches
from properties.failures import element_mismatch
from properties.hypothesis_helpers import cases
from properties.dtype_helpers import numpy_dtype
from properties.registry import Property, needs_reference


def _mode_columns(spec):
    return list(spec.modes)


def _mode_cases(spec, mode):
    # Random layers are called without `training` here, which makes them the identity.
    return cases(spec, spec.dtypes_in(mode))


def run_case(ctx, case):
    """Run the case in the context's mode; fail on a wrong shape or dtype before any bits."""
    ctx.label(case)
    seen, out = ctx.executor.run(ctx.column, case.config, case.x)
    dtype = numpy_dtype(ctx.spec.output_dtype(seen.dtype))
    if out.shape != seen.shape or out.dtype != dtype:
        ctx.fail(f"out.shape={out.shape}, out.dtype={out.dtype}, but should be shape={seen.shape}, "
                 f"dtype={dtype}", case)
    return seen, out


def check_zeroed(ctx, case):
    seen, out = run_case(ctx, case)
    region = ctx.spec.region(seen, case.config)
    nonzero = as_bits(out) != 0
    if out.dtype.kind == "c":
        nonzero = nonzero.any(axis=-1)
    detail = element_mismatch("out", out, np.zeros_like(out), region & nonzero)
    if detail:
        ctx.fail(detail + " inside the zeroed region", case)


def check_unchanged(ctx, case):
    seen, out = run_case(ctx, case)
    region = ctx.spec.region(seen, case.config)
    expected = ctx.spec.expected(seen, case.config)
    detail = element_mismatch("out", out, expected, ~region & bit_mismatches(out, expected))
    if detail:
        ctx.fail(detail + " outside the zeroed region", case)


def check_shape_and_dtype(ctx, case):
    run_case(ctx, case)


PROPERTIES = [
    Property("zeroed-exactly", "+0 (all bits clear) exactly where the reference zeroes", _mode_columns, _mode_cases,
             check_zeroed, applies=needs_reference),
    Property("rest-unchanged", "every other element keeps its bits", _mode_columns, _mode_cases, check_unchanged, applies=needs_reference),
    Property("shape-and-dtype", "output shape and dtype are the input's", _mode_columns, _mode_cases,
             check_shape_and_dtype),
]
