"""The input space and call patterns reach what real use reaches (contract 2.4, 2.5; issue 9).

First the generators alone (no TensorFlow call): the labels ``event`` prints must all occur.
Then the defects of ``tests/specimens/beyond_reach.py``, each of which passed every property
before this reach existed, must each fail its property under the ``ci`` profile; and a ``ci``
run of the value properties must reach big inputs and every claimed special value.
"""

import collections

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from properties.core.profiles import profile_settings
from properties.reporting.coverage import coverage_rows, size_summary
from properties.checks.catalogue import all_properties
from properties.running.runner import run_cell
from properties.strategies.shapes import elements, length_events, lengths, map_shapes, size_events
from properties.specs import builtin_specs

# The kit's own machinery: .ci/run runs it with the README's command, not again in every tox
# environment of the TensorFlow matrix (README, "Compatibility (tox)").
pytestmark = pytest.mark.kit

SPEC = builtin_specs()["center-zero"]


def labels_of(strategy, describe, examples=400):
    """Every label ``describe(value)`` gives over ``examples`` values drawn like a ``ci`` run."""
    seen = collections.Counter()

    @settings(max_examples=examples, database=None, derandomize=True, deadline=None)
    @given(strategy)
    def collect(value):
        seen.update(describe(value))

    collect()
    return seen



def _center_zero_labels(drawn):
    config, shape = drawn
    yield size_events(shape)
    yield from SPEC.events(config, shape)


_CONFIG_AND_SHAPE = SPEC.configs.flatmap(lambda config: st.tuples(st.just(config), SPEC.input_shapes(config)))


def test_center_zero_shapes_reach_scale_boundaries_and_coincidences():
    seen = labels_of(_CONFIG_AND_SHAPE, _center_zero_labels)
    wanted = [
        "elements > 2^22", "elements > 2^20", "elements > 2^16", "elements <= 2^16",
        "map length 2^k - 1", "map length 2^k", "map length 2^k + 1", "map length 1",
        "batch length 2^k - 1", "batch length 2^k", "batch length 2^k + 1", "batch length 1",
        "map square", "map square, kh != kw", "window equals the map", "batch axis of length 0",
        "n - k = 0 mod 4", "n - k = 1 mod 4", "n - k = 2 mod 4", "n - k = 3 mod 4",
        "a batch length equals a map length",
        "centerzero write update", "centerzero write split", "centerzero write identity",
    ]
    missing = [label for label in wanted if not seen[label]]
    assert not missing, f"never drawn in 400 examples: {missing}; drawn: {dict(seen)}"
    big = seen["elements > 2^22"]
    assert 400 / 40 <= big <= 400 / 5, f"large inputs should be a bounded share (1 in 15), got {big} of 400"


def test_shapes_reach_beyond_the_old_limits():
    sizes = []

    @settings(max_examples=400, database=None, derandomize=True, deadline=None)
    @given(_CONFIG_AND_SHAPE)
    def collect(drawn):
        config, shape = drawn
        rank = len(shape)
        sides = [shape[a % rank] for a in config["axes"]]
        batch = [n for i, n in enumerate(shape) if i not in {a % rank for a in config["axes"]}]
        sizes.append((elements(shape), max(sides), max(batch, default=0)))

    collect()
    assert max(n for n, _, _ in sizes) > 1 << 23
    assert max(side for _, side, _ in sizes) >= 512
    assert max(batch for _, _, batch in sizes) >= 256


def test_other_specs_shapes_are_scaled_too():
    seen = labels_of(map_shapes(min_rank=2, max_rank=4, channels=False), lambda shape: [size_events(shape)])
    assert seen["elements > 2^22"] and seen["elements > 2^16"] and seen["elements <= 2^16"]


