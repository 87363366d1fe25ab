"""CenterZero against a same-size copy and the blog's ``x * mask``, ratios from one process.

    python benchmarks/layer_speed.py [--quick] [--cases float32,uint8,window200,small,cold]
                                     [--modes eager,graph,xla] [--rounds 7] [--seconds 0.1]
                                     [--writes select,and] [--json PATH] [--device GPU:0]

For each case and mode the candidates are called alternately (the order reversed every round),
each timing repeats calls until it lasts about ``--seconds``, and the medians of ``--rounds``
timings are compared.  The machine is shared and noisy: read the ratios, not the times.

Everything runs under ``tf.device(--device)``: the first GPU where there is one, else the CPU.
The inputs are made there, and a candidate whose result lands on another device (an op with
no kernel for the dtype there, placed elsewhere by TensorFlow) is reported under its row.

Candidates:
  copy      ``tf.raw_ops.DeepCopy(x=t)``: one read and one write, the limit for any mask
            layer (no XLA kernel: under XLA the fused ``x * mask`` is the reference)
  x*mask    the blog's multiply by a ``(1, H, W, 1)`` mask of the input's dtype
  op        ``centerzero.center_zero(t, size, axes)``
  layer     ``CenterZero(size, axes)(t)``

The ``path`` column names the op's path; in eager mode on the CPU it says ``native`` where the
op's eager plan runs the native kernel (``centerzero.native``).

Cases (``--cases``): the dtypes on ``(64, 224, 224, 3)`` with ``axes=(-3, -2)``, ``size=2``
(``float32 uint8 float16 bfloat16 int64 complex64``); float32 variants ``batch1`` (1, 224,
224, 3), ``batch256`` (256, 224, 224, 3), ``maps512`` (16, 512, 512, 3), ``nchw``
(64, 3, 224, 224) with ``axes=(-2, -1)``, ``window200`` (size 200 on the 224 maps); and
``small``: the per-call split on ``(2, 10, 10)`` float32 in eager mode (the op against a bare
``tf.where`` with a cached mask, the layer against an empty Keras layer); ``cold``: the same
small calls, each timed right after a copy of the uint8 batch has flushed the caches, where
every eager call on a large tensor starts (the copy, the op's cached plan, the op, the layer).
"""

import argparse
import json
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from centerzero import CenterZero, center_zero  # noqa: E402
from centerzero._keras import keras  # noqa: E402
from centerzero.ops import EAGER_WRITES, has_kernel, choose_path, device_type_of, resolve_axes  # noqa: E402
from centerzero.ops import _eager_plan  # noqa: E402  (to force a write: --writes)

NHWC = (64, 224, 224, 3)
DTYPE_CASES = ("float32", "uint8", "float16", "bfloat16", "int64", "complex64")
# name: (shape, axes, size, dtype)
CASES = {name: (NHWC, (-3, -2), 2, name) for name in DTYPE_CASES}
CASES.update({
    "batch1": ((1, 224, 224, 3), (-3, -2), 2, "float32"),
    "batch256": ((256, 224, 224, 3), (-3, -2), 2, "float32"),
    "maps512": ((16, 512, 512, 3), (-3, -2), 2, "float32"),
    "nchw": ((64, 3, 224, 224), (-2, -1), 2, "float32"),
    "window200": (NHWC, (-3, -2), 200, "float32"),
})
QUICK_CASES = ("float32", "uint8", "window200", "small", "cold")
MODES = ("eager", "graph", "xla")
SPLITS = ("small", "cold")  # per-call splits in eager mode, not rows
LIMITS = {"copy": 1.15, "xla": 1.05, "mul": 1.0}


def timed(fn, x, calls):
    start = time.perf_counter()
    for _ in range(calls):
        out = fn(x)
    # Eager CPU ops are synchronous; touching one element (not .numpy() on the whole tensor,
    # which is a full copy) makes a device's queue drain too.
    _ = out[(0,) * out.shape.rank].numpy()
    return (time.perf_counter() - start) / calls


#: Candidates whose result must equal the op's, bit for bit (a fast wrong write is no candidate).
SAME_BITS_AS_OP = ("layer", *EAGER_WRITES)

#: (case and mode, candidate) of every result that differed from the op's; main exits 1 if any.
MISMATCHES = []

