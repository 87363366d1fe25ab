"""Built-in specs, by the name ``python -m properties verify`` takes."""

from properties.specs.center_zero import CENTER_ZERO

BUILTIN_SPECS = {CENTER_ZERO.name: CENTER_ZERO}
