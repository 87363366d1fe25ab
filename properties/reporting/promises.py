"""The traceability table: promise -> properties -> columns (-> specimen -> caught by).

For one spec, a promise is *in scope* when a property that checks it runs for the spec, or
when it is generic (every Keras layer makes it) and the spec has not opted out.  The table has
one row per promise; a generic promise in scope with no property, or any promise in scope with
no specimen, is a gap the row names (``gaps``).  ``verify`` reports the rows with the cells'
results; ``python -m properties trace`` adds each specimen's run.
"""

from properties.checks.catalogue import all_properties
from properties.core.promises import PROMISES


def machine_limits():
    """``{promise id: reason}`` for promises this machine cannot check in full (an absent GPU)."""
    import tensorflow as tf

    if not tf.config.list_logical_devices("GPU"):
        return {"devices-agree": "no GPU here: devices-agree compares the CPU split in two logical devices; "
                                 "the GPU column runs where a GPU is present"}
    return {}


def promise_rows(spec, cells=None, default_specimens=None, limits=None):
    """One dict per promise: ``id``, ``text``, ``section``, ``generic``, ``scope`` ("checked",
    "opted out: REASON", or "not claimed"), ``columns`` ({property: [columns]}), ``specimen``
    (a name or None), ``results`` ({"ok": n, "FAIL": n, ...} over the cells of those columns,
    when ``cells`` is given), ``gaps`` (what is missing) and ``limit`` (why this machine cannot
    check it in full, from ``limits``: see :func:`machine_limits`)."""
    running = [prop for prop in all_properties() if prop.runs_for(spec)]
    by_cell = {(c.prop, c.column): c for c in cells or ()}
    defaults = default_specimens or {}
    rows = []
    for promise in PROMISES:
        columns = {}
        for prop in running:
            found = prop.promise_columns(spec).get(promise.id)
            if found:
                columns[prop.name] = found
        row = {"id": promise.id, "text": promise.text, "section": promise.section, "generic": promise.generic,
               "columns": columns, "specimen": None, "results": {}, "gaps": [],
               "limit": (limits or {}).get(promise.id, "")}
        if promise.id in spec.opt_out:
            row["scope"] = f"opted out: {spec.opt_out[promise.id]}"
        elif columns:
            row["scope"] = "checked"
        elif promise.generic:
            row["scope"] = "checked"
            row["gaps"].append("no property checks it for this spec")
        else:
            row["scope"] = "not claimed"
        if row["scope"] == "checked":
            specimen = spec.specimens.get(promise.id) or defaults.get(promise.id)
            row["specimen"] = specimen_name(specimen) if specimen is not None else None
            if specimen is None:
                row["gaps"].append("no specimen breaks it")
        for prop, cols in columns.items():
            for column in cols:
                cell = by_cell.get((prop, column))
                if cell is not None:
                    row["results"][cell.status] = row["results"].get(cell.status, 0) + 1
        rows.append(row)
    return rows


def specimen_name(specimen):
    if isinstance(specimen, str):
        return specimen
    return f"{getattr(specimen, '__module__', '?')}:{getattr(specimen, '__qualname__', '?')}"


def markdown(rows, traced=None):
    """The table as Markdown; ``traced`` adds each specimen's run (``{promise id: dict}`` with
    ``caught_by``, ``column``, ``seconds``, ``examples``, or ``error``)."""
    head = "| promise | what it says | properties and columns | specimen |"
    rule = "|---|---|---|---|"
    if traced is not None:
        head += " caught by | seconds |"
        rule += "---|---|"
    lines = [head, rule]
    for row in rows:
        if row["scope"] == "not claimed":
            continue
        checks = "; ".join(f"`{prop}`: {', '.join(cols)}" for prop, cols in row["columns"].items())
        if row["scope"].startswith("opted out"):
            checks = row["scope"]
        checks = (checks or "**none**") + (f" (limit: {row['limit']})" if row.get("limit") else "")
        specimen = f"`{row['specimen'].rsplit(':', 1)[-1]}`" if row["specimen"] else (
            "**none**" if row["scope"] == "checked" else "")
        generic = " (generic)" if row["generic"] else ""
        line = f"| `{row['id']}` ({row['section']}{generic}) | {row['text']} | {checks} | {specimen} |"
        if traced is not None:
            run = traced.get(row["id"]) or {}
            caught = (f"`{run['caught_by']}` in {run['column']}" if run.get("caught_by")
                      else f"**not caught**{': ' + run['error'] if run.get('error') else ''}" if run else "")
            seconds = f"{run['seconds']:.1f}" if run.get("seconds") is not None else ""
            line += f" {caught} | {seconds} |"
        lines.append(line)
    return "\n".join(lines) + "\n"


def catalogue_markdown():
    """Every promise (``properties.core.promises``) with the properties that declare it."""
    from properties.core.promises import PROMISES as ALL

    declared = {}
    for prop in all_properties():
        for entry in prop.promises:
            promise_id = entry if isinstance(entry, str) else entry[0]
            only = "" if isinstance(entry, str) else f" ({', '.join(entry[1])})"
            declared.setdefault(promise_id, []).append(f"`{prop.name}`{only}")
    lines = ["| promise | section | what it says | checked by |", "|---|---|---|---|"]
    for promise in ALL:
        kind = f"{promise.section}, generic" if promise.generic else promise.section
        lines.append(f"| `{promise.id}` | {kind} | {promise.text} | {', '.join(declared.get(promise.id, [])) or '**none**'} |")
    return "\n".join(lines) + "\n"
