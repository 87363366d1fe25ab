"""The native CPU kernel (``centerzero.native``, ``CenterZeroWindow``) behind eager CPU calls:
built where a compiler is, bit for bit against NumPy on every dtype's special values and on
random shapes, axes and windows, the mask's gradient, never in a graph, and a clean fallback
to TensorFlow's ops where it is off or cannot be built.  The property suite runs it too: every
eager CPU call of the layer goes through it."""

import collections
import os
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import event, given, settings, strategies as st

from centerzero import SUPPORTED_DTYPES, CenterZero, center_zero, native, ops
from properties.dtype_helpers import numpy_dtype
from tests.bits import assert_bits, reference, resolved, special_input

DTYPES = [d.name for d in SUPPORTED_DTYPES]

needs_kernel = pytest.mark.skipif(not native.available(), reason=f"no native kernel: {native.status()['reason']}")


def kernel(x, size, axes):
    """The op itself, called straight (no plan, no checks of ours)."""
    return native.load().center_zero_window(x, window=native.pack_window(size, resolved(x.shape, axes)))


def test_the_kernel_is_built_and_loaded_where_a_compiler_is_found():
    if not native.enabled():
        pytest.skip("CENTERZERO_NATIVE turns the kernel off here")
    if native.missing():
        pytest.skip(f"the kernel cannot be built here ({native.missing()}): TensorFlow's ops serve every call")
    status = native.status()
    assert status["available"], f"a compiler is here ({native.compiler()}), but the kernel is not: {status['reason']}"
    assert os.path.exists(status["path"]) and status["path"].startswith(native.cache_dir())


@needs_kernel
@pytest.mark.parametrize("shape, size, axes", [
    ((2, 10, 10), (2, 2), (-2, -1)),             # a small window: the scatter would have run
    ((64, 16, 16), (10, 11), (-2, -1)),          # a large one: the compiled AND would have run
    ((3, 9, 10, 2), (9, 10), (1, 2)),            # the whole map
])
def test_eager_cpu_calls_take_the_kernel(shape, size, axes):
    ops._eager_plan.cache_clear()
    plan = ops._eager_plan(shape, tf.float32, size, axes)
    assert (plan.path, plan.formulation) == ("update", "native")
    x = np.arange(np.prod(shape), dtype=np.float32).reshape(shape) + 1
    assert_bits(center_zero(tf.constant(x), size, axes).numpy(), reference(x, size, resolved(shape, axes)), "eager")


@needs_kernel
@pytest.mark.parametrize("dtype", DTYPES)
def test_the_kernel_is_bit_exact_on_every_dtypes_special_values(dtype):
    """NaN payloads, -0.0, subnormals, infinities and every integer edge survive outside the
    window, and the window holds +0, for windows on every pair of axes of a rank-4 input."""
    x = special_input(dtype, (3, 9, 10, 2))
    cases = [((3, 4), (1, 2)), ((4, 3), (2, 1)), ((9, 10), (-3, -2)), ((2, 5), (0, 1)), ((1, 2), (0, 3)),
             ((2, 1), (-1, 1)), ((0, 3), (1, 2)), ((3, 0), (1, 2))]
    for size, axes in cases:
        got = kernel(tf.constant(x), size, axes).numpy()
        assert_bits(got, reference(x, size, resolved(x.shape, axes)), f"{dtype} size {size} axes {axes}")


@st.composite
def _inputs(draw):
    rank = draw(st.integers(2, 5))
    shape = tuple(draw(st.lists(st.integers(0, 9), min_size=rank, max_size=rank)))
    axes = tuple(draw(st.lists(st.integers(-rank, rank - 1), min_size=2, max_size=2,
                               unique_by=lambda a: a % rank)))
    size = tuple(draw(st.integers(0, shape[a])) for a in axes)
    dtype = draw(st.sampled_from(["uint8", "int16", "float32", "float64", "complex128", "bool"]))
    return shape, axes, size, dtype


@needs_kernel
@settings(max_examples=150, deadline=None)
@given(_inputs())
def test_the_kernel_matches_numpy_on_any_shape_axes_and_window(case):
    shape, axes, size, dtype = case
    ordered = resolved(shape, axes)
    event(f"rank {len(shape)}")
    event("empty" if 0 in shape else "axes descending" if ordered[0] > ordered[1] else "axes ascending")
    event("window empty" if 0 in size else "window is the map" if all(
        k == shape[a] for k, a in zip(size, ordered)) else "window inside")
    count = int(np.prod(shape))
    x = (np.arange(count) * 37 % 251 + 1).astype(numpy_dtype(dtype)).reshape(shape)
    assert_bits(kernel(tf.constant(x), size, axes).numpy(), reference(x, size, ordered), f"{case}")


@needs_kernel
@pytest.mark.parametrize("shape, axes", [((64, 224, 224, 3), (-3, -2)), ((16, 3, 128, 128), (-2, -1)),
                                         ((512, 512), (0, 1))])
