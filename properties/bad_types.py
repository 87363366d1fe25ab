"""Inputs of a bad *type*, which a layer that claims a fixed set of dtypes must refuse with a
``TypeError`` naming what it got: ``None``, a NumPy object array, a ragged or sparse tensor,
a string tensor.  A spec adds them to its ``bad_inputs`` (``center_zero.py`` does)."""

import numpy as np
import tensorflow as tf
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from properties.spec import BadInput

def _none(shape):
    return None


def _object_array(shape):
    return np.ones(shape, dtype=object)


def _ragged(shape):
    return tf.RaggedTensor.from_tensor(tf.ones(shape))


def _sparse(shape):
    return tf.sparse.from_dense(tf.ones(shape))


def _string(shape):
    return tf.fill(shape, "x")


#: kind -> (make an input of this shape, regex its TypeError must match, traceable).  The
#: makers are module functions, so that a drawn :class:`BadInput` pickles (the runner
#: fingerprints failing examples).
KINDS = {
    "none": (_none, r"None", False),
    "object-array": (_object_array, r"object", False),
    "ragged": (_ragged, r"[Rr]agged", False),
    "sparse": (_sparse, r"[Ss]parse", False),
    "string": (_string, r"string", True),
}


def bad_types(shapes, kinds=tuple(KINDS), error=TypeError):
    """A strategy of :class:`BadInput` whose ``value`` is an input of a bad type, shaped by a
    draw from ``shapes`` (a strategy of shapes the layer would take in a good dtype).

    >>> bad_types(st.just((4, 10, 10)), kinds=("object-array", "string")).example().match
    'object'
    """
    if not isinstance(shapes, st.SearchStrategy):
        raise InvalidArgument(f"bad_types: shapes={shapes!r} must be a strategy of shapes")
    unknown = [kind for kind in kinds if kind not in KINDS]
    if unknown or not kinds:
        raise InvalidArgument(f"bad_types: kinds={kinds!r} must name some of {sorted(KINDS)}")
    if not (isinstance(error, type) and issubclass(error, BaseException)):
        raise InvalidArgument(f"bad_types: error={error!r} must be an exception class")

    @st.composite
    def draw_bad(draw):
        kind = draw(st.sampled_from(tuple(kinds)))
        shape = tuple(draw(shapes))
        if kind == "ragged" and len(shape) < 2:
            shape = (1,) * (2 - len(shape)) + shape  # a ragged tensor has rank >= 2
        make, match, traceable = KINDS[kind]
        return BadInput(shape, error, match, value=make, traceable=traceable)

    return draw_bad()
