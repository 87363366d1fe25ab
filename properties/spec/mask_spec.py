"""The spec type (contract 2.1): what the property kit needs to know about a mask layer.

A spec is data: how to build the layer from a config, which configs and input shapes to try,
a NumPy reference of which elements must be zeroed, and what the layer claims.  Every property
runs against every spec; nothing is subclassed.
"""

import dataclasses
import re
from typing import Any, Callable, Optional

from hypothesis import strategies as st

import numpy as np

from properties.core.dtypes import ALL_DTYPES, dtype_name
from properties.core.names import BAD_TYPE_KINDS
from properties.core.promises import BY_ID as PROMISES


#: The execution modes of contract 1.6, as columns of the report.
VALUE_MODES = (
    "eager", "graph", "graph-unknown-dims", "xla", "model-predict", "from-config", "keras-file", "saved-model",
)


@dataclasses.dataclass(frozen=True)
class BadInput:
    """An input a layer must refuse, with the error it must raise.

    ``error`` is raised when the shape is known at call or trace time; ``runtime_error``, if
    set, when only the rank is known while tracing (an all-``None`` input signature).
    ``match`` is a regular expression the message must contain.
    """

    shape: tuple
    error: type
    match: str
    runtime_error: Optional[type] = None


@dataclasses.dataclass(frozen=True)
class KnownCrash:
    """Inputs on which running the layer kills the Python process with a signal (no exception
    to catch, so no property could report it): the kit does not run them, counts them in the
    report, and ``tests/kit/test_known_crashes.py`` runs ``example`` in a child process to check
    that the crash is real where ``applies`` says so and absent everywhere else.

    Args:
        op: ``"call"`` or ``"gradient"``.
        mode: the execution mode in which it crashes (see ``VALUE_MODES``).
        when: ``(x, config) -> bool``: the inputs that crash.
        example: ``(shape, dtype name, config)``: one concrete crashing input (zeros).
        reason: what crashes, and where it is tracked.
        applies: whether this installation crashes (e.g. a TensorFlow version test).
    """

    op: str
    mode: str
    when: Callable[[Any, dict], bool]
    example: tuple
    reason: str
    applies: bool = True

    def __post_init__(self):
        if self.op not in ("call", "gradient"):
            raise ValueError(f"KnownCrash: `op` must be 'call' or 'gradient', got {self.op!r}")
        if self.mode not in VALUE_MODES:
            raise ValueError(f"KnownCrash: `mode` must be one of {VALUE_MODES}, got {self.mode!r}")


