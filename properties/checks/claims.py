"""The spec's claims against reality (PyTorch OpInfo's ``test_dtypes``): every claimed dtype
works, every other dtype is refused with a clear error naming it."""

import re

import numpy as np
import tensorflow as tf
from hypothesis import event
from hypothesis import strategies as st

from properties.core.dtypes import ALL_DTYPES, NON_NUMERIC_DTYPES, numpy_dtype
from properties.core.failures import error_text
from properties.checks.table import Property


@st.composite
def _dtype_claims(draw, spec):
    config = draw(spec.configs)
    shape = draw(spec.input_shapes(config))
    dtype = draw(st.sampled_from(ALL_DTYPES + NON_NUMERIC_DTYPES))
    return config, shape, dtype


def _input(shape, dtype):
    if dtype == "string":
        return tf.fill(shape, "a")
    return tf.constant(np.ones(shape, numpy_dtype(dtype)))


def check_claims(ctx, drawn):
    config, shape, dtype = drawn
    claimed = dtype in ctx.spec.dtypes
    event(f"{'claimed' if claimed else 'unclaimed'} dtype {dtype}")
    where = f"config={config}, dtype={dtype}, shape={shape}"
    try:
        out = ctx.spec.build(config)(_input(shape, dtype))
    except Exception as error:  # noqa: BLE001 - the type is the point of the check
        if claimed:
            ctx.fail(f"{where}: listed but failed: {error_text(error)}")
        if not isinstance(error, (TypeError, ValueError)) or not re.search(rf"\b{dtype}\b", str(error)):
            ctx.fail(f"{where}: refused with {type(error).__name__}: {str(error)[:300]!r}, but should be a "
                     f"TypeError or ValueError naming {dtype}")
        return
    if not claimed:
        ctx.fail(f"{where}: worked but not listed in the spec's dtypes")
    if tf.as_dtype(out.dtype).name != ctx.spec.output_dtype(dtype):
        ctx.fail(f"{where}: out.dtype={tf.as_dtype(out.dtype).name}, but should be {ctx.spec.output_dtype(dtype)}")


PROPERTIES = [
    Property("claimed-dtypes", "claimed dtypes work and keep their dtype; others are refused by name",
             lambda spec: ["eager"], lambda spec, column: _dtype_claims(spec), check_claims,
             promises=("claimed-dtypes",)),
]
