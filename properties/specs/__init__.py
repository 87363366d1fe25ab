"""Built-in specs, by the name ``python -m properties verify`` takes."""

from properties.specs.band_zero import BAND_ZERO
from properties.specs.border_zero import BORDER_ZERO
from properties.specs.causal_zero import CAUSAL_ZERO
from properties.specs.center_zero import CENTER_ZERO
from properties.specs.keras_masking import KERAS_MASKING
from properties.specs.random_cutout import RANDOM_CUTOUT

BUILTIN_SPECS = {
    spec.name: spec for spec in (CENTER_ZERO, KERAS_MASKING, BORDER_ZERO, CAUSAL_ZERO, BAND_ZERO, RANDOM_CUTOUT)
}
