"""Contracts 1.1, 1.4 and 1.7: what a Keras layer promises about its constructor.

* ``keras-arguments``: Keras's own keyword arguments pass through: ``name`` and ``trainable``
  reach the layer and its ``get_config``, ``dtype="float64"`` its dtype (``layer.dtype``, the
  variable dtype in Keras 2 and 3; the layer does not autocast, so that is all it sets).
* ``config-roundtrip``: ``from_config(get_config())`` gives a layer with the same config
  (compared as JSON, tuples as lists, as a ``.keras`` file stores it), the same ``name``,
  ``trainable`` and ``dtype``, every constructor argument of the config in ``get_config()``,
  and the same output bits on a drawn input; half the examples also pass Keras's arguments.
* ``no-autocast``: under a mixed-precision global policy (``mixed_float16`` or
  ``mixed_bfloat16``, the previous policy always restored), a layer built there keeps every
  claimed input dtype, called eagerly or in a functional model built under the policy, and
  its output is the reference's bits.
"""

import json

import numpy as np
from hypothesis import strategies as st

from properties.core.dtypes import dtype_name, numpy_dtype
from properties.core.failures import element_mismatch
from properties.core.keras_compat import keras
from properties.strategies.cases import cases
from properties.checks.table import Property
from properties.spec import judge

#: The Keras arguments ``keras-arguments`` passes (a name no layer gets by default).
PROBE_NAME = "probe_layer_7"
POLICIES = ("mixed_float16", "mixed_bfloat16")


def check_keras_arguments(ctx, config):
    ctx.event(f"{len(config)} constructor arguments")
    layer = ctx.spec.build({**config, "name": PROBE_NAME, "trainable": False})
    where = f"{type(layer).__name__}(**{{**{config}, name={PROBE_NAME!r}, trainable=False}})"
    if layer.name != PROBE_NAME:
        ctx.fail(f"{where}: layer.name={layer.name!r}, but should be {PROBE_NAME!r}")
    if layer.trainable is not False:
        ctx.fail(f"{where}: layer.trainable={layer.trainable!r}, but should be False")
    saved = layer.get_config()
    if saved.get("name") != PROBE_NAME:
        ctx.fail(f"{where}: get_config()['name']={saved.get('name', '<missing>')!r}, but should be {PROBE_NAME!r}")
    if saved.get("trainable", "<missing>") is not False:
        ctx.fail(f"{where}: get_config()['trainable']={saved.get('trainable', '<missing>')!r}, but should be False")
    layer = ctx.spec.build({**config, "dtype": "float64"})
    if dtype_name(layer.dtype) != "float64":
        ctx.fail(f"{type(layer).__name__}(**{{**{config}, dtype='float64'}}): layer.dtype={layer.dtype!r}, "
                 "but should be float64")


def _as_json(config):
    """``config`` as a ``.keras`` file stores it: JSON, tuples as lists, keys sorted."""
    return json.dumps(config, sort_keys=True, default=str)


@st.composite
def _roundtrip_cases(draw, spec):
    case = draw(cases(spec))
    keras_arguments = draw(st.sampled_from([{}, {"name": PROBE_NAME, "trainable": False, "dtype": "float64"}]))
    return case, keras_arguments


