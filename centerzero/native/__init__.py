"""The native CPU kernel behind eager calls: ``CenterZeroWindow``, built from
``center_zero_window.cc`` next to this file and loaded with ``tf.load_op_library``.

One pass over the tensor: every byte outside the window is copied with ``memcpy`` and the
window is written with zeros, split among TensorFlow's intra-op threads.  Outside XLA no
TensorFlow op does this with one input: the scatter takes three (the tensor, the window's
indices and a zero block), and on small tensors that dispatch alone costs more than the
15% that issue 10 allows over a copy.  So the eager CPU calls of ``center_zero`` run this kernel
when it is available, and everything else (graphs, XLA, other devices) runs TensorFlow's own
ops, which need nothing built: a graph or SavedModel never holds this op.

The kernel is compiled once per TensorFlow version, compiler and source, when ``centerzero``
is first imported (some 10-20 s), with TensorFlow's own flags (``tf.sysconfig``), and cached
in ``$CENTERZERO_CACHE_DIR``, else ``$XDG_CACHE_HOME/centerzero``, else
``~/.cache/centerzero``.  Set ``CENTERZERO_NATIVE=0`` to neither build nor load it.  Where it
cannot be built or loaded (no C++ compiler, a TensorFlow without headers, a read-only cache),
``center_zero`` uses TensorFlow's ops as before and :func:`status` says why.

    >>> from centerzero import native
    >>> native.status()  # doctest: +SKIP
    {'available': True, 'path': '/home/me/.cache/centerzero/center_zero_window-3f2a....so', 'reason': None}
"""

import hashlib
import math
import os
import shutil
import subprocess
import sys
import tempfile

import tensorflow as tf

#: The op's name in TensorFlow's registry, for ``TFE_Py_FastPathExecute`` and its gradient.
OP_NAME = "CenterZeroWindow"

SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "center_zero_window.cc")

#: The largest window length and axis the kernel's one ``window`` attribute holds (larger
#: ones run TensorFlow's ops).
MAX_SIZE, MAX_AXIS = (1 << 23) - 1, 255

#: Values of ``CENTERZERO_NATIVE`` that turn the kernel off.
_OFF = ("0", "false", "no", "off")

_state = {"tried": False, "module": None, "path": None, "reason": "not loaded yet"}


def enabled():
    """Whether ``CENTERZERO_NATIVE`` allows the kernel (it does unless set to 0, false, no or off)."""
    return os.environ.get("CENTERZERO_NATIVE", "1").strip().lower() not in _OFF


def cache_dir():
    """Where built kernels are kept."""
    explicit = os.environ.get("CENTERZERO_CACHE_DIR")
    if explicit:
        return explicit
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "centerzero")


def compiler():
    """The C++ compiler: ``$CXX``, else the first of ``c++``, ``g++``, ``clang++`` on the PATH."""
    explicit = os.environ.get("CXX")
    if explicit:
        return shutil.which(explicit) or explicit
    for name in ("c++", "g++", "clang++"):
        found = shutil.which(name)
        if found:
            return found
    return None


def missing():
    """Why the kernel cannot be built here (no C++ compiler, or a TensorFlow without its C++
    headers, as some packs ship it), or ``None`` where it can."""
    if compiler() is None:
        return "no C++ compiler: set CXX or put c++, g++ or clang++ on the PATH"
    if not os.path.exists(os.path.join(tf.sysconfig.get_include(), "tensorflow", "core", "framework", "op_kernel.h")):
        return f"this TensorFlow has no C++ headers under {tf.sysconfig.get_include()}"
    return None


def _command(cxx, output):
    return [cxx, "-shared", "-fPIC", "-O2", "-w", SOURCE, "-o", output,
            *tf.sysconfig.get_compile_flags(), *tf.sysconfig.get_link_flags()]


def library_path(cxx):
    """The cached library for this source, TensorFlow and compiler (built or not)."""
    with open(SOURCE, "rb") as f:
        digest = hashlib.sha256(f.read())
    for part in (tf.__version__, sys.platform, cxx, *_command(cxx, "")):
        digest.update(part.encode() + b"\0")
    return os.path.join(cache_dir(), f"center_zero_window-{digest.hexdigest()[:16]}.so")


