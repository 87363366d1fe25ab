"""Running properties: one cell under Hypothesis (``runner``), and the main job, ``verify``, over
every cell of a spec (``verify``)."""
