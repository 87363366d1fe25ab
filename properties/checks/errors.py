"""Contract 1.1, 1.4 and 1.8: bad constructor arguments, bad inputs and inputs of a bad type
raise the contract's errors, eagerly and under ``tf.function``, with messages that name the
values."""

import re

import numpy as np
import tensorflow as tf
from hypothesis import event
from hypothesis import strategies as st

from properties.strategies import bad_types
from properties.core.dtypes import numpy_dtype
from properties.core.failures import error_text
from properties.checks.table import Property

ERROR_MODES = ("eager", "graph", "graph-unknown-dims")


#: Bad inputs checked per example, for one config: each is one cheap call, and several per
#: example reach more kinds and boundaries (an axis just past the rank, and far past it) in the
#: few examples of a ``quick`` run.
BAD_INPUTS_PER_EXAMPLE = 4


@st.composite
def _bad_inputs(draw, spec):
    config = draw(spec.configs)
    bad = draw(st.lists(spec.bad_inputs(config), min_size=BAD_INPUTS_PER_EXAMPLE, max_size=BAD_INPUTS_PER_EXAMPLE))
    dtype = draw(st.sampled_from(tuple(spec.dtypes)))
    return config, bad, dtype


#: Inputs of a bad type are built at most this big (the type is the point, not the size).
_BAD_TYPE_MAX_ELEMENTS = 1 << 12


@st.composite
def _bad_type_shapes(draw, spec):
    config = draw(spec.configs)
    shape = draw(spec.input_shapes(config).filter(lambda s: int(np.prod(s, dtype=np.int64)) <= _BAD_TYPE_MAX_ELEMENTS))
    return config, tuple(shape)


def _call(ctx, layer, x):
    if ctx.column == "eager":
        return layer(x)
    dims = list(x.shape) if ctx.column == "graph" else [None] * len(x.shape)
    fn = tf.function(layer.__call__, input_signature=[tf.TensorSpec(dims, tf.as_dtype(x.dtype))])
    return fn(x)


def _expect_error(ctx, where, call, expected, pattern):
    try:
        call()
    except Exception as error:  # noqa: BLE001 - the type is the point of the check
        if not isinstance(error, expected):
            ctx.fail(f"{where}: raised {error_text(error)}, but should raise "
                     f"{expected.__name__}")
        if not re.search(pattern, str(error)):
            ctx.fail(f"{where}: the {type(error).__name__} message {str(error)[:300]!r} does not name the values "
                     f"(pattern {pattern})")
        return
    ctx.fail(f"{where}: returned a result, but should raise {expected.__name__}")


def check_bad_input(ctx, drawn):
    config, bads, dtype = drawn
    layer = ctx.spec.build(config)
    for bad in bads:
        event(f"bad input of rank {len(bad.shape)}")
        x = np.ones(bad.shape, numpy_dtype(dtype))
        expected = bad.runtime_error if (ctx.column == "graph-unknown-dims" and bad.runtime_error) else bad.error
        where = f"config={config}, dtype={dtype}, shape={bad.shape}"
        _expect_error(ctx, where, lambda: _call(ctx, layer, x), expected, bad.match)


def check_bad_types(ctx, drawn):
    """Every kind of ``spec.bad_types`` on this example (in graph columns, the kinds that
    ``tf.function`` can take): a ``TypeError`` naming what was given."""
    config, shape = drawn
    layer = ctx.spec.build(config)
    for kind in ctx.spec.bad_types:
        if ctx.column != "eager" and not bad_types.traceable(kind):
            continue
        x = bad_types.make(kind, shape)
        ctx.event(f"bad input type {kind}")
        where = f"config={config}, a {kind} input of shape {shape}"
        _expect_error(ctx, where, lambda: _call(ctx, layer, x), TypeError, bad_types.match(kind))


def check_bad_config(ctx, config):
    (name, value), = config.items()
    event(f"bad {name}: {type(value).__name__}")
    try:
        ctx.spec.build(config)
    except ValueError as error:
        message = str(error)
        if name not in message or (repr(value) not in message and str(value) not in message):
            ctx.fail(f"{name}={value!r}: the ValueError {message!r} should name the argument and the value")
        return
    except Exception as error:  # noqa: BLE001
        ctx.fail(f"{name}={value!r}: raised {type(error).__name__}: {error}, but should raise ValueError")
    ctx.fail(f"{name}={value!r}: the constructor accepted it, but should raise ValueError")


PROPERTIES = [
    Property("bad-inputs-raise", "bad ranks, axes and too-large windows raise the contract's errors",
             lambda spec: list(ERROR_MODES), lambda spec, column: _bad_inputs(spec), check_bad_input,
             applies=lambda spec: spec.bad_inputs is not None,
             promises=("bad-inputs",)),
    Property("bad-types-raise", "inputs of every bad type the spec lists raise a TypeError naming it",
             lambda spec: [m for m in ERROR_MODES if m == "eager" or any(map(bad_types.traceable, spec.bad_types))],
             lambda spec, column: _bad_type_shapes(spec), check_bad_types, applies=lambda spec: bool(spec.bad_types),
             promises=("bad-types",)),
    Property("bad-config-raises", "bad constructor arguments raise ValueError naming argument and value",
             lambda spec: ["constructor"], lambda spec, column: spec.bad_configs, check_bad_config,
             applies=lambda spec: spec.bad_configs is not None,
             promises=("config-errors",)),
]