def check_config_roundtrip(ctx, drawn):
    case, keras_arguments = drawn
    ctx.label(case)
    ctx.event("with Keras arguments" if keras_arguments else "without Keras arguments")
    layer = ctx.spec.build({**case.config, **keras_arguments})
    config = layer.get_config()
    missing = sorted(set(case.config) - set(config))
    if missing:
        ctx.fail(f"get_config() has no {missing}, but should hold every constructor argument of {case.config} "
                 f"(it holds {sorted(config)})", case)
    clone = type(layer).from_config(config)
    again = clone.get_config()
    if _as_json(again) != _as_json(config):
        keys = sorted(k for k in set(config) | set(again)
                      if _as_json(config.get(k, "<missing>")) != _as_json(again.get(k, "<missing>")))
        ctx.fail(f"from_config(get_config()).get_config() differs at {keys}: "
                 + "; ".join(f"{k}={again.get(k, '<missing>')!r}, but should be {config.get(k, '<missing>')!r}"
                             for k in keys[:3]), case)
    for attribute in ("name", "trainable"):
        if getattr(clone, attribute) != getattr(layer, attribute):
            ctx.fail(f"from_config(get_config()).{attribute}={getattr(clone, attribute)!r}, but should be "
                     f"{getattr(layer, attribute)!r}", case)
    if dtype_name(clone.dtype) != dtype_name(layer.dtype):
        ctx.fail(f"from_config(get_config()).dtype={clone.dtype!r}, but should be {layer.dtype!r}", case)
    reference = np.asarray(layer(case.x))
    out = np.asarray(clone(case.x))
    if out.shape != reference.shape or out.dtype != reference.dtype:
        ctx.fail(f"from_config(get_config()) gave out.shape={out.shape}, out.dtype={out.dtype}, but the original "
                 f"layer gave {reference.shape}, {reference.dtype}", case)
    detail = element_mismatch("out", out, reference,
                              judge.disagreement(ctx.spec, out, reference, case.x, case.config))
    if detail:
        ctx.fail(f"from_config(get_config()) differs from the original layer: {detail} (the original's value is "
                 "'should be')", case)


@st.composite
def _policy_cases(draw, spec, column):
    return draw(cases(spec, spec.dtypes_in("eager"))), draw(st.sampled_from(POLICIES))


def _under_policy(policy, fn):
    previous = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy(policy)
    try:
        return fn()
    finally:
        keras.mixed_precision.set_global_policy(previous)


def check_no_autocast(ctx, drawn):
    case, policy = drawn
    ctx.label(case)
    ctx.event(f"policy {policy}")
    dtype = case.x.dtype

    def run():
        layer = ctx.spec.build(case.config)
        if ctx.column == "eager":
            return None, np.asarray(layer(case.x))
        # Unknown lengths where the spec claims them; else the input's own (BorderZero's
        # Cropping2D needs static lengths).
        free = "graph-unknown-dims" in ctx.spec.modes
        inputs = keras.Input(shape=(None,) * (case.x.ndim - 1) if free else case.x.shape[1:], dtype=dtype_name(dtype))
        outputs = layer(inputs)
        return dtype_name(outputs.dtype), np.asarray(keras.Model(inputs, outputs)(case.x))

    symbolic, out = _under_policy(policy, run)
    where = f"under the global policy {policy}"
    if symbolic is not None and symbolic != dtype_name(dtype):
        ctx.fail(f"{where}, in a functional model: the symbolic output's dtype is {symbolic}, but should be "
                 f"{dtype_name(dtype)}, the input's", case)
    if out.dtype != numpy_dtype(dtype) or out.shape != case.x.shape:
        ctx.fail(f"{where}: out.dtype={dtype_name(out.dtype)}, out.shape={out.shape}, but should be "
                 f"{dtype_name(dtype)}, {case.x.shape}, the input's", case)
    reference = judge.reference_for(ctx.spec, out, case.x, case.config)
    expected = judge.expected(reference, case.x, case.config)
    detail = element_mismatch("out", out, expected, judge.mismatches(reference, out, case.x, case.config))
    if detail:
        ctx.fail(f"{where}: {detail}", case)


PROPERTIES = [
    Property("keras-arguments", "name, trainable and dtype pass through the constructor to the layer and its config",
             lambda spec: ["constructor"], lambda spec, column: spec.configs, check_keras_arguments,
             promises=("keras-arguments",)),
    Property("config-roundtrip", "from_config(get_config()) keeps every argument and gives the same bits",
             lambda spec: ["constructor"], lambda spec, column: _roundtrip_cases(spec), check_config_roundtrip,
             promises=("config-roundtrip",)),
    Property("no-autocast", "under a mixed-precision policy the output keeps the input's dtype and bits",
             lambda spec: ["eager", "functional"], _policy_cases, check_no_autocast,
             applies=lambda spec: spec.zeroed is not None and not spec.casts, promises=("no-autocast",)),
]