def test_lengths_favour_powers_of_two_and_validate():
    seen = labels_of(lengths(0, 600), lambda n: list(length_events("x", n)), examples=200)
    assert seen["x length 2^k - 1"] and seen["x length 2^k"] and seen["x length 2^k + 1"] and seen["x length 1"]
    with pytest.raises(ValueError, match="min_value"):
        lengths(5, 2)
    with pytest.raises(TypeError, match="2.5"):
        lengths(0, 2.5)
    # Strategies are cached per range: a float equal to a cached int is still refused, and an
    # unhashable argument is named, not reported as unhashable.
    lengths(0, 600)
    with pytest.raises(TypeError, match="600.0"):
        lengths(0, 600.0)
    with pytest.raises(TypeError, match=r"\[2\]"):
        lengths([2], 600)


def _property(name):
    return next(p for p in all_properties() if p.name == name)


def _ci():
    """The ``ci`` profile without shrinking: these tests ask whether a defect is caught, and a
    minimal counterexample of a big input costs minutes."""
    from hypothesis import Phase
    from hypothesis import settings as hs

    return hs(profile_settings("ci"), phases=[Phase.explicit, Phase.reuse, Phase.generate])


_VALUES = [(prop, column) for column in ("eager", "graph") for prop in ("zeroed-exactly", "rest-unchanged")]

# (specimen, the cells of `verify`'s plan where it must be caught under ci, tried in order: the
# test stops at the first that fails, as `verify --exitfirst` would)
BEYOND_REACH = [
    ("BigInputsMultiply", _VALUES),
    ("ChunksBatch", _VALUES),
    ("SharedShapeCache", [("many-instances", "eager"), ("many-instances", "graph")]),
    ("IdentityWhileTraining", [("training-invariant", "eager")]),
    ("IdentityWhileTraining", [("training-invariant", "train-step")]),
    ("SwapsOnSquarePowerOfTwo", _VALUES + [("zeroed-exactly", "model-predict"), ("rest-unchanged", "model-predict")]),
    ("Float16ThroughFloat32", [("rest-unchanged", "eager")]),
]


@pytest.mark.parametrize("name, cells", BEYOND_REACH, ids=[f"{n}-{c[0][0]}-{c[0][1]}" for n, c in BEYOND_REACH])
def test_defects_beyond_the_old_reach_are_caught(name, cells):
    from tests.specimens import beyond_reach

    spec = SPEC.with_layer(getattr(beyond_reach, name))
    for prop, column in cells:
        cell = run_cell(spec, _property(prop), column, base_settings=_ci())
        if cell.failures:
            assert f"property {prop}" in cell.message, cell.message
            return
    pytest.fail(f"{name} passed {cells} under ci")


@pytest.mark.parametrize("prop, column", [(p, c) for p in ("training-invariant", "many-instances")
                                          for c in ("eager", "graph")])
def test_new_call_patterns_pass_center_zero(prop, column):
    cell = run_cell(SPEC, _property(prop), column, base_settings=_ci())
    assert not cell.failures, cell.message


def test_value_properties_reach_big_inputs_and_every_special_value():
    """Contract 2.4 on a ``ci`` run: inputs above 2^16 and 2^22 elements in eager and in graph
    mode, and every claimed (dtype, kind, region) in eager for each value property."""
    cells = [run_cell(SPEC, _property(name), column, base_settings=_ci())
             for name in ("zeroed-exactly", "rest-unchanged", "shape-and-dtype") for column in ("eager", "graph")]
    assert not [c.message for c in cells if c.failures]
    for column in ("eager", "graph"):
        sizes = size_summary([n for c in cells if c.column == column for n in c.sizes])
        assert sizes["above 2^16"] >= 3 and sizes["above 2^22"] >= 1, (column, sizes)
    gaps = {prop: row["gaps"] for prop, row in coverage_rows(SPEC, cells).items() if row["gaps"]}
    assert not gaps, f"generator gaps: {gaps}"
    # CenterZero's size-dependent writes (centerzero/ops.py is_large) all run under them.
    labels = collections.Counter()
    for cell in cells:
        labels.update(cell.labels)
    for write in ("update", "split", "identity"):
        assert labels[f"centerzero write {write}"], (write, {k: v for k, v in labels.items() if "write" in k})