@pytest.mark.parametrize("size", [(2, 2), (101, 7), (200, 128)])
def test_the_kernel_splits_large_tensors_among_threads_exactly(shape, axes, size):
    """Tensors large enough that TensorFlow's threads each take a block of rows, with windows
    whose rows fall on either side of a block's edge."""
    ordered = resolved(shape, axes)
    size = tuple(min(k, shape[a]) for k, a in zip(size, ordered))
    x = np.random.default_rng(0).integers(1, 255, shape, dtype=np.uint8)
    assert_bits(kernel(tf.constant(x), size, axes).numpy(), reference(x, size, ordered), f"{shape} {size}")


@needs_kernel
@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64", "complex64"])
def test_the_kernels_gradient_is_the_mask(dtype):
    """inf, NaN and -0.0 upstream pass outside the window and become +0 inside it, bit for bit,
    also for the gradient of the gradient."""
    x = tf.constant(np.ones((2, 8, 8), numpy_dtype(dtype)))
    dy = tf.constant(special_input(dtype, (2, 8, 8)))
    plan = ops._eager_plan((2, 8, 8), tf.as_dtype(dtype), 2, (-2, -1), None, "native")
    with tf.GradientTape() as outer:
        outer.watch(dy)
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = plan(x)
        grad = tape.gradient(y, x, output_gradients=dy)
    assert_bits(grad.numpy(), reference(dy.numpy(), (2, 2), (1, 2)), f"{dtype} gradient")
    second = outer.gradient(grad, dy, output_gradients=dy)
    assert_bits(second.numpy(), reference(dy.numpy(), (2, 2), (1, 2)), f"{dtype} gradient of the gradient")


@needs_kernel
def test_a_graph_never_holds_the_kernel():
    """Graphs (and so SavedModels) use TensorFlow's ops: they load without the kernel."""
    layer = CenterZero(2)
    x = tf.ones((2, 10, 10))
    layer(x)  # an eager call first: the kernel is in use
    for fn in (tf.function(lambda t: center_zero(t, 2)), tf.function(lambda t: layer(t))):
        graph = fn.get_concrete_function(x).graph
        types = {op.type for op in graph.get_operations()}
        assert native.OP_NAME not in types and "TensorScatterUpdate" in types, types


@needs_kernel
def test_the_kernel_refuses_bad_attributes_in_its_own_words():
    x = tf.ones((2, 4, 4))
    op = native.load().center_zero_window
    for size, axes, message in [((5, 1), (1, 2), "larger than the map"), ((1, 1), (1, 1), "same axis"),
                                ((1, 1), (0, 3), "out of range")]:
        with pytest.raises(tf.errors.InvalidArgumentError, match=message):
            op(x, window=native.pack_window(size, axes))
    with pytest.raises(tf.errors.InvalidArgumentError, match="rank >= 2"):
        op(tf.ones((4,)), window=native.pack_window((1, 1), (0, 1)))
    with pytest.raises(tf.errors.InvalidArgumentError, match="window must pack"):
        op(x, window=-1)


def test_the_window_attribute_packs_and_unpacks_every_field():
    for size, axes in [((0, 0), (0, 0)), ((native.MAX_SIZE, 1), (native.MAX_AXIS, 3)), ((7, native.MAX_SIZE), (2, 0))]:
        assert native.unpack_window(native.pack_window(size, axes)) == (size, axes)
        assert 0 <= native.pack_window(size, axes) < 1 << 62
    for size, axes in [((native.MAX_SIZE + 1, 1), (0, 1)), ((1, 1), (256, 1)), ((-1, 1), (0, 1))]:
        assert not native.fits(size, axes)
        with pytest.raises(ValueError, match="do not fit"):
            native.pack_window(size, axes)


@needs_kernel
def test_a_window_the_attribute_cannot_hold_runs_tensorflows_ops():
    """A window length over ``MAX_SIZE`` (an 8-million-long map): the path TensorFlow's ops
    take there (``compiled``, for a window this large)."""
    ops._eager_plan.cache_clear()
    shape = (1, native.MAX_SIZE + 2)
    plan = ops._eager_plan(shape, tf.uint8, (1, native.MAX_SIZE + 1), (0, 1))
    assert plan.formulation != "native" and plan.path == "compiled", (plan.path, plan.formulation)
    x = np.arange(np.prod(shape), dtype=np.uint8).reshape(shape)
    assert_bits(plan(tf.constant(x)).numpy(), reference(x, (1, native.MAX_SIZE + 1), (0, 1)), "beyond the attribute")
    ops._eager_plan.cache_clear()


def _planted_kernel(tmp_path, name, pattern, replacement):
    """The kernel with one planted edit (``pattern`` must occur once), built as op ``name``."""
    with open(native.SOURCE) as f:
        source = f.read()
    planted, count = re.subn(pattern, replacement, source)
    assert count == 1, f"{pattern!r} occurs {count} times in the kernel"
    planted = planted.replace('"CenterZeroWindow"', f'"{name}"')
    path, library = tmp_path / f"{name}.cc", tmp_path / f"{name}.so"
    path.write_text(planted)
    command = native._command(native.compiler(), str(library))
    command[command.index(native.SOURCE)] = str(path)
    subprocess.run(command, check=True, capture_output=True)
    module = tf.load_op_library(str(library))
    return getattr(module, re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower())


