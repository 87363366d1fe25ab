"""The spec type: ``MaskSpec`` and its helper types (``mask_spec``: the data a user writes), and the
judge (``judge``: the reference output and the exact comparisons every property uses).
The spec type never imports a spec: the built-in ones live in ``properties.specs``."""
