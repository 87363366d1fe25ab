"""The spec type (contract 2.1): what the property kit needs to know about a mask layer.

A spec is data: how to build the layer from a config, which configs and input shapes to try,
a NumPy reference of which elements must be zeroed, and what the layer claims.  Every property
runs against every spec; nothing is subclassed.
"""

import dataclasses
import importlib
import re
from typing import Any, Callable, Optional

from hypothesis import strategies as st

import ml_dtypes
import numpy as np

from properties.bad_types import KINDS as BAD_TYPE_KINDS
from properties.dtype_helpers import ALL_DTYPES, dtype_name, numpy_dtype


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
    report, and ``tests/test_known_crashes.py`` runs ``example`` in a child process to check
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

    Args:
        name: the spec's name in reports and on the command line.
        layer: a layer class or factory, called as ``layer(**config)``.
        configs: a strategy of constructor keyword dicts.
        input_shapes: ``config -> strategy`` of input shapes that config accepts.
        zeroed: the reference, ``(x, config) -> bool array``: True where the layer must write
            ``+0``; every other element must come through bit for bit.
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
            None and ``random_region`` says which regions are allowed (``prop_random``).
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
            not).  An output must follow one reference in full (:meth:`reference_for`), and
            two modes or devices may differ only where each follows one.
        unreachable: ``{"dtype/kind/region" pattern: reason}``: special-value combinations the
            inputs cannot hold by the layer's own definition (``*`` matches anything; Masking's
            zeroed steps hold ``mask_value`` in every feature, so ``"*/*/inside"``).  The
            coverage table shows them as exempt, with the reason, not as generator gaps.
        bad_types: kinds of input of a bad type the layer must refuse with a ``TypeError``
            naming what it got (keys of ``properties.bad_types.KINDS``: ``"none"``,
            ``"object-array"``, ``"ragged"``, ``"sparse"``, ``"string"``); ``bad-types-raise``
            checks every one on every example.
        landmarks: ``(config, shape)`` or ``(config, shape, dtype)`` entries that every
            property drawing ``mode_cases`` (the value properties, ``modes-agree``, ``idempotent``, ``input-not-modified``) checks
            first, in every column and under every profile, as Hypothesis explicit examples
            with a fixed input holding every special value: inputs that reach a code path the
            author knows a few drawn examples can miss (CenterZero's ``compiled`` path).  In
            eager mode every claimed dtype is checked; elsewhere ``dtype`` if given and claimed
            there, else the mode's first float or complex dtype.
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

    def __post_init__(self):
        if not isinstance(self.name, str) or not re.fullmatch(r"[A-Za-z0-9_.-]+", self.name):
            raise ValueError(f"MaskSpec: `name` must be a word of letters, digits, '.', '_' or '-', got {self.name!r}")
        if not callable(self.layer):
            raise TypeError(f"MaskSpec: `layer` must be a class or a callable, got {self.layer!r}")
        if not isinstance(self.configs, st.SearchStrategy):
            raise TypeError(f"MaskSpec: `configs` must be a Hypothesis strategy, got {self.configs!r}")
        if not callable(self.input_shapes):
            raise TypeError(f"MaskSpec: `input_shapes` must be callable, got {self.input_shapes!r}")
        if not (callable(self.zeroed) or (self.zeroed is None and self.random)):
            raise TypeError(f"MaskSpec: `zeroed` must be callable (None only with random=True), got {self.zeroed!r}")
        unknown = [d for d in self.dtypes if d not in ALL_DTYPES]
        if unknown:
            raise ValueError(f"MaskSpec: `dtypes` has names outside {ALL_DTYPES}: {unknown}")
        unknown = [m for m in self.modes if m not in VALUE_MODES]
        if unknown:
            raise ValueError(f"MaskSpec: `modes` has names outside {VALUE_MODES}: {unknown}")
        if not isinstance(self.landmarks, tuple):
            raise TypeError(f"MaskSpec: `landmarks` must be a tuple of (config, shape) pairs, got {self.landmarks!r}")
        for landmark in self.landmarks:
            if not (isinstance(landmark, tuple) and len(landmark) in (2, 3) and isinstance(landmark[0], dict)
                    and isinstance(landmark[1], tuple) and all(isinstance(n, int) and n >= 0 for n in landmark[1])
                    and (len(landmark) == 2 or landmark[2] in ALL_DTYPES)):
                raise TypeError(f"MaskSpec: each of `landmarks` must be a (config, shape) pair or a (config, shape, "
                                f"dtype name) triple, got {landmark!r}")
        if not isinstance(self.alternatives, tuple) or not all(
                isinstance(a, dict) and a and set(a) <= {"zeroed", "keras_mask"} and all(map(callable, a.values()))
                for a in self.alternatives):
            raise TypeError(f"MaskSpec: `alternatives` must be a tuple of dicts of callables for 'zeroed' and/or "
                            f"'keras_mask', got {self.alternatives!r}")
        if not isinstance(self.bad_types, tuple) or any(kind not in BAD_TYPE_KINDS for kind in self.bad_types):
            raise ValueError(f"MaskSpec: `bad_types` must be a tuple of {sorted(BAD_TYPE_KINDS)}, got {self.bad_types!r}")

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

    def cast_input(self, x):
        """``x`` as the layer claims to see it: cast to the dtype ``casts`` names, if any.

        A layer that casts first computes its region on the cast values (Masking compares
        float32 steps with its mask value, so a tiny float64 step becomes a masked 0.0)."""
        x = np.asarray(x)
        dtype = numpy_dtype(self.output_dtype(x.dtype))
        if x.dtype == dtype:
            return x
        with np.errstate(all="ignore"):
            out = x.astype(dtype)
        return _quiet_converted_nans(x, out)

    def region(self, x, config):
        """The reference's zeroed region for ``x``, judged on the input after its claimed cast."""
        return np.asarray(self.zeroed(self.cast_input(x), config), bool)

    def expected(self, x, config):
        """What the layer must return for ``x``: +0 in the zeroed region, ``x``'s bits elsewhere
        (after the documented ``casts``)."""
        out = np.array(self.cast_input(x), copy=True)
        out[self.region(x, config)] = np.zeros((), out.dtype)
        return out

    def references(self):
        """This spec, then one spec per entry of ``alternatives`` (with none of its own)."""
        return [self] + [dataclasses.replace(self, **alternative, alternatives=()) for alternative in self.alternatives]

    def reference_for(self, out, x, config):
        """Of :meth:`references`, the one ``out`` follows (the fewest mismatched elements; this
        spec where they tie, or where ``out`` has another shape or dtype).  Judge ``out`` by its
        ``region``, ``expected`` and ``mismatches``."""
        if not self.alternatives:
            return self
        out = np.asarray(out)
        if out.shape != np.shape(x) or out.dtype != numpy_dtype(self.output_dtype(np.asarray(x).dtype)):
            return self
        return min(self.references(), key=lambda ref: int(ref._own_mismatches(out, x, config).sum()))

    def mismatches(self, out, x, config):
        """Where ``out`` breaks the reference for ``x`` (the one it follows, of
        :meth:`references`): a boolean array, True where its bits are not :meth:`expected`'s.
        One allowance, for the arithmetic that really happens: where a claimed cast (``casts``)
        gives a subnormal, a CPU kernel may flush it to a zero of the same sign
        (flush-to-zero), so that zero is accepted too."""
        return self.reference_for(out, x, config)._own_mismatches(out, x, config)

    def disagreement(self, out, other, x, config):
        """Where two outputs for ``x`` (two modes', two devices') differ bit for bit, but
        nowhere if the spec has ``alternatives`` and each output follows one of its references
        in full: the arithmetic may differ there, and each result is right."""
        from properties.bitwise import bit_mismatches

        diff = bit_mismatches(out, other)
        if diff.any() and self.alternatives and not self.mismatches(out, x, config).any() \
                and not self.mismatches(other, x, config).any():
            return np.zeros_like(diff)
        return diff

    def _own_mismatches(self, out, x, config):
        from properties.bitwise import bit_mismatches

        expected = self.expected(x, config)
        diff = bit_mismatches(out, expected)
        if diff.any() and np.asarray(x).dtype != expected.dtype and expected.dtype.kind in "fc":
            diff &= bit_mismatches(out, _flush_subnormals(expected))
        return diff

    def with_layer(self, layer):
        """The same spec checking another implementation with the same constructor."""
        return dataclasses.replace(self, layer=layer)


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
    from properties.bitwise import as_bits

    if x.dtype.kind != "f" or out.dtype.kind != "f" or x.dtype.name == "bfloat16" or out.dtype.name == "bfloat16":
        return out
    with np.errstate(invalid="ignore"):
        nan = np.isnan(out)
    if nan.any():
        quiet = {2: 0x0200, 4: 0x00400000, 8: 0x0008000000000000}[out.dtype.itemsize]
        bits = as_bits(out)
        bits[nan] |= np.array(quiet, bits.dtype)
    return out


def import_object(path, what):
    """``"package.module:attr"`` -> the object; the module is found on ``sys.path`` (cwd first)."""
    module_name, sep, attr = path.partition(":")
    if not sep or not module_name or not attr:
        raise ValueError(f"{what} must look like MODULE:ATTR, got {path!r}")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise ImportError(f"{what} {path!r}: cannot import module {module_name!r} ({error}); it is looked up in "
                          f"the current directory and on PYTHONPATH") from error
    obj = module
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise ValueError(f"{what} {path!r}: module {module_name!r} has no attribute {attr!r}") from None
    return obj


def builtin_specs():
    """Built-in specs by name."""
    from properties.specs import BUILTIN_SPECS

    return dict(BUILTIN_SPECS)


def load_spec(name_or_path):
    """A built-in spec name (``center-zero``) or ``MODULE:ATTR`` naming a :class:`MaskSpec`."""
    specs = builtin_specs()
    if name_or_path in specs:
        return specs[name_or_path]
    if ":" not in name_or_path:
        raise ValueError(f"unknown spec {name_or_path!r}: built-in specs are {sorted(specs)}, or give MODULE:ATTR")
    spec = import_object(name_or_path, "SPEC")
    if not isinstance(spec, MaskSpec):
        raise ValueError(f"SPEC {name_or_path!r} is a {type(spec).__name__}, not a properties.MaskSpec")
    return spec
