"""``selftest --engine wrap``: each operator becomes a subclass of the spec's layer class (same
constructor), is proved to be a real defect for the spec, then every property cell of the spec's
plan runs against it until one fails (the kill).

>>> from properties.specs import BUILTIN_SPECS
>>> from properties.tools.selftest.operators import operators_by_name
>>> spec = BUILTIN_SPECS["center-zero"]
>>> [op] = operators_by_name(["nan-scrubbed"])
>>> result = run_mutant(spec, op, profile="quick")
>>> result.killed, result.killed_by
(True, 'zeroed-exactly/eager')   # the first cell whose examples catch it
"""

import dataclasses
import inspect
import os
import signal
import tempfile
import time
import warnings

import numpy as np
import tensorflow as tf
from hypothesis import HealthCheck, Phase, given, settings

from properties.core.keras_compat import keras, register_serializable
from properties.core.bits import bit_mismatches
from properties.strategies.cases import cases
from properties.strategies.special_values import special_values
from properties.spec import judge


class NotApplicable(Exception):
    """The operator cannot plant a real defect into this spec's layer; ``str`` says why."""


@dataclasses.dataclass
class MutantResult:
    """One row of the kill matrix."""

    operator: str
    group: str
    summary: str
    applicable: bool = False
    reason: str = ""  # why not applicable
    proof: dict = dataclasses.field(default_factory=dict)  # the input that shows the defect
    killed: bool = False
    killed_by: str = ""  # "property/column"
    message: str = ""  # the killing cell's failure, first lines
    examples: int = 0  # examples run in all cells until the kill (or in all cells, for a survivor)
    kill_examples: int = 0  # examples the killing cell ran
    cells: int = 0  # cells run
    seconds: float = 0.0  # the property run
    proof_seconds: float = 0.0
    void_kills: list = dataclasses.field(default_factory=list)  # cells the original layer fails too

    @property
    def status(self):
        return "n/a" if not self.applicable else "killed" if self.killed else "SURVIVED"


# -- mutant classes ----------------------------------------------------------------------------

_CLASSES = {}


def mutant_class(spec, op):
    """The spec's layer class with ``op``'s defect planted, registered for ``.keras`` loading
    unless the operator says not to.  Cached per (layer class, operator)."""
    base = spec.layer
    if not (isinstance(base, type) and issubclass(base, keras.layers.Layer)):
        raise NotApplicable(f"spec.layer is {base!r}, not a Keras layer class: the wrap engine subclasses it")
    key = (base, op.name, spec.name)
    if key in _CLASSES:
        return _CLASSES[key]
    parent_call = base.call
    signature = inspect.signature(parent_call)
    has_training = "training" in signature.parameters
    params = list(signature.parameters.values())
    if op.needs_training and not has_training:
        extra = inspect.Parameter("training", inspect.Parameter.KEYWORD_ONLY, default=None)
        at = next((i for i, p in enumerate(params) if p.kind == p.VAR_KEYWORD), len(params))
        params.insert(at, extra)

    def __init__(self, *args, **kwargs):
        base.__init__(self, *args, **kwargs)
        self._selftest_config = dict(kwargs)
        if op.on_init is not None:
            op.on_init(self)

    def call(self, inputs, *args, **kwargs):
        training = kwargs.get("training")
        if not has_training:
            kwargs.pop("training", None)
        out = parent_call(self, inputs, *args, **kwargs)
        if op.after_call is not None:
            out = op.after_call(self, tf.convert_to_tensor(inputs), tf.convert_to_tensor(out),
                                {"training": training, "spec": spec})
        return out

    call.__signature__ = signature.replace(parameters=params)
    body = {"__init__": __init__, "call": call, "__module__": __name__, "_selftest_spec": spec,
            "_selftest_operator": op.name, "_selftest_shared": {}}
    if op.before_call is not None:
        def __call__(self, inputs, *args, **kwargs):
            return base.__call__(self, op.before_call(self, inputs), *args, **kwargs)

        body["__call__"] = __call__
    if op.get_config is not None:
        def get_config(self):
            return op.get_config(self, base.get_config(self))

        body["get_config"] = get_config
    if op.compute_mask is not None:
        def compute_mask(self, inputs, mask=None):
            return op.compute_mask(self, inputs, mask)

        body["compute_mask"] = compute_mask
    name = f"{base.__name__}_{op.name.replace('-', '_')}"
    cls = type(name, (base,), body)
    if op.register:
        register_serializable(package="properties.tools.selftest", name=f"{spec.name}.{base.__qualname__}.{op.name}")(cls)
    _CLASSES[key] = cls
    return cls


