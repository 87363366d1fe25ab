"""The spec's reference against one built on code nobody here wrote (``CenterCrop`` for
``center-zero``), and the layer's zeros against that second reference."""

import numpy as np

from properties.core.bits import as_bits
from properties.core.failures import element_mismatch
from properties.strategies.cases import cases
from properties.checks.table import Property


def check_independent_reference(ctx, case):
    ctx.label(case)
    ours = np.asarray(ctx.spec.zeroed(case.x, case.config), bool)
    theirs = np.asarray(ctx.spec.independent_zeroed(case.x, case.config), bool)
    detail = element_mismatch("reference", ours, theirs, ours != theirs)
    if detail:
        ctx.fail(f"the spec's reference and the independent one disagree: {detail}", case)
    _, out = ctx.executor.run("eager", case.config, case.x)
    out_zero, x_zero = as_bits(out) == 0, as_bits(case.x) == 0
    if out.dtype.kind == "c":
        out_zero, x_zero = out_zero.all(axis=-1), x_zero.all(axis=-1)
    became_zero = out_zero & ~x_zero
    detail = element_mismatch("zeroed", became_zero, theirs, became_zero != theirs)
    if detail:
        ctx.fail(f"the layer's zeros are not the independent reference's region: {detail}", case)


PROPERTIES = [
    Property("independent-reference", "the zeroed region is the one an independent implementation gives",
             lambda spec: ["eager"], lambda spec, column: cases(spec), check_independent_reference,
             applies=lambda spec: spec.independent_zeroed is not None,
             promises=("region",)),
]
