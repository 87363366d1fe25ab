"""Tools built on the kit: ``soak`` (randomised runs of the main job), ``selftest`` (mutation
scores of the properties), ``known_crashes`` (checks a spec's declared crashes in child processes)."""
