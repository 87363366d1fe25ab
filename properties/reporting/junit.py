"""Reports CI reads: JUnit XML (one test case per cell, run or mutant) and a short Markdown
summary fit for ``$GITHUB_STEP_SUMMARY``.

The XML is written with the standard library's ``xml.etree`` in the schema every CI reader
takes (Jenkins' and pytest's ``xunit2``): ``<testsuites><testsuite><testcase>`` with
``<failure>``, ``<error>`` and ``<skipped>``.  A documented finding is ``<skipped>`` with its
reason (the run does not fail on it, as under pytest where it is an ``xfail``); a flaky finding
too, its message saying so.
"""

import dataclasses
import os
import xml.etree.ElementTree as ET


@dataclasses.dataclass
class Case:
    """One JUnit test case."""

    classname: str
    name: str
    seconds: float = 0.0
    #: "passed", "failure", "error" (the harness could not run it) or "skipped".
    outcome: str = "passed"
    message: str = ""
    text: str = ""


def cell_cases(spec_name, cells):
    """The cases of a ``verify`` run: one per (property, column) cell."""
    cases = []
    for cell in cells:
        case = Case(f"properties.{spec_name}.{cell.prop}", cell.column, cell.seconds)
        if cell.failures:
            harness = cell.failure_kind in ("could-not-run", "retraced", "ran-nothing")
            case.outcome = "error" if harness else "failure"
            case.message = cell.message.splitlines()[0] if cell.message else "failed"
            case.text = cell.message + (f"\nreplay: {cell.replay}" if cell.replay else "")
        elif cell.expected_failure:
            case.outcome, case.message = "skipped", "known finding (the spec documents it): " + \
                cell.expected_failure.splitlines()[0]
            case.text = cell.expected_failure
        elif cell.flaky_failure:
            case.outcome, case.message = "skipped", "flaky finding (thread-dependent, declared by the spec): " + \
                cell.flaky_failure.splitlines()[0]
            case.text = cell.flaky_failure
        cases.append(case)
    return cases


def run_cases(spec_name, runs, groups):
    """The cases of a ``soak``: one per run; a run fails where one of its failing cells belongs
    to a group classified as a layer defect or unexplained, and is skipped (a finding) where its
    failures are all documented or flaky findings, or where an interrupted soak stopped it partway."""
    bad = {(g.prop, g.column): g for g in groups if g.kind in ("layer defect", "unexplained")}
    found = {(g.prop, g.column): g for g in groups if g.kind not in ("layer defect", "unexplained")}
    cases = []
    for run in runs:
        case = Case(f"properties.soak.{spec_name}", f"run {run.number} seed {run.seed}", run.seconds)
        cells = [(c.get("property"), c.get("column")) for c in run.cells]
        failing = [bad[key] for key in cells if key in bad]
        interrupted = getattr(run, "interrupted", False)
        if failing or (run.returncode not in (0, 1) and not interrupted):
            case.outcome = "failure" if failing else "error"
            case.message = "; ".join(f"{g.kind}: {g.prop} [{g.column}]" for g in failing) or \
                f"verify exited {run.returncode}"
            case.text = "\n".join(f"{g.kind}: {g.prop} [{g.column}]: {g.reason}" for g in failing) + \
                f"\nrerun: {run.command}"
        elif any(key in found for key in cells) or interrupted:
            case.outcome = "skipped"
            case.message = "; ".join(["interrupted: the run stopped partway (Ctrl-C)"] * interrupted + [
                f"{found[key].kind}: {key[0]} [{key[1]}]" for key in cells if key in found])
        cases.append(case)
    return cases


def mutant_cases(spec_name, results):
    """The cases of a ``selftest``: one per mutant; a survivor fails, a mutant that does not
    apply to the spec is skipped with the reason."""
    cases = []
    for r in results:
        case = Case(f"properties.selftest.{spec_name}", r.operator, r.seconds + getattr(r, "proof_seconds", 0.0))
        if not r.applicable:
            case.outcome, case.message = "skipped", f"not applicable: {r.reason}"
        elif not r.killed:
            case.outcome, case.message = "failure", f"survived: {r.summary}"
            case.text = getattr(r, "diff", "") or r.summary
        cases.append(case)
    return cases


def write(path, suite, cases, seconds=None):
    """Write ``cases`` as one JUnit test suite named ``suite`` to ``path``."""
    counts = {kind: sum(c.outcome == kind for c in cases) for kind in ("failure", "error", "skipped")}
    total = seconds if seconds is not None else sum(c.seconds for c in cases)
    root = ET.Element("testsuites", name="properties", tests=str(len(cases)), failures=str(counts["failure"]),
                      errors=str(counts["error"]), skipped=str(counts["skipped"]), time=f"{total:.3f}")
    node = ET.SubElement(root, "testsuite", name=suite, tests=str(len(cases)), failures=str(counts["failure"]),
                         errors=str(counts["error"]), skipped=str(counts["skipped"]), time=f"{total:.3f}")
    for case in cases:
        element = ET.SubElement(node, "testcase", classname=case.classname, name=case.name,
                                time=f"{case.seconds:.3f}")
        if case.outcome in ("failure", "error", "skipped"):
            child = ET.SubElement(element, case.outcome, message=case.message[:500])
            child.text = case.text
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
    return path


def summary(title, cases, seconds, extra_lines=(), interrupted=False):
    """A short Markdown summary: the counts, then each failure and finding in one line; the
    verdict is "interrupted" for a run stopped by Ctrl-C (``extra_lines`` say what ran)."""
    counts = {kind: sum(c.outcome == kind for c in cases) for kind in ("passed", "failure", "error", "skipped")}
    verdict = "interrupted" if interrupted else "failed" if counts["failure"] or counts["error"] else "passed"
    lines = [f"### {title}: {verdict}", "",
             f"{len(cases)} cases: {counts['passed']} passed, {counts['failure']} failed, {counts['error']} errors "
             f"(the harness could not run them), {counts['skipped']} skipped (findings, mutants that do not apply, "
             f"interrupted runs: each line says which); {seconds:.0f} s", ""]
    for case in cases:
        if case.outcome != "passed":
            mark = {"failure": "FAIL", "error": "ERROR", "skipped": "skipped"}[case.outcome]
            lines.append(f"- **{mark}** `{case.classname.rsplit('.', 1)[-1]}` [{case.name}]: {case.message}")
    lines += list(extra_lines)
    return "\n".join(lines) + "\n"


def append_summary(path, text):
    """Append to ``path`` (``$GITHUB_STEP_SUMMARY`` is appended to, never overwritten)."""
    with open(path, "a") as handle:
        handle.write(text)
