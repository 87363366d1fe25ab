"""Run a Python script with each dtype's write order on the GPU taken from CHOICE.json.

    python scripts/gpu/with_writes.py CHOICE.json SCRIPT [ARGS...]

CHOICE.json maps a dtype name to a list of writes (``scripts/gpu/choose_writes.py`` makes it);
each is applied with ``centerzero.ops.set_write_order("GPU", dtype, order)`` before SCRIPT runs
in this process as ``__main__``.
"""

import json
import runpy
import sys

from centerzero import ops

if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        choice = json.load(f)
    for dtype, order in choice.items():
        ops.set_write_order("GPU", dtype, order)
    print(f"write orders on the GPU: {choice}", flush=True)
    sys.argv = sys.argv[2:]
    runpy.run_path(sys.argv[0], run_name="__main__")
