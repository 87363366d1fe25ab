"""GPU probe: TensorFlow sees the GPU, XLA compiles there, and center_zero is bit-exact there."""
import sys
import time

t0 = time.time()
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

print("TF", tf.__version__, "numpy", np.__version__, f"import {time.time() - t0:.1f} s", flush=True)
print("physical:", tf.config.list_physical_devices(), flush=True)
if not tf.config.list_physical_devices("GPU"):
    sys.exit(3)
from centerzero import center_zero, ops  # noqa: E402


def reference(a, size, axes):
    out = a.copy()
    idx = [slice(None)] * a.ndim
    for ax in axes:
        n = a.shape[ax]
        s = (n - size) // 2
        idx[ax] = slice(s, s + size)
    out[tuple(idx)] = 0
    return out


rng = np.random.default_rng(0)
cases = []
bits = rng.integers(0, 2**32, (4, 16, 16, 3), dtype=np.uint64).astype(np.uint32)
bits[:, 7, 7, 0] = 0x7FC12345  # NaN payload inside the window
bits[:, 0, 0, 0] = 0x7FC12345  # and outside
bits[:, 0, 0, 1] = 0x80000000  # -0.0
bits[:, 0, 0, 2] = 0x00000001  # subnormal
cases.append(("float32 16x16 size 2", bits.view(np.float32), 2, (-3, -2)))
cases.append(("uint8 16x16 size 3", rng.integers(0, 256, (4, 16, 16, 3), dtype=np.uint8), 3, (-3, -2)))
cases.append(("float64 NCHW size 4", rng.standard_normal((2, 3, 17, 9)), 4, (-2, -1)))
cases.append(("float32 window 200 (compiled)", rng.standard_normal((8, 224, 224, 3)).astype(np.float32), 200, (-3, -2)))
cases.append(("complex64 size 2", (rng.standard_normal((2, 8, 8)) + 1j).astype(np.complex64), 2, (-2, -1)))
ok = True
for mode in ("eager", "graph", "xla"):
    for name, a, size, axes in cases:
        def fn(t, s=size, ax=axes):
            return center_zero(t, s, ax)

        if mode != "eager":
            fn = tf.function(fn, jit_compile=(mode == "xla"), autograph=False)
        t = time.time()
        try:
            with tf.device("GPU:0"):
                x = tf.constant(a)
                y = fn(x)
            got, want = y.numpy(), reference(a, size, axes)
            same = got.tobytes() == want.tobytes()
            ok &= same
            print(f"{mode:6} {name:30} on {y.device.split('/')[-1]:10} {'bit-exact' if same else 'DIFFERENT'}"
                  f" ({time.time() - t:.2f} s)", flush=True)
        except Exception as e:  # report and go on
            ok = False
            print(f"{mode:6} {name:30} ERROR {type(e).__name__}: {str(e)[:300]}", flush=True)
print("eager plans:", ops._eager_plan.cache_info())

def forced_writes(dtype, a, size, axes, want, upstream=None):
    """Each write of ops.EAGER_WRITES forced on ``a`` on GPU:0: its result (or, with
    ``upstream``, its gradient) against ``want``, bit for bit, and where the result landed."""
    global ok
    line = []
    for write in (w for w in ops.EAGER_WRITES if w != "native"):  # native: a CPU kernel, eager CPU calls only
        try:
            with tf.device("GPU:0"):
                x = tf.constant(a)
                plan = ops._eager_plan(a.shape, dtype, size, axes, x.device, write)
                if upstream is None:
                    got = plan(x)
                else:
                    with tf.GradientTape() as tape:
                        tape.watch(x)
                        y = plan(x)
                    got = tape.gradient(y, x, output_gradients=tf.constant(upstream))
            same = got.numpy().tobytes() == want.tobytes()
            ok &= same
            line.append(f"{write} {'ok' if same else 'DIFF'}@{got.device.split(':')[-2][-3:]}")
        except Exception as e:  # report and go on
            ok = False
            line.append(f"{write} ERR {type(e).__name__}: {str(e)[:120]!r}")
    return "; ".join(line)


# Every eager write forced, for every dtype, on random bit patterns (NaN payloads, -0.0,
# subnormals included), and the GPU kernels the writes need.
print("\nforced writes, (3, 9, 10, 2), size (3, 4) on axes (1, 2): ok / DIFF / error; @ where the result is")
for d in ops.SUPPORTED_DTYPES:
    nd = d.as_numpy_dtype
    if d == tf.bool:
        a = rng.integers(0, 2, (3, 9, 10, 2)).astype(bool)
    else:
        raw = rng.integers(0, 256, 3 * 9 * 10 * 2 * np.dtype(nd).itemsize, dtype=np.uint8)
        a = np.frombuffer(raw.tobytes(), nd).reshape(3, 9, 10, 2).copy()
    want = a.copy()
    want[:, 3:6, 3:7] = 0
    kern = {op: ops.has_kernel(op, "GPU", T=(ops._work_dtype(d) if op == "BitwiseAnd" else d))
            for op in ("SelectV2", "BitwiseAnd", "TensorStridedSliceUpdate", "Fill")}
    kern["LogicalAnd"] = ops.has_kernel("LogicalAnd", "GPU")
    print(f"  {d.name:10} {forced_writes(d, a, (3, 4), (1, 2), want)}  | GPU kernels {kern}", flush=True)

print("\ngradients (upstream with inf, NaN, -0.0): the upstream with the window zeroed, bit for bit")
for d in (tf.float32, tf.float16, tf.float64, tf.bfloat16):
    nd = d.as_numpy_dtype
    a = rng.standard_normal((2, 8, 8)).astype(nd)
    dy = rng.standard_normal((2, 8, 8)).astype(nd)
    dy[:, 3, 3], dy[:, 4, 4], dy[:, 0, 0], dy[:, 0, 1] = np.inf, np.nan, -0.0, np.nan
    want = dy.copy()
    want[:, 3:5, 3:5] = 0
    print(f"  {d.name:10} {forced_writes(d, a, 2, (-2, -1), want, upstream=dy)}", flush=True)
for d in ops.SUPPORTED_DTYPES:
    print(f"GPU kernels {d.name:10} write {ops._device_write((64, 224, 224, 3), (1, 2), (2, 2), d, 'GPU')},"
          f" DeepCopy {ops.has_kernel('DeepCopy', 'GPU', T=d)}, Snapshot {ops.has_kernel('Snapshot', 'GPU', T=d)},"
          f" path {ops.choose_path((64, 224, 224, 3), (2, 2), (1, 2), d, device_type='GPU')}")
sys.exit(0 if ok else 1)
