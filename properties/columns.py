"""What the per-mode properties share: their columns, their examples, and one checked call.

``mode_columns`` are a spec's execution modes; ``mode_cases`` the examples for one of them
(in eager mode a :class:`~properties.hypothesis_helpers.Sweep` over every claimed dtype, since
eager calls are cheap; elsewhere one drawn dtype per example, as a mode compiles per dtype);
``run_case`` runs a case in the context's mode and checks shape and dtype before any bits.
"""

from properties.dtype_helpers import numpy_dtype
from properties.hypothesis_helpers import cases, sweeps


def mode_columns(spec):
    """Every execution mode the spec claims (see ``properties.spec.VALUE_MODES``)."""
    return list(spec.modes)


def mode_cases(spec, mode):
    """Examples for a per-mode property in ``mode``."""
    # Random layers are called without `training` here, which makes them the identity.
    if mode == "eager":
        return sweeps(spec, spec.dtypes_in(mode))
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
