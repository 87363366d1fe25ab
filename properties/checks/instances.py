"""Contract 1.5/2.5: no state shared between instances.  Several instances with different
configs, called in an interleaved order on inputs of one shape and of their own shapes; each
output is judged against its own config."""

import numpy as np
import tensorflow as tf
from hypothesis import event
from hypothesis import strategies as st

from properties.core.failures import element_mismatch
from properties.strategies.cases import SWEEP_MAX_ELEMENTS, cases
from properties.execution.modes import config_key, input_signature
from properties.checks.table import Property, needs_reference
from properties.strategies.shapes import elements
from properties.spec import judge

#: Where the instances run: eagerly, and compiled with static shapes (a cache keyed at trace
#: time is as likely as one keyed per call).
COLUMNS = ("eager", "graph")


@st.composite
def _instances_and_calls(draw, spec, mode):
    """2-4 configs (distinct when the spec has that many), a shared shape, and the calls.

    Half the examples call the instances that accept the shared shape (``spec.fits``) *round
    robin*, twice round, all on that shape and in one dtype: every call then follows a
    call of another instance on the same key, which is what state shared between instances
    (a module-level cache keyed by shape and dtype) gets wrong.  The other half make 4-8 calls
    to instances drawn at random, on the shared shape or their own, in one dtype or several."""
    configs = draw(st.lists(spec.configs, min_size=1, max_size=4, unique_by=config_key))
    if len(configs) == 1:
        configs.append(configs[0])  # a spec with one config: still two instances
        event("one config: two instances of it")
    shared = draw(spec.input_shapes(configs[0]))
    dtypes = spec.dtypes_in(mode)
    round_robin = draw(st.booleans())
    if round_robin or draw(st.booleans()):  # one dtype for every call: a cache keyed by shape
        dtypes = (draw(st.sampled_from(dtypes)),)  # and dtype must see the same key twice
        event("every call of one dtype")
    fitting = [i for i, c in enumerate(configs) if spec.fits is not None and spec.fits(c, shared)]
    if round_robin and len(fitting) >= 2:
        # Only the instances that accept the shared shape, so that no call breaks the chain.
        event("instances called round robin on one shape")
        order = [i for _ in range(2) for i in fitting]
    else:
        round_robin = False
        order = [draw(st.integers(0, len(configs) - 1)) for _ in range(draw(st.integers(4, 8)))]
    calls = []
    for i in order:
        fits = spec.fits is not None and spec.fits(configs[i], shared)
        same = fits and (round_robin or draw(st.booleans()))
        # Its own shapes stay small: 4-8 inputs of 10^7 elements would make one example cost
        # seconds to draw; the shared shape still comes in every size class.
        own = None if same else draw(spec.input_shapes(configs[i]).filter(
            lambda shape: elements(shape) <= SWEEP_MAX_ELEMENTS))
        calls.append((i, draw(cases(spec, dtypes, config=configs[i], shape=shared if same else own))))
    return configs, calls


def _call(mode, layer, x, compiled):
    if mode == "eager":
        return np.asarray(layer(x))
    key = (id(layer), x.dtype.str, x.shape)
    if key not in compiled:
        compiled[key] = tf.function(layer.__call__, input_signature=input_signature(x, x.shape))
    return np.asarray(compiled[key](x))


def check_many_instances(ctx, drawn):
    configs, calls = drawn
    layers = [ctx.spec.build(config) for config in configs]  # fresh instances, not a cache
    event(f"{len({config_key(c) for c in configs})} distinct configs, {len(layers)} instances")
    if len({c.x.shape for _, c in calls}) < len(calls):
        event("instances called on inputs of the same shape")
    if len({i for i, _ in calls}) > 1:
        event("calls interleaved between instances")
    compiled = {}
    for number, (i, case) in enumerate(calls, 1):
        ctx.label(case)
        out = _call(ctx.column, layers[i], case.x, compiled)
        reference = judge.reference_for(ctx.spec, out, case.x, case.config)
        expected = judge.expected(reference, case.x, case.config)
        if out.shape != expected.shape or out.dtype != expected.dtype:
            ctx.fail(f"instance {i + 1} of {len(layers)} ({configs[i]}), call {number} of {len(calls)}: "
                     f"out.shape={out.shape}, out.dtype={out.dtype}, but should be {expected.shape}, "
                     f"{expected.dtype}", case)
        detail = element_mismatch("out", out, expected, judge.mismatches(reference, out, case.x, case.config))
        if detail:
            ctx.fail(f"instance {i + 1} of {len(layers)} ({configs[i]}), call {number} of {len(calls)} "
                     f"(after calls to instances {[j + 1 for j, _ in calls[:number - 1]]}): {detail}", case)


PROPERTIES = [
    Property("many-instances", "instances with different configs, calls interleaved, each judged by its own config",
             lambda spec: [m for m in COLUMNS if m in spec.modes],
             lambda spec, mode: _instances_and_calls(spec, mode), check_many_instances,
             applies=lambda spec: needs_reference(spec),
             promises=("instances-independent",)),
]
