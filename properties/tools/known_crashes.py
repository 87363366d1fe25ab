"""Checks a spec's ``known_crashes`` against reality, each in a child process (a crash kills it).

``python -m properties.tools.known_crashes SPEC`` runs every declared crash's example with the guard
off and exits 1 unless each one crashes exactly where its ``applies`` says it does::

    $ python -m properties.tools.known_crashes keras-masking
    keras-masking #0 gradient in graph: applies=False, child exit 0: as declared
"""

import subprocess
import sys

_CHILD = """
import sys
import numpy as np
from properties.core.dtypes import numpy_dtype
from properties.execution.executor import Executor
from properties.specs import load_spec

spec = load_spec(sys.argv[1])
crash = spec.known_crashes[int(sys.argv[2])]
shape, dtype, config = crash.example
x = np.zeros(shape, numpy_dtype(dtype))
if not crash.when(x, config):
    sys.exit("the example does not satisfy the crash's own `when`")
executor = Executor(spec, skip_known_crashes=False)
if crash.op == "gradient":
    executor.gradient(crash.mode, config, x)
else:
    executor.run(crash.mode, config, x)
"""


def run_example(spec_arg, index, timeout=600):
    """``(returncode, stderr tail)`` of the crash's example run in a child process; a negative
    return code is the signal that killed it."""
    child = subprocess.run(
        [sys.executable, "-c", _CHILD, spec_arg, str(index)],
        capture_output=True, text=True, timeout=timeout,
    )
    return child.returncode, child.stderr[-2000:]


def verdict(crash, returncode):
    """None if the child behaved as declared, else what went wrong."""
    if crash.applies and returncode >= 0:
        return (f"declared to crash here, but the child exited with {returncode}: drop or narrow the "
                "declaration (TensorFlow may have fixed it)")
    if not crash.applies and returncode != 0:
        return f"declared not to apply here, but the child exited with {returncode}"
    return None


def main(argv=None):
    from properties.specs import load_spec

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m properties.tools.known_crashes SPEC", file=sys.stderr)
        return 2
    spec = load_spec(args[0])
    wrong = 0
    for index, crash in enumerate(spec.known_crashes):
        returncode, stderr = run_example(args[0], index)
        problem = verdict(crash, returncode)
        wrong += problem is not None
        print(f"{spec.name} #{index} {crash.op} in {crash.mode}: applies={crash.applies}, child exit "
              f"{returncode}: {problem or 'as declared'}")
        if problem and returncode > 0:
            print(stderr)
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
