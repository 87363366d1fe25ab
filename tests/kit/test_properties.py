"""The property suite over every built-in spec: one test per property and column.

``center-zero`` gets the profile's full count of examples; the other specs, there to show the
kit on other layers, a third of it, so that the suite stays within its time under ``-n auto``.
"""

from properties.pytest_plugin import property_tests
from properties.specs import builtin_specs

for _name, _spec in builtin_specs().items():
    globals()[f"test_{_name.replace('-', '_')}"] = property_tests(
        _spec, examples_scale=1.0 if _name == "center-zero" else 1 / 3
    )
