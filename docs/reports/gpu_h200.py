"""The H200 benchmark table in the README ("On a GPU"), from the three runs in gpu-h200/:
run1.json (the first machine, adc1cb7's default writes) and run2.json, run3.json (a second
machine, 3ed987d's: select as every GPU default).  Every run timed each write forced
(``--writes``), so the table gives, per case and mode, each write's time over a same-size copy
as the lowest-highest over the runs, and the write that today's defaults
(``centerzero.ops.DEVICE_WRITE_ORDERS``) take there, with its range.

    python docs/reports/gpu_h200.py
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(os.path.dirname(HERE)))

from benchmarks.layer_speed import CASES  # noqa: E402
from centerzero import ops  # noqa: E402

WRITES = ("scatter", "strided", "select", "and")


def load():
    runs = []
    for name in ("run1.json", "run2.json", "run3.json"):
        with open(os.path.join(HERE, "gpu-h200", name)) as f:
            runs.append(json.load(f))
    return runs


def default_write(case, mode, elsewhere):
    """The write the GPU's default order takes for this case: the first with a GPU kernel (the
    benchmark notes writes whose result landed on the CPU), a working one (``BROKEN_KERNELS``)
    and, for the scatter, constants that fit."""
    shape, axes, size, dtype = CASES[case]
    resolved = ops.resolve_axes(len(shape), axes)
    size = ops.normalize_size(size)
    orders = ops.DEVICE_WRITE_ORDERS[("GPU", mode)]
    for write in orders.get(dtype, orders["*"]):
        if (f"{case} {mode}", write) in elsewhere:
            continue
        if write == "strided" and dtype in ops.BROKEN_KERNELS[("TensorStridedSliceUpdate", "GPU")]:
            continue
        if write == "scatter" and not ops._scatter_fits(shape, resolved, size, ops.check_dtype(dtype)):
            continue
        return write
    return None


def span(values, digits=2):
    lo, hi = min(values), max(values)
    return f"{lo:.{digits}f}" if f"{lo:.{digits}f}" == f"{hi:.{digits}f}" else f"{lo:.{digits}f}-{hi:.{digits}f}"


def main():
    runs = load()
    elsewhere = {(label, write) for run in runs for label, write, _ in run["elsewhere"]}
    rows = {}
    for run in runs:
        for row in run["rows"]:
            rows.setdefault((row["case"], row["mode"]), []).append(row["medians"])
    print("| case | mode | copy ms | `x * mask` ms | scatter | strided | select | and | default write | default / copy |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---|---:|")
    for (case, mode), medians in rows.items():
        if mode == "xla":
            continue
        ratios = {w: [m[w] / m["copy"] for m in medians if w in m] for w in WRITES}
        cells = [span(ratios[w]) + ("*" if (f"{case} {mode}", w) in elsewhere else "") for w in WRITES]
        write = default_write(case, mode, elsewhere)
        print(f"| {case} | {mode} | {span([m['copy'] * 1e3 for m in medians])} | "
              f"{span([m['mul'] * 1e3 for m in medians])} | {' | '.join(cells)} | {write} | "
              f"**{span(ratios[write])}** |")
    print("\n| case | XLA: `x * mask` ms | op ms | op / `x * mask` |")
    print("|---|---:|---:|---:|")
    for (case, mode), medians in rows.items():
        if mode == "xla":
            print(f"| {case} | {span([m['mul'] * 1e3 for m in medians])} | {span([m['op'] * 1e3 for m in medians])} | "
                  f"{span([m['op'] / m['mul'] for m in medians])} |")
    print("\n\\* the result landed on the CPU: the GPU has no kernel of that write for the dtype.")


if __name__ == "__main__":
    main()
