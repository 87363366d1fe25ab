"""``selftest --report PATH``: the kill matrix as JSON, and Markdown beside it.

>>> data = as_json("center-zero", "centerzero.center_zero:CenterZero", "wrap", "quick", results, 120.0)
>>> write("reports/selftest.json", data)   # also writes reports/selftest.md
'reports/selftest.md'
"""

import dataclasses


def score(results):
    """``(killed, applicable)`` over the results (wrap rows or source mutants)."""
    applicable = [r for r in results if r.applicable]
    return sum(1 for r in applicable if r.killed), len(applicable)


def as_json(spec_name, layer, engine, profile, results, seconds, extra=None):
    from properties.reporting.report import versions

    killed, applicable = score(results)
    return {
        "spec": spec_name,
        "layer": layer,
        "engine": engine,
        "profile": profile,
        "versions": versions(),
        "seconds": round(seconds, 1),
        "mutants": len(results),
        "applicable": applicable,
        "killed": killed,
        "score": round(killed / applicable, 4) if applicable else None,
        "survivors": [r.operator for r in results if r.applicable and not r.killed],
        "not_applicable": {r.operator: r.reason for r in results if not r.applicable},
        "rows": [dataclasses.asdict(r) for r in results],
        **(extra or {}),
    }


def _cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def as_markdown(report):
    lines = [
        f"# properties selftest {report['spec']} (engine {report['engine']})",
        "",
        f"layer: `{report['layer']}`, profile: `{report['profile']}`, "
        + ", ".join(f"{k} {v}" for k, v in report["versions"].items()),
        "",
        *([f"**Interrupted (Ctrl-C): a partial report.** {report['mutants']} mutants ran"
           + (f"; not run: {', '.join(report['not_run'])}." if report.get("not_run") else
              f"; {report.get('pending', 0)} pending in the session (`--resume`).")
           + " The score covers the mutants that ran.", ""] if report.get("interrupted") else []),
        f"**Mutation score: {report['killed']} / {report['applicable']} applicable mutants killed"
        + (f" ({100 * report['score']:.0f}%)" if report["score"] is not None else "")
        + f"**; {report['mutants']} mutants in all, {report['seconds']} s.",
        "",
    ]
    if "generated_mutants" in report:  # a source campaign: what ran out of what was generated
        lines += [
            f"Source campaign on `{report['module']}` as committed at {report['commit']} (last changed in "
            f"{report['module_commit']}): {report['generated_mutants']} mutants generated, "
            f"{report['excluded']} excluded by the operator filter, "
            + (f"{report.get('unchanged_since', 0)} on lines unchanged since {report['since']}, "
               if report.get("since") else "")
            + f"{report['left_out_by_limit']} left out by limit, {report['tested']} run, {report['pending']} pending.",
            "",
        ]
    lines += [
        "| mutant | group | applicable | proof input | killed by | examples | seconds |",
        "|---|---|---|---|---|---:|---:|",
    ]
    for row in report["rows"]:
        proof = row.get("proof") or {}
        shown = (f"{proof.get('dtype')} {tuple(proof.get('shape', ()))} {proof.get('config')} "
                 f"{proof.get('mode')}{', training=True' if proof.get('training') else ''}: {proof.get('shows')}"
                 if proof else row.get("reason", ""))
        applicable = "yes" if row["applicable"] else "no"
        killed = row["killed_by"] if row["killed"] else ("**SURVIVED**" if row["applicable"] else "n/a")
        lines.append(f"| {_cell(row['operator'])} | {row['group']} | {applicable} | {_cell(shown)[:300]} | "
                     f"{_cell(killed)} | {row['examples']} | {row['seconds']:.1f} |")
    if report["survivors"]:
        lines += ["", "## Survivors", ""]
        for row in report["rows"]:
            if row["applicable"] and not row["killed"]:
                lines.append(f"- `{row['operator']}`: {row['summary']} ({row['cells']} cells, "
                             f"{row['examples']} examples, none failed)")
                if row.get("diff"):
                    lines += ["", "```diff", row["diff"].rstrip(), "```", ""]
    if report["not_applicable"]:
        lines += ["", "## Not applicable", ""]
        lines += [f"- `{name}`: {reason}" for name, reason in report["not_applicable"].items()]
    return "\n".join(lines) + "\n"


def write(path, report):
    """Write the JSON to ``path`` and the Markdown beside it; returns the Markdown's path."""
    from properties.reporting.report import write as write_files

    return write_files(path, report, as_markdown)
