"""Each dtype's write order on a device, from a benchmark run with every write forced.

    python scripts/gpu/choose_writes.py BENCH.json > CHOICE.json

BENCH.json comes from ``benchmarks/layer_speed.py --writes scatter,strided,select,and --json``
on the device.  For each dtype case (``float32``, ``uint8``, ... on ``(64, 224, 224, 3)``) the
order is the writes of the eager row, fastest first, without any write whose result landed on
another device or differed from the op's.  ``scripts/gpu/with_writes.py`` applies the order.
"""

import json
import sys

from centerzero.ops import EAGER_WRITES, SUPPORTED_DTYPES

DTYPE_NAMES = {d.name for d in SUPPORTED_DTYPES}


def choose(bench):
    excluded = {(label, name) for label, name, *_ in bench["elsewhere"] + bench["mismatches"]}
    choice = {}
    for row in bench["rows"]:
        if row["mode"] != "eager" or row["case"] != row["dtype"] or row["dtype"] not in DTYPE_NAMES:
            continue
        label = f"{row['case']} eager"
        times = {w: row["medians"][w] for w in EAGER_WRITES if w in row["medians"] and (label, w) not in excluded}
        if times:
            choice[row["dtype"]] = sorted(times, key=times.get)
        copy = row["medians"].get("copy")
        shown = ", ".join(f"{w} {t / copy:.2f}" for w, t in sorted(times.items(), key=lambda item: item[1]))
        print(f"{row['dtype']:10} /copy: {shown}", file=sys.stderr)
    return choice


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        json.dump(choose(json.load(f)), sys.stdout, indent=1)
    print()
