"""properties: a reusable Hypothesis property kit for Keras mask layers.

What a user writes against, all importable from here::

    from properties import MaskSpec, map_shapes, property_tests, verify

A spec (:class:`MaskSpec`) describes a mask layer as data; every property runs against every
spec, in every execution mode it claims.  ``verify`` runs them all and returns the result;
``property_tests`` turns them into pytest tests.

The names below load on first use (PEP 562), not at ``import properties``: the pytest plugin
and the command line's usage errors import this package, and must not import TensorFlow or
Hypothesis for it.
"""

import importlib

#: name -> the module that defines it.  ``tests/kit/test_public_api.py`` holds this, ``__all__``
#: and the documented API (``docs/kit/api.md``) equal.
_EXPORTS = {
    # the spec type and its helper types
    "MaskSpec": "properties.spec.mask_spec",
    "BadInput": "properties.spec.mask_spec",
    "KnownCrash": "properties.spec.mask_spec",
    "VALUE_MODES": "properties.spec.mask_spec",
    # built-in specs, and a user's by MODULE:ATTR
    "load_spec": "properties.specs",
    "builtin_specs": "properties.specs",
    # strategies a spec is written with
    "map_shapes": "properties.strategies.shapes",
    "lengths": "properties.strategies.shapes",
    "special_values": "properties.strategies.special_values",
    # running the properties
    "verify": "properties.running.verify",
    "Verification": "properties.running.verify",
    "property_tests": "properties.pytest_plugin",
    "all_properties": "properties.checks.catalogue",
    "profile_settings": "properties.core.profiles",
    "PropertyFailure": "properties.core.failures",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'properties' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
