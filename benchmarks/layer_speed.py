"""CenterZero against the blog's ``x * mask``: six time ratios measured in one process.

    python benchmarks/layer_speed.py [--rounds 9] [--calls 5]

For a (64, 224, 224, 3) batch with ``axes=(-3, -2)``, float32 and uint8, in eager mode, in
``tf.function`` and under ``jit_compile=True``: the two are called alternately (ABBA), at
least ``--calls`` calls per timing (more for short calls), ``--rounds`` timings each, and the
ratio of the medians is printed (< 1 means CenterZero is faster).  The machine is shared and noisy: compare ratios, not times.
Then the per-call overhead on a small (2, 10, 10) input against a bare ``tf.where``.
"""

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from centerzero import CenterZero  # noqa: E402


def timed(fn, x, calls):
    start = time.perf_counter()
    for _ in range(calls):
        out = fn(x)
    # Eager CPU ops are synchronous; touching one element makes a device's queue drain too.
    _ = out[(0,) * out.shape.rank].numpy()
    return (time.perf_counter() - start) / calls


def compare(candidates, x, rounds, calls):
    """Median seconds per call of each candidate, called in alternation."""
    for fn in candidates.values():
        fn(x)  # trace / compile outside the timings
    # Short calls are repeated until one timing lasts about 0.2 s, so that scheduler noise on
    # a shared machine averages out instead of deciding the ratio.
    single = max(timed(fn, x, 1) for fn in candidates.values())
    calls = max(calls, int(0.2 / single))
    samples = {name: [] for name in candidates}
    order = list(candidates)
    for _ in range(rounds):
        for name in order:
            samples[name].append(timed(candidates[name], x, calls))
        order.reverse()  # ABBA: neither candidate always runs right after the other
    return {name: statistics.median(values) for name, values in samples.items()}


def wrap(mode, fn):
    if mode == "eager":
        return fn
    # Plain Python lambdas: nothing for AutoGraph to convert, and it warns when it tries.
    return tf.function(tf.autograph.experimental.do_not_convert(fn), jit_compile=(mode == "xla"))


def large_batch(dtype):
    rng = np.random.default_rng(0)
    values = rng.uniform(1, 200, (64, 224, 224, 3))
    return tf.constant(values.astype(dtype))


def blog_mask(dtype):
    # The blog's kernel: ones with the central 2x2 set to zero, broadcast over batch and channels.
    mask = np.ones((1, 224, 224, 1), dtype)
    mask[:, 111:113, 111:113, :] = 0
    return tf.constant(mask)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--calls", type=int, default=5)
    args = parser.parse_args()

    print(f"TensorFlow {tf.__version__}, devices: {[d.name for d in tf.config.list_logical_devices()]}")
    print(f"(64, 224, 224, 3), axes=(-3, -2), size=2; median of {args.rounds} rounds x {args.calls} calls\n")
    print(f"{'dtype':8} {'mode':10} {'x * mask (ms)':>14} {'CenterZero (ms)':>16} {'ratio':>7}")
    ratios = []
    for dtype in ("float32", "uint8"):
        x, mask = large_batch(dtype), blog_mask(dtype)
        for mode in ("eager", "graph", "xla"):
            layer = CenterZero(size=2, axes=(-3, -2))
            medians = compare(
                {"multiply": wrap(mode, lambda t: t * mask), "centerzero": wrap(mode, lambda t: layer(t))},
                x, args.rounds, args.calls,
            )
            ratio = medians["centerzero"] / medians["multiply"]
            ratios.append(ratio)
            print(
                f"{dtype:8} {mode:10} {medians['multiply'] * 1e3:14.2f} "
                f"{medians['centerzero'] * 1e3:16.2f} {ratio:7.2f}"
            )
    print(f"\nworst ratio: {max(ratios):.2f} (target <= 1.10)")

    print("\nper-call overhead on (2, 10, 10) float32, against a bare tf.where with a cached mask")
    small = tf.constant(np.arange(200, dtype=np.float32).reshape(2, 10, 10) + 1)
    keep = tf.constant(np.pad(np.zeros((2, 2), bool), 4, constant_values=True))
    zeros = tf.zeros_like(small)
    print(f"{'mode':10} {'tf.where (us)':>14} {'CenterZero (us)':>16} {'ratio':>7}")
    for mode in ("eager", "graph"):
        layer = CenterZero()
        medians = compare(
            {"where": wrap(mode, lambda t: tf.where(keep, t, zeros)), "centerzero": wrap(mode, lambda t: layer(t))},
            small, args.rounds, 200,
        )
        print(
            f"{mode:10} {medians['where'] * 1e6:14.1f} {medians['centerzero'] * 1e6:16.1f} "
            f"{medians['centerzero'] / medians['where']:7.2f}"
        )


if __name__ == "__main__":
    main()
