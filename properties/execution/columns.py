"""What the per-mode properties share: their columns, their examples, and one checked call.

``mode_columns`` are a spec's execution modes; ``mode_cases`` the examples for one of them
(in eager mode a :class:`~properties.strategies.cases.Sweep` over every claimed dtype, since
eager calls are cheap; elsewhere one drawn dtype per example, as a mode compiles per dtype);
``run_case`` runs a case in the context's mode and checks shape and dtype before any bits.
"""

import math

from properties.core.dtypes import COMPLEX_DTYPES, FLOAT_DTYPES, numpy_dtype
from properties.strategies.cases import SWEEP_MAX_ELEMENTS, Sweep, cases, landmark_case, sweeps


def mode_columns(spec):
    """Every execution mode the spec claims (see ``properties.spec.mask_spec.VALUE_MODES``)."""
    return list(spec.modes)


def mode_cases(spec, mode):
    """Examples for a per-mode property in ``mode``."""
    # Random layers are called without `training` here, which makes them the identity.
    if mode == "eager":
        return sweeps(spec, spec.dtypes_in(mode))
    return cases(spec, spec.dtypes_in(mode))


def mode_landmarks(spec, mode):
    """The spec's ``landmarks`` as examples of :func:`mode_cases` in ``mode``: in eager mode a
    :class:`Sweep` over every claimed dtype (above ``SWEEP_MAX_ELEMENTS``: the first float or
    complex dtype and the first other one), elsewhere a :class:`Case` of the first float or
    complex dtype the mode claims (else its first dtype), or the landmark's own dtype if it names
    one that the mode claims."""
    dtypes = tuple(spec.dtypes_in(mode))
    special = [d for d in dtypes if d in FLOAT_DTYPES + COMPLEX_DTYPES]
    examples = []
    for config, shape, *dtype in spec.landmarks:
        if mode == "eager":
            chosen = dtypes if math.prod(shape) <= SWEEP_MAX_ELEMENTS else tuple(
                group[0] for group in (special, [d for d in dtypes if d not in special]) if group)
            examples.append(Sweep([landmark_case(spec, config, d, shape, seed=i) for i, d in enumerate(chosen)]))
        elif dtypes:
            chosen = dtype[0] if dtype and dtype[0] in dtypes else (special or dtypes)[0]
            examples.append(landmark_case(spec, config, chosen, shape))
    return examples


def run_case(ctx, case):
    """Run the case in the context's mode; fail on a wrong shape or dtype before any bits."""
    ctx.label(case)
    seen, out = ctx.executor.run(ctx.column, case.config, case.x)
    dtype = numpy_dtype(ctx.spec.output_dtype(seen.dtype))
    if out.shape != seen.shape or out.dtype != dtype:
        ctx.fail(f"out.shape={out.shape}, out.dtype={out.dtype}, but should be shape={seen.shape}, "
                 f"dtype={dtype}", case)
    return seen, out