#: (case and mode, candidate, device) of every result that landed on another device than its input.
ELSEWHERE = []


def compare(candidates, x, rounds, seconds, label=""):
    """Median seconds per call of each candidate, called in alternation.  Before timing, the
    results of the candidates in ``SAME_BITS_AS_OP`` are compared with the op's, byte for byte."""
    expected = candidates["op"](x).numpy().tobytes() if "op" in candidates else None
    for name, fn in candidates.items():
        out = fn(x)  # trace / compile outside the timings
        if expected is not None and name in SAME_BITS_AS_OP and out.numpy().tobytes() != expected:
            MISMATCHES.append((label, name))
            print(f"  MISMATCH: {name} gave other bits than the op ({label})")
        placed = out.device
        if placed != x.device:
            ELSEWHERE.append((label, name, placed))
            print(f"  note: {name} returned its result on {placed}, the input is on {x.device}")
    single = min(timed(fn, x, 1) for fn in candidates.values())
    calls = max(1, int(seconds / max(single, 1e-7)))
    samples = {name: [] for name in candidates}
    order = list(candidates)
    for _ in range(rounds):
        for name in order:
            samples[name].append(timed(candidates[name], x, calls))
        order.reverse()  # neither candidate always runs right after another
    return {name: statistics.median(values) for name, values in samples.items()}


def wrap(mode, fn):
    if mode == "eager":
        return fn
    # Plain Python lambdas: nothing for AutoGraph to convert, and it warns when it tries.
    return tf.function(tf.autograph.experimental.do_not_convert(fn), jit_compile=(mode == "xla"))


def copy_op(x):
    """A same-size copy on x's device: ``DeepCopy``, or ``Snapshot`` where the device has no
    DeepCopy kernel for the dtype (a GPU has none for int64 or complex64)."""
    device_type = device_type_of(x.device)
    if not has_kernel("DeepCopy", device_type, T=x.dtype) and has_kernel("Snapshot", device_type, T=x.dtype):
        return lambda t: tf.raw_ops.Snapshot(input=t)
    return lambda t: tf.raw_ops.DeepCopy(x=t)


def make_input(shape, dtype):
    rng = np.random.default_rng(0)
    values = rng.uniform(1, 200, shape).astype(np.float32)
    if dtype.startswith("complex"):
        values = values + 1j * values[..., ::-1]
    return tf.constant(values.astype(tf.as_dtype(dtype).as_numpy_dtype))


def blog_mask(shape, axes, size, dtype):
    """Ones with the central window zeroed, 1 on every axis but the map axes."""
    rank = len(shape)
    resolved = resolve_axes(rank, axes)
    mask_shape = [shape[a] if a in resolved else 1 for a in range(rank)]
    mask = np.ones(mask_shape, tf.as_dtype(dtype).as_numpy_dtype)
    index = [slice(None)] * rank
    for axis, k in zip(resolved, (size, size)):
        start = (shape[axis] - k) // 2
        index[axis] = slice(start, start + k)
    mask[tuple(index)] = 0
    return tf.constant(mask)


def run_case(name, modes, rounds, seconds, writes=()):
    shape, axes, size, dtype = CASES[name]
    x = make_input(shape, dtype)
    mask = blog_mask(shape, axes, size, dtype)
    rows = []
    for mode in modes:
        layer = CenterZero(size=size, axes=axes)
        candidates = {}
        if mode != "xla":
            candidates["copy"] = wrap(mode, copy_op(x))
        candidates["mul"] = wrap(mode, lambda t: t * mask)
        candidates["op"] = wrap(mode, lambda t: center_zero(t, size, axes))
        candidates["layer"] = wrap(mode, lambda t: layer(t))
        if mode != "xla":
            for write in writes:  # the op's eager plan with this write forced (in a graph: captured)
                candidates[write] = wrap(mode, _eager_plan(shape, tf.as_dtype(dtype), size, axes, x.device, write))
        medians = compare(candidates, x, rounds, seconds, label=f"{name} {mode}")
        path = choose_path(shape, (size, size), resolve_axes(len(shape), axes), dtype, xla=(mode == "xla"),
                           device_type=device_type_of(x.device))
        if mode == "eager":  # what the op's eager plan runs: its path, or the native kernel
            plan = _eager_plan(shape, tf.as_dtype(dtype).as_datatype_enum, size, axes, x.device)
            path = "native" if plan.formulation == "native" else plan.path
        rows.append((name, dtype, mode, path, medians))
        print_row(rows[-1])
        if mode != "xla" and writes:
            print("   writes, ms (/copy):" + "".join(
                f" {w} {medians[w] * 1e3:.3f} ({ratio(medians, w, 'copy'):.2f})" for w in writes), flush=True)
    del x
    return rows


