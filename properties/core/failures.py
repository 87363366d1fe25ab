"""One template for every failure (contract 2.2): property, spec, config, dtype, shape, mode,
device, the first differing element with bit patterns, and a command that replays it."""

import numpy as np

from properties.core.bits import describe_element


class PropertyFailure(AssertionError):
    """A property did not hold; ``str()`` is the full report in the one template."""

    def __init__(self, detail, *, prop=None, spec=None, column=None, case=None, device=None):
        self.detail = detail
        self.prop, self.spec, self.column, self.case, self.device = prop, spec, column, case, device
        self.replay = None
        super().__init__(detail)

    def __str__(self):
        lines = [f"property {self.prop} failed [spec {self.spec}, {self.column}]"]
        if self.case is not None:
            x = np.asarray(self.case.x)
            lines.append(f"  config: {self.case.config}")
            lines.append(f"  dtype:  {self.case.dtype}   shape: {x.shape}")
        if self.device:
            lines.append(f"  device: {self.device}")
        lines.append(f"  {self.detail}")
        if self.replay:
            lines.append(f"  replay: {self.replay}")
        return "\n".join(lines)


def error_text(error, limit=600):
    """``Type: message`` of an exception, at most about ``limit`` characters.  A longer message
    keeps its start and its end (a ``tf.function`` error ends with the error that was raised
    inside it, after the frames of the trace), joined by ``[...]``."""
    text = str(error)
    if len(text) > limit:
        head = limit // 3
        text = f"{text[:head]} [...] {text[head - limit:]}"
    return f"{type(error).__name__}: {text}"


class KnownCrashSkipped(Exception):
    """Raised instead of running an input that a spec's ``known_crashes`` says kills the process."""

    def __init__(self, crash):
        self.crash = crash
        super().__init__(f"not run, known crash ({crash.op} in {crash.mode}): {crash.reason}")


def element_mismatch(what, actual, expected, where):
    """``out[i, j]=nan (bits 0x7fc00000), but should be 0.0 (bits 0x00000000) ...`` for the first
    position in the boolean array ``where`` (3 of 60 differ), or None if there is none."""
    where = np.asarray(where, bool)
    if not where.any():
        return None
    index = tuple(int(i) for i in np.argwhere(where)[0])
    text = ", ".join(map(str, index))
    return (
        f"{what}[{text}]={describe_element(actual, index)}, but should be "
        f"{describe_element(expected, index)} ({int(where.sum())} of {where.size} elements)"
    )
