"""``python -m properties trace SPEC``: every promise traced to the properties that check it, their
columns, and a planted specimen that breaks it, run under those properties alone.

For each promise in scope for the spec (``properties.reporting.promises``), the specimen (the
spec's own, ``MaskSpec.specimens``, or for a generic promise a ``selftest`` operator applied to
the spec's layer, :data:`DEFAULT_OPERATORS`) is checked by ``verify`` with only that promise's
cells selected, under the ``ci`` profile, stopping at the first failure.  The row records which
property caught it, in which column, and how long it took.  Exit 0 when every promise in scope
has a property and a specimen and every specimen is caught; 1 otherwise (the rows say which).
"""

import re
import time

import tensorflow as tf

from properties.core.imports import import_object
from properties.core.promises import DEFAULT_SPECIMENS
from properties.reporting.promises import machine_limits, markdown, promise_rows
from properties.running.verify import verify
from properties.tools.selftest.operators import Operator, operators_by_name
from properties.tools.selftest.wrap import NotApplicable, mutant_class


def _race(layer, x, out, info):
    """The output parked on the instance and read back after a pause: another thread's call on
    the same instance replaces it in between (a per-instance scratch buffer)."""
    layer._trace_scratch = out
    time.sleep(0.002)
    return layer._trace_scratch


#: Operators for generic promises that ``selftest``'s own library does not break; only ``trace``
#: uses them (``selftest`` has no proof for them).
TRACE_OPERATORS = {op.name: op for op in (
    Operator("static-shape-lost", "shapes", "the output reshaped to the input's dynamic shape: static lengths lost",
             after_call=lambda layer, x, out, info: tf.reshape(out, tf.shape(x)), register=False),
    Operator("scratch-on-instance", "state", "the output parked on the instance and read back after a pause",
             after_call=_race, register=False),
    Operator("name-dropped", "keras", "get_config drops the layer's name",
             get_config=lambda layer, config: {k: v for k, v in config.items() if k != "name"}, register=False),
)}

def default_specimens():
    return dict(DEFAULT_SPECIMENS)


def specimen_layer(spec, specimen):
    """The layer class a specimen names: a class, ``MODULE:ATTR``, or ``operator:NAME``."""
    if isinstance(specimen, str) and specimen.startswith("operator:"):
        name = specimen.split(":", 1)[1]
        op = TRACE_OPERATORS.get(name) or operators_by_name([name])[0]
        return mutant_class(spec, op)
    if isinstance(specimen, str):
        return import_object(specimen, "specimen")
    return specimen


def trace_promise(spec, row, profile="ci", max_examples=None):
    """Run one row's specimen under the row's cells; ``{caught_by, column, seconds, examples}``
    or ``{error}``."""
    specimen = spec.specimens.get(row["id"]) or default_specimens().get(row["id"])
    cells = "|".join(re.escape(f"{prop}-{column}") for prop, cols in row["columns"].items() for column in cols)
    start = time.perf_counter()
    try:
        layer = specimen_layer(spec, specimen)
    except (NotApplicable, ValueError, ImportError) as error:
        return {"error": f"specimen not built: {error}", "seconds": None}
    # Only whether a cell catches the specimen matters, so its counterexample is not shrunk.
    result = verify(spec, layer=layer, profile=profile, select=f"^({cells})$", exitfirst=True,
                    max_examples=max_examples, shrink=False)
    seconds = time.perf_counter() - start
    failed = result.failed
    if not failed:
        return {"error": f"every one of {len(result.cells)} cells held", "seconds": seconds,
                "examples": sum(c.examples for c in result.cells)}
    first = failed[0]
    return {"caught_by": first.prop, "column": first.column, "seconds": seconds, "kind": first.failure_kind,
            "examples": sum(c.examples for c in result.cells)}


def trace(spec, profile="ci", only=None, max_examples=None, on_row=None):
    """``(rows, traced)``: the promise rows of ``spec`` and each specimen's run."""
    rows = promise_rows(spec, default_specimens=default_specimens(), limits=machine_limits())
    traced = {}
    for row in rows:
        if row["scope"] != "checked" or (only and row["id"] not in only):
            continue
        if row["columns"] and row["specimen"]:
            traced[row["id"]] = trace_promise(spec, row, profile, max_examples)
        if on_row is not None:
            on_row(row, traced.get(row["id"]))
    return rows, traced


def gaps(rows, traced):
    """``[(promise id, what is wrong)]``: no property, no specimen, or a specimen not caught."""
    found = [(row["id"], gap) for row in rows for gap in row["gaps"]]
    found += [(promise_id, f"specimen not caught ({run['error']})") for promise_id, run in traced.items()
              if not run.get("caught_by")]
    return found


def main(args, spec):
    """The ``trace`` subcommand; returns the exit status."""
    print(f"trace {spec.name}  profile {args.profile}: each specimen under its promise's cells alone")

    def on_row(row, run):
        if run is None:
            print(f"  {row['id']:24} {'; '.join(row['gaps']) or 'no specimen'}", flush=True)
        elif run.get("caught_by"):
            print(f"  {row['id']:24} caught by {run['caught_by']} [{run['column']}] in {run['seconds']:.1f} s",
                  flush=True)
        else:
            print(f"  {row['id']:24} NOT CAUGHT: {run['error']}", flush=True)

    rows, traced = trace(spec, args.profile, only=args.promise, on_row=on_row)
    missing = gaps(rows, traced) if not args.promise else [g for g in gaps(rows, traced) if g[0] in args.promise]
    if args.write:
        with open(args.write, "w") as handle:
            handle.write(markdown(rows, traced))
        print(f"table: {args.write}")
    for promise_id, what in missing:
        print(f"GAP {promise_id}: {what}")
    checked = sum(1 for row in rows if row["scope"] == "checked")
    print(f"{checked} promises in scope, {sum(1 for r in traced.values() if r.get('caught_by'))} specimens caught, "
          f"{len(missing)} gaps")
    return 1 if missing else 0
