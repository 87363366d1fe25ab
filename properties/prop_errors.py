"""Contract 1.1 and 1.8: bad constructor arguments and bad inputs raise the contract's errors,
eagerly and under ``tf.function``, with messages that name the values."""

import re

import numpy as np
import tensorflow as tf
from hypothesis import event
from hypothesis import strategies as st

from properties.dtype_helpers import numpy_dtype
from properties.registry import Property

ERROR_MODES = ("eager", "graph", "graph-unknown-dims")


@st.composite
def _bad_inputs(draw, spec, column):
    config = draw(spec.configs)
    # An input that tf.function cannot take through a TensorSpec (None, an object array, a
    # ragged tensor) is checked in eager mode only.
    bad = draw(spec.bad_inputs(config).filter(lambda b: b.traceable or column == "eager"))
    dtype = draw(st.sampled_from(tuple(spec.dtypes)))
    return config, bad, dtype


def _call(ctx, layer, x):
    if ctx.column == "eager":
        return layer(x)
    dims = list(x.shape) if ctx.column == "graph" else [None] * len(x.shape)
    fn = tf.function(layer.__call__, input_signature=[tf.TensorSpec(dims, tf.as_dtype(x.dtype))])
    return fn(x)


def check_bad_input(ctx, drawn):
    config, bad, dtype = drawn
    if bad.value is None:
        event(f"bad input of rank {len(bad.shape)}")
        x = np.ones(bad.shape, numpy_dtype(dtype))
        what = f"dtype={dtype}"
    else:
        x = bad.value(bad.shape)
        what = f"input type {type(x).__name__}" + (f" of dtype {x.dtype}" if hasattr(x, "dtype") else "")
        event(f"bad input type: {what}")
    expected = bad.runtime_error if (ctx.column == "graph-unknown-dims" and bad.runtime_error) else bad.error
    where = f"config={config}, {what}, shape={bad.shape}"
    try:
        _call(ctx, ctx.spec.build(config), x)
    except Exception as error:  # noqa: BLE001 - the type is the point of the check
        if not isinstance(error, expected):
            ctx.fail(f"{where}: raised {type(error).__name__}: {str(error)[:300]}, but should raise "
                     f"{expected.__name__}")
        if not re.search(bad.match, str(error)):
            ctx.fail(f"{where}: the {type(error).__name__} message {str(error)[:300]!r} does not name the values "
                     f"(pattern {bad.match})")
        return
    ctx.fail(f"{where}: returned a result, but should raise {expected.__name__}")


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
    Property("bad-inputs-raise", "bad ranks, axes, too-large windows and bad input types raise the contract's errors",
             lambda spec: list(ERROR_MODES), lambda spec, column: _bad_inputs(spec, column), check_bad_input,
             applies=lambda spec: spec.bad_inputs is not None),
    Property("bad-config-raises", "bad constructor arguments raise ValueError naming argument and value",
             lambda spec: ["constructor"], lambda spec, column: spec.bad_configs, check_bad_config,
             applies=lambda spec: spec.bad_configs is not None),
]
