"""A command line that a test can interrupt with SIGINT, as a terminal's Ctrl-C would.

A process started in the background by a non-interactive shell (``cmd &`` in a script, as a CI
runner may start the test run) inherits SIGINT *ignored*, and Python then leaves it
ignored: a SIGINT sent to ``python -m properties`` would do nothing and the test would see a run
that was never interrupted.  The program runs here under a one-line wrapper that restores
Python's own SIGINT handler first, whatever the test run inherited.
"""

import sys

_WRAPPER = ("import runpy, signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
            "runpy.run_module('properties', run_name='__main__', alter_sys=True)")


def properties_command(*args):
    """The argv of ``python -m properties ARGS`` with SIGINT raising ``KeyboardInterrupt``."""
    return [sys.executable, "-c", _WRAPPER, *args]
