"""The ``--report`` files: JSON, and Markdown beside it, one row per property and one column
per mode, device or named check; each cell the examples run and the failures."""

import json
import os
import platform


def versions():
    import hypothesis
    import numpy as np
    import tensorflow as tf

    from properties.core.keras_compat import keras_name, keras_version

    return {
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras_version(),
        "tf.keras": keras_name(),
        "numpy": np.__version__,
        "hypothesis": hypothesis.__version__,
    }


def columns_of(cells):
    seen = []
    for cell in cells:
        if cell.column not in seen:
            seen.append(cell.column)
    return seen


def table(cells):
    """Rows of ``(property, {column: cell})`` in first-seen order."""
    rows = {}
    for cell in cells:
        rows.setdefault(cell.prop, {})[cell.column] = cell
    return rows


def reach(spec, cells):
    """The input space a run reached (contract 2.4): sizes per column, special-value coverage
    per property in eager mode with its generator gaps, and the coverage table."""
    from properties.reporting import coverage

    rows, count = coverage.coverage_table(spec, cells)
    return {
        "sizes": coverage.size_rows(cells),
        "coverage": {prop: {**row, "gaps": [list(g) for g in row["gaps"]]}
                     for prop, row in coverage.coverage_rows(spec, cells).items()},
        "coverage_table": [{"dtype": d, "kind": k, "properties_reaching": r} for d, k, r in rows],
        "coverage_properties": count,
        "coverage_exempt": coverage.exemptions(spec),
        "classes": coverage.reach_classes(cells),
        "class_limits": {column: coverage.class_limits(spec, column, cells)
                         for column in coverage.reach_classes(cells)},
    }


def as_json(spec_name, layer, profile, cells, seconds, spec=None, stopped="", planned=None):
    """The report of one ``verify``; ``stopped`` says why it ended before its plan of ``planned``
    cells (``"exitfirst"``, ``"max-time"``, ``"interrupted"``; ``""``: it ran them all)."""
    import tensorflow as tf

    # Here, not at the top: soak writes its report with write() and never imports TensorFlow.
    from properties.reporting.promises import machine_limits, promise_rows

    rows = table(cells)
    return {
        "stopped": stopped,
        "planned_cells": len(cells) if planned is None else planned,
        "cells_run": len(cells),
        **({"reach": reach(spec, cells)} if spec is not None else {}),
        **({"promises": promise_rows(spec, cells, limits=machine_limits())} if spec is not None else {}),
        "spec": spec_name,
        "layer": layer,
        "profile": profile,
        "versions": versions(),
        "devices": [d.name for d in tf.config.list_logical_devices()],
        "columns": columns_of(cells),
        "total_examples": sum(c.examples for c in cells),
        "total_failures": sum(c.failures for c in cells),
        "seconds": round(seconds, 1),
        "properties": [
            {
                "name": name,
                "cells": {
                    column: {"examples": c.examples, "failures": c.failures, "seconds": round(c.seconds, 2),
                             "known_failure": bool(c.expected_failure), "flaky": bool(c.flaky_failure),
                             "known_crash_skips": c.crash_skips}
                    for column, c in row.items()
                },
            }
            for name, row in rows.items()
        ],
        "trace_counts": {name: {col: c.traces for col, c in row.items() if c.traces} for name, row in rows.items()},
        "failures": [c.message for c in cells if c.failures],
        "known_failures": [c.expected_failure for c in cells if c.expected_failure],
        "flaky_failures": [c.flaky_failure for c in cells if c.flaky_failure],
        # Every cell that did not hold, whatever its status, for tools (``properties soak``).
        "failing_cells": [
            {"property": c.prop, "column": c.column, "status": c.status, "kind": c.failure_kind,
             "message": c.message or c.expected_failure or c.flaky_failure, "replay": c.replay,
             "flaky_reason": c.flaky_reason}
            for c in cells if c.failures or c.expected_failure or c.flaky_failure
        ],
        "known_crash_skips": sum(c.crash_skips for c in cells),
    }


