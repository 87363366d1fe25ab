"""The property suite over every built-in spec: one test per property and column."""

from properties.pytest_plugin import property_tests
from properties.spec import builtin_specs

for _name, _spec in builtin_specs().items():
    globals()[f"test_{_name.replace('-', '_')}"] = property_tests(_spec)
