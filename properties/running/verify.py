"""``verify``: the main job as a function.  Every property of a spec in every column it claims,
one cell at a time, each under Hypothesis (``properties.running.runner.run_cell``).

>>> result = verify("center-zero", profile="quick", select="zeroed-exactly-eager$")  # doctest: +SKIP
>>> result.exit_code, len(result.cells)                                              # doctest: +SKIP
(0, 1)
"""

import dataclasses
import re
import time
import warnings

from properties.checks.catalogue import all_properties
from properties.core.imports import import_object
from properties.core.profiles import choose_profile
from properties.execution.devices import split_cpu_for_device_checks
from properties.running.runner import run_cell
from properties.spec.mask_spec import MaskSpec
from properties.specs import load_spec


def plan(spec, select=None):
    """Every ``(property, column)`` cell of ``spec``, or those whose ``PROPERTY-COLUMN`` id
    matches the regular expression ``select`` (``re.search``)."""
    cells = [(prop, column) for prop in all_properties() if prop.runs_for(spec) for column in prop.columns(spec)]
    return [(p, c) for p, c in cells if select is None or re.search(select, f"{p.name}-{c}")]


@dataclasses.dataclass
class Verification:
    """What ``verify`` found: one ``CellResult`` per cell run, in plan order."""

    spec: MaskSpec
    layer_name: str
    profile: str
    planned: int
    cells: list = dataclasses.field(default_factory=list)
    seconds: float = 0.0
    #: Why the run stopped before the end of its plan ("exitfirst", "max-time", "interrupted"), or "".
    stopped: str = ""

    @property
    def failed(self):
        return [c for c in self.cells if c.failures]

    @property
    def known(self):
        """Cells that failed as the spec documents (``known_failures``): not failures."""
        return [c for c in self.cells if c.expected_failure]

    @property
    def flaky(self):
        """Cells that failed where the spec declares a flaky finding: not failures."""
        return [c for c in self.cells if c.flaky_failure]

    @property
    def exit_code(self):
        """pytest's: 0 every cell held, 1 a property failed, 5 nothing ran."""
        return 1 if self.failed else 5 if not self.cells else 0


def layer_name(spec):
    return f"{getattr(spec.layer, '__module__', '?')}:{getattr(spec.layer, '__qualname__', '?')}"


def verify(spec, *, layer=None, profile=None, seed=None, max_examples=None, select=None, exitfirst=False,
           max_time=None, on_start=None, on_cell=None, spec_arg=None, layer_arg=None, shrink=True):
    """Run every property of ``spec`` in every column it claims; never raises for a failure.

    Args:
        spec: a :class:`MaskSpec`, a built-in spec's name, or ``"MODULE:ATTR"``.
        layer: a class or factory checked instead of the spec's own (same constructor), or
            ``"MODULE:ATTR"`` naming one.
        profile: the kit's profile (``dev``, ``ci``, ``thorough``, ``quick``); default as
            ``properties.core.profiles.choose_profile`` says.
        seed: seed every cell from this number and its name, without the example database.
        max_examples: examples per cell instead of the profile's.
        select: a regular expression over ``PROPERTY-COLUMN`` ids; only matching cells run.
        exitfirst: stop after the first failing cell.
        max_time: stop starting new cells after this many seconds (the result says so).
        on_start: ``(Verification) -> None``, called once the plan is known.
        on_cell: ``(Verification, CellResult) -> None``, called after each cell.
        spec_arg, layer_arg: the words that name the spec and layer in replay commands.
        shrink: shrink a failure to a minimal counterexample (``False``: report it as found,
            when only whether a cell fails matters).

    Returns a :class:`Verification`.  A ``KeyboardInterrupt`` ends the run with the cells done
    so far (``stopped="interrupted"``) instead of losing them.
    """
    split_cpu_for_device_checks()
    if isinstance(spec, str):
        spec_arg = spec_arg or spec
        spec = load_spec(spec)
    if isinstance(layer, str):
        layer_arg = layer_arg or layer
        layer = import_object(layer, "--layer")
    if layer is not None:
        spec = spec.with_layer(layer)
    cells_to_run = plan(spec, select)
    result = Verification(spec, layer_name(spec), choose_profile(profile), len(cells_to_run))
    if on_start is not None:
        on_start(result)
    start = time.perf_counter()
    try:
        for prop, column in cells_to_run:
            if max_time is not None and time.perf_counter() - start > max_time:
                result.stopped = "max-time"
                break
            with warnings.catch_warnings():
                # Keras and NumPy warn about what the properties do on purpose (casts of extreme
                # values, masks given to layers that drop them); failures are reported instead.
                warnings.simplefilter("ignore")
                cell = run_cell(spec, prop, column, spec_arg=spec_arg, layer_arg=layer_arg, profile=result.profile,
                                max_examples=max_examples, seed=seed, shrink=shrink)
            result.cells.append(cell)
            result.seconds = time.perf_counter() - start
            if on_cell is not None:
                on_cell(result, cell)
            if cell.failures and exitfirst:
                result.stopped = "exitfirst"
                break
    except KeyboardInterrupt:
        result.stopped = "interrupted"
    result.seconds = time.perf_counter() - start
    return result
