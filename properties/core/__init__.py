"""The bottom layer: the kit's own small types and helpers (dtypes, bit views, failures, names,
Hypothesis profiles, Keras compatibility, ``MODULE:ATTR`` loading).  Imports nothing above it."""
