"""Contract 1.6: every mode and every device gives eager's bits; the gradient is the mask."""


from properties.core.bits import bit_mismatches
from properties.core.dtypes import FLOAT_DTYPES, numpy_dtype
from properties.core.failures import element_mismatch
from properties.strategies.cases import cases
from properties.execution.modes import GRADIENT_MODES
from properties.execution.devices import devices
from properties.execution.columns import mode_cases, mode_landmarks, run_case
from properties.checks.table import Property, needs_reference
from properties.spec import judge


def check_modes_agree(ctx, case):
    seen, out = run_case(ctx, case)
    # Against eager on what this mode's layer received (predict's pipeline may change inputs).
    _, eager = ctx.executor.run("eager", case.config, seen)
    detail = element_mismatch("out", out, eager, judge.disagreement(ctx.spec, out, eager, seen, case.config))
    if detail:
        ctx.fail(f"{ctx.column} differs from eager: {detail} (eager's value is 'should be')", case)


def check_devices_agree(ctx, case):
    ctx.label(case)
    _, reference = ctx.executor.run("eager", case.config, case.x, device=devices()[0])
    _, out = ctx.executor.run("eager", case.config, case.x, device=ctx.column)
    detail = element_mismatch("out", out, reference, judge.disagreement(ctx.spec, out, reference, case.x, case.config))
    if detail:
        ctx.fail(f"{ctx.column} differs from {devices()[0]}: {detail}", case, device=ctx.column)
    followed = judge.reference_for(ctx.spec, out, case.x, case.config)
    expected = judge.expected(followed, case.x, case.config)
    detail = element_mismatch("out", out, expected, judge.mismatches(followed, out, case.x, case.config))
    if detail:
        ctx.fail(f"on {ctx.column}: {detail}", case, device=ctx.column)


def _float_cases(spec, mode):
    floats = tuple(d for d in spec.dtypes_in(mode) if d in FLOAT_DTYPES)
    return cases(spec, floats)


def check_gradient(ctx, case):
    ctx.label(case)
    g = ctx.executor.gradient(ctx.column, case.config, case.x)
    if g is None:
        ctx.fail("the gradient with respect to the input is None, but should be the mask", case)
    masks = [(~judge.region(ref, case.x, case.config)).astype(numpy_dtype(case.dtype)) for ref in judge.references(ctx.spec)]
    mask = masks[0]
    if len(masks) > 1 and g.shape == mask.shape and g.dtype == mask.dtype:  # the reference it follows
        mask = min(masks, key=lambda m: int(bit_mismatches(g, m).sum()))
    if g.shape != mask.shape or g.dtype != mask.dtype:
        ctx.fail(f"gradient.shape={g.shape}, gradient.dtype={g.dtype}, but should be {mask.shape}, {mask.dtype}", case)
    detail = element_mismatch("gradient", g, mask, bit_mismatches(g, mask))
    if detail:
        ctx.fail(detail, case)


PROPERTIES = [
    Property("modes-agree", "every execution mode gives eager's bits",
             lambda spec: [m for m in spec.modes if m != "eager"], mode_cases, check_modes_agree,
             landmarks=mode_landmarks,
             promises=("modes-agree",)),
    Property("devices-agree", "every logical device gives the same bits", lambda spec: devices(),
             lambda spec, device: cases(spec), check_devices_agree, applies=needs_reference,
             promises=("devices-agree",)),
    Property("gradient-is-mask", "d(out)/d(x) is 1 outside the zeroed region and 0 inside, for float dtypes",
             lambda spec: [m for m in spec.modes if m in GRADIENT_MODES], _float_cases, check_gradient,
             applies=lambda spec: needs_reference(spec) and any(d in FLOAT_DTYPES for d in spec.dtypes),
             promises=("gradient",)),
]
