"""The property type and the list of all properties, gathered from the ``prop_*`` modules.

A property is data too: a name, the columns (modes, devices or one named column) it runs in,
a strategy of examples for a spec and column, and a check that raises ``PropertyFailure``.
"""

import dataclasses
from typing import Callable

from hypothesis import event

from properties.failures import PropertyFailure

#: Modes whose layer is rebuilt from a file on every new signature: fewer examples there.
EXPENSIVE_COLUMNS = {"keras-file": 0.25, "saved-model": 0.25, "model-predict": 0.5}


def needs_reference(spec):
    """Properties that compare with ``spec.zeroed`` apply to specs that have one."""
    return spec.zeroed is not None


@dataclasses.dataclass(frozen=True)
class Property:
    name: str
    summary: str
    columns: Callable  # spec -> list of column names
    examples: Callable  # (spec, column) -> strategy
    check: Callable  # (Context, drawn) -> None; raises PropertyFailure
    applies: Callable = lambda spec: True


@dataclasses.dataclass
class Context:
    """What a check needs: the spec, the column it runs in, and the executor with its caches."""

    prop: Property
    spec: object
    column: str
    executor: object

    def fail(self, detail, case=None, device=None):
        raise PropertyFailure(
            detail, prop=self.prop.name, spec=self.spec.name, column=self.column, case=case, device=device
        )

    def label(self, case):
        """``event`` statistics that show the generators reach what they claim."""
        event(f"dtype {case.dtype}")
        event(f"rank {case.x.ndim}")
        if case.x.size == 0:
            event("empty input")
        if case.planted.inside:
            event("special value planted inside the zeroed region")
        if case.planted.outside:
            event("special value planted outside the zeroed region")
        for kind in case.planted.kinds:
            event(f"planted {kind}")
        if self.spec.events is not None:
            for text in self.spec.events(case.config, case.x.shape):
                event(text)


def all_properties():
    from properties import prop_claims, prop_errors, prop_execution, prop_keras, prop_metamorphic, prop_reference
    from properties import prop_random, prop_state, prop_values

    modules = [prop_values, prop_state, prop_execution, prop_keras, prop_metamorphic, prop_reference, prop_errors,
               prop_claims, prop_random]
    return [prop for module in modules for prop in module.PROPERTIES]
