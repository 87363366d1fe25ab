"""The center-zero specimens (``properties/specs/center_zero_specimens.py``) are well formed: one
``CenterZero`` subclass per promise id, each documented under its promise, registered with
Keras, and built from the default config.  Whether each is caught is the job of the property
runs, not of this fast test."""

import pytest
import tensorflow as tf

from centerzero import CenterZero
from properties.core.keras_compat import keras
from properties.core.promises import BY_ID
from properties.specs.center_zero_specimens import SPECIMENS

ENTRIES = sorted(SPECIMENS.items())


def test_keys_are_promise_ids():
    unknown = sorted(set(SPECIMENS) - set(BY_ID))
    assert not unknown, f"SPECIMENS keys that are not promise ids: {unknown}"


def test_one_class_per_promise():
    classes = list(SPECIMENS.values())
    assert len(set(classes)) == len(classes), "a class is filed under two promises"


@pytest.mark.parametrize("promise_id, cls", ENTRIES, ids=[p for p, _ in ENTRIES])
def test_specimen_is_a_documented_center_zero(promise_id, cls):
    assert isinstance(cls, type) and issubclass(cls, CenterZero) and cls is not CenterZero
    doc = cls.__doc__ or ""
    assert f"``{promise_id}``" in doc, f"{cls.__name__}'s docstring does not name its promise {promise_id!r}"
    for part in ("Breaks", "Mistake:", "Caught by:"):
        assert part in doc, f"{cls.__name__}'s docstring has no {part!r}"


@pytest.mark.parametrize("promise_id, cls", ENTRIES, ids=[p for p, _ in ENTRIES])
def test_specimen_builds_with_the_default_config(promise_id, cls):
    layer = cls()
    layer.build(tf.TensorShape([2, 6, 7]))
    assert layer.built
    assert tuple(layer.size) == (2, 2) and tuple(layer.axes) == (-2, -1)
    assert keras.utils.get_registered_object(keras.utils.get_registered_name(cls)) is cls
