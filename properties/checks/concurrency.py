"""Contract 1.5: calls from several threads at once, on one instance or on several, give the
results of the same calls made one after another.

Each example is 3-6 calls (most of them with one config, so that several threads share an
instance), each input at most 2^16 elements.  The calls are first made one after another, for
the references; then all at once, from as many threads, released together by a barrier, in a
few rounds: once every call on the one instance of its config (the executor's), once every call
on a fresh instance.  While the threads run, Python switches threads every microsecond
(``sys.setswitchinterval``, restored after), so that a race between two lines of Python shows
in a few rounds.  Each result must have its reference's bits (``judge.disagreement``: a spec
with ``alternatives`` may differ only where both follow one reference).

Columns: ``eager``, and ``graph``: a ``tf.function`` of the layer's ``__call__`` with every
length unknown (static lengths for a spec that does not claim ``graph-unknown-dims``), built
once per config, dtype and rank (traced by the sequential calls, so that the threads only run
it); the fresh instances are built once per example, each with a ``tf.function`` of its own,
which its thread traces in the first round (tracing at once is part of what is checked).  Random layers draw per call, so the property applies to the others only.
"""

import collections
import concurrent.futures
import sys
import threading

import numpy as np
import tensorflow as tf
from hypothesis import strategies as st

from properties.core.failures import KnownCrashSkipped, element_mismatch, error_text
from properties.execution.modes import config_key, input_signature
from properties.strategies.cases import SWEEP_MAX_ELEMENTS, cases
from properties.strategies.shapes import elements
from properties.checks.table import Property
from properties.spec import judge

COLUMNS = ("eager", "graph")
#: How often all the calls run at once, per instance arrangement.
ROUNDS = 2
#: Seconds a thread waits at the barrier for the others before the round counts as broken.
BARRIER_TIMEOUT = 120
#: Python's thread switch interval while the threads run (the default is 5 ms).
SWITCH_INTERVAL = 1e-6


@st.composite
def _concurrent_calls(draw, spec, column):
    """3-6 cases; each after the first has the first one's config two times in three."""
    config = draw(spec.configs)
    dtypes = spec.dtypes_in(column)
    count = draw(st.integers(3, 6))
    calls = []
    for number in range(count):
        own = draw(spec.configs) if number and draw(st.sampled_from([False, False, True])) else config
        shape = draw(spec.input_shapes(own).filter(lambda s: elements(s) <= SWEEP_MAX_ELEMENTS))
        calls.append(draw(cases(spec, dtypes, config=own, shape=shape)))
    return calls


def _refuse_known_crash(ctx, x, config):
    modes = ("eager",) if ctx.column == "eager" else ("graph", "graph-unknown-dims")
    for mode in modes:
        crash = ctx.spec.known_crash("call", mode, x, config) if ctx.executor.skip_known_crashes else None
        if crash is not None:
            raise KnownCrashSkipped(crash)


def _signature(ctx, x):
    """Every length unknown where the spec claims ``graph-unknown-dims``; else static lengths."""
    return input_signature(x, None if "graph-unknown-dims" in ctx.spec.modes else x.shape)


def _signature_key(ctx, x):
    return x.ndim if "graph-unknown-dims" in ctx.spec.modes else x.shape


def _shared_call(ctx, case):
    """A function that makes the call on the executor's instance of the case's config, in the
    context's column (in ``graph``, through one cached ``tf.function`` per config, dtype and rank)."""
    layer = ctx.executor.layer(case.config)
    if ctx.column == "eager":
        return lambda: np.asarray(layer(case.x))
    fn = ctx.executor.cached_function("graph", case.config, ("threads", case.x.dtype.str, _signature_key(ctx, case.x)),
                                      lambda: tf.function(layer.__call__, input_signature=_signature(ctx, case.x)))
    return lambda: np.asarray(fn(case.x))


def _fresh_call(ctx, case):
    """A function that makes the call on a fresh instance (in ``graph``, through a fresh
    ``tf.function`` of it, traced by the first thread that calls it)."""
    layer = ctx.spec.build(case.config)
    if ctx.column == "eager":
        return lambda: np.asarray(layer(case.x))
    fn = tf.function(layer.__call__, input_signature=_signature(ctx, case.x))
    return lambda: np.asarray(fn(case.x))


def _at_once(calls):
    """Every function of ``calls``, each in its own thread, released together; a list of
    ``(result, None)`` or ``(None, exception)``."""
    barrier = threading.Barrier(len(calls), timeout=BARRIER_TIMEOUT)

    def run(call):
        try:
            barrier.wait()
        except threading.BrokenBarrierError as error:
            return None, error
        try:
            return call(), None
        except Exception as error:  # noqa: BLE001 - a call that raises only in a thread is a finding
            return None, error

    previous = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL)
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=len(calls)) as pool:
            return list(pool.map(run, calls))
    finally:
        sys.setswitchinterval(previous)


def check_threads_agree(ctx, calls):
    for case in calls:
        ctx.label(case)
        _refuse_known_crash(ctx, case.x, case.config)
    per_instance = collections.Counter(config_key(case.config) for case in calls)
    ctx.event(f"{len(calls)} threads, {max(per_instance.values())} of them on one instance")
    references = [_shared_call(ctx, case)() for case in calls]  # one after another
    for arrangement, make in (("one instance per config", _shared_call), ("a fresh instance per call", _fresh_call)):
        functions = [make(ctx, case) for case in calls]
        for round_number in range(1, ROUNDS + 1):
            results = _at_once(functions)
            for number, (case, reference, (out, error)) in enumerate(zip(calls, references, results), 1):
                where = (f"call {number} of {len(calls)} made at once from as many threads ({arrangement}), "
                         f"round {round_number}")
                if error is not None:
                    ctx.fail(f"{where} raised {error_text(error)}, but the same call made alone did not", case)
                if out.shape != reference.shape or out.dtype != reference.dtype:
                    ctx.fail(f"{where}: out.shape={out.shape}, out.dtype={out.dtype}, but the same call made alone "
                             f"gave shape={reference.shape}, dtype={reference.dtype}", case)
                detail = element_mismatch("out", out, reference,
                                          judge.disagreement(ctx.spec, out, reference, case.x, case.config))
                if detail:
                    ctx.fail(f"{where}: {detail} (the same call made alone gave 'should be')", case)


PROPERTIES = [
    Property("threads-agree", "calls from several threads at once give the bits of the same calls made in turn",
             lambda spec: [c for c in COLUMNS if c in spec.modes], _concurrent_calls, check_threads_agree,
             applies=lambda spec: not spec.random, promises=("threads",), races=True),
]
