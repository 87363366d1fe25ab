"""Contract 1.3: the static shape.  In a graph, every length known on the input is known on the
output, at the same axis, with the same rank.

Two columns:

* ``graph-unknown-dims``: the layer's ``__call__`` traced by ``tf.function`` with a signature
  that leaves a drawn set of lengths unknown (a Hypothesis boolean per axis); the traced
  output's static shape must hold every length the signature knows.  Only traced, not run:
  the values are ``modes-agree``'s.
* ``functional``: the layer on ``keras.Input(shape=x.shape[1:])`` (every length but the batch
  known): the symbolic output's shape must be the input's; and the functional model traced by
  ``tf.function`` with that signature, as ``fit`` and ``predict`` trace it, must keep it too
  (Keras 3's symbolic call asks ``compute_output_spec``, which need not run the layer's ``call``).
"""

import tensorflow as tf
from hypothesis import strategies as st

from properties.core.keras_compat import keras
from properties.strategies.cases import cases
from properties.checks.table import Property

COLUMNS = ("graph-unknown-dims", "functional")


def _columns(spec):
    return [c for c in COLUMNS if c != "graph-unknown-dims" or c in spec.modes]


@st.composite
def _cases_and_known(draw, spec, column):
    dtypes = spec.dtypes_in("graph-unknown-dims") if column == "graph-unknown-dims" else spec.dtypes
    case = draw(cases(spec, dtypes))
    known = tuple(draw(st.lists(st.booleans(), min_size=case.x.ndim, max_size=case.x.ndim)))
    return case, known


def _lengths(shape):
    shape = tf.TensorShape(shape)
    return None if shape.rank is None else tuple(shape.as_list())


def _lost(got, want):
    """The axes where ``want`` knows a length that ``got`` does not hold (or another length)."""
    return [axis for axis, (g, w) in enumerate(zip(got, want)) if w is not None and g != w]


def _judge(ctx, case, where, got, want):
    if got is None:
        ctx.fail(f"{where}: out.shape has unknown rank, but should be {want}", case)
    if len(got) != len(want):
        ctx.fail(f"{where}: out.shape={got} has rank {len(got)}, but should be {want}, rank {len(want)}", case)
    lost = _lost(got, want)
    if lost:
        ctx.fail(f"{where}: out.shape={got}, but should be {want}: the length known on the input is "
                 f"{'lost' if got[lost[0]] is None else 'changed'} on axis {lost[0]} "
                 f"({len(lost)} of {len(want)} axes)", case)


def _traced_output_shape(fn):
    out = fn.get_concrete_function().structured_outputs
    return _lengths(out.shape)


def check_static_shape(ctx, drawn):
    case, known = drawn
    ctx.label(case)
    dims = [int(n) if keep else None for n, keep in zip(case.x.shape, known)]
    if ctx.column == "graph-unknown-dims":
        layer = ctx.executor.layer(case.config)
        signature = [tf.TensorSpec(dims, tf.as_dtype(case.x.dtype))]
        fn = ctx.executor.cached_function("static-shape", case.config, (case.x.dtype.str, tuple(dims)),
                                          lambda: tf.function(layer.__call__, input_signature=signature))
        _judge(ctx, case, f"traced with input_signature {dims}", _traced_output_shape(fn), tuple(dims))
        return
    inputs = keras.Input(shape=case.x.shape[1:], dtype=tf.as_dtype(case.x.dtype).name)
    want = _lengths(inputs.shape)

    def make():
        model_inputs = keras.Input(shape=case.x.shape[1:], dtype=tf.as_dtype(case.x.dtype).name)
        model = keras.Model(model_inputs, ctx.spec.build(case.config)(model_inputs))
        signature = [tf.TensorSpec((None,) + case.x.shape[1:], tf.as_dtype(case.x.dtype))]
        return tf.function(lambda t: model(t), input_signature=signature)

    outputs = ctx.executor.layer(case.config)(inputs)
    _judge(ctx, case, f"on keras.Input(shape={case.x.shape[1:]})", _lengths(outputs.shape), want)
    fn = ctx.executor.cached_function("static-shape-model", case.config, (case.x.dtype.str, case.x.shape[1:]), make)
    _judge(ctx, case, f"a functional model traced with input_signature {list(want)}", _traced_output_shape(fn), want)


PROPERTIES = [
    Property("static-shape", "in a graph, every length known on the input is known on the output",
             _columns, _cases_and_known, check_static_shape, promises=("static-shape",)),
]
