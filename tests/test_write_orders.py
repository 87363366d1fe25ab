"""Every write ``update`` can be told to use (``centerzero.ops.set_write_order``) keeps the
contract: the property suite's value, mode and gradient properties, in all of their columns,
run here on the CPU with the mask writes (``select``, ``and``) the GPU run may choose.  They
are slow on the CPU, never its default; this is the bit-for-bit check of the choice itself."""

import pytest
from hypothesis import settings

from centerzero import SUPPORTED_DTYPES, ops
from properties.registry import all_properties
from properties.runner import run_cell
from properties.spec import builtin_specs

SPEC = builtin_specs()["center-zero"]
PROPERTIES = ("zeroed-exactly", "rest-unchanged", "modes-agree", "gradient-is-mask", "training-invariant")


@pytest.fixture
def cpu_order(request):
    """Every dtype's order on the CPU set to the one write of the test's parameter."""
    for dtype in SUPPORTED_DTYPES:
        ops.set_write_order("CPU", dtype, (request.param,))
    yield request.param
    for dtype in SUPPORTED_DTYPES:
        ops.set_write_order("CPU", dtype, None)


@pytest.mark.parametrize("name", PROPERTIES)
@pytest.mark.parametrize("cpu_order", ["select", "and"], indirect=True)
def test_a_mask_write_order_keeps_the_contract(cpu_order, name):
    prop = next(p for p in all_properties() if p.name == name)
    assert ops._device_write((2, 9, 10), (1, 2), (3, 4), SUPPORTED_DTYPES[3], "CPU") == cpu_order
    for column in prop.columns(SPEC):
        cell = run_cell(SPEC, prop, column, base_settings=settings.get_profile("quick"))
        assert not cell.failures, f"{name} in {column} with write {cpu_order}: {cell.message}"
