"""Inputs of a bad *type*, which a layer that claims a fixed set of dtypes must refuse with a
``TypeError`` naming what it got: ``None``, a NumPy object array, a ragged or sparse tensor,
a string tensor.  A spec lists the kinds its layer refuses in ``MaskSpec.bad_types``; the
property ``bad-types-raise`` (``properties/checks/errors.py``) checks every listed kind on every example.

>>> make("object-array", (2, 3)).dtype
dtype('O')
"""

import numpy as np


def _none(shape):
    return None


def _object_array(shape):
    return np.ones(shape, dtype=object)


def _ragged(shape):
    import tensorflow as tf

    return tf.RaggedTensor.from_tensor(tf.ones(shape))


def _sparse(shape):
    import tensorflow as tf

    return tf.sparse.from_dense(tf.ones(shape))


def _string(shape):
    import tensorflow as tf

    return tf.fill(shape, "x")


#: kind -> (make an input of this shape, regex its TypeError must match, whether
#: ``tf.function`` can take it through a ``TensorSpec``: the others are checked eagerly only).
KINDS = {
    "none": (_none, r"None", False),
    "object-array": (_object_array, r"object", False),
    "ragged": (_ragged, r"[Rr]agged", False),
    "sparse": (_sparse, r"[Ss]parse", False),
    "string": (_string, r"string", True),
}


def make(kind, shape):
    """An input of the bad type ``kind`` (a key of :data:`KINDS`) and ``shape``; a ragged
    tensor gets rank 2 at least."""
    if kind not in KINDS:
        raise ValueError(f"bad_types: kind={kind!r} is not one of {sorted(KINDS)}")
    if kind == "ragged" and len(shape) < 2:
        shape = (1,) * (2 - len(shape)) + tuple(shape)
    return KINDS[kind][0](tuple(shape))


def traceable(kind):
    return KINDS[kind][2]


def match(kind):
    return KINDS[kind][1]
