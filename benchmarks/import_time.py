"""What ``import centerzero`` costs over ``import tensorflow``, in fresh processes.

    python benchmarks/import_time.py [--runs 7]

Three commands, each in a new Python process, run in alternation ``--runs`` times:

  tensorflow       ``import tensorflow``
  tf.keras         ``import tensorflow; tensorflow.keras.layers.Layer`` (Keras loads lazily,
                   on first use of ``tf.keras``; any Keras layer pays for it)
  centerzero       ``import centerzero``

and the medians are compared.  ``centerzero`` over ``tensorflow`` is the judged number (at most
0.3 s); over ``tf.keras`` it is what this package itself adds.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time

COMMANDS = {
    "tensorflow": "import tensorflow",
    "tf.keras": "import tensorflow; tensorflow.keras.layers.Layer",
    "centerzero": "import centerzero",
}


def one(code):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=env, capture_output=True)
    return time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    one(COMMANDS["centerzero"])  # warm the file cache
    samples = {name: [] for name in COMMANDS}
    order = list(COMMANDS)
    for _ in range(args.runs):
        for name in order:
            samples[name].append(one(COMMANDS[name]))
        order.reverse()
    medians = {name: statistics.median(values) for name, values in samples.items()}
    for name, value in medians.items():
        print(f"{name:12} {value:6.2f} s  (runs: {', '.join(f'{v:.2f}' for v in samples[name])})")
    over = medians["centerzero"] - medians["tensorflow"]
    print(f"centerzero - tensorflow {over:+.2f} s (target at most 0.3 s){' MISS' if over > 0.3 else ''}; "
          f"centerzero - tf.keras {medians['centerzero'] - medians['tf.keras']:+.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
