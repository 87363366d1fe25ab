"""Every size-dependent path of ``centerzero.ops.center_zero``, bit for bit against NumPy.

The paths (``centerzero.ops.choose_path``): ``identity`` (a size of 0), ``xla`` (traced under
``jit_compile=True``), ``compiled`` (outside XLA, a window larger than
``LARGE_WINDOW_SHARE`` of its map's bytes on an input of at least ``COMPILED_MIN_ELEMENTS``
elements) and ``update`` (everything else), which scatters zeros while its indices and zeros
take at most ``MAX_SCATTER_BYTES`` and otherwise (or with lengths unknown at trace time)
writes a zero block through a strided slice.  Bits are compared as
unsigned bytes: ``-0.0`` is not ``+0.0`` here, and every NaN payload counts.
"""

import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

from centerzero import SUPPORTED_DTYPES, ops
from centerzero.ops import center_zero, choose_path
from properties.dtype_helpers import numpy_dtype
from tests.bits import assert_bits, reference, resolved, special_input

DTYPES = [d.name for d in SUPPORTED_DTYPES]
FLOATS = ["float16", "bfloat16", "float32", "float64", "complex64", "complex128"]


def run(mode, x, size, axes):
    """``center_zero`` in one mode; returns a NumPy array."""
    x = tf.convert_to_tensor(x)
    if mode == "eager":
        return np.asarray(center_zero(x, size, axes))
    if mode == "graph":
        fn = tf.function(lambda t: center_zero(t, size, axes))
    elif mode == "xla":
        fn = tf.function(lambda t: center_zero(t, size, axes), jit_compile=True)
    elif mode == "unknown-dims":
        fn = tf.function(lambda t: center_zero(t, size, axes), input_signature=[tf.TensorSpec([None] * x.shape.rank, x.dtype)])
    elif mode == "unknown-batch":
        spec = tf.TensorSpec([None] + x.shape.as_list()[1:], x.dtype)
        fn = tf.function(lambda t: center_zero(t, size, axes), input_signature=[spec])
    else:
        raise ValueError(mode)
    return np.asarray(fn(x))


@pytest.fixture(autouse=True)
def _on_tensorflows_ops(tensorflow_ops_only):
    """The paths and writes pinned here are TensorFlow's ops (a forced ``write="native"``
    still runs the kernel)."""


@pytest.fixture
def small_thresholds(monkeypatch):
    """Send every large window to the ``compiled`` path, whatever the input's size."""
    ops._eager_plan.cache_clear()
    monkeypatch.setattr(ops, "COMPILED_MIN_ELEMENTS", 1)
    yield
    ops._eager_plan.cache_clear()


# --- which path each shape reaches ----------------------------------------------------------


def test_the_thresholds_are_where_the_paths_change():
    f32, u8 = tf.float32, tf.uint8
    big_window = (10, 10)  # 100 elements of a 16x16 map: large for every dtype
    assert choose_path((256, 16, 16), big_window, (1, 2), f32) == "compiled"  # 2**16 elements
    assert choose_path((255, 16, 16), big_window, (1, 2), f32) == "update"
    assert choose_path((None, 16, 16), big_window, (1, 2), f32) == "compiled"  # unknown count
    assert choose_path((256, None, 16), big_window, (1, 2), f32) == "update"  # unknown map length
    # A 64x64 float32 map has 16384 bytes; 1/2048 of that is 8 elements.
    assert choose_path((16, 64, 64), (2, 4), (1, 2), f32) == "update"
    assert choose_path((16, 64, 64), (3, 3), (1, 2), f32) == "compiled"
    assert choose_path((16, 64, 64), (1, 2), (1, 2), u8) == "update"  # 4096 bytes: 2 elements
    assert choose_path((16, 64, 64), (1, 3), (1, 2), u8) == "compiled"
    assert choose_path((16, 64, 64), (3, 3), (1, 2), tf.complex128) == "update"
    assert choose_path((16, 64, 64), (3, 3), (1, 2), f32, xla=True) == "xla"
    assert choose_path((16, 64, 64), (0, 3), (1, 2), f32) == "identity"
    assert choose_path((16, 64, 64), (0, 3), (1, 2), f32, xla=True) == "identity"
    # The cases: 2x2 windows stay on update, 200 of 224 is compiled.
    assert choose_path((64, 224, 224, 3), (2, 2), (1, 2), u8) == "update"
    assert choose_path((1, 224, 224, 3), (200, 200), (1, 2), u8) == "compiled"
    assert choose_path((2, 10, 10), (2, 2), (1, 2), f32) == "update"
    assert ops.LARGE_WINDOW_SHARE == 1 / 2048
    assert ops.COMPILED_MIN_ELEMENTS == 1 << 16
    assert ops.MAX_SCATTER_BYTES == 1 << 20


