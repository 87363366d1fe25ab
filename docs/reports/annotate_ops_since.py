"""Classify the survivors of the incremental source campaign on ``centerzero/ops.py``.

    python docs/reports/annotate_ops_since.py > docs/reports/ops-campaign-since-205684f.md

Reads ``ops-since-205684f.json`` (the campaign's ``--report``: every mutant and what the
properties did to it) and ``ops-since-205684f-unit-tests.json`` (for every survivor, the first
unit test that fails with it applied, from ``survivors_vs_unit_tests.py``), both beside this
file, and prints the Markdown report.  A survivor no unit test kills gets a class from the rules
below (by line of ``ops.py`` at 1071b5d, then by mutant); one that no rule covers is printed
``UNCLASSIFIED`` and the exit status is 1.
"""

import collections
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

SAME = "equivalent"
CACHE = "equivalent (cache)"
FALLBACK = "equivalent (fallback)"
SCALE = "scale only"
SPEED = "speed only"
GUARD = "equivalent (guard)"

NAMES = ("the write names are `scatter`, `strided`, `select` and `and`, and the earlier branches have "
         "taken the others: ")

#: (line, mutant prefix or "") -> (class, reason); the first match wins.
RULES = [
    (586, "ReplaceComparisonOperator_Eq_GtE", SAME, NAMES + "only `select` and `and` reach `_mask_plan`, and "
     "`\"and\" >= \"select\"` is false: the same test"),
    (485, "ReplaceComparisonOperator_Eq_Lt", SAME, NAMES + "no write name sorts before `and`, so `<= \"and\"` "
     "is `== \"and\"`, and `< \"and\"` never holds, which sends an `and` write (never chosen in a CPU graph "
     "unless the user orders it) to the strided write: the same bits"),
    (262, "ReplaceComparisonOperator_Eq_GtE", SAME, NAMES + "after `scatter`, only `strided` is `>= \"strided\"`"),
    (264, "ReplaceComparisonOperator_Eq_GtE", SAME, NAMES + "only `select` and `and` get here, and only `select` "
     "is `>= \"select\"`"),
    (264, "ReplaceComparisonOperator_Eq_Gt", SPEED, "`select` is judged by the AND kernels instead of `SelectV2`'s: "
     "a different answer only on a device that has one but not the other for the dtype, and then only which "
     "exact write runs (a write with no kernel there runs on the CPU, with the same bits)"),
    (487, "ReplaceComparisonOperator_Eq_LtE", SAME, NAMES + "after `select` and `and`, only `scatter` is "
     "`<= \"scatter\"` (`strided` sorts after it)"),
    (620, "ReplaceComparisonOperator_Eq_LtE", SAME, NAMES + "after the mask writes, only `scatter` is "
     "`<= \"scatter\"`"),
    (614, "ReplaceComparisonOperator_Eq_LtE", SAME, "`identity` has returned already and `update` sorts after "
     "`compiled`: `<= \"compiled\"` is `== \"compiled\"`"),
    (318, "ReplaceComparisonOperator_NotEq_Gt", SAME, "every device type TensorFlow names (`GPU`, `TPU`, "
     "`XLA_CPU`, a pluggable device's) sorts after `CPU`, so `> \"CPU\"` is `!= \"CPU\"` for all of them"),
    (193, "NumberReplacer@193:72", SAME, "the default of `max` over the shape's lengths is used only for a "
     "shape with no lengths, a rank-0 input, which every caller refuses before"),
    (193, "", SCALE, "the scatter's index dtype (int32 or int64): the two address the same elements, and int32 "
     "would overflow only for a window index of 2^31 or more, that is a map axis of about 2^32 elements; "
     "the mask writes no such tensor here"),
    (543, "ReplaceOrWithAnd", FALLBACK, "`_context._context and _context.context()` is the same context object "
     "whenever TensorFlow's context exists (it does once anything ran), and otherwise `None`, whose missing "
     "attribute sends the check to `tf.executing_eagerly()`: the same answer"),
    (556, "ReplaceOrWithAnd", FALLBACK, "the same context object whenever it exists, and otherwise `None`, which "
     "the fast path refuses and the public op then runs: the same result"),
    (544, "ExceptionReplacer", FALLBACK, "the `except` clause of a lookup that succeeds on every TensorFlow the "
     "project supports (2.15-2.21, nightly): never taken"),
    (523, "ExceptionReplacer", FALLBACK, "the `except` clause of an import that succeeds on every supported "
     "TensorFlow: never taken"),
    (178, "RemoveDecorator", CACHE, "the kernel registry is read again on every call instead of once: the same "
     "answers, more slowly"),
    (629, "", CACHE, "whether the strided write's zero block is made once per plan or on each call: the same "
     "zeros either way (a memory and speed choice)"),
    (664, "ReplaceComparisonOperator_Is_Eq", SAME, "`type(x) == EagerTensor` compares two classes, and "
     "`EagerTensor`'s metaclass (`type`) compares classes by identity: the same test as `is`"),
    (465, "NumberReplacer", GUARD, "`_scatter_constants` is only called for inputs that `_scatter_fits` "
     "accepted, which excludes empty tensors, so this guard never sees a 0 length (only a forced private "
     "`write=\"scatter\"` on an empty tensor would)"),
]


