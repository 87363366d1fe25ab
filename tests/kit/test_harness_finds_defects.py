"""The harness must fail layers that break the contract, and name how (issue 3, item 8).

The blog's own layer is run through ``verify --layer`` and must fail; its real defects are then
each shown on an explicit example through the same property checks, and ``CenterZero`` passes
those same examples.  Layers with one planted defect each must each fail their property.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from properties.core.profiles import profile_settings
from properties.core.failures import PropertyFailure
from properties.strategies.cases import Case, Planted
from properties.execution.executor import Executor
from properties.checks.table import Context
from properties.checks.catalogue import all_properties
from properties.running.runner import run_cell
from properties.specs import builtin_specs
from tests.kit.in_process import run_in_process
from tests.kit.one_example import check_one

SPEC = builtin_specs()["center-zero"]
BLOG = "tests.specimens.blog_layer:BlogCenterZero"


def verify(*args):
    """``python -m properties verify ARGS``, in this process (``tests/kit/in_process.py``)."""
    return run_in_process("verify", *args)


def failure_on(layer, prop_name, column, x, config=None, dtype=None):
    """Run one property's check on one explicit example; the PropertyFailure, or None."""
    spec = SPEC.with_layer(layer) if layer is not None else SPEC
    config = config or {"size": 2, "axes": (-2, -1)}
    case = Case(config, dtype or x.dtype.name, x, Planted())
    drawn = case if prop_name != "claimed-dtypes" else (config, x.shape, dtype)
    return check_one(spec, prop_name, column, drawn)


def blog_layer():
    from tests.specimens.blog_layer import BlogCenterZero

    return BlogCenterZero


def ten_by_ten(value, dtype=np.float32):
    return np.full((10, 10), value, dtype)


def with_specials_in_window():
    x = ten_by_ten(3.0)
    x[4, 4], x[5, 5] = np.inf, np.nan
    return x


# (what the blog gets wrong, property, column, input, dtype, words the failure must contain);
# channels-last inputs use axes=(-3, -2), everything else the defaults.
BLOG_DEFECTS = [
    ("inf and NaN inside the window become NaN", "zeroed-exactly", "eager", with_specials_in_window(), None, "nan"),
    ("negative values become -0.0", "zeroed-exactly", "eager", ten_by_ten(-2.0), None, "0x80000000"),
    ("subnormals outside the window are flushed", "rest-unchanged", "eager", ten_by_ten(1e-40), None,
     "out[0, 0]=0.0 (bits 0x00000000), but should be 9.99994610111476e-41 (bits 0x000116c2)"),
    ("integer dtypes are refused", "claimed-dtypes", "eager", np.ones((10, 10), np.int32), "int32",
     "listed but failed"),
    ("maps other than 10x10 are wrong", "shape-and-dtype", "eager", np.ones((2, 8, 8), np.float32), None,
     "raised"),
    ("(N, 10, 10, 1) is broadcast to (N, 10, 10, 10)", "shape-and-dtype", "eager",
     np.ones((2, 10, 10, 1), np.float32), None, "out.shape=(2, 10, 10, 10)"),
    ("float16 is upcast", "shape-and-dtype", "eager", np.ones((10, 10), np.float16), None, "out.dtype=float32"),
    ("the kernel is a (non-trainable) weight", "no-weights", "eager", ten_by_ten(1.0), None, "should have none"),
]


def test_the_blog_layer_fails_verify():
    blog = verify("center-zero", "--layer", BLOG, "--profile", "quick", "--exitfirst")
    assert blog.returncode == 1, blog.stdout + blog.stderr
    assert "property zeroed-exactly failed [spec center-zero, eager]" in blog.stdout, blog.stdout
    # The spec's landmark (an explicit example, so no blob) fails first: the replay is verify.
    assert ("replay: python -m properties replay center-zero zeroed-exactly eager" in blog.stdout
            or "replay: python -m properties verify center-zero --exitfirst --profile quick --layer" in blog.stdout), blog.stdout


def test_centerzero_passes_verify():
    """The command line end to end, in every column of three properties (every cell of every
    built-in spec runs under pytest in test_properties.py)."""
    ours = verify("center-zero", "--profile", "quick", "--max-examples", "1",
                  "-k", "^(zeroed-exactly|shape-and-dtype|one-instance-many-inputs)-")
    assert ours.returncode == 0, ours.stdout + ours.stderr
    assert "FAIL" not in ours.stdout
    columns = {line.split()[2] for line in ours.stdout.splitlines() if line.startswith("[")}
    assert {"eager", "graph", "graph-unknown-dims", "xla", "model-predict", "saved-model"} <= columns, ours.stdout


@pytest.mark.parametrize("defect, prop, column, x, dtype, words", BLOG_DEFECTS, ids=[d[0] for d in BLOG_DEFECTS])
def test_each_real_defect_of_the_blog_layer_is_reported(defect, prop, column, x, dtype, words):
    config = {"size": 2, "axes": (-3, -2) if x.shape[-1] == 1 else (-2, -1)}
    failure = failure_on(blog_layer(), prop, column, x.copy(), config, dtype=dtype)
    assert failure is not None, f"the harness missed: {defect}"
    assert words in str(failure), str(failure)
    assert failure_on(None, prop, column, x.copy(), config, dtype=dtype) is None, "CenterZero fails the same example"


PLANTED = [
    ("LeansHigh", "zeroed-exactly", "eager"),
    ("Multiplies", "zeroed-exactly", "eager"),
    ("Autocasts", "shape-and-dtype", "eager"),
    ("DropsKerasMask", "keras-mask-passes", "functional"),
    ("IgnoresAxes", "rest-unchanged", "graph"),
    ("ClampsLargeWindows", "bad-inputs-raise", "eager"),
]


@pytest.mark.parametrize("name, prop_name, column", PLANTED, ids=[p[0] for p in PLANTED])
def test_a_planted_defect_is_found_with_a_minimal_counterexample(name, prop_name, column):
    from tests.specimens import planted

    spec = SPEC.with_layer(getattr(planted, name))
    prop = next(p for p in all_properties() if p.name == prop_name)
    cell = run_cell(spec, prop, column, max_examples=60, base_settings=profile_settings("ci"))
    assert cell.failures == 1, f"{name} passed {prop_name} [{column}] in {cell.examples} examples"
    assert f"property {prop_name} failed [spec center-zero, {column}]" in cell.message
    assert "replay: python -m properties" in cell.message


def test_a_failure_on_a_later_input_of_another_shape_names_that_input():
    # Regression: the message once looked the case up with list.index, whose == compared the
    # inputs' arrays and raised "operands could not be broadcast" instead of reporting.
    prop = next(p for p in all_properties() if p.name == "one-instance-many-inputs")
    spec = SPEC.with_layer(blog_layer())
    config = {"size": 2, "axes": (-2, -1)}
    inputs = [Case(config, "float32", ten_by_ten(3.0), Planted()),
              Case(config, "float32", np.full((3, 10, 10), -2.0, np.float32), Planted())]
    ctx = Context(prop, spec, "eager", Executor(spec))

    @settings(max_examples=1, database=None, deadline=None)
    @given(st.just(inputs))
    def check(drawn):
        prop.check(ctx, drawn)

    with pytest.raises(PropertyFailure, match=r"input 2 of 2: out\[0, 4, 4\]=-0.0"):
        check()
