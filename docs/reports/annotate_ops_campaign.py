"""Classify the survivors of the source campaign on ``centerzero/ops.py`` at 205684f.

    python docs/reports/annotate_ops_campaign.py SESSION.sqlite [--md]

Reads Cosmic Ray's session database (``selftest --engine source`` keeps it in its work
directory) and prints every surviving mutant with a class and the reason, from the rules
below (by line of ``ops.py`` at 205684f, then by mutant).  Classes:

* ``equivalent``: cannot change any result of the layer or the op (the reason says why);
* ``op-api``: real, but only for argument forms the layer never passes to
  ``centerzero.center_zero`` (it normalises size and axes to int pairs); killed by
  ``tests/test_source_survivors.py``;
* ``property-fixed``: real and reachable through the layer; the properties missed it under
  ``quick`` and an improved property kills it now (the reason names the property and the test).

A survivor no rule covers is printed as ``UNCLASSIFIED`` (exit status 1).
"""

import collections
import sqlite3
import sys

PATH = ("path choice only: every path (identity, update by scatter or strided write, compiled, xla) "
        "gives the same bits by design (contract 1.6; tests/test_ops_paths.py pins each against NumPy), "
        "and this mutant only moves inputs between paths")
FAST = "the eager fast path's guard gets stricter: these arguments take the slow path, with the same result"
BOOL_CACHE = ("a bool in a pair passes the fast path's guard and the plan cached for the equal int pair "
              "(True == 1) answers instead of the ValueError for a bool")
SHORT = "a tuple shorter than 2 passes the guard and raises IndexError instead of the ValueError naming it"
LIST = "a list passes the guard and becomes an unhashable cache key (TypeError instead of a result)"
OP_TEST = "; killed by tests/test_source_survivors.py"
NOT_INT = ("int pairs take the slow path and cache their plan under the normalised pair (a DType key equals its "
           "enum), and a pair with a bool passes the guard: (True, 2) after (1, 2) is answered by that plan")