def as_markdown(report):
    columns = report["columns"]
    lines = [
        f"# properties verify {report['spec']}",
        "",
        f"layer: `{report['layer']}`, profile: `{report['profile']}`, "
        + ", ".join(f"{k} {v}" for k, v in report["versions"].items()),
        "",
        f"{report['total_examples']} examples, {report['total_failures']} failing cells, {report['seconds']} s. "
        "Each cell: examples run / failures (a blank cell: the property does not run there).",
        "",
    ]
    if report.get("stopped") in ("max-time", "interrupted"):
        why = "--max-time passed" if report["stopped"] == "max-time" else "interrupted"
        lines += [f"**Partial run ({why}): {report['cells_run']} of {report['planned_cells']} cells ran; the rest "
                  "did not.**", ""]
    lines += [
        "| property | " + " | ".join(columns) + " |",
        "|---|" + "---:|" * len(columns),
    ]
    for prop in report["properties"]:
        cells = [
            f"{c['examples']} / {c['failures']}" + (" **FAIL**" if c["failures"] else " known" if c.get("known_failure")
                                                     else " flaky" if c.get("flaky") else "") if c else ""
            for c in (prop["cells"].get(col) for col in columns)
        ]
        lines.append(f"| {prop['name']} | " + " | ".join(cells) + " |")
    lines += ["", "## Traces (traces / input signatures, per compiled mode)", ""]
    for name, by_column in report["trace_counts"].items():
        parts = [f"{mode}: {t['traces']}/{t['signatures']}" for col in by_column.values() for mode, t in col.items()]
        if parts:
            lines.append(f"- {name}: " + ", ".join(parts))
    if "reach" in report:
        lines += reach_markdown(report["reach"])
    if report.get("promises"):
        lines += ["", "## Promises (each checked by these properties, in these columns; results of this run)", "",
                  "| promise | properties and columns | cells |", "|---|---|---|"]
        for row in report["promises"]:
            if row["scope"] == "not claimed":
                continue
            checks = row["scope"] if row["scope"] != "checked" else (
                "; ".join(f"{prop}: {', '.join(cols)}" for prop, cols in row["columns"].items()) or "**none**")
            results = ", ".join(f"{n} {status}" for status, n in sorted(row["results"].items()))
            gaps = f" (**{'; '.join(row['gaps'])}**)" if any("property" in g for g in row["gaps"]) else ""
            gaps += f" (limit: {row['limit']})" if row.get("limit") else ""
            lines.append(f"| `{row['id']}` | {checks}{gaps} | {results} |")
    if report["failures"]:
        lines += ["", "## Failures", ""] + [f"```\n{text}\n```" for text in report["failures"]]
    if report.get("flaky_failures"):
        lines += ["", "## Flaky findings (declared in the spec's flaky_findings; not counted as failures)", ""]
        lines += [f"```\n{text}\n```" for text in report["flaky_failures"]]
    return "\n".join(lines) + "\n"


def reach_markdown(reach):
    """The size table and the coverage table, as Markdown lines."""
    bits = ("above 2^16", "above 2^20", "above 2^22")
    lines = ["", "## Input sizes (elements per checked input)", "",
             "| column | inputs | min | median | max | " + " | ".join(bits) + " |",
             "|---|" + "---:|" * (4 + len(bits))]
    for column, row in reach["sizes"].items():
        if row.get("inputs"):
            lines.append(f"| {column} | {row['inputs']} | {row['min']} | {row['median']} | {row['max']} | "
                         + " | ".join(str(row[b]) for b in bits) + " |")
    if reach.get("classes"):
        kinds = ("elements", "batch", "side")
        lines += ["", "## Reach classes per column (inputs in each class: elements, batch length, longest other "
                  "axis)", "", "| column | " + " | ".join(kinds) + " | dtypes | not reached |",
                  "|---|" + "---|" * (len(kinds) + 2)]
        for column, row in reach["classes"].items():
            limits = reach.get("class_limits", {}).get(column, {})
            missing = [f"{m} ({limits[m]})" if m in limits else f"**{m}**" for m in _missing(row)]
            lines.append(f"| {column} | " + " | ".join(", ".join(f"{label}: {n}" for label, n in row[k].items())
                                                        for k in kinds)
                         + f" | {len(row['dtypes'])} | {', '.join(missing) or 'none'} |")
    count = reach["coverage_properties"]
    lines += ["", f"## Special-value coverage in eager mode ({count} properties label their inputs)", "",
              "Each cell: how many of those properties held this special value in this region of some input. "
              "0 is a generator gap.", "", "| dtype | kind | inside | outside |", "|---|---|---:|---:|"]
    for row in reach["coverage_table"]:
        r = row["properties_reaching"]
        lines.append(f"| {row['dtype']} | {row['kind']} | {r.get('inside', r.get('anywhere', 'exempt'))} | "
                     f"{r.get('outside', '' if 'anywhere' in r else 'exempt')} |")
    for pattern, reason in reach.get("coverage_exempt", {}).items():
        lines.append(f"\nExempt by the spec (`unreachable`), `{pattern}`: {reason}")
    gaps = {prop: row["gaps"] for prop, row in reach["coverage"].items() if row["gaps"]}
    lines += ["", "Generator gaps (claimed, never reached) per property: "
              + ("none." if not gaps else "")]
    for prop, missing in gaps.items():
        lines.append(f"- {prop}: " + ", ".join("/".join(g) for g in missing))
    return lines


def _missing(row):
    from properties.reporting.coverage import missing_classes

    return missing_classes(row)


def write(path, report, markdown_of=None):
    """Write ``report`` as JSON to ``path`` and as Markdown beside it (``markdown_of``, default
    verify's :func:`as_markdown`); returns the Markdown's path.  Imports no TensorFlow, so
    ``soak`` and ``selftest`` write their reports with it too."""
    os.makedirs(os.path.dirname(os.path.abspath(path)) or ".", exist_ok=True)
    with open(path, "w") as f:
        json.dump(report, f, indent=2, default=str)
    markdown = os.path.splitext(path)[0] + ".md"
    with open(markdown, "w") as f:
        f.write((markdown_of or as_markdown)(report))
    return markdown
