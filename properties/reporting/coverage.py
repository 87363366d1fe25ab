"""What a run reached (contract 2.4): the special-value coverage table and the size table.

Coverage is judged in eager mode, where every value property sweeps every claimed dtype: a
``(dtype, kind, region)`` combination the spec claims and a property never held in its input
is a *generator gap*, printed by ``verify`` and listed in the report.  Sizes are the elements
of every input each cell checked.
"""

import numpy as np

from properties.strategies.cases import claimed_kinds

#: Size thresholds of the size table, as powers of two.
SIZE_BITS = (16, 20, 22)


def claimed_combinations(spec, column="eager"):
    """Every ``(dtype, kind, region)`` a spec's inputs should hold in ``column``."""
    regions = ("inside", "outside") if spec.zeroed is not None else ("anywhere",)
    return {(dtype, kind, region) for dtype in spec.dtypes_in(column) for kind in claimed_kinds(dtype)
            for region in regions if spec.unreachable_reason(dtype, kind, region) is None}


def _judged(cells, column):
    """The cells of value properties (``Property.value``) that held in ``column`` (a
    cell that failed, even as a documented finding, stopped early: its coverage says nothing)."""
    from properties.checks.catalogue import value_property_names

    names = value_property_names()
    return [cell for cell in cells if cell.column == column and cell.prop in names and cell.status == "ok"]


def coverage_rows(spec, cells, column="eager"):
    """``{property: {"reached": n, "claimed": m, "gaps": [(dtype, kind, region), ...]}}`` for
    each value property that ran in ``column``."""
    claimed = claimed_combinations(spec, column)
    rows = {}
    for cell in _judged(cells, column):
        if not cell.examples:
            continue
        reached = {combo for combo in cell.coverage if combo in claimed}
        rows[cell.prop] = {"reached": len(reached), "claimed": len(claimed), "gaps": sorted(claimed - reached)}
    return rows


def coverage_table(spec, cells, column="eager"):
    """Rows ``(dtype, kind, {region: properties that reached it})`` for the Markdown report."""
    claimed = claimed_combinations(spec, column)
    props = _judged(cells, column)
    table = []
    for dtype in spec.dtypes_in(column):
        for kind in claimed_kinds(dtype):
            regions = {region: sum((dtype, kind, region) in c.coverage for c in props)
                       for region in ("inside", "outside", "anywhere") if (dtype, kind, region) in claimed}
            table.append((dtype, kind, regions))
    return table, len(props)


def exemptions(spec):
    """The spec's ``unreachable`` patterns and reasons, for the report."""
    return dict(spec.unreachable)


def size_summary(sizes):
    """``{"inputs", "min", "median", "max", "above 2^16", "above 2^20", "above 2^22"}``."""
    if not sizes:
        return {"inputs": 0}
    values = np.asarray(sizes, np.int64)
    summary = {"inputs": int(values.size), "min": int(values.min()), "median": int(np.median(values)),
               "max": int(values.max())}
    for bits in SIZE_BITS:
        summary[f"above 2^{bits}"] = int((values > 1 << bits).sum())
    return summary


def size_rows(cells):
    """The size summary per column, over every property that ran there, and ``"all"``."""
    by_column = {}
    for cell in cells:
        by_column.setdefault(cell.column, []).extend(cell.sizes)
    rows = {column: size_summary(sizes) for column, sizes in by_column.items() if sizes}
    rows["all"] = size_summary([n for cell in cells for n in cell.sizes])
    return rows