#: (line, column or None, operator suffix or None) -> (class, reason); the most specific rule wins.
RULES = {
    (42, None, None): ("equivalent", "the key 1 of _UNSIGNED_OF_WIDTH is never looked up: only 2-, 4- and 8-byte "
                       "floats and complex halves are bitcast"),
    (82, None, None): ("equivalent", "a rank-1 input still gets a ValueError naming the rank and the axes (its axes are "
                       "out of range or the same axis), which is what contract 1.8 asks; only the sentence differs"),
    (71, None, "ReplaceComparisonOperator_Eq_GtE"): ("equivalent", "np.dtype(object) >= object is True (object casts "
                                                     "safely to itself) and no other dtype is >= object: the same test"),
    (71, None, None): ("property-fixed", "NumPy object arrays pass check_input_type and are converted; bad-inputs-raise "
                       "drew no bad input type: bad-types-raise now checks every kind on every example "
                       "(tests/test_campaign_gaps.py, under quick)"),
    (85, None, None): ("property-fixed", "an axis far out of range (3 or -3 on rank 2) wraps around instead of raising; "
                       "quick's 3 examples per cell drew no such config: bad-inputs-raise now checks 4 bad inputs per "
                       "example and favours the lowest invalid rank, and kills it under ci "
                       "(tests/test_source_survivors.py)"),
    (118, None, None): ("equivalent", PATH + " (LARGE_WINDOW_SHARE)"),
    (123, None, None): ("equivalent", PATH + " (COMPILED_MIN_ELEMENTS)"),
    (130, None, None): ("equivalent", PATH + " (MAX_SCATTER_BYTES: scatter or strided write)"),
    (133, None, None): ("equivalent", PATH + " (USE_COMPILED_PATH)"),
    (144, None, None): ("equivalent", "dtype.size / 2 is 4.0 or 8.0, and a dict look-up with 4.0 finds the key 4"),
    (150, None, None): ("equivalent", "_all_ones is never called for bool: _keep_words returns logical_not for bool first"),
    (157, None, None): ("equivalent", "_in_xla_context is called only while tracing (the eager branch of center_zero "
                        "returns before it), where executing_eagerly() is False"),
    (163, None, None): ("equivalent", "the private import succeeds on TensorFlow 2.21: the except clause never runs"),
    (166, None, None): ("equivalent", "fallback defined only when the private import fails, which it does not here"),
    (169, None, None): ("equivalent", PATH + " (choose_path's default xla=True reaches only _eager_plan, which then "
                        "takes update)"),
    (179, None, None): ("equivalent", PATH + " (size 0 no longer short-cuts to identity: an empty window writes nothing)"),
    (183, None, None): ("equivalent", PATH + " (a map length read from the other axis)"),
    (184, None, None): ("equivalent", PATH),
    (186, None, None): ("equivalent", PATH + " (the large-window test)"),
    (188, None, None): ("equivalent", PATH + " (the element count)"),
    (189, None, None): ("equivalent", PATH + " (the element-count test)"),
    (213, None, None): ("equivalent", "bool * bool is a logical AND in TensorFlow (also under XLA)"),
    (282, None, None): ("equivalent", "(length - k) / 2 is cast to int64 next, which truncates: the same as // for "
                        "length >= k (a larger window fails the run-time check), exact below 2^53"),
    (367, None, None): ("equivalent", "the EagerTensor import succeeds on TensorFlow 2.21: the except clause never runs"),
    (212, None, None): ("equivalent", "bool * bool is a logical AND in TensorFlow (also under XLA)"),
    (250, None, None): ("equivalent", "the cache of compiled functions: its size or its absence (recompiled per call) "
                        "changes speed only"),
    (258, None, "ReplaceTrueWithFalse"): ("equivalent", "jit_compile=False runs the same AND in TensorFlow's bitwise "
                                          "kernels: the same bits, slower"),
    (258, None, "ReplaceFalseWithTrue"): ("equivalent", "autograph=True on a function without Python control flow over "
                                          "tensors traces the same graph"),
    (266, None, None): ("property-fixed", "the strided write with static bounds (zero blocks above MAX_SCATTER_BYTES on "
                        "inputs under 2^16 elements) was not reached under quick; center-zero's second landmark reaches "
                        "it in every column (tests/test_campaign_gaps.py runs this mutant)"),
    (267, None, None): ("property-fixed", "as 266: the strided write with static bounds, now reached by the second "
                        "landmark (tests/test_campaign_gaps.py runs this mutant)"),
    (306, None, None): ("equivalent", "the scatter's index dtype (int32 or int64) only: the same positions"),
    (308, None, None): ("equivalent", PATH + " (the scatter's byte count: scatter or strided write)"),
    (315, None, None): ("equivalent", PATH + " (scatter and strided write swapped)"),
    (324, None, None): ("equivalent", "NumPy's reshape takes any negative length as the one inferred dimension"),
    (378, None, None): ("equivalent", "the private import succeeds on TensorFlow 2.21: the except clause never runs"),
    (385, None, None): ("equivalent", "the public op instead of TensorFlow's eager fast path for the same op: same bits"),
    (391, None, None): ("equivalent", "the fast path does not fail on the inputs the plan takes: the except clause "
                        "never runs"),
    (402, None, None): ("equivalent", "the cache of eager plans: its size changes speed only"),
    (416, None, None): ("equivalent", PATH + " (the path-name test in _eager_plan)"),
    (436, 14, "ReplaceComparisonOperator_Is_NotEq"): ("op-api", "every tuple or list size passes the guard: "
                                                       + BOOL_CACHE[2:] + "; a size list becomes an unhashable cache "
                                                       "key" + OP_TEST),
    (436, 21, None): ("equivalent", FAST + " (no size is plain)"),
    (436, 29, None): ("equivalent", "kind == tuple is the same test as kind is tuple for type objects"),
    (436, 52, "ReplaceComparisonOperator_Eq_NotEq"): ("op-api", SHORT + OP_TEST),
    (436, 52, "ReplaceComparisonOperator_Eq_Lt"): ("op-api", SHORT + OP_TEST),
    (436, 52, "ReplaceComparisonOperator_Eq_LtE"): ("op-api", SHORT + OP_TEST),
    (436, 52, "ReplaceComparisonOperator_Eq_Gt"): ("equivalent", FAST + " (3-tuples reach the same ValueError)"),
    (436, 52, "ReplaceComparisonOperator_Eq_GtE"): ("equivalent", "3-tuples reach _eager_plan, whose argument check raises "
                                                    "the slow path's ValueError (errors are not cached)"),
    (436, None, "ReplaceComparisonOperator_Is_Eq"): ("equivalent", "type(v) == int is the same test as type(v) is int"),
    (436, None, "ReplaceComparisonOperator_Is_NotEq"): ("op-api", NOT_INT + OP_TEST),
    (436, None, "ReplaceAndWithOr"): ("op-api", BOOL_CACHE + OP_TEST),
    (436, None, "NumberReplacer"): ("op-api", BOOL_CACHE + OP_TEST),
    (437, None, "ReplaceComparisonOperator_Eq_Gt"): ("equivalent", FAST + " (3-tuples reach the same ValueError)"),
    (437, None, "ReplaceComparisonOperator_Eq_GtE"): ("equivalent", "3-tuples reach _eager_plan, whose argument check "
                                                      "raises the slow path's ValueError"),
    (437, None, "ReplaceComparisonOperator_Eq_Lt"): ("op-api", SHORT + OP_TEST),
    (437, None, "ReplaceComparisonOperator_Eq_LtE"): ("op-api", SHORT + OP_TEST),
    (437, None, "ReplaceComparisonOperator_Eq_NotEq"): ("op-api", SHORT + OP_TEST),
    (437, 51, "ReplaceAndWithOr"): ("op-api", "axes given as a list pass the guard and become " + LIST[22:] + OP_TEST),
    (437, None, "ReplaceAndWithOr"): ("op-api", BOOL_CACHE + OP_TEST),
    (437, None, "ReplaceComparisonOperator_Is_Eq"): ("equivalent", "type(v) == int is the same test as type(v) is int"),
    (437, None, "ReplaceComparisonOperator_Is_NotEq"): ("op-api", NOT_INT + OP_TEST),
    (437, None, "NumberReplacer"): ("op-api", BOOL_CACHE + OP_TEST),
    (441, None, None): ("op-api", "center_zero's default size=2, axes=(-2, -1): the layer always passes both" + OP_TEST),
    (452, None, None): ("op-api", "a NumPy array given to center_zero takes the eager fast path and fails on "
                        "_shape_tuple(); the layer's call always gets a tensor" + OP_TEST),
    (465, None, None): ("equivalent", "without the explicit control dependency the run-time window checks still run: "
                        "tf.function executes every stateful op it traced (automatic control dependencies), and "
                        "bad-inputs-raise in graph-unknown-dims saw the InvalidArgumentError"),
    (472, None, None): ("equivalent", PATH + " (the path-name test in center_zero's graph branch)"),
    (474, None, None): ("equivalent", PATH + " (the path-name test in center_zero's graph branch)"),
}