# -- proofs ------------------------------------------------------------------------------------

def draw_examples(strategy, count, key):
    """``count`` examples of ``strategy``, the same on every run (derandomised by ``key``)."""
    found = []

    # Only drawing happens here (no layer runs), and big inputs are drawn on purpose: the checks
    # about slow or filtered generation say nothing about a proof's examples.
    @settings(max_examples=count, derandomize=True, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    @given(strategy)
    def collect(value):
        found.append(value)

    collect._hypothesis_internal_add_digest = key.encode()
    collect()
    return found


def _dense_specials(x):
    """``x`` with every element a special value of its dtype, cycling (NaN, inf, -0.0, ...)."""
    specials = special_values(x.dtype)
    if x.size == 0 or x.dtype == np.bool_:
        return None
    dense = x.copy()
    dense.reshape(-1)[:] = np.resize(specials, x.size)
    return dense


def _grow(x, config, spec, grow):
    """``x`` tiled along a batch axis until it exceeds ``grow``, or None if it cannot be."""
    if grow is None:
        return x
    kind, limit = grow
    axes = [a % x.ndim for a in spec.batch_axes(config, x.ndim)]
    if kind == "batch":
        axes = [a for a in axes if a == 0]
    axes = [a for a in axes if x.shape[a] > 0]
    if not axes or x.size == 0:
        return None
    axis, n = axes[0], x.shape[axes[0]]
    needed = limit + 1 if kind == "batch" else limit // (x.size // n) + 1
    return np.concatenate([x] * (-(-needed // n)), axis=axis)


def call_layer(layer, x, mode="eager", training=None):
    """The layer's output on ``x`` in ``mode`` (eager, graph, xla), as NumPy."""
    kwargs = {} if training is None else {"training": training}
    if mode == "eager":
        return np.asarray(layer(x, **kwargs))
    fn = tf.function(lambda t: layer(t, **kwargs), jit_compile=(mode == "xla"))
    return np.asarray(fn(tf.constant(x)))


def _outcome(fn):
    try:
        return fn(), None
    except Exception as error:  # noqa: BLE001 - a mutant that raises where the original does not is a defect
        return None, f"{type(error).__name__}: {str(error).splitlines()[0][:200] if str(error) else ''}"


def _differs(a, b):
    if a.shape != b.shape or a.dtype != b.dtype:
        return f"shape/dtype {a.shape} {a.dtype}, expected {b.shape} {b.dtype}"
    wrong = bit_mismatches(a, b)
    if wrong.any():
        index = tuple(int(i) for i in np.argwhere(wrong)[0])
        return f"{int(wrong.sum())} elements differ bitwise, first at {index}: {a[index]!r} instead of {b[index]!r}"
    return None


def _proof(case_config, x, mode, training, detail, dtype=None):
    return {"config": case_config, "dtype": dtype or str(x.dtype), "shape": tuple(int(n) for n in x.shape),
            "mode": mode, "training": training, "shows": detail}


def _candidates(spec, op, count=8):
    """Proof inputs: per claimed dtype the perturbation can touch, a few drawn cases, each also
    with every element a special value."""
    dtypes = [d for d in spec.dtypes_in(op.proof_mode) if op.dtypes is None or op.dtypes(d)]
    if not dtypes:
        raise NotApplicable(f"the perturbation touches no dtype the spec claims ({', '.join(spec.dtypes)})")
    for dtype in dtypes:
        for case in draw_examples(cases(spec, [dtype]), count, f"selftest/{spec.name}/{op.name}/{dtype}"):
            if case.x.size == 0:
                continue
            for x in (_dense_specials(case.x), case.x):
                if x is not None:
                    x = _grow(x, case.config, spec, op.grow)
                    if x is not None:
                        yield case.config, dtype, x


def _expected(spec, original, x, config, mode, training):
    """What the layer must return: the reference, or for a random spec the original layer."""
    if spec.zeroed is not None:
        return judge.expected(spec, x, config)
    return call_layer(original, x, mode, training)


def prove_values(spec, op, cls):
    trainings = [op.proof_training] if op.proof_training is not None else [None] + ([True] if spec.random else [])
    tried = 0
    for config, dtype, x in _candidates(spec, op):
        for training in trainings:
            tried += 1
            original = spec.layer(**config)
            want, error = _outcome(lambda: _expected(spec, original, x, config, op.proof_mode, training))
            if error:
                continue
            got_original, error = _outcome(lambda: call_layer(original, x, op.proof_mode, training))
            if error or _differs(got_original, want):
                continue  # the original itself is off here (a known finding): no proof
            got, error = _outcome(lambda: call_layer(cls(**config), x, op.proof_mode, training))
            detail = f"raises {error}" if error else _differs(got, want)
            if detail:
                return _proof(config, x, op.proof_mode, training, detail, dtype)
    raise NotApplicable(f"no difference from the reference on {tried} inputs ({op.proof_mode}"
                        f"{', training=True' if op.proof_training else ''}): the perturbation changes nothing "
                        f"on this spec's dtypes and inputs")


def _any_case(spec, op, count=6):
    return draw_examples(cases(spec), count, f"selftest/{spec.name}/{op.name}")


def prove_weights(spec, op, cls):
    from properties.checks.state import _weights

    for case in _any_case(spec, op):
        layer = cls(**case.config)
        _outcome(lambda: layer(case.x))
        held = {kind: len(found) for kind, found in _weights(layer).items() if found}
        original = spec.layer(**case.config)
        _outcome(lambda: original(case.x))
        if held and not any(_weights(original).values()):
            return _proof(case.config, case.x, "eager", None, f"after a call the layer holds {held}")
    raise NotApplicable("the layer holds no weights or variables after a call")


def prove_same_shape_twice(spec, op, cls):
    for case in _any_case(spec, op, 10):
        if case.x.size == 0:
            continue
        layer = cls(**case.config)
        second = _dense_specials(case.x)
        second = second if second is not None else np.logical_not(case.x)
        want, error = _outcome(lambda: _expected(spec, spec.layer(**case.config), second, case.config, "eager", None))
        if error:
            continue
        _outcome(lambda: layer(case.x))
        got, error = _outcome(lambda: call_layer(layer, second))
        detail = f"raises {error}" if error else _differs(got, want)
        if detail:
            return _proof(case.config, second, "eager", None, "second call, same shape, other values: " + detail)
    raise NotApplicable("two calls of one instance on inputs of one shape gave the reference both times")


def prove_two_instances(spec, op, cls):
    drawn = _any_case(spec, op, 12)
    for first in drawn:
        for second in drawn:
            if first is second or first.config == second.config or first.x.size == 0:
                continue
            x = first.x.astype(second.x.dtype) if first.x.dtype != second.x.dtype else first.x
            want, error = _outcome(lambda: _expected(spec, spec.layer(**second.config), x, second.config,
                                                     "eager", None))
            if error or _outcome(lambda: spec.layer(**second.config)(x))[1]:
                continue
            cls._selftest_shared.clear()
            _outcome(lambda: cls(**first.config)(first.x))
            got, error = _outcome(lambda: call_layer(cls(**second.config), x))
            detail = f"raises {error}" if error else _differs(got, want)
            if detail:
                return _proof(second.config, x, "eager", None,
                              f"after an instance with config {first.config} saw this shape: {detail}")
    raise NotApplicable("no pair of configs and one shape where instances interfere")


def prove_input_written(spec, op, cls):
    for case in _any_case(spec, op):
        if case.x.size == 0:
            continue
        x = case.x.copy()
        before = x.copy()
        _outcome(lambda: cls(**case.config)(x))
        if bit_mismatches(x, before).any():
            return _proof(case.config, x, "eager", None, "the writable NumPy input was modified by the call")
    raise NotApplicable("no writable input was modified")


def prove_keras_mask(spec, op, cls):
    for case in _any_case(spec, op):
        mask = np.ones(case.x.shape[:-1] or case.x.shape, bool)
        original, error = _outcome(lambda: spec.layer(**case.config).compute_mask(tf.constant(case.x),
                                                                                 tf.constant(mask)))
        got, error2 = _outcome(lambda: cls(**case.config).compute_mask(tf.constant(case.x), tf.constant(mask)))
        if not error and original is not None and (error2 or got is None):
            return _proof(case.config, case.x, "eager", None,
                          f"compute_mask with an incoming mask returns {error2 or got!r}")
    raise NotApplicable("the original layer does not pass an incoming mask either")


def prove_config_round_trip(spec, op, cls):
    for case in _any_case(spec, op, 12):
        layer = cls(**case.config)
        clone, error = _outcome(lambda: type(layer).from_config(layer.get_config()))
        if error:
            return _proof(case.config, case.x, "from-config", None, f"from_config(get_config()) raises {error}")
        want, error = _outcome(lambda: _expected(spec, spec.layer(**case.config), case.x, case.config, "eager",
                                                 None))
        if error or _outcome(lambda: spec.layer(**case.config)(case.x))[1]:
            continue
        got, error = _outcome(lambda: call_layer(clone, case.x))
        detail = f"raises {error}" if error else _differs(got, want)
        if detail:
            return _proof(case.config, case.x, "from-config", None, "the rebuilt layer: " + detail)
    raise NotApplicable("every rebuilt layer behaved as the original (no config argument changes the output)")


def prove_keras_file(spec, op, cls):
    case = _any_case(spec, op, 1)[0]
    with tempfile.TemporaryDirectory(prefix="selftest-") as tmp:
        def save_and_load(layer_class, name):
            inputs = keras.Input(shape=(None,) * (case.x.ndim - 1), dtype=case.dtype)
            path = os.path.join(tmp, name)
            keras.Model(inputs, layer_class(**case.config)(inputs)).save(path)
            return keras.models.load_model(path)

        _, original_error = _outcome(lambda: save_and_load(spec.layer, "original.keras"))
        _, error = _outcome(lambda: save_and_load(cls, "mutant.keras"))
    if error and not original_error:
        return _proof(case.config, case.x, "keras-file", None, f"load_model without custom_objects raises {error}")
    raise NotApplicable("the mutant's .keras file loads" if not error else "the original's .keras file fails too")


PROOF_FUNCTIONS = {
    "values": prove_values, "weights": prove_weights, "same-shape-twice": prove_same_shape_twice,
    "two-instances": prove_two_instances, "input-written": prove_input_written, "keras-mask": prove_keras_mask,
    "config-round-trip": prove_config_round_trip, "keras-file": prove_keras_file,
}


def prove(spec, op):
    """``(mutant class, proof dict)``, or raises :class:`NotApplicable` with the reason."""
    reason = op.applies(spec) or _unclaimed_mode(spec, op)
    if reason:
        raise NotApplicable(reason)
    cls = mutant_class(spec, op)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return cls, PROOF_FUNCTIONS[op.proof](spec, op, cls)
        except NotApplicable:
            raise
        except Exception as error:  # noqa: BLE001 - e.g. a layer that builds itself refuses a new weight
            raise NotApplicable(f"the defect cannot be planted in this layer: {type(error).__name__}: "
                                f"{str(error).splitlines()[0][:200]}") from error


#: Modes a defect needs the spec to claim before it can count: a perturbation only under XLA
#: is no defect of a layer that does not claim XLA, nor a class left unregistered of a layer
#: whose spec does not claim `.keras` files.
_NEEDS_MODE = {"xla": ("xla",), "graph": ("graph", "graph-unknown-dims", "xla", "saved-model")}


def _unclaimed_mode(spec, op):
    needed = _NEEDS_MODE.get(op.proof_mode, ())
    if needed and not any(mode in spec.modes for mode in needed):
        return f"the spec claims none of the modes where this defect shows ({', '.join(needed)})"
    if op.proof == "keras-file" and "keras-file" not in spec.modes:
        return "the spec does not claim .keras files (mode keras-file)"
    return None


# -- the kill run ------------------------------------------------------------------------------

#: Kill runs take the cheap columns first (a kill there ends the run sooner); the model-building
#: ones, which rebuild a model from a file per signature, last.  Other columns rank 3.
COLUMN_COST = {"eager": 0, "graph": 1, "graph-unknown-dims": 2, "xla": 4, "from-config": 5, "model-predict": 6,
               "keras-file": 7, "saved-model": 8}


def plan(spec):
    """Every (property, column) cell of the spec, as ``verify`` runs them (the registry's
    properties and their columns), cheapest columns first."""
    from properties.checks.catalogue import all_properties

    cells = [(prop, column) for prop in all_properties() if prop.runs_for(spec) for column in prop.columns(spec)]
    return sorted(cells, key=lambda cell: COLUMN_COST.get(cell[1], 3))


_ORIGINAL_CELLS = {}


def _original_fails(spec, prop, column, base):
    """Whether the unmutated layer fails this cell too (then a failure there is no kill)."""
    from properties.running.runner import run_cell

    key = (spec.name, spec.layer, prop.name, column)
    if key not in _ORIGINAL_CELLS:
        _ORIGINAL_CELLS[key] = bool(run_cell(spec, prop, column, base_settings=base).failures)
    return _ORIGINAL_CELLS[key]


def run_mutant(spec, op, profile="quick", max_examples=None):
    """Prove ``op`` on ``spec`` and run the spec's properties against the mutant until one
    cell fails.  Returns a :class:`MutantResult`."""
    from properties.core.profiles import choose_profile
    from properties.running.runner import run_cell

    result = MutantResult(op.name, op.group, op.summary)
    start = time.perf_counter()
    try:
        cls, result.proof = prove(spec, op)
    except NotApplicable as why:
        result.reason = str(why)
        result.proof_seconds = time.perf_counter() - start
        return result
    result.applicable = True
    result.proof_seconds = time.perf_counter() - start
    choose_profile(profile)
    # No example database: a mutant's failures must not be replayed against the real layer later.
    # No shrinking: the kill is the first failing example; a minimal one costs minutes.
    base = settings(settings.default, database=None, phases=[Phase.explicit, Phase.reuse, Phase.generate])
    mutant = spec.with_layer(cls)  # same name: the same derandomised examples as the original's cells
    start = time.perf_counter()
    for prop, column in plan(mutant):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cell = run_cell(mutant, prop, column, base_settings=base, max_examples=max_examples)
            result.cells += 1
            result.examples += cell.examples
            if cell.failures and _original_fails(spec, prop, column, base):
                result.void_kills.append(f"{prop.name}/{column}")
                continue
        if cell.failures:
            result.killed, result.killed_by = True, f"{prop.name}/{column}"
            result.kill_examples = cell.examples
            result.message = "\n".join(cell.message.splitlines()[:4])
            break
    result.seconds = time.perf_counter() - start
    return result


def _worker_init(spec_arg, layer_arg, profile):
    # A Ctrl-C reaches the parent alone, which ends the workers itself (see run_wrap).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import logging

    tf.get_logger().setLevel(logging.ERROR)
    from properties.execution.devices import split_cpu_for_device_checks

    split_cpu_for_device_checks()
    global _WORKER_SPEC
    _WORKER_SPEC = load(spec_arg, layer_arg)


def _worker_run(name, profile, max_examples):
    from properties.tools.selftest.operators import operators_by_name

    [op] = operators_by_name([name])
    return run_mutant(_WORKER_SPEC, op, profile, max_examples)


def load(spec_arg, layer_arg=None):
    from properties.core.imports import import_object
    from properties.specs import load_spec

    spec = load_spec(spec_arg)
    return spec.with_layer(import_object(layer_arg, "--layer")) if layer_arg else spec


def run_wrap(spec, operators, profile="quick", jobs=1, spec_arg=None, layer_arg=None, max_examples=None,
             on_result=None):
    """The :class:`MutantResult` of every operator that ran, in library order; ``on_result`` is
    called as each finishes.  ``jobs`` > 1 runs mutants in that many worker processes (spawned,
    each importing TensorFlow once and running many mutants).

    A Ctrl-C (``KeyboardInterrupt``) ends the run at once: the mutants in flight are abandoned
    (their workers ended) and the results so far are returned, so fewer than ``operators``."""
    results = {}
    try:
        if jobs <= 1:
            for op in operators:
                results[op.name] = run_mutant(spec, op, profile, max_examples)
                if on_result:
                    on_result(results[op.name])
        else:
            _run_in_workers(spec, operators, profile, jobs, spec_arg, layer_arg, max_examples, results, on_result)
    except KeyboardInterrupt:
        pass
    return [results[op.name] for op in operators if op.name in results]


def _run_in_workers(spec, operators, profile, jobs, spec_arg, layer_arg, max_examples, results, on_result):
    import concurrent.futures
    import multiprocessing

    with concurrent.futures.ProcessPoolExecutor(
            jobs, mp_context=multiprocessing.get_context("spawn"), initializer=_worker_init,
            initargs=(spec_arg or spec.name, layer_arg, profile)) as pool:
        try:
            futures = {pool.submit(_worker_run, op.name, profile, max_examples): op for op in operators}
            for future in concurrent.futures.as_completed(futures):
                result = future.result()
                results[result.operator] = result
                if on_result:
                    on_result(result)
        except KeyboardInterrupt:
            # The executor has no public way to stop a running task: end its workers (this
            # process's multiprocessing children), then let it shut down without them.
            pool.shutdown(wait=False, cancel_futures=True)
            workers = multiprocessing.active_children()
            for worker in workers:
                worker.terminate()
            for worker in workers:
                worker.join(30)
            raise


__all__ = ["MutantResult", "NotApplicable", "mutant_class", "prove", "run_mutant", "run_wrap", "plan"]
