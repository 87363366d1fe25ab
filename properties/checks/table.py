"""The low-level table of the checks: the property type and the context a check runs in.

The check modules fill it (each a ``PROPERTIES`` list); ``properties.checks.catalogue`` gathers them.

A property is data too: a name, the columns (modes, devices or one named column) it runs in,
a strategy of examples for a spec and column, and a check that raises ``PropertyFailure``.
"""

import collections
import dataclasses
from typing import Callable

from hypothesis import event

from properties.core.failures import PropertyFailure
from properties.execution.modes import static_in_xla
from properties.strategies.shapes import size_events

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
    #: A value property: its eager examples sweep every claimed dtype, and its eager cell must
    #: reach every claimed (dtype, special kind, region) combination (the coverage table).
    value: bool = False
    #: ``(spec, column) -> list`` of examples checked first (Hypothesis explicit examples), or None.
    landmarks: Callable = None
    #: The promises it checks (ids of ``properties.core.promises``): an id, for every column of
    #: the property, or ``(id, (column, ...))`` for some columns only.
    promises: tuple = ()
    #: It checks what happens at once (threads): a race shows only sometimes, so a failure it
    #: finds may pass when Hypothesis replays it.  Such a failure is still a finding (kind
    #: "unreliable", with a line that says so); the property's verdict is never loosened.
    races: bool = False

    def runs_for(self, spec):
        """Whether it runs for ``spec``: it applies, and the spec has not opted out of every
        promise it checks (``MaskSpec.opt_out``)."""
        ids = {entry if isinstance(entry, str) else entry[0] for entry in self.promises}
        opted_out = ids and all(promise_id in spec.opt_out for promise_id in ids)
        return bool(self.applies(spec)) and not opted_out

    def promise_columns(self, spec):
        """``{promise id: [columns]}`` this property checks for ``spec``."""
        columns = list(self.columns(spec))
        found = {}
        for entry in self.promises:
            promise_id, only = (entry, None) if isinstance(entry, str) else entry
            found.setdefault(promise_id, []).extend(c for c in columns if only is None or c in only)
        return {promise_id: cols for promise_id, cols in found.items() if cols}


@dataclasses.dataclass
class Context:
    """What a check needs: the spec, the column it runs in, and the executor with its caches."""

    prop: Property
    spec: object
    column: str
    executor: object
    #: ``(dtype, special kind, region)`` combinations the checked inputs held (the coverage table).
    coverage: set = dataclasses.field(default_factory=set)
    #: The number of elements of every input checked (the size table).
    sizes: list = dataclasses.field(default_factory=list)
    #: ``(elements, batch length, longest other axis, dtype)`` of every input checked (the reach
    #: classes per column, ``properties.reporting.coverage.reach_classes``).
    shapes: list = dataclasses.field(default_factory=list)

    def fail(self, detail, case=None, device=None):
        raise PropertyFailure(
            detail, prop=self.prop.name, spec=self.spec.name, column=self.column, case=case, device=device
        )

    #: How often each ``event`` label of :meth:`label` occurred (for tests and reports).
    labels: collections.Counter = dataclasses.field(default_factory=collections.Counter)

    def event(self, text):
        """Hypothesis's ``event``, also counted in :attr:`labels`."""
        event(text)
        self.labels[text] += 1

    def label(self, case):
        """``event`` statistics that show the generators reach what they claim."""
        self.event(f"dtype {case.dtype}")
        self.event(f"rank {case.x.ndim}")
        self.event(size_events(case.x.shape))
        self.sizes.append(int(case.x.size))
        self.shapes.append(_shape_facts(self.spec, case))
        if self.column == "xla":
            self.event("xla static shape" if static_in_xla(case.x.shape) else "xla unknown lengths")
        if case.x.size == 0:
            self.event("empty input")
        if case.planted.inside:
            self.event("special value planted inside the zeroed region")
        if case.planted.outside:
            self.event("special value planted outside the zeroed region")
        for kind, region in sorted(case.planted.reached):
            self.event(f"planted {kind} {region}")
            self.coverage.add((case.dtype, kind, region))
        if self.spec.events is not None:
            for text in self.spec.events(case.config, case.x.shape):
                self.event(text)


def _shape_facts(spec, case):
    """``(elements, batch length, longest other axis, dtype)``: the batch length is the product of
    the lengths along the spec's batch axes for this config, the side the longest of the rest."""
    shape = tuple(int(n) for n in case.x.shape)
    try:
        batch_axes = {a % len(shape) for a in spec.batch_axes(case.config, len(shape))} if shape else set()
    except Exception:  # noqa: BLE001 - a spec's batch_axes that cannot say: count axis 0
        batch_axes = {0} if shape else set()
    batch = 1
    for axis in sorted(batch_axes):
        batch *= shape[axis]
    others = [n for i, n in enumerate(shape) if i not in batch_axes]
    return int(case.x.size), batch, max(others, default=0), case.dtype

