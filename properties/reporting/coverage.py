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


#: The reach classes (contract 2.4): per column, which of these the checked inputs fell in.
#: Each is ``(label, low, high)``, low inclusive, high exclusive.
REACH_CLASSES = {
    "elements": (("0", 0, 1), ("1..2^12", 1, 1 << 12), ("2^12..2^20", 1 << 12, 1 << 20),
                 ("2^20..2^23", 1 << 20, 1 << 23), (">=2^23", 1 << 23, 1 << 62)),
    "batch": (("0", 0, 1), ("1", 1, 2), ("2..15", 2, 16), ("16..255", 16, 256), (">=256", 256, 1 << 62)),
    "side": (("0", 0, 1), ("1", 1, 2), ("2..63", 2, 64), ("64..511", 64, 512), (">=512", 512, 1 << 62)),
}


def _class_of(kind, value):
    return next(label for label, low, high in REACH_CLASSES[kind] if low <= value < high)


def reach_classes(cells):
    """``{column: {"elements": {class: n}, "batch": {...}, "side": {...}, "dtypes": [..]}}``:
    how many checked inputs fell in each class, per column, over every property that ran there."""
    by_column = {}
    for cell in cells:
        row = by_column.setdefault(cell.column, {kind: {} for kind in REACH_CLASSES} | {"dtypes": set()})
        for elements, batch, side, dtype in getattr(cell, "shapes", ()):
            for kind, value in (("elements", elements), ("batch", batch), ("side", side)):
                label = _class_of(kind, value)
                row[kind][label] = row[kind].get(label, 0) + 1
            row["dtypes"].add(dtype)
        for label, n in getattr(cell, "labels", {}).items():
            if label.startswith("xla "):
                patterns = row.setdefault("patterns", {})
                patterns[label] = patterns.get(label, 0) + n
    for row in by_column.values():
        row["dtypes"] = sorted(row["dtypes"])
    return {column: row for column, row in by_column.items() if row["dtypes"]}


def missing_classes(row):
    """The classes a column's inputs never fell in, as ``kind label`` strings."""
    return [f"{kind} {label}" for kind, classes in REACH_CLASSES.items() for label, _, _ in classes
            if not row[kind].get(label)]


#: Classes a column cannot reach, by the column's own limits, with the reason (the report shows
#: them as limits, not gaps).  ``{column: {"kind label": reason}}``; ``*`` is every column.
CLASS_LIMITS = {}

#: The classes the shape strategies draw rarely (the large size class is 1 draw in 15, empty
#: and length-1 axes a few in a hundred): a column where one property runs a few dozen examples
#: reaches them in some runs, not in every one.
RARE_CLASSES = ("elements >=2^23", "batch 1", "batch >=256", "side 0", "side >=512")


def class_limits(spec, column, cells=()):
    """``{"kind label": reason}``: the classes ``column`` is not expected to reach in this run."""
    limits = {**CLASS_LIMITS.get("*", {}), **CLASS_LIMITS.get(column, {})}
    props = [cell for cell in cells if cell.column == column]
    if 0 < len(props) <= 2:
        reason = (f"cost: {len(props)} propert{'y' if len(props) == 1 else 'ies'} run here, "
                  f"{sum(p.examples for p in props)} examples; rare classes are reached in "
                  "longer runs (ci, thorough), not in every run")
        limits.update({label: reason for label in RARE_CLASSES if label not in limits})
    return limits
