"""Contract 1.6: the gradient as a vector-Jacobian product.  With an upstream gradient ``u`` of
the output's shape and dtype, ``tape.gradient(y, x, output_gradients=u)`` must be ``u``'s bits
outside the zeroed region and exactly ``+0`` inside, whatever ``u`` holds there.

``gradient-is-mask`` differentiates the summed output, an upstream of ones, where ``u * mask``
and a select agree; here the upstream comes from the kit's input generator, with every special
value of the dtype planted inside and outside the region (``+-inf``, NaN payloads of both signs,
``-0.0``, subnormals, the finite extremes), so that ``upstream * mask`` shows (``inf * 0`` is
NaN, ``-x * 0`` is ``-0.0``).

Only *quiet* NaNs are planted: the generator's signalling NaNs get their quiet bit set.  IEEE
arithmetic quiets a signalling NaN that it touches (XLA on the CPU computes bfloat16 and float16
in float32), and the contract promises the upstream gradient outside, which a quiet NaN, payload
and sign included, must keep bit for bit in every column.  (``CenterZero``'s gradient, a pure
copy, keeps signalling NaNs too, on the CPU in every column; the rule holds a layer to what the
contract promises, not to what one implementation happens to do.)

Columns: the gradient modes the spec claims.  ``eager``, ``from-config`` (a clone from
``get_config``), ``keras-file`` and ``saved-model`` (the reloaded model or function) are
differentiated eagerly; ``graph``, ``graph-unknown-dims`` and ``xla`` (``jit_compile=True``)
differentiate inside a ``tf.function`` of ``(x, u)`` whose signature is the one the mode's own
calls trace (``Mode.dims``: static lengths in ``graph``, some lengths unknown in the others),
cached per config, dtype and signature.  Float dtypes the spec claims in the column,
and only those it does not cast (``casts``): the gradient of a cast is the upstream cast back.
"""

import numpy as np
import tensorflow as tf
from hypothesis import strategies as st

from properties.core.bits import as_bits, bit_mismatches
from properties.core.dtypes import FLOAT_DTYPES, numpy_dtype
from properties.core.failures import KnownCrashSkipped, element_mismatch
from properties.execution.modes import GRADIENT_MODES, MODES, input_signature
from properties.strategies.cases import cases, mask_inputs, reached_specials
from properties.checks.table import Property
from properties.spec import judge

#: The quiet bit of each float format's NaN.
_QUIET_BIT = {"float16": 0x0200, "bfloat16": 0x0040, "float32": 0x00400000, "float64": 0x0008000000000000}
#: Columns differentiated inside a ``tf.function``; the value: ``jit_compile``.
_TRACED = {"graph": False, "graph-unknown-dims": False, "xla": True}


def _dtypes(spec, mode):
    return tuple(d for d in spec.dtypes_in(mode) if d in FLOAT_DTYPES and spec.output_dtype(d) == d)


def _columns(spec):
    return [m for m in spec.modes if m in GRADIENT_MODES and _dtypes(spec, m)]


def quieted(u):
    """``u`` with the quiet bit set in every NaN (a signalling NaN becomes the quiet NaN of the
    same sign and payload)."""
    u = np.array(u, copy=True)
    with np.errstate(invalid="ignore"):
        nan = np.isnan(u.astype(np.float64))
    if nan.any():
        bits = as_bits(u)
        bits[nan] |= np.array(_QUIET_BIT[u.dtype.name], bits.dtype)
    return u


@st.composite
def _cases_and_upstream(draw, spec, mode):
    case = draw(cases(spec, _dtypes(spec, mode)))
    region = judge.region(spec, case.x, case.config)
    u = quieted(draw(mask_inputs(case.dtype, case.x.shape, region))[0])
    return case, u, reached_specials(u, region)


def _vjp(fn):
    """``(x, u) -> d(fn(x))/dx`` applied to the upstream ``u``."""
    def vjp(x, u):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = fn(x)
        return tape.gradient(y, x, output_gradients=u)

    return vjp


def _gradient(ctx, case, u):
    mode, config, x = ctx.column, case.config, case.x
    crash = ctx.spec.known_crash("gradient", mode, x, config) if ctx.executor.skip_known_crashes else None
    if crash is not None:
        raise KnownCrashSkipped(crash)
    t, upstream = tf.constant(x), tf.constant(u)
    if mode in _TRACED:
        dims, key = MODES[mode].dims(x)  # the signature the mode's own calls trace
        layer = ctx.executor.layer(config)
        signature = input_signature(x, dims) * 2
        fn = ctx.executor.cached_function("vjp-" + mode, config, (x.dtype.str, key),
                                          lambda: tf.function(_vjp(layer), input_signature=signature,
                                                              jit_compile=_TRACED[mode]))
        return fn(t, upstream)
    if mode == "eager":
        target = ctx.executor.layer(config)
    elif mode == "from-config":
        target = ctx.executor.cached_function(mode, config, ("vjp",), lambda: MODES[mode].clone(ctx.executor, config))
    elif mode == "keras-file":
        target = MODES[mode].model(ctx.executor, config, x)
    elif mode == "saved-model":
        target = MODES[mode].module(ctx.executor, config, x).call
    else:
        raise ValueError(f"vjp-is-mask: no gradient in mode {mode!r}")
    return _vjp(target)(t, upstream)


def check_vjp(ctx, drawn):
    case, u, reached = drawn
    ctx.label(case)
    for kind, where in sorted(reached):
        ctx.event(f"upstream {kind} {where}")
    g = _gradient(ctx, case, u)
    if g is None:
        ctx.fail("the vector-Jacobian product with respect to the input is None, but should be the upstream "
                 "gradient outside the zeroed region and +0 inside", case)
    g = np.asarray(g)
    if g.shape != u.shape or g.dtype != u.dtype:
        ctx.fail(f"vjp.shape={g.shape}, vjp.dtype={g.dtype}, but should be {u.shape}, {u.dtype} "
                 "(the upstream gradient's)", case)
    expected = []
    for ref in judge.references(ctx.spec):  # the reference the result follows best
        want = u.copy()
        want[judge.region(ref, case.x, case.config)] = np.zeros((), numpy_dtype(case.dtype))
        expected.append((want, bit_mismatches(g, want)))
    want, diff = min(expected, key=lambda pair: int(pair[1].sum()))
    detail = element_mismatch("vjp", g, want, diff)
    if detail:
        ctx.fail(f"with an upstream gradient holding special values: {detail} (should be: the upstream's bits "
                 "outside the zeroed region, +0 inside)", case)


PROPERTIES = [
    Property("vjp-is-mask", "the vector-Jacobian product is the upstream gradient outside the region, +0 inside",
             _columns, _cases_and_upstream, check_vjp,
             applies=lambda spec: spec.zeroed is not None and not spec.random and bool(_columns(spec)),
             promises=("vjp",)),
]