def classify(name):
    line = int(name.split("@")[1].split(":")[0])
    for rule_line, prefix, kind, reason in RULES:
        if rule_line == line and name.startswith(prefix):
            return kind, reason
    return "UNCLASSIFIED", ""


def _cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def main():
    report = json.load(open(os.path.join(HERE, "ops-since-205684f.json")))
    tests = json.load(open(os.path.join(HERE, "ops-since-205684f-unit-tests.json")))
    rows = [r for r in report["rows"] if r["applicable"]]
    killed = [r for r in rows if r["killed"]]
    by_diff = {entry["diff"]: (name, entry) for name, entry in tests.items()}
    survivors = [(by_diff[r["diff"]][0], by_diff[r["diff"]][1], r) for r in rows if not r["killed"]]
    by_tests = [s for s in survivors if s[1]["killed_by"]]
    added = [s for s in by_tests if s[1].get("by_a_test_added_after_the_campaign")]
    rest = [(name, entry, row, *classify(name)) for name, entry, row in survivors if not entry["killed_by"]]
    kinds = collections.Counter(kind for *_, kind, _ in rest)
    out = [
        "# Incremental source campaign on `centerzero/ops.py`: the lines changed since 205684f",
        "",
        "Regenerate: `python docs/reports/annotate_ops_since.py`. The campaign's own report (every mutant, with",
        "the property that killed it) is `ops-since-205684f.md`; the unit-test check of every survivor is",
        "`ops-since-205684f-unit-tests.json`.",
        "",
        "| | count |",
        "|---|---:|",
        f"| mutants generated (the whole file) | {report['generated_mutants']} |",
        f"| excluded by the operator filter | {report['excluded']} |",
        f"| on lines unchanged since {report['since']} (`--since`) | {report['unchanged_since']} |",
        f"| run | **{len(rows)}** (none pending) |",
        f"| killed by a property (`verify center-zero --profile quick`) | **{len(killed)}** |",
        f"| survived the properties | {len(survivors)} |",
        f"| of which killed by the op-level unit tests | **{len(by_tests)}** ({len(added)} by tests added "
        "after the campaign) |",
    ]
    out += [f"| of which {kind} | {count} |" for kind, count in sorted(kinds.items())]
    out += ["", "Killed by a property, by cell: " + ", ".join(
        f"`{cell}` {n}" for cell, n in collections.Counter(r["killed_by"] for r in killed).most_common()) + ".", ""]
    cells = collections.Counter(entry["killed_by"].split("::")[1].split("[")[0] for _, entry, _ in by_tests)
    out += ["Killed by a unit test (first failing test, `pytest -x` over `tests/test_ops_paths.py`, "
            "`tests/test_source_survivors.py`, `tests/test_campaign_gaps.py`, `tests/test_write_orders.py`): "
            + ", ".join(f"`{test}` {n}" for test, n in cells.most_common()) + ".", ""]
    out += ["## Survivors of the properties and the unit tests", "",
            "| mutant | class | original -> mutated | why |", "|---|---|---|---|"]
    for name, entry, row, kind, reason in sorted(rest, key=lambda s: (int(s[0].split("@")[1].split(":")[0]), s[0])):
        diff = entry["diff"].splitlines()
        minus = next((line[1:].strip() for line in diff
                      if line.startswith("-") and not line.startswith("---") and line[1:].strip()), "")
        plus = next((line[1:].strip() for line in diff if line.startswith("+") and not line.startswith("+++")),
                    "(removed)")
        out.append(f"| `{name}` | {kind} | `{_cell(minus)[:90]}` -> `{_cell(plus)[:90]}` | {_cell(reason)} |")
    out += ["", "## Survivors of the properties killed by a unit test", "", "| mutant | killed by |", "|---|---|"]
    for name, entry, row in sorted(by_tests, key=lambda s: (int(s[0].split("@")[1].split(":")[0]), s[0])):
        note = " (added after the campaign)" if entry.get("by_a_test_added_after_the_campaign") else ""
        out.append(f"| `{name}` | `{entry['killed_by']}`{note} |")
    print("\n".join(out))
    return 1 if kinds.get("UNCLASSIFIED") else 0


if __name__ == "__main__":
    sys.exit(main())
