"""Contract 1.5: no weights, one instance for many inputs, the input never modified."""

import tensorflow as tf
from hypothesis import event
from hypothesis import strategies as st

from properties.core.bits import bit_mismatches
from properties.core.failures import element_mismatch
from properties.strategies.cases import cases
from properties.execution.columns import mode_cases, mode_columns, mode_landmarks, run_case
from properties.checks.table import Property, needs_reference
from properties.strategies.shapes import lengths
from properties.spec import judge


def _is_variable(value):
    return isinstance(value, tf.Variable) or type(value).__name__ == "Variable" and hasattr(value, "assign")


def _weights(obj, scan_attributes=True):
    """Every kind of state: Keras weights, tf.Module variables, and tf.Variables held in plain
    attributes, which Keras 3 does not list as weights (the blog's kernel is one).  Models are
    not scanned that way: every Keras 2 Model holds its own step counters as Variables."""
    held = [v for v in vars(obj).values() if _is_variable(v)] if scan_attributes and hasattr(obj, "__dict__") else []
    return {
        "weights": list(getattr(obj, "weights", [])),
        "trainable_weights": list(getattr(obj, "trainable_weights", [])),
        "non_trainable_weights": list(getattr(obj, "non_trainable_weights", [])),
        "variables": list(getattr(obj, "variables", [])) if isinstance(obj, tf.Module) else [],
        "attributes holding variables": held,
    }


def _assert_no_weights(ctx, obj, when, case, scan_attributes=True):
    for kind, found in _weights(obj, scan_attributes).items():
        if found:
            ctx.fail(f"{when}: {type(obj).__name__}.{kind} has {len(found)} entries "
                     f"({', '.join(getattr(v, 'name', '?') for v in found)}), but should have none", case)


def check_no_weights(ctx, case):
    _assert_no_weights(ctx, ctx.spec.build(case.config), "a fresh layer", case)
    layer = ctx.executor.layer(case.config)
    run_case(ctx, case)
    _assert_no_weights(ctx, layer, f"after a call in {ctx.column}", case)
    for obj in ctx.executor.artifacts(ctx.column):
        _assert_no_weights(ctx, obj, f"the {ctx.column} artifact", case, scan_attributes=False)


@st.composite
def _many_inputs(draw, spec, mode):
    """One config and 2-4 inputs of different dtypes and shapes for it; about half of the later
    inputs keep the first one's map lengths and redraw the batch (and channel) lengths, the
    call pattern of a layer fed batches of one image size."""
    config = draw(spec.configs)
    first = draw(cases(spec, spec.dtypes_in(mode), config=config))
    inputs = [first]
    for _ in range(draw(st.integers(1, 3))):
        shape = None
        batch = spec.batch_axes(config, first.x.ndim)
        if batch and draw(st.booleans()):
            shape = list(first.x.shape)
            for axis in batch:
                shape[axis] = draw(lengths(0 if axis == 0 else 1, max(3, shape[axis])))
            shape = tuple(shape)
            event("same map lengths, other batch lengths")
        inputs.append(draw(cases(spec, spec.dtypes_in(mode), config=config, shape=shape)))
    return inputs


def check_one_instance(ctx, inputs):
    layer = ctx.executor.layer(inputs[0].config)
    event(f"{len({(c.dtype, c.x.ndim) for c in inputs})} distinct dtype/rank pairs in a row")
    for number, case in enumerate(inputs, 1):
        ctx.label(case)
        seen, out = run_case(ctx, case)
        reference = judge.reference_for(ctx.spec, out, seen, case.config)
        expected = judge.expected(reference, seen, case.config)
        detail = element_mismatch("out", out, expected, judge.mismatches(reference, out, seen, case.config))
        if detail:
            ctx.fail(f"the same layer instance, input {number} of {len(inputs)}: {detail}", case)
    if ctx.executor.layer(inputs[0].config) is not layer:
        ctx.fail("the executor rebuilt the layer between inputs", inputs[0])


def check_input_not_modified(ctx, case):
    before = case.x.copy()  # a byte copy: payloads and signs survive
    case.x.setflags(write=True)
    run_case(ctx, case)
    detail = element_mismatch("x", case.x, before, bit_mismatches(case.x, before))
    if detail:
        ctx.fail("the writable NumPy input was modified: " + detail, case)
    if ctx.column == "eager":
        tensor = tf.constant(case.x)
        ctx.executor.layer(case.config)(tensor)
        if bit_mismatches(tensor.numpy(), before).any():
            ctx.fail("the input tensor was modified", case)


PROPERTIES = [
    Property("no-weights", "no weights of any kind before or after calls", mode_columns, mode_cases,
             check_no_weights, value=True, landmarks=mode_landmarks,
             promises=("no-weights",)),
    Property("one-instance-many-inputs", "one layer serves many shapes, ranks and dtypes in a row",
             mode_columns, lambda spec, mode: _many_inputs(spec, mode), check_one_instance, applies=needs_reference,
             promises=("many-inputs",)),
    Property("input-not-modified", "the input, a writable array or a tensor, is never written", mode_columns,
             mode_cases, check_input_not_modified, value=True, landmarks=mode_landmarks,
             promises=("input-unmodified",)),
]
