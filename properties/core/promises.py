"""The promises the properties check, as data: each one sentence, atomic, with an id.

Two kinds:

* **mask promises** (``contract`` ``1.x``): what a mask layer promises about its values,
  dtypes, state, execution, Keras integration and errors, in the words of the layer's contract
  (``docs/promises.md``).  A spec's reference (``zeroed``) and claims (``dtypes``, ``modes``)
  make them concrete for its layer.
* **generic promises** (``generic=True``): what any well-behaved Keras layer promises, which
  every spec is held to by default.  A spec opts out of one with a reason
  (``MaskSpec.opt_out``).

Each property declares the promises it checks (``Property.promises``); the traceability table
(``python -m properties trace SPEC``, ``docs/kit/traceability.md``) maps every promise to its
properties, their columns, and a planted specimen that breaks that promise alone.
"""

import dataclasses


@dataclasses.dataclass(frozen=True)
class Promise:
    id: str
    text: str
    #: The section of the layer contract it comes from (``docs/promises.md``).
    section: str
    #: True for a promise of any Keras layer, checked for every spec unless it opts out.
    generic: bool = False


PROMISES = (
    # 1.1 the constructor
    Promise("config-errors", "A bad constructor argument is a ValueError naming the argument and the value.", "1.1"),
    Promise("keras-arguments", "Keras's own keyword arguments (name, trainable, dtype) pass through to the layer.",
            "1.1", generic=True),
    # 1.2 / 1.3 values
    Promise("zero-inside", "Inside the zeroed region every element is exactly +0 (all bits clear).", "1.3"),
    Promise("bits-outside", "Outside the zeroed region every element keeps its bits: NaN payloads, -0.0, "
            "subnormals, infinities and integer extremes.", "1.3"),
    Promise("region", "The zeroed region is the one the reference names, on every axis convention "
            "(an independent implementation agrees).", "1.2"),
    Promise("shape-and-dtype", "The output has the input's shape and dtype.", "1.3", generic=True),
    Promise("static-shape", "In a graph, every length known on the input is known on the output.", "1.3",
            generic=True),
    # 1.4 dtypes
    Promise("claimed-dtypes", "Every claimed dtype works and keeps its dtype; any other is a TypeError naming "
            "it.", "1.4"),
    Promise("no-autocast", "The output dtype is the input dtype, also under a mixed-precision policy.", "1.4"),
    Promise("bad-types", "Inputs of a bad type (None, object arrays, ragged, sparse, strings) are a TypeError "
            "naming what was given.", "1.4"),
    # 1.5 state
    Promise("no-weights", "The layer has no weights of any kind, before and after calls.", "1.5", generic=True),
    Promise("many-inputs", "One instance serves calls of any shape, rank and dtype, in any order.", "1.5",
            generic=True),
    Promise("input-unmodified", "The input is never modified, not even a writable NumPy array.", "1.5",
            generic=True),
    Promise("instances-independent", "Instances share no state: several, with different arguments, may be "
            "called in any interleaving.", "1.5", generic=True),
    Promise("threads", "Calls from several threads at once give the results of the same calls made one "
            "after another.", "1.5", generic=True),
    # 1.6 execution
    Promise("modes-agree", "Every execution mode the spec claims gives eager's bits.", "1.6"),
    Promise("devices-agree", "Every available device gives the same bits.", "1.6"),
    Promise("gradient", "The gradient with respect to the input is the mask: 1 outside, 0 inside.", "1.6"),
    Promise("vjp", "As a vector-Jacobian product: the upstream gradient outside, exactly +0 inside, whatever "
            "the upstream holds there (inf, NaN).", "1.6"),
    Promise("training", "The training argument (None, False, True, a real training step) changes nothing.",
            "1.6", generic=True),
    Promise("any-size", "Any batch length, map size and element count follows the same rules.", "1.6"),
    Promise("batch-independent", "Each sample alone gives the same output slice as in the batch.", "1.6",
            generic=True),
    Promise("idempotent", "Applying the layer twice gives what applying it once gives.", "1.6"),
    # 1.7 Keras
    Promise("config-roundtrip", "get_config / from_config round-trip every argument.", "1.7", generic=True),
    Promise("keras-file", "A model holding the layer saves to .keras and loads back without custom_objects.",
            "1.7", generic=True),
    Promise("mask-passes", "An incoming Keras mask comes through unchanged (or the mask the spec names is "
            "set).", "1.7", generic=True),
    Promise("symbolic", "compute_output_shape and a call on keras.Input give the input's shape and dtype.",
            "1.7", generic=True),
    # random mask layers (a spec with random=True): the region is drawn per call
    Promise("random-seeded", "Two layers with the same seed give the same bits.", "random"),
    Promise("random-region", "The zeroed region is one allowed region; every other element keeps its bits, "
            "call after call.", "random"),
    Promise("inference-identity", "With training=False a random layer returns its input bit for bit.", "random"),
    # 1.8 bad input
    Promise("bad-inputs", "A bad rank, an axis out of range or a window larger than its map raises the "
            "contract's error, naming the sizes, at call, trace or run time.", "1.8"),
)

BY_ID = {promise.id: promise for promise in PROMISES}

#: For a generic promise a spec gives no specimen for: the ``selftest`` operator (applied to the
#: spec's own layer) that breaks it (``properties.tools.trace`` builds them).
DEFAULT_SPECIMENS = {
    "shape-and-dtype": "operator:upcast",
    "static-shape": "operator:static-shape-lost",
    "no-weights": "operator:weight-added",
    "many-inputs": "operator:cached-by-shape",
    "input-unmodified": "operator:input-written",
    "instances-independent": "operator:shared-across-instances",
    "threads": "operator:scratch-on-instance",
    "training": "operator:training-only",
    "batch-independent": "operator:first-sample-only",
    "config-roundtrip": "operator:config-loses-argument",
    "keras-file": "operator:unregistered",
    "mask-passes": "operator:keras-mask-dropped",
    "keras-arguments": "operator:name-dropped",
}


def promise(promise_id):
    """The promise with this id; a ``KeyError`` names the known ids."""
    try:
        return BY_ID[promise_id]
    except KeyError:
        raise KeyError(f"no promise {promise_id!r}: known are {sorted(BY_ID)}") from None