@dataclasses.dataclass(frozen=True)
class MaskSpec:
    """Everything the properties need to check one mask layer.

    The class is long only because its docstring is the field reference (the spec reference's
    table is generated from it); its logic is a few lookups, and the comparisons live in
    ``properties.spec.judge``.

    Args:
        name: the spec's name in reports and on the command line.
        layer: a layer class or factory, called as ``layer(**config)``.
        configs: a strategy of constructor keyword dicts.
        input_shapes: ``config -> strategy`` of input shapes that config accepts.
        zeroed: the reference, ``(x, config) -> bool array``: True where the layer must write
            ``+0``; every other element must come through bit for bit.  It reads ``x`` and
            never writes to it (the kit may pass a read-only array).
        dtypes: the dtypes the layer claims to take (names); the rest must be refused.
        modes: the execution modes it claims (see ``VALUE_MODES``).
        xla_dtypes: the dtypes it claims under XLA, if fewer than ``dtypes``.
        bad_configs: a strategy of configs the constructor must refuse with ``ValueError``.
        bad_inputs: ``config -> strategy`` of :class:`BadInput`.
        independent_zeroed: a second reference built on code nobody here wrote, if any;
            the property ``independent-reference`` checks the two agree.
        batch_axes: ``(config, rank) -> axes`` along which samples are independent (each
            slice alone gives the same output slice); default: axis 0.
        keras_mask: ``"pass"`` if an incoming Keras mask must come through unchanged, or
            ``(x, config) -> bool array``: the mask the layer must set itself.
        events: ``(config, shape) -> strings`` to label examples in the statistics.
        adjust_input: ``(config, x) -> strategy`` of inputs derived from ``x``, for layers whose
            mask depends on the values (``Masking`` needs whole steps equal to its value).
        casts: documented claim ``{input dtype: output dtype}`` for layers that change dtypes;
            outputs are then judged against the input cast to that dtype.
        complement: ``(layer, config -> config)``: a layer whose output added to this one's
            gives the input back (property ``complement-sum``).
        random: True for layers whose region is drawn at random per call; ``zeroed`` is then
            None and ``random_region`` says which regions are allowed (``properties/checks/random_region.py``).
        random_region: ``(zeroed_map, config) -> None or a reason it is not allowed``.
        known_failures: documented findings, ``{"property" or "property/column": reason}``.
            The property still runs in full; a failure there is reported as "known" with its
            counterexample instead of failing the run.
        flaky_findings: documented findings whose result depends on which CPU thread runs a
            kernel (``Masking``'s subnormal flushing), ``{"property" or "property/column":
            reason}``.  The property still runs in full; a counterexample there (not a harness
            error: "could not run", "retraced", "ran nothing" stay failures) is reported as
            "flaky" instead of failing the run.  A cell in both ``known_failures`` and
            ``flaky_findings`` is reported as "known": a failure there may be the deterministic
            finding; ``python -m properties soak`` replays it to tell the two apart.
        known_crashes: :class:`KnownCrash` entries: inputs not run because they kill the process.
        alternatives: other references the layer may follow instead, each a dict replacing some
            of ``zeroed`` and ``keras_mask``, for arithmetic that really differs by device or
            mode (Masking: a CPU's comparison flushes subnormals, a GPU's complex64 one does
            not).  An output must follow one reference in full (``properties.spec.judge.reference_for``), and
            two modes or devices may differ only where each follows one.
        unreachable: ``{"dtype/kind/region" pattern: reason}``: special-value combinations the
            inputs cannot hold by the layer's own definition (``*`` matches anything; Masking's
            zeroed steps hold ``mask_value`` in every feature, so ``"*/*/inside"``).  The
            coverage table shows them as exempt, with the reason, not as generator gaps.
        bad_types: kinds of input of a bad type the layer must refuse with a ``TypeError``
            naming what it got (``properties.core.names.BAD_TYPE_KINDS``: ``"none"``,
            ``"object-array"``, ``"ragged"``, ``"sparse"``, ``"string"``); ``bad-types-raise``
            checks every one on every example.
        landmarks: ``(config, shape)`` or ``(config, shape, dtype)`` entries that every
            property drawing ``mode_cases`` (the value properties, ``modes-agree``, ``idempotent``, ``input-not-modified``) checks
            first, in every column and under every profile, as Hypothesis explicit examples
            with a fixed input holding every special value: inputs that reach a code path the
            author knows a few drawn examples can miss (CenterZero's ``compiled`` path).  In
            eager mode every claimed dtype is checked; elsewhere ``dtype`` if given and claimed
            there, else the mode's first float or complex dtype.
        specimens: ``{promise id: defective layer}``: for each promise (``properties.core.promises``),
            a layer with the same constructor that breaks that promise alone, the way real
            layers go wrong (a class, ``"MODULE:ATTR"``, or ``"operator:NAME"`` for a
            ``selftest`` operator applied to this spec's layer).  ``python -m properties trace``
            runs each under the promise's properties and reports which caught it, and how fast;
            a generic promise without one here gets the operator of
            ``properties.tools.trace.DEFAULT_OPERATORS``.
        opt_out: ``{promise id: reason}``: generic promises of a Keras layer that this layer
            does not make.  A property whose promises are all opted out does not run for the
            spec, and the traceability table shows the reason.
        fits: ``(config, shape) -> bool``, whether a layer built from ``config`` must accept
            inputs of ``shape``; lets ``many-instances`` feed instances with other configs
            inputs of one shape.  Without it, each instance gets shapes drawn for its config.

    >>> spec = MaskSpec(name="identity", layer=keras.layers.Identity, configs=st.just({}),
    ...                 input_shapes=lambda config: st.just((2, 3)),
    ...                 zeroed=lambda x, config: np.zeros(x.shape, bool))
    """

    name: str
    layer: Callable[..., Any]
    configs: st.SearchStrategy
    input_shapes: Callable[[dict], st.SearchStrategy]
    zeroed: Optional[Callable[[Any, dict], Any]]
    dtypes: tuple = ALL_DTYPES
    modes: tuple = VALUE_MODES
    xla_dtypes: Optional[tuple] = None
    bad_configs: Optional[st.SearchStrategy] = None
    bad_inputs: Optional[Callable[[dict], st.SearchStrategy]] = None
    independent_zeroed: Optional[Callable[[Any, dict], Any]] = None
    batch_axes: Callable[[dict, int], tuple] = lambda config, rank: (0,) if rank else ()
    keras_mask: Optional[str] = "pass"
    events: Optional[Callable[[dict, tuple], Any]] = None
    adjust_input: Optional[Callable[[dict, Any], st.SearchStrategy]] = None
    casts: dict = dataclasses.field(default_factory=dict)
    complement: Optional[tuple] = None
    random: bool = False
    random_region: Optional[Callable[[Any, dict], Optional[str]]] = None
    known_failures: dict = dataclasses.field(default_factory=dict)
    known_crashes: tuple = ()
    alternatives: tuple = ()
    flaky_findings: dict = dataclasses.field(default_factory=dict)
    fits: Optional[Callable[[dict, tuple], bool]] = None
    unreachable: dict = dataclasses.field(default_factory=dict)
    bad_types: tuple = ()
    landmarks: tuple = ()
    specimens: dict = dataclasses.field(default_factory=dict)
    opt_out: dict = dataclasses.field(default_factory=dict)

    def __post_init__(self):
        check_fields(self)

    def build(self, config):
        return self.layer(**config)

    def dtypes_in(self, mode):
        if mode == "xla" and self.xla_dtypes is not None:
            return tuple(d for d in self.dtypes if d in self.xla_dtypes)
        return self.dtypes

    def known_failure(self, prop, column):
        """The documented reason this property fails in this column, or None."""
        return self.known_failures.get(f"{prop}/{column}", self.known_failures.get(prop))

    def flaky_finding(self, prop, column):
        """The documented reason this property's result in this column depends on the CPU
        thread (``flaky_findings``), or None."""
        return self.flaky_findings.get(f"{prop}/{column}", self.flaky_findings.get(prop))

    def unreachable_reason(self, dtype, kind, region):
        """Why inputs cannot hold this special-value combination (``unreachable``), or None."""
        for pattern, reason in self.unreachable.items():
            if all(p in ("*", v) for p, v in zip(pattern.split("/"), (dtype, kind, region))):
                return reason
        return None

    def known_crash(self, op, mode, x, config):
        """The :class:`KnownCrash` that running ``op`` in ``mode`` on ``x`` would hit, or None."""
        for crash in self.known_crashes:
            if crash.applies and crash.op == op and crash.mode == mode and crash.when(np.asarray(x), config):
                return crash
        return None

    def output_dtype(self, dtype):
        """The dtype the layer claims to return for ``dtype`` (its own unless ``casts`` says)."""
        name = dtype_name(dtype)
        return self.casts.get(name, name)

    def with_layer(self, layer):
        """The same spec checking another implementation with the same constructor."""
        return dataclasses.replace(self, layer=layer)


