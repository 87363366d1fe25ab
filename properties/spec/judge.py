"""The judge: what a spec's layer must return, and exact comparisons against it.

Every property that compares an output with the reference goes through here, so the arithmetic
the kit allows is written once: a documented cast (``casts``) judged on the cast input with IEEE
quieting of converted NaNs and a CPU's flush-to-zero of cast subnormals, and a spec's
``alternatives`` (an output must follow one reference in full).  Everything else is bit for bit.
"""

import dataclasses

import ml_dtypes
import numpy as np

from properties.core.bits import as_bits, bit_mismatches
from properties.core.dtypes import numpy_dtype


def cast_input(spec, x):
    """``x`` as the layer claims to see it: cast to the dtype ``casts`` names, if any.

    A layer that casts first computes its region on the cast values (Masking compares
    float32 steps with its mask value, so a tiny float64 step becomes a masked 0.0)."""
    x = np.asarray(x)
    dtype = numpy_dtype(spec.output_dtype(x.dtype))
    if x.dtype == dtype:
        return x
    with np.errstate(all="ignore"):
        out = x.astype(dtype)
    return _quiet_converted_nans(x, out)


def region(spec, x, config):
    """The reference's zeroed region for ``x``, judged on the input after its claimed cast."""
    return np.asarray(spec.zeroed(cast_input(spec, x), config), bool)


def expected(spec, x, config):
    """What the layer must return for ``x``: +0 in the zeroed region, ``x``'s bits elsewhere
    (after the documented ``casts``)."""
    out = np.array(cast_input(spec, x), copy=True)
    out[region(spec, x, config)] = np.zeros((), out.dtype)
    return out


def references(spec):
    """This spec, then one spec per entry of ``alternatives`` (with none of its own)."""
    return [spec] + [dataclasses.replace(spec, **alternative, alternatives=()) for alternative in spec.alternatives]


def reference_for(spec, out, x, config):
    """Of :func:`references`, the one ``out`` follows (the fewest mismatched elements; this
    spec where they tie, or where ``out`` has another shape or dtype).  Judge ``out`` by its
    ``region``, ``expected`` and ``mismatches``."""
    if not spec.alternatives:
        return spec
    out = np.asarray(out)
    if out.shape != np.shape(x) or out.dtype != numpy_dtype(spec.output_dtype(np.asarray(x).dtype)):
        return spec
    return min(references(spec), key=lambda ref: int(_own_mismatches(ref, out, x, config).sum()))


def mismatches(spec, out, x, config):
    """Where ``out`` breaks the reference for ``x`` (the one it follows, of
    :func:`references`): a boolean array, True where its bits are not :meth:`expected`'s.
    One allowance, for the arithmetic that really happens: where a claimed cast (``casts``)
    gives a subnormal, a CPU kernel may flush it to a zero of the same sign
    (flush-to-zero), so that zero is accepted too."""
    return _own_mismatches(reference_for(spec, out, x, config), out, x, config)


def disagreement(spec, out, other, x, config):
    """Where two outputs for ``x`` (two modes', two devices') differ bit for bit, but
    nowhere if the spec has ``alternatives`` and each output follows one of its references
    in full: the arithmetic may differ there, and each result is right."""
    diff = bit_mismatches(out, other)
    if diff.any() and spec.alternatives and not mismatches(spec, out, x, config).any() \
            and not mismatches(spec, other, x, config).any():
        return np.zeros_like(diff)
    return diff


def _own_mismatches(spec, out, x, config):
    want = expected(spec, x, config)
    diff = bit_mismatches(out, want)
    if diff.any() and np.asarray(x).dtype != want.dtype and want.dtype.kind in "fc":
        diff &= bit_mismatches(out, _flush_subnormals(want))
    return diff


def _flush_subnormals(array):
    """``array`` with every subnormal (each part of a complex) replaced by a zero of its sign."""
    array = np.array(array, copy=True)
    parts = (array.real, array.imag) if array.dtype.kind == "c" else (array,)
    for part in parts:
        tiny = (part != 0) & (np.abs(part) < ml_dtypes.finfo(part.dtype).tiny)
        part[tiny] = np.copysign(np.zeros((), part.dtype), part[tiny])
    return array


def _quiet_converted_nans(x, out):
    """IEEE conversion between float formats delivers a *quiet* NaN for a signalling one, as
    TensorFlow's casts do; NumPy's float16 conversion keeps the signalling bit.  Widening
    bfloat16 is a 16-bit shift in TensorFlow and ml_dtypes alike, and keeps it."""
    if x.dtype.kind != "f" or out.dtype.kind != "f" or x.dtype.name == "bfloat16" or out.dtype.name == "bfloat16":
        return out
    with np.errstate(invalid="ignore"):
        nan = np.isnan(out)
    if nan.any():
        quiet = {2: 0x0200, 4: 0x00400000, 8: 0x0008000000000000}[out.dtype.itemsize]
        bits = as_bits(out)
        bits[nan] |= np.array(quiet, bits.dtype)
    return out