def build():
    """Compile the kernel into the cache unless it is there; returns the library's path.
    Raises ``RuntimeError`` when it cannot be built here (:func:`missing`) or the compiler fails."""
    reason = missing()
    if reason:
        raise RuntimeError(reason)
    cxx = compiler()
    path = library_path(cxx)
    if os.path.exists(path):
        return path
    os.makedirs(os.path.dirname(path), exist_ok=True)
    # Another process may build the same library at the same time: each writes its own file
    # and renames it into place, so a reader never sees half of one.
    fd, partial = tempfile.mkstemp(suffix=".so.partial", dir=os.path.dirname(path))
    os.close(fd)
    try:
        result = subprocess.run(_command(cxx, partial), capture_output=True, text=True, timeout=600)
        if result.returncode != 0:
            raise RuntimeError(f"{cxx} exited with {result.returncode}: {result.stderr.strip()[-2000:]}")
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
    return path


def fits(size, axes):
    """Whether the kernel's ``window`` attribute can hold this window (``size`` a pair of ints
    ``>= 0``, ``axes`` a pair of resolved, non-negative axes)."""
    return all(0 <= k <= MAX_SIZE for k in size) and all(0 <= a <= MAX_AXIS for a in axes)


def pack_window(size, axes):
    """The kernel's ``window`` attribute for ``size`` ``(kh, kw)`` on resolved ``axes``.

    >>> pack_window((2, 3), (1, 2)) == 1 | 2 << 8 | 2 << 16 | 3 << 39
    True
    """
    if not fits(size, axes):
        raise ValueError(f"CenterZeroWindow: size={tuple(size)} and axes={tuple(axes)} do not fit the kernel's"
                         f" window (sizes 0 to {MAX_SIZE}, axes 0 to {MAX_AXIS})")
    (kh, kw), (axis_h, axis_w) = size, axes
    return axis_h | axis_w << 8 | kh << 16 | kw << 39


def unpack_window(window):
    """``(size, axes)`` from a ``window`` attribute: ``pack_window``'s inverse."""
    return ((window >> 16) & MAX_SIZE, (window >> 39) & MAX_SIZE), (window & MAX_AXIS, (window >> 8) & MAX_AXIS)


#: The kernel copies the whole tensor and then zeroes the window when the window's bytes are
#: at most this share of the tensor's (``center_zero_window.cc``), and otherwise copies only the
#: bytes outside the window, rows split among TensorFlow's threads.
SMALL_WINDOW_SHARE = 1 / 64


def kernel_way(shape, size, axes, itemsize):
    """Which way the kernel runs for an input of static ``shape`` and ``itemsize`` bytes per
    element, ``size`` a pair on resolved ``axes`` (the rule in ``center_zero_window.cc``):
    ``"copy then zero"``, ``"rows"``, or ``"copy"`` (an empty window or tensor).

    >>> kernel_way((64, 224, 224, 3), (2, 2), (1, 2), 4), kernel_way((2, 10, 10), (2, 2), (1, 2), 4)
    ('copy then zero', 'rows')
    """
    total = itemsize * math.prod(shape)
    if total == 0 or 0 in size:
        return "copy"
    window = itemsize * math.prod(size) * math.prod(n for d, n in enumerate(shape) if d not in axes)
    return "copy then zero" if window <= total // round(1 / SMALL_WINDOW_SHARE) else "rows"


def _gradient(op, dy):
    """The mask's gradient: the upstream gradient with the window overwritten by zeros."""
    from centerzero.ops import center_zero

    size, axes = unpack_window(op.get_attr("window"))
    return center_zero(dy, size, axes)


def load():
    """The loaded op module, building the kernel first if needed; ``None`` where it is off or
    cannot be had (:func:`status` says why).  Tries once per process."""
    if _state["tried"]:
        return _state["module"]
    _state["tried"] = True
    if not enabled():
        _state["reason"] = f"off: CENTERZERO_NATIVE={os.environ.get('CENTERZERO_NATIVE')}"
        return None
    try:
        path = build()
        module = tf.load_op_library(path)
        try:
            tf.RegisterGradient(OP_NAME)(_gradient)
        except KeyError:  # registered already (this module imported twice)
            pass
    except Exception as error:  # any failure leaves TensorFlow's ops in charge, and says why
        _state["reason"] = f"{type(error).__name__}: {error}"
        return None
    _state.update(module=module, path=path, reason=None)
    return module


def available():
    """Whether the kernel is loaded (building and loading it on the first call)."""
    return load() is not None


def status():
    """``{"available": bool, "path": library or None, "reason": why not, or None}``."""
    load()
    return {"available": _state["module"] is not None, "path": _state["path"], "reason": _state["reason"]}
