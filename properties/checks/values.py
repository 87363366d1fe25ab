"""Contract 1.3/1.4: +0 exactly where the reference says, every other bit unchanged, shape and
dtype preserved; in every execution mode."""

import numpy as np

from properties.core.bits import as_bits
from properties.core.failures import element_mismatch
from properties.execution.columns import mode_cases, mode_columns, mode_landmarks, run_case
from properties.checks.table import Property, needs_reference
from properties.spec import judge


def check_zeroed(ctx, case):
    seen, out = run_case(ctx, case)
    region = judge.region(judge.reference_for(ctx.spec, out, seen, case.config), seen, case.config)
    nonzero = as_bits(out) != 0
    if out.dtype.kind == "c":
        nonzero = nonzero.any(axis=-1)
    detail = element_mismatch("out", out, np.zeros_like(out), region & nonzero)
    if detail:
        ctx.fail(detail + " inside the zeroed region", case)


def check_unchanged(ctx, case):
    seen, out = run_case(ctx, case)
    reference = judge.reference_for(ctx.spec, out, seen, case.config)
    region = judge.region(reference, seen, case.config)
    expected = judge.expected(reference, seen, case.config)
    detail = element_mismatch("out", out, expected, ~region & judge.mismatches(reference, out, seen, case.config))
    if detail:
        ctx.fail(detail + " outside the zeroed region", case)


def check_shape_and_dtype(ctx, case):
    run_case(ctx, case)


PROPERTIES = [
    Property("zeroed-exactly", "+0 (all bits clear) exactly where the reference zeroes", mode_columns, mode_cases,
             check_zeroed, applies=needs_reference, value=True, landmarks=mode_landmarks,
             promises=("zero-inside", "region", "any-size", ("keras-file", ("keras-file", "saved-model")), ("config-roundtrip", ("from-config",)))),
    Property("rest-unchanged", "every other element keeps its bits", mode_columns, mode_cases, check_unchanged, applies=needs_reference, value=True,
             landmarks=mode_landmarks,
             promises=("bits-outside", "any-size", ("keras-file", ("keras-file", "saved-model")), ("config-roundtrip", ("from-config",)))),
    Property("shape-and-dtype", "output shape and dtype are the input's", mode_columns, mode_cases,
             check_shape_and_dtype, value=True, landmarks=mode_landmarks,
             promises=("shape-and-dtype",)),
]
