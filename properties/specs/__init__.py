"""Built-in specs, by the name ``python -m properties verify`` takes, and ``load_spec`` for a
built-in name or a user's ``MODULE:ATTR``."""

from properties.core.config import registered_specs
from properties.core.imports import import_object
from properties.spec.mask_spec import MaskSpec

from properties.specs.band_zero import BAND_ZERO
from properties.specs.border_zero import BORDER_ZERO
from properties.specs.causal_zero import CAUSAL_ZERO
from properties.specs.center_zero import CENTER_ZERO
from properties.specs.keras_masking import KERAS_MASKING
from properties.specs.random_cutout import RANDOM_CUTOUT

BUILTIN_SPECS = {
    spec.name: spec for spec in (CENTER_ZERO, KERAS_MASKING, BORDER_ZERO, CAUSAL_ZERO, BAND_ZERO, RANDOM_CUTOUT)
}


def builtin_specs():
    """Built-in specs by name."""
    return dict(BUILTIN_SPECS)


def load_spec(name_or_path):
    """A built-in spec name (``center-zero``), a name registered in the ``properties.specs``
    entry-point group, or ``MODULE:ATTR`` naming a :class:`MaskSpec`."""
    if name_or_path in BUILTIN_SPECS:
        return BUILTIN_SPECS[name_or_path]
    registered = registered_specs()
    if name_or_path in registered:
        name_or_path = registered[name_or_path]
    if ":" not in name_or_path:
        raise ValueError(f"unknown spec {name_or_path!r}: built-in specs are {sorted(BUILTIN_SPECS)}, "
                         "or give MODULE:ATTR")
    spec = import_object(name_or_path, "SPEC")
    if not isinstance(spec, MaskSpec):
        raise ValueError(f"SPEC {name_or_path!r} is a {type(spec).__name__}, not a properties.MaskSpec")
    return spec