#: (line, operator suffix, text in the mutated line) -> (class, reason): checked before RULES.
TEXT_RULES = {
    (436, "NumberReplacer", "len(size) == 3"): ("equivalent", FAST[:-len(", with the same result")] + "; 3-tuples "
                                                "reach _eager_plan, whose check raises the slow path's ValueError"),
    (437, "NumberReplacer", "len(axes) == 3"): ("equivalent", FAST[:-len(", with the same result")] + "; 3-tuples "
                                                "reach _eager_plan, whose check raises the slow path's ValueError"),
    (452, "ReplaceComparisonOperator_Is_Eq", "type(x) == _EagerTensor"): (
        "equivalent", "type(x) == _EagerTensor is the same test as type(x) is _EagerTensor"),
}


def classify(line, col, operator, mutated=""):
    name = operator.split("/")[-1]
    for (rule_line, rule_name, text), verdict in TEXT_RULES.items():
        if rule_line == line and rule_name == name and text in mutated:
            return verdict
    for key in ((line, col, name), (line, None, name), (line, col, None), (line, None, None)):
        if key in RULES:
            return RULES[key]
    return ("UNCLASSIFIED", "")


def survivors(session):
    db = sqlite3.connect(session)
    return db.execute(
        "select m.operator_name, m.start_pos_row, m.start_pos_col, m.occurrence, r.diff from work_results r "
        "join mutation_specs m on m.job_id = r.job_id where r.test_outcome = 'SURVIVED' "
        "order by m.start_pos_row, m.start_pos_col, m.operator_name").fetchall()


def main(argv):
    rows = []
    for operator, line, col, occurrence, diff in survivors(argv[1]):
        minus = [t[1:].strip() for t in diff.splitlines() if t.startswith("-") and not t.startswith("---")]
        plus = [t[1:].strip() for t in diff.splitlines() if t.startswith("+") and not t.startswith("+++")]
        cls, why = classify(line, col, operator, plus[0] if plus else "")
        rows.append((f"{operator.split('/')[-1]}@{line}:{col}", cls, (minus or ["(none)"])[0],
                     (plus or ["(line removed)"])[0], why))
    if "--md" in argv:
        print("| mutant | class | original -> mutated | why |\n|---|---|---|---|")
        for name, cls, before, after, why in rows:
            before, after = before.replace("|", "\\|"), after.replace("|", "\\|")
            print(f"| `{name}` | {cls} | `{before}` -> `{after}` | {why} |")
    else:
        for name, cls, before, after, why in rows:
            print(f"{name:50} {cls:15} {after[:70]}")
    counts = collections.Counter(row[1] for row in rows)
    print(dict(counts), file=sys.stderr)
    return 1 if counts.get("UNCLASSIFIED") else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