def check_fields(spec):
    """A clear ``TypeError``/``ValueError`` naming the field for a spec written wrong."""
    if not isinstance(spec.name, str) or not re.fullmatch(r"[A-Za-z0-9_.-]+", spec.name):
        raise ValueError(f"MaskSpec: `name` must be a word of letters, digits, '.', '_' or '-', got {spec.name!r}")
    if not callable(spec.layer):
        raise TypeError(f"MaskSpec: `layer` must be a class or a callable, got {spec.layer!r}")
    if not isinstance(spec.configs, st.SearchStrategy):
        raise TypeError(f"MaskSpec: `configs` must be a Hypothesis strategy, got {spec.configs!r}")
    if not callable(spec.input_shapes):
        raise TypeError(f"MaskSpec: `input_shapes` must be callable, got {spec.input_shapes!r}")
    if not (callable(spec.zeroed) or (spec.zeroed is None and spec.random)):
        raise TypeError(f"MaskSpec: `zeroed` must be callable (None only with random=True), got {spec.zeroed!r}")
    unknown = [d for d in spec.dtypes if d not in ALL_DTYPES]
    if unknown:
        raise ValueError(f"MaskSpec: `dtypes` has names outside {ALL_DTYPES}: {unknown}")
    unknown = [m for m in spec.modes if m not in VALUE_MODES]
    if unknown:
        raise ValueError(f"MaskSpec: `modes` has names outside {VALUE_MODES}: {unknown}")
    if not isinstance(spec.landmarks, tuple):
        raise TypeError(f"MaskSpec: `landmarks` must be a tuple of (config, shape) pairs, got {spec.landmarks!r}")
    for landmark in spec.landmarks:
        if not (isinstance(landmark, tuple) and len(landmark) in (2, 3) and isinstance(landmark[0], dict)
                and isinstance(landmark[1], tuple) and all(isinstance(n, int) and n >= 0 for n in landmark[1])
                and (len(landmark) == 2 or landmark[2] in ALL_DTYPES)):
            raise TypeError(f"MaskSpec: each of `landmarks` must be a (config, shape) pair or a (config, shape, "
                            f"dtype name) triple, got {landmark!r}")
    if not isinstance(spec.alternatives, tuple) or not all(
            isinstance(a, dict) and a and set(a) <= {"zeroed", "keras_mask"} and all(map(callable, a.values()))
            for a in spec.alternatives):
        raise TypeError(f"MaskSpec: `alternatives` must be a tuple of dicts of callables for 'zeroed' and/or "
                        f"'keras_mask', got {spec.alternatives!r}")
    if not isinstance(spec.bad_types, tuple) or any(kind not in BAD_TYPE_KINDS for kind in spec.bad_types):
        raise ValueError(f"MaskSpec: `bad_types` must be a tuple of {sorted(BAD_TYPE_KINDS)}, got {spec.bad_types!r}")
    unknown = sorted(set(spec.specimens) - set(PROMISES))
    if not isinstance(spec.specimens, dict) or unknown:
        raise ValueError(f"MaskSpec: `specimens` must map promise ids to layers; unknown ids {unknown} "
                         f"(known: {sorted(PROMISES)})")
    if not isinstance(spec.opt_out, dict):
        raise TypeError(f"MaskSpec: `opt_out` must be a dict {{promise id: reason}}, got {spec.opt_out!r}")
    for promise_id, reason in spec.opt_out.items():
        if promise_id not in PROMISES or not PROMISES[promise_id].generic:
            raise ValueError(f"MaskSpec: `opt_out` names {promise_id!r}, which is not a generic promise "
                             f"(generic: {sorted(p for p, promise in PROMISES.items() if promise.generic)})")
        if not isinstance(reason, str) or not reason.strip():
            raise ValueError(f"MaskSpec: `opt_out[{promise_id!r}]` must give a reason, got {reason!r}")

