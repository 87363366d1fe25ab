"""The ``keras-masking`` spec's reference: which steps are masked is decided without a widened
copy of the input (``equals_as_compared``), and the answer is the one the widened copy gives
(``as_compared(x) == mask_value``) for every claimed dtype, special value and mask value."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from properties.core.dtypes import numpy_dtype
from properties.specs.keras_masking import KERAS_MASKING, as_compared, equals_as_compared
from properties.strategies.cases import mask_inputs

# The spec's own mask values, a value no float format holds exactly, subnormal values, and
# values a comparison gets wrong: -0.0, NaN, inf, the float16 maximum.
VALUES = [0.0, 1.0, -1.0, 0.1, 1e-40, 5e-324, -0.0, float("nan"), float("inf"), 65504.0, 6e-8]


@st.composite
def inputs_holding(draw, value):
    """An input of a claimed dtype (or complex128, which Keras 2 claims) with every special
    value planted, and some elements holding ``value`` itself, as the dtype stores it."""
    dtype = draw(st.sampled_from(KERAS_MASKING.dtypes + ("complex128",)))
    x, _ = draw(mask_inputs(dtype, draw(st.tuples(st.integers(1, 5), st.integers(1, 6)))))
    if x.dtype.kind in "fcV":  # V: bfloat16
        where = draw(st.lists(st.integers(0, x.size - 1), max_size=x.size))
        with np.errstate(invalid="ignore", over="ignore"):
            x.reshape(-1)[where] = np.asarray(value).astype(numpy_dtype(dtype))
    return x


@pytest.mark.parametrize("flush", [True, False], ids=["flushed", "kept"])
@pytest.mark.parametrize("value", VALUES, ids=[repr(v) for v in VALUES])
def test_equals_as_compared_is_the_widened_comparison(value, flush):
    @given(inputs_holding(value))
    def check(x):
        with np.errstate(invalid="ignore"):
            expected = as_compared(x, flush) == value
        assert np.array_equal(equals_as_compared(x, value, flush), expected), (x.dtype, x)

    check()