@needs_kernel
def test_the_kernel_leaning_high_is_caught(tmp_path):
    """A planted defect in the kernel itself: the window leaning to the higher index when
    ``n - k`` is odd (a rounding slip in C++ that TensorFlow's ops cannot make) fails the check
    above on an odd map, and passes it on an even one, as the defect should."""
    op = _planted_kernel(tmp_path, "CenterZeroWindowLeaningHigh", r"\(n_first - kf\) / 2", "(n_first - kf + 1) / 2")
    for shape, caught in (((1, 9, 9), True), ((1, 10, 10), False)):
        x = np.arange(np.prod(shape), dtype=np.int32).reshape(shape) + 1
        got = op(x, window=native.pack_window((2, 2), (1, 2))).numpy()
        if caught:
            with pytest.raises(AssertionError, match="elements differ"):
                assert_bits(got, reference(x, (2, 2), (1, 2)), "planted")
        else:
            assert_bits(got, reference(x, (2, 2), (1, 2)), "planted, even map")


@needs_kernel
def test_kernel_way_names_the_way_the_kernel_takes(tmp_path):
    """``native.kernel_way`` (the reach labels' source) against the kernel: with the zeroing of
    the "copy then zero" way planted out, the kernel is wrong exactly where ``kernel_way`` says
    it takes that way, on both sides of the 1/64 threshold."""
    op = _planted_kernel(tmp_path, "CenterZeroWindowCopyOnly",
                         r"std::memset\(dst \+ \(\(p \* n_first \+ i\) \* middle \+ m\) \* row \+ head, 0, hole\);", ";")
    ways = collections.Counter()
    for shape, size, axes in [((64, 8, 8), (1, 1), (1, 2)), ((63, 8, 8), (1, 1), (1, 2)), ((65, 8, 8), (1, 1), (1, 2)),
                              ((2, 10, 10), (2, 2), (-2, -1)), ((4, 64, 64, 3), (8, 8), (-3, -2)),
                              ((4, 64, 64, 3), (7, 8), (-2, -3)), ((3, 40, 5, 40), (5, 5), (1, 3)),
                              ((4, 64, 64, 3), (9, 9), (-3, -2)), ((3, 40, 5, 40), (5, 6), (1, 3)),
                              ((1, 512), (1, 8), (0, 1)), ((1, 512), (1, 9), (0, 1))]:
        ordered = resolved(shape, axes)
        way = native.kernel_way(shape, size, ordered, 1)
        ways[way] += 1
        x = (np.arange(np.prod(shape)) % 251 + 1).astype(np.uint8).reshape(shape)
        broken = op(x, window=native.pack_window(size, ordered)).numpy()
        assert (broken.tobytes() != reference(x, size, ordered).tobytes()) == (way == "copy then zero"), (shape, size, way)
    assert ways["copy then zero"] >= 4 and ways["rows"] >= 4, ways


def test_a_tensorflow_without_headers_is_named_before_any_build(monkeypatch, tmp_path):
    monkeypatch.setattr(tf.sysconfig, "get_include", lambda: str(tmp_path))
    monkeypatch.setenv("CENTERZERO_CACHE_DIR", str(tmp_path))
    if native.compiler() is None:
        pytest.skip("no C++ compiler here: that reason comes first")
    assert native.missing() == f"this TensorFlow has no C++ headers under {tmp_path}"
    with pytest.raises(RuntimeError, match="no C\\+\\+ headers"):
        native.build()
    assert not list(tmp_path.iterdir())


_FALLBACK = """
import numpy as np, tensorflow as tf
from centerzero import center_zero, native, ops
status = native.status()
x = np.arange(1, 101, dtype=np.float32).reshape(10, 10)
got = center_zero(tf.constant(x), 2).numpy()
want = x.copy(); want[4:6, 4:6] = 0
plan = ops._eager_plan((10, 10), tf.float32, 2, (-2, -1))
print(status["available"], plan.formulation, got.tobytes() == want.tobytes(), status["reason"])
"""


def _fallback(env):
    result = subprocess.run([sys.executable, "-c", _FALLBACK], capture_output=True, text=True, timeout=300,
                            env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", **env})
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip().splitlines()[-1]


def test_centerzero_native_0_keeps_every_call_on_tensorflows_ops():
    line = _fallback({"CENTERZERO_NATIVE": "0"})
    assert line.startswith("False scatter True off: CENTERZERO_NATIVE=0"), line


def test_a_kernel_that_cannot_be_built_leaves_tensorflows_ops_in_charge(tmp_path):
    """A compiler that fails (here: ``false``) and an empty cache: the reason is kept, and every
    call still gives the contract's bits."""
    false = shutil.which("false")
    if false is None:
        pytest.skip("no `false` command here")
    line = _fallback({"CXX": false, "CENTERZERO_CACHE_DIR": str(tmp_path), "CENTERZERO_NATIVE": "1"})
    assert line.startswith("False scatter True RuntimeError:") and "exited with 1" in line, line
    assert not list(tmp_path.glob("*.so")) and not list(tmp_path.glob("*.partial")), list(tmp_path.iterdir())