def ratio(medians, a, b):
    return medians[a] / medians[b] if b in medians else None


def fmt(value, width, scale=1e3, digits=2):
    return f"{'-':>{width}}" if value is None else f"{value * scale:{width}.{digits}f}"


HEADER = (
    f"{'case':10} {'dtype':9} {'mode':6} {'path':9} {'copy ms':>8} {'x*mask':>8} {'op ms':>8} {'layer':>8}"
    f" {'op/copy':>8} {'op/mul':>7} {'lay/copy':>8} {'lay/mul':>7}"
)


def print_row(row):
    name, dtype, mode, path, m = row
    print(
        f"{name:10} {dtype:9} {mode:6} {path:9} {fmt(m.get('copy'), 8)} {fmt(m['mul'], 8)} {fmt(m['op'], 8)}"
        f" {fmt(m['layer'], 8)} {fmt(ratio(m, 'op', 'copy'), 8, 1)} {fmt(ratio(m, 'op', 'mul'), 7, 1)}"
        f" {fmt(ratio(m, 'layer', 'copy'), 8, 1)} {fmt(ratio(m, 'layer', 'mul'), 7, 1)}",
        flush=True,
    )


def summary(rows):
    """The worst ratio against each limit of issue 10, for the op and for the layer."""
    print("\nworst ratios (limit): ", end="")
    parts = []
    for who in ("op", "layer"):
        copy = [ratio(m, who, "copy") for _, _, mode, _, m in rows if mode != "xla"]
        xla = [ratio(m, who, "mul") for _, _, mode, _, m in rows if mode == "xla"]
        mul = [ratio(m, who, "mul") for *_, m in rows]
        for label, values, limit in (("/copy", copy, LIMITS["copy"]), ("/mul xla", xla, LIMITS["xla"]),
                                     ("/mul", mul, LIMITS["mul"])):
            if values:
                worst = max(values)
                parts.append(f"{who}{label} {worst:.2f} ({limit}){' MISS' if worst > limit else ''}")
    print("; ".join(parts))


class Empty(keras.layers.Layer):
    def call(self, inputs):
        return inputs


def small_split(rounds, seconds):
    print("\nper call on (2, 10, 10) float32, eager, size 2")
    x = tf.constant(np.arange(200, dtype=np.float32).reshape(2, 10, 10) + 1)
    keep = tf.constant(np.pad(np.zeros((2, 2), bool), 4, constant_values=True))
    zeros = tf.zeros_like(x)
    layer, empty = CenterZero(), Empty()
    medians = compare(
        {
            "copy": lambda t: tf.raw_ops.DeepCopy(x=t),
            "where": lambda t: tf.where(keep, t, zeros),
            "op": lambda t: center_zero(t, 2, (-2, -1)),
            "empty layer": lambda t: empty(t),
            "layer": lambda t: layer(t),
        },
        x, rounds, seconds,
    )
    for name, value in medians.items():
        print(f"  {name:12} {value * 1e6:8.1f} us")
    keras_cost = medians["empty layer"]
    print(
        f"  op / tf.where {medians['op'] / medians['where']:.2f} (limit 2); "
        f"layer / empty layer {medians['layer'] / keras_cost:.2f}; "
        f"layer - empty layer {(medians['layer'] - keras_cost) * 1e6:.1f} us "
        f"(the op's share of a layer call: {medians['op'] * 1e6:.1f} us)"
    )
    return medians