# --- values, path by path -------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["eager", "graph", "unknown-dims", "unknown-batch"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_update_path_is_bit_exact(dtype, mode):
    shape, size, axes = (3, 7, 9, 2), (2, 3), (-3, -2)
    assert choose_path(shape, size, resolved(shape, axes), tf.as_dtype(dtype)) == "update"
    x = special_input(dtype, shape)
    assert_bits(run(mode, x, size, axes), reference(x, size, resolved(shape, axes)), f"update, {dtype}, {mode}")


@pytest.mark.parametrize("mode", ["eager", "graph", "unknown-batch"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_compiled_path_is_bit_exact(dtype, mode, small_thresholds):
    shape, size, axes = (4, 2, 8, 9), (6, 5), (-2, -1)
    assert choose_path(shape, size, resolved(shape, axes), tf.as_dtype(dtype)) == "compiled"
    x = special_input(dtype, shape)
    assert_bits(run(mode, x, size, axes), reference(x, size, resolved(shape, axes)), f"compiled, {dtype}, {mode}")


@pytest.mark.parametrize("shape, axes", [((3, 7, 9, 2), (1, 2)), ((4, 2, 8, 9), (-2, -1)), ((2, 9, 3, 8), (3, 1))])
@pytest.mark.parametrize("dtype", DTYPES)
def test_xla_path_is_bit_exact(dtype, shape, axes):
    size = (6, 5)
    x = special_input(dtype, shape)
    assert_bits(run("xla", x, size, axes), reference(x, size, resolved(shape, axes)), f"xla, {dtype}, {shape}")


@pytest.mark.parametrize("mode", ["eager", "graph", "xla", "unknown-dims"])
def test_identity_path_is_bit_exact(mode):
    x = special_input("float32", (2, 5, 6))
    assert_bits(run(mode, x, (0, 3), (-2, -1)), x, f"identity, {mode}")


def test_large_window_with_unknown_map_lengths_stays_exact_on_update():
    shape, size, axes = (4, 2, 8, 9), (7, 9), (-2, -1)
    x = special_input("float64", shape)
    assert_bits(run("unknown-dims", x, size, axes), reference(x, size, (2, 3)), "update, unknown dims")


@pytest.mark.parametrize("dtype", ["uint8", "float32"])
@pytest.mark.parametrize("mode", ["eager", "graph", "unknown-batch"])
@pytest.mark.parametrize("batch, path", [(256, "compiled"), (255, "update")])
def test_both_sides_of_the_element_threshold(dtype, mode, batch, path):
    shape, size, axes = (batch, 16, 16), (10, 11), (-2, -1)
    expected_path = "compiled" if mode == "unknown-batch" else path
    static = shape if mode != "unknown-batch" else (None, 16, 16)
    assert choose_path(static, size, (1, 2), tf.as_dtype(dtype)) == expected_path
    assert ops._eager_plan(shape, tf.as_dtype(dtype), size, axes).path == path
    x = special_input(dtype, shape)
    assert_bits(run(mode, x, size, axes), reference(x, size, (1, 2)), f"{path}, {dtype}, {mode}")


@pytest.mark.parametrize("mode", ["eager", "graph", "unknown-batch"])
@pytest.mark.parametrize("dtype, size, path", [
    ("float32", (2, 4), "update"), ("float32", (3, 3), "compiled"),
    ("uint8", (2, 1), "update"), ("uint8", (3, 1), "compiled"),
])
def test_both_sides_of_the_window_threshold(mode, dtype, size, path):
    shape = (16, 64, 64)
    assert choose_path(shape, size, (1, 2), tf.as_dtype(dtype)) == path
    assert ops._eager_plan(shape, tf.as_dtype(dtype), size, (1, 2)).path == path
    x = special_input(dtype, shape)
    assert_bits(run(mode, x, size, (1, 2)), reference(x, size, (1, 2)), f"{path}, {dtype}, {mode}")


@pytest.mark.parametrize("scatter", [True, False])
@pytest.mark.parametrize("mode", ["eager", "graph"])
def test_both_sides_of_the_scatter_threshold(scatter, mode, monkeypatch):
    # The real threshold (1 MiB) needs a tensor of hundreds of MB to reach with a small
    # window: lower it to the 720 bytes of this layout (36 int32 index triples, 36 float64
    # zeros) so that the input sits on each side.
    shape, size = (6, 9, 8), (3, 2)
    assert ops._scatter_layout(shape, (1, 2), size, tf.float64)[-1] == 720
    ops._eager_plan.cache_clear()
    monkeypatch.setattr(ops, "MAX_SCATTER_BYTES", 720 if scatter else 719)
    try:
        plan = ops._eager_plan(shape, tf.float64, size, (-2, -1))
        assert (plan.path, plan.formulation) == ("update", "scatter" if scatter else "strided")
        x = special_input("float64", shape)
        for _ in range(2):  # the second call uses the cached plan
            assert_bits(run(mode, x, size, (-2, -1)), reference(x, size, (1, 2)), f"update, scatter {scatter}")
    finally:
        ops._eager_plan.cache_clear()


@pytest.mark.parametrize("mode", ["eager", "graph", "unknown-dims", "xla"])
@pytest.mark.parametrize("dtype", ["bool", "bfloat16", "complex128", "uint64"])
def test_strided_update_is_bit_exact(dtype, mode, monkeypatch):
    ops._eager_plan.cache_clear()
    monkeypatch.setattr(ops, "MAX_SCATTER_BYTES", 0)
    try:
        shape, size, axes = (3, 7, 9, 2), (2, 3), (-3, -2)
        x = special_input(dtype, shape)
        assert_bits(run(mode, x, size, axes), reference(x, size, (1, 2)), f"strided, {dtype}, {mode}")
    finally:
        ops._eager_plan.cache_clear()


# --- gradients ------------------------------------------------------------------------------


def gradient(mode, x, dy, size, axes):
    def grad(t, upstream):
        with tf.GradientTape() as tape:
            tape.watch(t)
            y = center_zero(t, size, axes)
        return tape.gradient(y, t, output_gradients=upstream)

    if mode == "unknown-dims":
        spec = tf.TensorSpec([None] * x.ndim, tf.as_dtype(x.dtype))
        grad = tf.function(grad, input_signature=[spec, spec])
    elif mode != "eager":
        grad = tf.function(grad, jit_compile=(mode == "xla"))
    return np.asarray(grad(tf.constant(x), tf.constant(dy)))


@pytest.mark.parametrize("mode", ["eager", "graph", "xla", "unknown-dims"])
@pytest.mark.parametrize("path", ["update", "strided", "compiled"])
@pytest.mark.parametrize("dtype", FLOATS)
def test_gradient_is_the_upstream_gradient_with_the_window_zeroed(dtype, path, mode, monkeypatch):
    # Upstream gradient and input hold inf and NaN, inside the window too.  "update" scatters
    # zeros, "strided" is update with MAX_SCATTER_BYTES at 0; unknown dims always write strided.
    ops._eager_plan.cache_clear()
    if path == "compiled":
        monkeypatch.setattr(ops, "COMPILED_MIN_ELEMENTS", 1)
    if path == "strided":
        monkeypatch.setattr(ops, "MAX_SCATTER_BYTES", 0)
    try:
        shape, size, axes = (3, 8, 9), (6, 5), (-2, -1)
        assert choose_path(shape, size, (1, 2), tf.as_dtype(dtype)) == ("update" if path == "strided" else path)
        x = special_input(dtype, shape)
        dy = special_input(dtype, shape)[::-1].copy()
        assert_bits(gradient(mode, x, dy, size, axes), reference(dy, size, (1, 2)), f"gradient, {path}, {dtype}, {mode}")
        ones = np.ones(shape, numpy_dtype(dtype))
        assert_bits(gradient(mode, x, ones, size, axes), reference(ones, size, (1, 2)), f"mask, {path}, {dtype}, {mode}")
    finally:
        ops._eager_plan.cache_clear()


# --- errors, empty inputs, caches -----------------------------------------------------------


@pytest.mark.parametrize("signature", [[None, None, None], [2, None, 10], [2, 10, None]])
def test_a_too_large_window_raises_at_run_time_when_the_lengths_are_unknown(signature):
    fn = tf.function(lambda t: center_zero(t, (11, 3)), input_signature=[tf.TensorSpec(signature, tf.float32)])
    x = tf.ones((2, 10, 10))
    if signature[1] is not None:  # the too-long axis is known when traced: ValueError then
        with pytest.raises(ValueError, match="size 11 on axis 1 of length 10"):
            fn(x)
        return
    with pytest.raises(tf.errors.InvalidArgumentError, match="size 11 on axis 1 of length 10"):
        fn(x)
    assert_bits(np.asarray(fn(tf.ones((2, 12, 10)))), reference(np.ones((2, 12, 10), np.float32), (11, 3), (1, 2)), "fits")


@pytest.mark.parametrize("mode", ["eager", "graph"])
def test_a_too_large_window_raises_value_error_when_the_shape_is_known(mode):
    with pytest.raises(ValueError, match="size 11 on axis 2 of length 10"):
        run(mode, np.ones((2, 12, 10), np.float32), (3, 11), (-2, -1))


@pytest.mark.parametrize("mode", ["eager", "graph", "xla", "unknown-dims", "unknown-batch"])
@pytest.mark.parametrize("path", ["update", "compiled"])
@pytest.mark.parametrize("shape, axes", [((0, 8, 9), (-2, -1)), ((2, 8, 9, 0), (1, 2)), ((2, 0, 8, 9), (-2, -1))])
def test_empty_inputs(mode, path, shape, axes, monkeypatch):
    # A zero-length batch axis, and a zero-length axis after or between the maps.
    ops._eager_plan.cache_clear()
    if path == "compiled":
        monkeypatch.setattr(ops, "COMPILED_MIN_ELEMENTS", 0)
    try:
        x = np.ones(shape, np.float32)
        assert_bits(run(mode, x, (6, 5), axes), x, f"empty {shape}, {path}, {mode}")
    finally:
        ops._eager_plan.cache_clear()


def test_the_eager_cache_is_keyed_by_shape_axes_size_and_dtype():
    rng = np.random.default_rng(1)
    x = rng.uniform(1, 2, (4, 6, 6, 6)).astype(np.float32)
    calls = [((2, 2), (-2, -1)), ((2, 2), (-3, -2)), ((3, 1), (-2, -1)), ((1, 3), (-2, -1)), ((2, 2), (1, 3))]
    for _ in range(2):
        for size, axes in calls:
            for data in (x, x[:3], x.astype(np.float64), x.view(np.int32)):
                r = ops.resolve_axes(data.ndim, axes)
                assert_bits(run("eager", data, size, axes), reference(data, size, r), f"{size}, {axes}, {data.dtype}")


@pytest.mark.parametrize("size", [True, (True, 1), (1, False), 1.0])
def test_bad_sizes_raise_after_a_cached_call_with_an_equal_good_one(size):
    x = tf.ones((4, 4))
    center_zero(x, 1)
    center_zero(x, (1, 1))
    center_zero(x, (1, 0))
    with pytest.raises(ValueError, match="size"):
        center_zero(x, size)


def test_bad_axes_raise_after_a_cached_call_with_equal_good_ones():
    x = tf.ones((4, 4))
    center_zero(x, 1, (0, 1))
    with pytest.raises(ValueError, match="axes"):
        center_zero(x, 1, (False, True))


# --- devices: the kernels each device has, and where the constants live ---------------------

#: The kernel table an NVIDIA H200 reported with TensorFlow 2.21 (scripts/gpu/probe.py):
#: TensorScatterUpdate has GPU kernels for these dtypes only; TensorStridedSliceUpdate,
#: SelectV2 and BitwiseAnd (on the work dtype) for all; LogicalAnd for bool.  The registry's
#: strided write fails at run time for int16, uint16 and uint32 (``ops.BROKEN_KERNELS``).
H200_SCATTER = {tf.float32, tf.float64, tf.int64, tf.complex64, tf.complex128}
H200_BROKEN_STRIDED = {tf.int16, tf.uint16, tf.uint32}


@pytest.fixture
def gpu_kernel_table(monkeypatch):
    """Emulate a GPU's kernel table on this CPU: ``kernels`` maps an op name to the dtypes that
    have a "GPU" kernel; the ops still run on the CPU, so their bits can be checked here."""
    real = ops._kernel_lookup
    table = {
        "TensorScatterUpdate": set(H200_SCATTER),
        "TensorStridedSliceUpdate": set(SUPPORTED_DTYPES),
        "SelectV2": set(SUPPORTED_DTYPES),
        "BitwiseAnd": {ops._work_dtype(d) for d in SUPPORTED_DTYPES if d != tf.bool},
        "LogicalAnd": {None},
    }

    def lookup(op, device_type, types):
        if device_type != "GPU":
            return real(op, device_type, types)
        dtype = dict(types).get("T")  # None for an op without a type attribute (LogicalAnd)
        return (None if dtype is None else tf.as_dtype(dtype)) in table.get(op, set())

    ops._eager_plan.cache_clear()
    monkeypatch.setattr(ops, "_kernel_lookup", lookup)
    yield table
    ops._eager_plan.cache_clear()


def test_every_supported_dtype_has_both_writes_on_the_cpu():
    for dtype in SUPPORTED_DTYPES:
        assert ops.has_kernel("TensorScatterUpdate", "CPU", T=dtype, Tindices=tf.int32), dtype.name
        assert ops.has_kernel("TensorStridedSliceUpdate", "CPU", T=dtype), dtype.name
        assert ops._device_write((4, 4), (0, 1), (2, 2), dtype, "CPU") == "scatter"
    assert not ops.has_kernel("TensorScatterUpdate", "NO_SUCH_DEVICE", T=tf.float32, Tindices=tf.int32)


def test_has_kernel_says_no_where_the_device_has_kernels_but_none_for_the_dtype():
    # The CPU has BitwiseAnd kernels, for integers only: the answer must come from the kernel
    # that takes the dtype, not from the first CPU kernel that does not (a source campaign's
    # survivor: `if not all(...)` answered yes for every dtype).
    assert ops.has_kernel("BitwiseAnd", "CPU", T=tf.uint8)
    for dtype in (tf.float32, tf.float64, tf.bool):
        assert not ops.has_kernel("BitwiseAnd", "CPU", T=dtype), dtype.name


@pytest.mark.parametrize("limit, signature, op_type", [
    (ops.MAX_SCATTER_BYTES, (6, 9, 8), "TensorScatterUpdate"),
    (719, (6, 9, 8), "TensorStridedSliceUpdate"),  # the scatter's 720 bytes over the limit
    (ops.MAX_SCATTER_BYTES, (None, 9, None), "TensorStridedSliceUpdate"),  # a length unknown
])
def test_a_cpu_graph_writes_with_the_write_the_default_order_names(limit, signature, op_type, monkeypatch):
    # Every write gives the same bits, so only the graph's ops tell which one a trace chose;
    # a mask write there would be exact and 10-50x slower than a copy on the CPU (a source
    # campaign's survivors: `write < "select"` sent the scatter to the select write).
    monkeypatch.setattr(ops, "MAX_SCATTER_BYTES", limit)
    spec = tf.TensorSpec(signature, tf.float64)
    with tf.device("CPU:0"):
        graph = tf.function(lambda x: center_zero(x, (3, 2), (-2, -1))).get_concrete_function(spec).graph
    types = {op.type for op in graph.get_operations()}
    writes = {"TensorScatterUpdate", "TensorStridedSliceUpdate", "SelectV2", "BitwiseAnd", "LogicalAnd"}
    assert types & writes == {op_type}, sorted(types)


def test_device_type_of_names():
    assert ops.device_type_of("/job:localhost/replica:0/task:0/device:GPU:0") == "GPU"
    assert ops.device_type_of("/job:localhost/replica:0/task:0/device:CPU:1") == "CPU"
    assert ops.device_type_of("") == ("GPU" if tf.config.get_visible_devices("GPU") else "CPU")


def test_building_a_graph_leaves_the_devices_configurable(tmp_path):
    """Tracing ``center_zero`` into a graph asks which device type the placer prefers; it must
    not initialise TensorFlow's runtime, or a user configuring devices afterwards (memory
    growth, logical devices) gets a RuntimeError."""
    script = tmp_path / "configure_after_graph.py"
    script.write_text(
        "import tensorflow as tf\n"
        "from centerzero import center_zero\n"
        "with tf.Graph().as_default():\n"
        "    center_zero(tf.compat.v1.placeholder(tf.float32, [2, 10, 10]))\n"
        "cpu = tf.config.list_physical_devices('CPU')[0]\n"
        "tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)\n"
        "print('configurable')\n"
    )
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, PYTHONPATH=root, TF_CPP_MIN_LOG_LEVEL="3")
    result = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0 and "configurable" in result.stdout, result.stdout + result.stderr[-2000:]


def test_on_a_gpu_large_windows_stay_on_update_and_the_write_follows_the_kernels(gpu_kernel_table):
    big = (200, 200)  # compiled on the CPU
    assert choose_path((64, 224, 224, 3), big, (1, 2), tf.float32) == "compiled"
    assert choose_path((64, 224, 224, 3), big, (1, 2), tf.float32, device_type="GPU") == "update"
    # The GPU's default orders (the H200's benchmark, README "On a GPU"): in graphs, select for
    # every dtype and window; in eager mode select, but the scatter for float32 and complex64
    # where its constants fit (not for a 200-wide window) and the strided write for bfloat16.
    eager = {tf.float32: "scatter", tf.complex64: "scatter", tf.bfloat16: "strided"}
    for dtype in SUPPORTED_DTYPES:
        for size in ((2, 2), big):
            got = ops._device_write((64, 224, 224, 3), (1, 2), size, dtype, "GPU", mode="graph")
            assert got == "select", (dtype.name, size, "graph")
        want = eager.get(dtype, "select")
        assert ops._device_write((64, 224, 224, 3), (1, 2), (2, 2), dtype, "GPU") == want, dtype.name
        want = "select" if want == "scatter" else want  # the scatter's zeros: 30 MB, over the limit
        assert ops._device_write((64, 224, 224, 3), (1, 2), big, dtype, "GPU") == want, (dtype.name, "big")
    gpu_kernel_table["SelectV2"].clear()  # then the scatter, else the strided write
    assert ops._device_write((64, 224, 224, 3), (1, 2), (2, 2), tf.float64, "GPU", mode="graph") == "scatter"
    assert ops._device_write((64, 224, 224, 3), (1, 2), (2, 2), tf.uint8, "GPU") == "strided"
    # Neither write on the device: the scatter, which TensorFlow places on the CPU (never
    # `compiled`, which needs XLA on a device that may have none).
    gpu_kernel_table["TensorStridedSliceUpdate"].discard(tf.uint8)
    assert ops._device_write((64, 224, 224, 3), (1, 2), (2, 2), tf.uint8, "GPU") == "scatter"
    assert choose_path((64, 224, 224, 3), big, (1, 2), tf.uint8, device_type="GPU") == "update"
    assert choose_path((64, 224, 224, 3), (2, 2), (1, 2), tf.uint8, xla=True, device_type="GPU") == "xla"


@pytest.mark.parametrize("dtype", DTYPES)
def test_the_gpu_choice_is_bit_exact(dtype, gpu_kernel_table, monkeypatch):
    """Each dtype through the writes a GPU gives it (eager: the scatter for float32 and
    complex64, the strided write for bfloat16, else select; graphs: select), run here."""
    monkeypatch.setattr(ops, "device_type_of", lambda device: "GPU")
    x = special_input(dtype, (3, 9, 10))
    plan = ops._eager_plan((3, 9, 10), tf.as_dtype(dtype), (3, 4), (-2, -1), "GPU:0")
    want = {"float32": ("update", "scatter"), "complex64": ("update", "scatter"), "bfloat16": ("update", "strided")}
    assert (plan.path, plan.formulation) == want.get(dtype, ("mask", "select"))
    assert_bits(np.asarray(center_zero(tf.constant(x), (3, 4), (-2, -1))), reference(x, (3, 4), (1, 2)), dtype)
    assert_bits(run("graph", x, (3, 4), (-2, -1)), reference(x, (3, 4), (1, 2)), f"{dtype} graph")


@pytest.mark.parametrize("signature", [(6, 9, 8), (None, 9, None)])
@pytest.mark.parametrize("dtype", [tf.float32, tf.bfloat16, tf.uint8])
def test_a_gpu_graph_selects_whatever_the_eager_order(dtype, signature, gpu_with_every_write):
    # In graphs every candidate pays a GPU graph's per-call cost, and select was the fastest
    # there for every dtype (float32's eager scatter took 1.6-1.8x a copy in a graph).
    spec = tf.TensorSpec(signature, dtype)
    graph = tf.function(lambda x: center_zero(x, (3, 2), (-2, -1))).get_concrete_function(spec).graph
    types = {op.type for op in graph.get_operations()}
    writes = {"TensorScatterUpdate", "TensorStridedSliceUpdate", "SelectV2", "BitwiseAnd"}  # (the mask ANDs ranges)
    assert types & writes == {"SelectV2"}, sorted(types)


def test_a_gpu_never_takes_a_strided_write_that_fails_at_run_time(gpu_with_every_write):
    """TensorFlow registers a GPU TensorStridedSliceUpdate for int16, uint16 and uint32, but on
    an H200 it raised "Unsupported dtype from DoCopy": every center-zero property failed there
    for those dtypes.  An order that names the strided write first moves on past it."""
    shape, axes = (64, 224, 224, 3), (1, 2)
    for dtype in SUPPORTED_DTYPES:
        broken = dtype in H200_BROKEN_STRIDED
        assert ops.has_kernel("TensorStridedSliceUpdate", "GPU", T=dtype) is not broken, dtype.name
        assert ops.has_kernel("TensorStridedSliceUpdate", "CPU", T=dtype), dtype.name
        ops.set_write_order("GPU", dtype, ("strided", "select"))
        want = "select" if broken else "strided"
        assert ops._device_write(shape, axes, (2, 2), dtype, "GPU") == want, dtype.name
        ops.set_write_order("GPU", dtype, ("strided",))  # nothing else: the CPU's scatter
        want = "scatter" if broken else "strided"
        assert ops._device_write(shape, axes, (2, 2), dtype, "GPU") == want, dtype.name


def test_the_eager_constants_live_on_the_inputs_device():
    """The scatter's indices and zeros are made where the input is (a GPU call then copies
    nothing from the host); the pytest plugin splits the CPU into CPU:0 and CPU:1."""
    devices = [d.name for d in tf.config.list_logical_devices("CPU")]
    if len(devices) < 2:
        pytest.skip("needs two logical CPUs (the properties pytest plugin makes them)")
    ops._eager_plan.cache_clear()
    with tf.device(devices[1]):
        x = tf.constant(np.arange(60, dtype=np.float32).reshape(3, 4, 5))
    assert x.device.endswith("CPU:1")
    y = center_zero(x, 2, (-2, -1))
    assert_bits(np.asarray(y), reference(x.numpy(), (2, 2), (1, 2)), "CPU:1")
    plan = ops._eager_plan((3, 4, 5), x._datatype_enum(), 2, (-2, -1), x.device)
    assert plan.formulation == "scatter"
    cells = [c.cell_contents for c in plan.__closure__]  # the fast path's inputs come as one tuple
    constants = [v for c in cells for v in (c if isinstance(c, tuple) else (c,)) if isinstance(v, tf.Tensor)]
    assert len(constants) == 2 and all(c.device == x.device for c in constants), [c.device for c in constants]
    ops._eager_plan.cache_clear()


@pytest.mark.parametrize("write", ops.EAGER_WRITES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_every_eager_write_is_bit_exact(dtype, write):
    """Each write that ``_eager_plan(..., write=)`` can force (the benchmark and the GPU probe
    time them; a device's choice may use any), on the dtype's special values, for a small
    window, a window as large as the map, and one on the first two axes."""
    x = special_input(dtype, (3, 9, 10, 2))
    for size, axes in (((3, 4), (1, 2)), ((9, 10), (-3, -2)), ((2, 5), (0, 1))):
        plan = ops._eager_plan(x.shape, tf.as_dtype(dtype), size, axes, None, write)
        assert (plan.path, plan.formulation) == ("mask" if write in ("select", "and") else "update", write)
        got = np.asarray(plan(tf.constant(x)))
        assert_bits(got, reference(x, size, resolved(x.shape, axes)), f"{dtype} {write} size {size} axes {axes}")


@pytest.mark.parametrize("write", ops.EAGER_WRITES)
@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
def test_every_eager_write_has_the_masks_gradient(dtype, write):
    """The upstream gradient with the window zeroed, bit for bit: inf, NaN and -0.0 upstream
    outside the window pass unchanged, and inside it become +0 (``dy * mask`` would give NaN)."""
    x = tf.constant(np.ones((2, 8, 8), numpy_dtype(dtype)))
    dy = special_input(dtype, (2, 8, 8))
    plan = ops._eager_plan((2, 8, 8), tf.as_dtype(dtype), 2, (-2, -1), None, write)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = plan(x)
    grad = tape.gradient(y, x, output_gradients=tf.constant(dy))
    assert_bits(np.asarray(grad), reference(dy, (2, 2), (1, 2)), f"{dtype} {write} gradient")


def test_an_unknown_write_is_refused():
    with pytest.raises(ValueError, match="write='gather'"):
        ops._eager_plan((2, 8, 8), tf.float32, 2, (-2, -1), None, "gather")


# --- a device's write order (set_write_order) ---------------------------------------------------


@pytest.fixture
def gpu_with_every_write(gpu_kernel_table, monkeypatch):
    """The emulated H200 table (select and AND kernels for every dtype), with every input taken
    for a GPU's; each dtype's order is restored afterwards."""
    monkeypatch.setattr(ops, "device_type_of", lambda device: "GPU")
    yield gpu_kernel_table
    for dtype in SUPPORTED_DTYPES:
        ops.set_write_order("GPU", dtype, None)


@pytest.mark.parametrize("write", ["select", "and"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_a_gpu_order_of_mask_writes_is_bit_exact_in_every_mode(dtype, write, gpu_with_every_write):
    """A device told to mask (``select`` or ``and``) gives the same bits in eager mode, in a
    graph with static lengths and in one with unknown lengths (the mask from ``range``)."""
    ops.set_write_order("GPU", dtype, (write, "scatter"))
    x = special_input(dtype, (3, 9, 10))
    plan = ops._eager_plan((3, 9, 10), tf.as_dtype(dtype), (3, 4), (-2, -1), "GPU:0")
    assert (plan.path, plan.formulation) == ("mask", write)
    want = reference(x, (3, 4), (1, 2))
    for mode in ("eager", "graph", "unknown-dims"):
        assert_bits(run(mode, x, (3, 4), (-2, -1)), want, f"{dtype} {write} {mode}")


@pytest.mark.parametrize("write", ["select", "and"])
@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
def test_a_gpu_order_of_mask_writes_keeps_the_masks_gradient(dtype, write, gpu_with_every_write):
    ops.set_write_order("GPU", dtype, (write,))
    dy = special_input(dtype, (2, 8, 8))
    fn = tf.function(lambda t: center_zero(t, 2, (-2, -1)), input_signature=[tf.TensorSpec([None] * 3, dtype)])
    x = tf.constant(np.ones((2, 8, 8), numpy_dtype(dtype)))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = fn(x)
    grad = tape.gradient(y, x, output_gradients=tf.constant(dy))
    assert_bits(np.asarray(grad), reference(dy, (2, 2), (1, 2)), f"{dtype} {write} gradient, unknown lengths")


def test_a_write_order_falls_through_to_a_write_that_can_run(gpu_with_every_write):
    """The scatter needs a kernel, static lengths and small constants; a missing kernel or a
    window too big for it moves on to the next write in the order."""
    shape, axes = (64, 224, 224, 3), (1, 2)
    ops.set_write_order("GPU", tf.float32, ("scatter", "select"))
    assert ops._device_write(shape, axes, (2, 2), tf.float32, "GPU") == "scatter"
    assert ops._device_write(shape, axes, (200, 200), tf.float32, "GPU") == "select"  # 30 MB of zeros
    assert ops._device_write((None, 224, 224, 3), axes, (2, 2), tf.float32, "GPU") == "select"
    ops.set_write_order("GPU", tf.uint8, ("scatter", "and", "strided"))  # no GPU scatter for uint8
    assert ops._device_write(shape, axes, (2, 2), tf.uint8, "GPU") == "and"
    gpu_with_every_write["BitwiseAnd"].clear()
    assert ops._device_write(shape, axes, (2, 2), tf.uint8, "GPU") == "strided"
    ops.set_write_order("GPU", tf.uint8, None)  # the GPU's default order again
    assert ops._device_write(shape, axes, (2, 2), tf.uint8, "GPU") == "select"
    assert ops._device_write(shape, axes, (2, 2), tf.uint8, "CPU") == "scatter"  # the CPU's order is its own


def test_a_new_order_reaches_eager_calls_at_once(gpu_with_every_write):
    x = tf.constant(special_input("float32", (2, 8, 8)))
    assert ops._eager_plan((2, 8, 8), tf.float32, 2, (-2, -1), "GPU:0").formulation == "scatter"
    ops.set_write_order("gpu", "float32", ["select"])
    assert ops._eager_plan((2, 8, 8), tf.float32, 2, (-2, -1), "GPU:0").formulation == "select"
    assert_bits(np.asarray(center_zero(x, 2, (-2, -1))), reference(x.numpy(), (2, 2), (1, 2)), "select")
    ops.set_write_order("GPU", "float32", None)
    assert ops._eager_plan((2, 8, 8), tf.float32, 2, (-2, -1), "GPU:0").formulation == "scatter"


@pytest.mark.parametrize(
    "args, error, words",
    [
        ((None, tf.float32, ("select",)), TypeError, "device_type"),
        ((5, tf.float32, ("select",)), TypeError, "device_type"),
        (("", tf.float32, ("select",)), TypeError, "device_type"),
        (("GPU", tf.string, ("select",)), TypeError, "string"),
        (("GPU", tf.float32, "select"), TypeError, "'select'"),
        (("GPU", tf.float32, ()), TypeError, "()"),
        (("GPU", tf.float32, 3), TypeError, "order must be a non-empty tuple or list of write names, but got 3"),
        (("GPU", tf.float32, ("select", "gather")), ValueError, "gather"),
    ],
)
def test_a_bad_write_order_is_refused(args, error, words):
    with pytest.raises(error, match=words.replace("(", r"\(").replace(")", r"\)")):
        ops.set_write_order(*args)


def test_the_eager_check_agrees_with_tensorflows_everywhere():
    # The fast paths ask `ops.executing_eagerly` (what TensorFlow's generated op wrappers read)
    # instead of `tf.executing_eagerly`: the two must agree in every context.
    from centerzero.ops import executing_eagerly

    seen = []

    def both():
        seen.append((executing_eagerly(), tf.executing_eagerly()))
        with tf.init_scope():
            seen.append((executing_eagerly(), tf.executing_eagerly()))
        return tf.constant(0)

    both()
    tf.function(both)()
    with tf.Graph().as_default():
        both()
    assert [pair[0] for pair in seen] == [pair[1] for pair in seen] == [True, True, False, True, False, False]


def test_every_eager_call_keys_its_plan_by_the_dtypes_enum(monkeypatch):
    # The fast path looks plans up by the dtype's enum.  A plan cached under a DType by another
    # eager call (NumPy input, a list size) would answer the fast path too, but through
    # DType.__eq__ on every look-up: some 35 us a call after a large tensor flushed the caches.
    keys = []
    real = ops._eager_plan

    def recording(shape, dtype, *rest):
        keys.append(dtype)
        return real(shape, dtype, *rest)

    monkeypatch.setattr(ops, "_eager_plan", recording)
    x = np.arange(1, 17, dtype=np.float32).reshape(4, 4)
    for given, size in [(x, 2), (tf.constant(x), [2, 2]), (tf.constant(x), np.int64(2)), (tf.constant(x), 2)]:
        np.testing.assert_array_equal(center_zero(given, size).numpy(), x * np.pad(np.zeros((2, 2)), 1, constant_values=1))
    assert len(keys) == 4 and all(type(key) is int for key in keys), keys
