"""The ``Executor``: runs a spec's layer in any mode (``properties.execution.modes``), caching the
layer per config and each mode's compiled functions and models per input signature, so that the
report can show from ``trace_counts`` that nothing retraced."""

import tempfile

import numpy as np
import tensorflow as tf

from properties.core.failures import KnownCrashSkipped
from properties.execution.modes import MODES, config_key


class Executor:
    """Runs a spec's layer in each mode; one per property run, so trace counts are per property."""

    def __init__(self, spec, skip_known_crashes=True):
        self.spec = spec
        self.skip_known_crashes = skip_known_crashes
        self._layers = {}
        self._functions = {}  # (mode, key) -> tf.function, model or reloaded object
        self._tmp = None

    def layer(self, config):
        """The layer for ``config``, built once."""
        key = config_key(config)
        if key not in self._layers:
            self._layers[key] = self.spec.build(config)
        return self._layers[key]

    def cached(self, mode, key, make):
        """``make()``, once per ``(mode, key)``."""
        if (mode, key) not in self._functions:
            self._functions[(mode, key)] = make()
        return self._functions[(mode, key)]

    def cached_function(self, mode, config, key, make):
        """A compiled function (or model) a property builds itself, cached like the modes'
        own per config and ``key``, so that its traces count in ``trace_counts``."""
        return self.cached(mode, (config_key(config),) + tuple(key), make)

    def cache_size(self):
        return len(self._functions)

    def tmpdir(self):
        """A directory for the files a mode saves, removed with the executor."""
        if self._tmp is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="properties-")
        return self._tmp.name

    def artifacts(self, mode):
        """The models and reloaded objects a mode built, for checks on them (``no-weights``)."""
        found = [obj for (m, _), obj in self._functions.items() if m == mode]
        return [obj for obj in found if not isinstance(obj, tf.types.experimental.GenericFunction)]

    def trace_counts(self):
        """``{mode: {"traces": n, "signatures": m}}`` for the modes that trace."""
        counts = {}
        for (mode, _), fn in self._functions.items():
            if isinstance(fn, tf.types.experimental.GenericFunction):
                entry = counts.setdefault(mode, {"traces": 0, "signatures": 0})
                entry["traces"] += fn.experimental_get_tracing_count()
                entry["signatures"] += 1
        return counts

    def _refuse_known_crash(self, op, mode, config, x):
        crash = self.spec.known_crash(op, mode, x, config) if self.skip_known_crashes else None
        if crash is not None:
            raise KnownCrashSkipped(crash)

    def run(self, mode, config, x, device=None):
        """``(seen, out)``: the input as the layer received it, and its output, as NumPy."""
        self._refuse_known_crash("call", mode, config, x)
        if device is not None:
            with tf.device(device):
                return self.run(mode, config, x)
        seen, out = MODES[mode].call(self, config, x)
        return np.asarray(seen), np.asarray(out)

    def gradient(self, mode, config, x):
        """d(sum of outputs)/d(input) in ``mode``, as NumPy, or None if there is none."""
        self._refuse_known_crash("gradient", mode, config, x)
        if mode not in MODES:
            raise ValueError(f"no gradient in mode {mode!r}")
        g = MODES[mode].gradient(self, config, x)
        return None if g is None else np.asarray(g)
