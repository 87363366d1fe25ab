"""Contract 1.6/2.5: ``training`` changes nothing.  ``training=False`` and ``True`` give the
bits of a call without it, eagerly and in ``tf.function``; and a real training step (a small
Keras model holding the layer, called with ``training=True`` under a ``GradientTape`` in a
compiled step that applies an update) gives a plain eager call's bits.  Whether those bits are
right is the value properties' job.  Random specs keep their own training rules
(``properties/checks/random_region.py``)."""

import numpy as np
import tensorflow as tf

from properties.core.keras_compat import keras
from properties.core.bits import bit_mismatches
from properties.execution.columns import mode_cases, mode_landmarks
from properties.core.failures import element_mismatch
from properties.execution.modes import input_signature
from properties.checks.table import Property, needs_reference

FLAGS = (None, False, True)

#: ``eager`` and ``graph`` call the layer with each flag; ``train-step`` runs a training step.
COLUMNS = ("eager", "graph", "train-step")


def _columns(spec):
    return [c for c in COLUMNS if c in spec.modes or c == "train-step"]


def _examples(spec, column):
    return mode_cases(spec, "eager" if column == "eager" else "graph")


def _landmarks(spec, column):
    return mode_landmarks(spec, "eager" if column == "eager" else "graph")


def _flag_output(ctx, case, flag):
    """The layer's output with ``training=flag`` in the context's mode (no argument for None)."""
    layer = ctx.executor.layer(case.config)
    kwargs = {} if flag is None else {"training": flag}
    if ctx.column == "eager":
        return np.asarray(layer(case.x, **kwargs))
    key = (repr(flag), case.x.dtype.str, case.x.shape)
    fn = ctx.executor.cached_function(
        "training-graph", case.config, key,
        lambda: tf.function(lambda t: layer(t, **kwargs), input_signature=input_signature(case.x, case.x.shape)),
    )
    return np.asarray(fn(case.x))


def _train_step(ctx, case):
    """A functional model holding the layer and a scalar weight, and one compiled step: the
    forward pass with ``training=True``, a loss, its gradient and an SGD update.  One step
    function per (config, dtype, rank), traced once with every length ``None``; per shape for
    a spec that does not claim unknown lengths (``graph-unknown-dims``)."""
    x = case.x
    # Unknown lengths where the spec claims them (one trace per dtype and rank), else static.
    dims = None if "graph-unknown-dims" in ctx.spec.modes else x.shape

    def make():
        inputs = keras.Input(shape=(None,) * (x.ndim - 1) if dims is None else x.shape[1:],
                             dtype=tf.as_dtype(x.dtype).name)
        model = keras.Model(inputs, ctx.spec.build(case.config)(inputs))
        scale = tf.Variable(1.0, dtype=tf.float32)

        @tf.function(input_signature=input_signature(x, dims))
        def step(t):
            with tf.GradientTape() as tape:
                y = model(t, training=True)
                floating = y.dtype.is_floating
                values = tf.cast(y, tf.float32) if floating else tf.zeros([], tf.float32)
                loss = scale * tf.reduce_sum(tf.where(tf.math.is_finite(values), values, tf.zeros_like(values)))
            (grad,) = tape.gradient(loss, [scale])
            scale.assign_sub(1e-3 * grad)
            return y

        step.scale = scale
        return step

    step = ctx.executor.cached_function("train-step", case.config, (x.dtype.str, x.ndim if dims is None else dims), make)
    return np.asarray(step(tf.constant(x)))


def check_training_invariant(ctx, case):
    """Every training flag, and a training step, give the bits of a plain call in this mode."""
    ctx.label(case)
    if ctx.column == "train-step":
        what, (_, plain) = "a plain eager call", ctx.executor.run("eager", case.config, case.x)
        outputs = {"a compiled training step (training=True)": _train_step(ctx, case)}
    else:
        what, plain = "training not given", _flag_output(ctx, case, None)
        outputs = {f"training={flag}": _flag_output(ctx, case, flag) for flag in FLAGS if flag is not None}
    for name, out in outputs.items():
        if out.shape != plain.shape or out.dtype != plain.dtype:
            ctx.fail(f"with {name}: out.shape={out.shape}, out.dtype={out.dtype}, but {what} gives "
                     f"{plain.shape}, {plain.dtype}", case)
        detail = element_mismatch("out", out, plain, bit_mismatches(out, plain))
        if detail:
            ctx.fail(f"with {name}: {detail} ({what} is 'should be')", case)


PROPERTIES = [
    Property("training-invariant", "training=None/False/True and a real training step give the same bits",
             _columns, _examples, check_training_invariant,
             applies=lambda spec: needs_reference(spec) and not spec.random, value=True,
             landmarks=_landmarks,
             promises=("training",)),
]
