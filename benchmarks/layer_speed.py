"""CenterZero against a same-size copy and the blog's ``x * mask``, ratios from one process.

    python benchmarks/layer_speed.py [--quick] [--cases float32,uint8,window200,small]
                                     [--modes eager,graph,xla] [--rounds 7] [--seconds 0.1]
                                     [--json PATH] [--device GPU:0]

For each case and mode the candidates are called alternately (the order reversed every round),
each timing repeats calls until it lasts about ``--seconds``, and the medians of ``--rounds``
timings are compared.  The machine is shared and noisy: read the ratios, not the times.
Everything runs under ``tf.device(--device)``: the first GPU where there is one, else the CPU.

Candidates:
  copy      ``tf.raw_ops.DeepCopy(x=t)``: one read and one write, the limit for any mask
            layer (no XLA kernel: under XLA the fused ``x * mask`` is the reference)
  x*mask    the blog's multiply by a ``(1, H, W, 1)`` mask of the input's dtype
  op        ``centerzero.center_zero(t, size, axes)``
  layer     ``CenterZero(size, axes)(t)``; its result must equal the op's, byte for byte

The ``write`` column names the op's write (``update`` or ``split``, ``centerzero.ops.is_large``).

Cases (``--cases``): the dtypes on ``(64, 224, 224, 3)`` with ``axes=(-3, -2)``, ``size=2``
(``float32 uint8 float16 bfloat16 int64 complex64``); float32 variants ``batch1`` (1, 224,
224, 3), ``batch256`` (256, 224, 224, 3), ``maps512`` (16, 512, 512, 3), ``nchw``
(64, 3, 224, 224) with ``axes=(-2, -1)``, ``window200`` (size 200 on the 224 maps: the split
write); and ``small``: one eager call on ``(2, 10, 10)`` float32, the layer against a Keras
layer that returns its input (Keras's own call overhead, the floor for every layer) and the op
against a bare ``tf.where`` with a cached mask.

Eager rows also time a Keras layer that returns its input on the same tensor: Keras's own call
overhead there, which every layer pays (right after a large tensor it is far above its warm
30 us).  The small case also times a layer that runs ``tf.identity``: one op in a layer.

Targets (the summary line; MISS where a worst ratio is over): eager at most 1.25x a copy,
``tf.function`` at most 1.15x, XLA at most 1.10x ``x * mask``, and the small layer call within
1.3x of the empty layer's, on the judged cases (``float32``, ``uint8``; ``--cases`` all shows
the rest, whose ratios are reported, not judged).
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
from centerzero.ops import is_large, resolve_axes  # noqa: E402

keras = tf.keras
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
JUDGED = ("float32", "uint8")
QUICK_CASES = ("float32", "uint8", "window200", "small")
MODES = ("eager", "graph", "xla")
LIMITS = {"eager": 1.25, "graph": 1.15, "xla": 1.10, "small": 1.3}

#: (case and mode, candidate) of every result that differed from the op's; main exits 1 if any.
MISMATCHES = []


def timed(fn, x, calls):
    start = time.perf_counter()
    for _ in range(calls):
        out = fn(x)
    # Touching one element (not .numpy() on the whole tensor, a full copy) waits for the result.
    _ = out[(0,) * out.shape.rank].numpy()
    return (time.perf_counter() - start) / calls


def compare(candidates, x, rounds, seconds, label=""):
    """Median seconds per call of each candidate, called in alternation.  Before timing, the
    layer's result is compared with the op's, byte for byte."""
    expected = candidates["op"](x).numpy().tobytes() if "op" in candidates else None
    for name, fn in candidates.items():
        out = fn(x)  # trace / compile outside the timings
        if name == "layer" and expected is not None and out.numpy().tobytes() != expected:
            MISMATCHES.append((label, name))
            print(f"  MISMATCH: {name} gave other bits than the op ({label})")
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
    return tf.function(tf.autograph.experimental.do_not_convert(fn), jit_compile=(mode == "xla"))


def make_input(shape, dtype):
    values = np.random.default_rng(0).uniform(1, 200, shape).astype(np.float32)
    if dtype.startswith("complex"):
        values = values + 1j * values[..., ::-1]
    return tf.constant(values.astype(tf.as_dtype(dtype).as_numpy_dtype))


def blog_mask(shape, axes, size, dtype):
    """Ones with the central window zeroed, 1 on every axis but the map axes."""
    resolved = resolve_axes(len(shape), axes)
    mask = np.ones([shape[a] if a in resolved else 1 for a in range(len(shape))], tf.as_dtype(dtype).as_numpy_dtype)
    index = [slice(None)] * len(shape)
    for axis in resolved:
        start = (shape[axis] - size) // 2
        index[axis] = slice(start, start + size)
    mask[tuple(index)] = 0
    return tf.constant(mask)


def run_case(name, modes, rounds, seconds):
    shape, axes, size, dtype = CASES[name]
    x = make_input(shape, dtype)
    mask = blog_mask(shape, axes, size, dtype)
    write = "split" if is_large(shape, resolve_axes(len(shape), axes), (size, size)) else "update"
    rows = []
    for mode in modes:
        layer = CenterZero(size=size, axes=axes)
        candidates = {} if mode == "xla" else {"copy": wrap(mode, lambda t: tf.raw_ops.DeepCopy(x=t))}
        candidates["mul"] = wrap(mode, lambda t: t * mask)
        candidates["op"] = wrap(mode, lambda t: center_zero(t, size, axes))
        candidates["layer"] = wrap(mode, lambda t: layer(t))
        if mode == "eager":  # Keras's own call on this input: the floor of any layer's overhead
            empty = Empty()
            candidates["empty layer"] = lambda t: empty(t)
        medians = compare(candidates, x, rounds, seconds, label=f"{name} {mode}")
        rows.append((name, dtype, mode, write, medians))
        print_row(rows[-1])
    return rows


def ratio(medians, a, b):
    return medians[a] / medians[b] if b in medians else None


def fmt(value, width, scale=1e3, digits=2):
    return f"{'-':>{width}}" if value is None else f"{value * scale:{width}.{digits}f}"


HEADER = (
    f"{'case':10} {'dtype':9} {'mode':6} {'write':7} {'copy ms':>8} {'x*mask':>8} {'op ms':>8} {'layer':>8}"
    f" {'op/copy':>8} {'op/mul':>7} {'lay/copy':>8} {'lay/mul':>7}"
)


def print_row(row):
    name, dtype, mode, write, m = row
    print(
        f"{name:10} {dtype:9} {mode:6} {write:7} {fmt(m.get('copy'), 8)} {fmt(m['mul'], 8)} {fmt(m['op'], 8)}"
        f" {fmt(m['layer'], 8)} {fmt(ratio(m, 'op', 'copy'), 8, 1)} {fmt(ratio(m, 'op', 'mul'), 7, 1)}"
        f" {fmt(ratio(m, 'layer', 'copy'), 8, 1)} {fmt(ratio(m, 'layer', 'mul'), 7, 1)}"
        + (f"   (an empty Keras layer: {m['empty layer'] * 1e3:.3f} ms)" if "empty layer" in m else ""),
        flush=True,
    )


def worst(rows, small=None):
    """The worst ratio of the op and of the layer against each target, on the judged cases."""
    parts = []
    for mode in MODES:
        reference = "mul" if mode == "xla" else "copy"
        for who in ("op", "layer"):
            values = [ratio(m, who, reference) for name, _, row_mode, _, m in rows if row_mode == mode and name in JUDGED]
            if values:
                parts.append((f"{mode} {who}/{'x*mask' if mode == 'xla' else 'copy'}", max(values), LIMITS[mode]))
    if small:
        parts.append(("small layer/empty layer", small["layer"] / small["empty layer"], LIMITS["small"]))
        parts.append(("(small identity layer/empty layer)", small["identity layer"] / small["empty layer"], LIMITS["small"]))
    return parts


class Empty(keras.layers.Layer):
    def call(self, inputs):
        return inputs


class Identity(keras.layers.Layer):
    """One TensorFlow op in a Keras layer: what any layer that computes something costs."""

    def call(self, inputs):
        return tf.identity(inputs)


def small_split(rounds, seconds):
    print("\nper call on (2, 10, 10) float32, eager, size 2")
    x = tf.constant(np.arange(200, dtype=np.float32).reshape(2, 10, 10) + 1)
    keep = tf.constant(np.pad(np.zeros((2, 2), bool), 4, constant_values=True))
    zeros = tf.zeros_like(x)
    layer, empty, identity = CenterZero(), Empty(), Identity()
    medians = compare(
        {
            "copy": lambda t: tf.raw_ops.DeepCopy(x=t),
            "where": lambda t: tf.where(keep, t, zeros),
            "op": lambda t: center_zero(t, 2, (-2, -1)),
            "empty layer": lambda t: empty(t),
            "identity layer": lambda t: identity(t),
            "layer": lambda t: layer(t),
        },
        x, rounds, seconds,
    )
    for name, value in medians.items():
        print(f"  {name:12} {value * 1e6:8.1f} us")
    print(f"  op / tf.where {medians['op'] / medians['where']:.2f}; "
          f"layer / empty layer {medians['layer'] / medians['empty layer']:.2f}")
    return medians


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"cases {','.join(QUICK_CASES)}, 5 rounds of 0.05 s")
    parser.add_argument("--cases", help=f"comma-separated, from: {', '.join(CASES)}, small")
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--rounds", type=int)
    parser.add_argument("--seconds", type=float, help="length of one timing")
    parser.add_argument("--json", metavar="PATH", help="also write every row's medians (seconds) here")
    parser.add_argument("--device", help="where the inputs live and the candidates run (default: GPU:0 if any, else CPU:0)")
    args = parser.parse_args(argv)
    rounds = args.rounds or (5 if args.quick else 7)
    seconds = args.seconds or (0.05 if args.quick else 0.1)
    cases = args.cases.split(",") if args.cases else (QUICK_CASES if args.quick else (*CASES, "small"))
    unknown = [c for c in cases if c not in CASES and c != "small"]
    if unknown:
        parser.error(f"unknown cases {unknown}; choose from {', '.join((*CASES, 'small'))}")
    modes = args.modes.split(",")
    if set(modes) - set(MODES):
        parser.error(f"unknown modes {sorted(set(modes) - set(MODES))}; choose from {', '.join(MODES)}")
    device = args.device or ("GPU:0" if tf.config.list_logical_devices("GPU") else "CPU:0")

    print(f"TensorFlow {tf.__version__}, running on {device}")
    print(f"medians of {rounds} alternating rounds of about {seconds} s each; ratios below 1: CenterZero faster\n")
    print(HEADER)
    start = time.perf_counter()
    rows, small = [], None
    with tf.device(device):
        for name in cases:
            if name != "small":
                rows.extend(run_case(name, modes, rounds, seconds))
        if "small" in cases:
            small = small_split(rounds, seconds)
    print("\nworst ratios on " + ", ".join(JUDGED) + " (target): " + "; ".join(
        f"{label} {value:.2f} ({limit}){' MISS' if value > limit else ''}" for label, value, limit in worst(rows, small)))
    print(f"{time.perf_counter() - start:.0f} s")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"tensorflow": tf.__version__, "device": device, "rounds": rounds, "seconds": seconds,
                       "rows": [{"case": c, "dtype": d, "mode": m, "write": w, "medians": med}
                                for c, d, m, w, med in rows],
                       "small": small, "mismatches": MISMATCHES}, f, indent=1)
    if MISMATCHES:
        print(f"{len(MISMATCHES)} candidates gave other bits than the op: {MISMATCHES}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