def cold_split(rounds):
    """The fixed cost of one eager call right after a large copy has flushed the caches, which
    is where every eager call on a large tensor starts (the call before it flushed them): on
    ``(2, 10, 10)`` float32, each call timed alone right after a ``DeepCopy`` of the uint8 batch.
    A candidate's excess over the copy here is what it adds to a large eager call's time."""
    calls = max(100, 40 * rounds)
    print(f"\nper call on (2, 10, 10) float32, eager, each right after a copy of the {NHWC} uint8 batch"
          f" (median of {calls})")
    flush = make_input(NHWC, "uint8")
    x = tf.constant(np.arange(200, dtype=np.float32).reshape(2, 10, 10) + 1)
    layer = CenterZero()
    candidates = {
        "copy": lambda t: tf.raw_ops.DeepCopy(x=t),
        "plan": _eager_plan(x._shape_tuple(), x._datatype_enum(), 2, (-2, -1), x.device),
        "op": lambda t: center_zero(t, 2, (-2, -1)),
        "layer": lambda t: layer(t),
    }
    samples = {name: [] for name in candidates}
    for fn in candidates.values():
        fn(x)  # builds the layer, fills the caches of the op
    for _ in range(calls):
        for name, fn in candidates.items():
            tf.raw_ops.DeepCopy(x=flush)
            start = time.perf_counter()
            fn(x)
            samples[name].append(time.perf_counter() - start)
    medians = {name: statistics.median(values) for name, values in samples.items()}
    labels = {"copy": "copy", "plan": "op's plan", "op": "op", "layer": "layer"}
    for name, value in medians.items():
        print(f"  {labels[name]:12} {value * 1e6:8.1f} us")
    print("  over the copy: " + ", ".join(
        f"{labels[name]} {(medians[name] - medians['copy']) * 1e6:+.1f} us" for name in ("plan", "op", "layer")))
    return medians


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"cases {','.join(QUICK_CASES)}, 5 rounds of 0.05 s")
    parser.add_argument("--cases", help=f"comma-separated, from: {', '.join(CASES)}, small, cold")
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--rounds", type=int)
    parser.add_argument("--seconds", type=float, help="length of one timing")
    parser.add_argument("--writes", default="", help=f"also time the op with each of these writes forced,"
                        f" outside XLA (comma-separated, from: {', '.join(EAGER_WRITES)})")
    parser.add_argument("--json", metavar="PATH", help="also write every row's medians (seconds), the notes and"
                        " the mismatches here (scripts/gpu/choose_writes.py reads it)")
    parser.add_argument("--device", help="where the inputs live and the candidates run (default: GPU:0 if any, else CPU:0)")
    args = parser.parse_args(argv)
    rounds = args.rounds or (5 if args.quick else 7)
    seconds = args.seconds or (0.05 if args.quick else 0.1)
    cases = args.cases.split(",") if args.cases else (QUICK_CASES if args.quick else (*CASES, *SPLITS))
    unknown = [c for c in cases if c not in CASES and c not in SPLITS]
    if unknown:
        parser.error(f"unknown cases {unknown}; choose from {', '.join((*CASES, *SPLITS))}")
    modes = args.modes.split(",")
    writes = [w for w in args.writes.split(",") if w]
    if set(writes) - set(EAGER_WRITES):
        parser.error(f"unknown writes {sorted(set(writes) - set(EAGER_WRITES))}; choose from {', '.join(EAGER_WRITES)}")
    device = args.device or ("GPU:0" if tf.config.list_logical_devices("GPU") else "CPU:0")

    print(f"TensorFlow {tf.__version__}, devices: {[d.name for d in tf.config.list_logical_devices()]}")
    print(f"running on {device}")
    print(f"medians of {rounds} alternating rounds of about {seconds} s each; ratios below 1: CenterZero faster\n")
    print(HEADER)
    start = time.perf_counter()
    rows = []
    with tf.device(device):
        for name in cases:
            if name not in SPLITS:
                rows.extend(run_case(name, modes, rounds, seconds, writes))
        if rows:
            summary(rows)
        if "small" in cases:
            small_split(rounds, seconds)
        if "cold" in cases:
            cold_split(rounds)
    print(f"\n{time.perf_counter() - start:.0f} s")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"tensorflow": tf.__version__, "device": device, "rounds": rounds, "seconds": seconds,
                       "rows": [{"case": c, "dtype": d, "mode": m, "path": p, "medians": med} for c, d, m, p, med in rows],
                       "elsewhere": ELSEWHERE, "mismatches": MISMATCHES}, f, indent=1)
    if MISMATCHES:
        print(f"{len(MISMATCHES)} candidates gave other bits than the op: {MISMATCHES}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
