"""A project's own configuration of the kit, read without TensorFlow or Hypothesis:

* the ``[tool.properties]`` table of the ``pyproject.toml`` in the current directory or the
  nearest one above it: ``specs`` (names or ``MODULE:ATTR``), ``profile``, ``report``,
  ``junitxml``, ``summary``, ``max-examples``, ``max-time``, ``seed`` for ``verify``, and
  ``selftest-fail-under`` for ``selftest``.  Command-line options win over the table.
* the entry-point group ``properties.specs``: a package registers its specs by name::

      [project.entry-points."properties.specs"]
      first-rows-zero = "mymask:SPEC"

  and ``verify first-rows-zero`` finds it wherever the package is installed.  A bare
  ``verify`` checks the specs ``[tool.properties] specs`` names, else those the current
  project registers in its own ``pyproject.toml``.
"""

import importlib.metadata
import os

try:
    import tomllib
except ImportError:  # Python before 3.11: the backport, a dependency of the kit there
    import tomli as tomllib

GROUP = "properties.specs"

#: The keys ``[tool.properties]`` may hold, with their types.
KEYS = {"specs": list, "profile": str, "report": str, "junitxml": str, "summary": str, "max-examples": int,
        "max-time": (int, float), "seed": int, "selftest-fail-under": (int, float)}


def find_pyproject(start=None):
    """The nearest ``pyproject.toml`` at or above ``start`` (the current directory), or None."""
    here = os.path.abspath(start or os.getcwd())
    while True:
        candidate = os.path.join(here, "pyproject.toml")
        if os.path.isfile(candidate):
            return candidate
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


def _read(path):
    with open(path, "rb") as handle:
        return tomllib.load(handle)


def tool_config(start=None):
    """The ``[tool.properties]`` table (``{}`` if none); a ``ValueError`` names a bad key or type."""
    path = find_pyproject(start)
    if path is None:
        return {}
    table = _read(path).get("tool", {}).get("properties", {})
    for key, value in table.items():
        if key not in KEYS:
            raise ValueError(f"{path}: [tool.properties] has an unknown key {key!r}: known keys are {sorted(KEYS)}")
        if not isinstance(value, KEYS[key]) or isinstance(value, bool):
            raise ValueError(f"{path}: [tool.properties] {key} = {value!r} has the wrong type")
    if any(not isinstance(name, str) for name in table.get("specs", [])):
        raise ValueError(f"{path}: [tool.properties] specs must be a list of strings, got {table['specs']!r}")
    return table


def project_specs(start=None):
    """The spec names the current project registers in its own ``pyproject.toml``."""
    path = find_pyproject(start)
    if path is None:
        return []
    return list(_read(path).get("project", {}).get("entry-points", {}).get(GROUP, {}))


def registered_specs():
    """``{name: "MODULE:ATTR"}`` of every installed distribution's ``properties.specs`` entry points."""
    return {entry.name: entry.value for entry in importlib.metadata.entry_points(group=GROUP)}


def default_specs(start=None):
    """What a bare ``verify`` checks: ``[tool.properties] specs``, else the project's registered specs."""
    return list(tool_config(start).get("specs") or project_specs(start))
