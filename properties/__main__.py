"""``python -m properties verify SPEC [--layer MODULE:ATTR] [--profile NAME] [--max-examples N]
[--exitfirst] [--report PATH]``: the project's main job (contract 2.2).

Exit status, as pytest's: 0 when every property holds, 1 when any fails, 2 for a usage error, 3
when the harness itself fails (an internal error), 5 when nothing ran (``-k`` matched no cell).
``list specs|properties|columns|profiles`` names what ``verify -k`` and ``replay`` take.
``python -m properties replay SPEC PROPERTY COLUMN --blob BLOB [--layer MODULE:ATTR]`` reruns
one failure from the blob a failure report printed.
"""

import argparse
import os
import signal
import sys
import threading
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        sys.exit(2)


def _version():
    import importlib.metadata

    try:
        return importlib.metadata.version("centerzero")
    except importlib.metadata.PackageNotFoundError:  # a source tree that is not installed
        return "unknown (not installed)"


def _parser():
    parser = _Parser(prog="python -m properties", description="Check a mask layer against its spec.")
    parser.add_argument("--version", action="version", version=f"%(prog)s (centerzero {_version()})")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    from properties.tools.selftest.cli import add_parser as add_selftest_parser

    add_selftest_parser(commands)
    verify = commands.add_parser("verify", help="run every property of a spec")
    verify.add_argument("spec", metavar="SPEC", nargs="?",
                        help="a built-in spec name (center-zero), a registered one, or MODULE:ATTR; without it, "
                             "the specs [tool.properties] names, else those this project registers")
    verify.add_argument("--layer", metavar="MODULE:ATTR", help="build the layer from this class instead")
    verify.add_argument("--profile", metavar="NAME", help="Hypothesis profile: dev, ci, thorough, quick")
    verify.add_argument("--max-examples", metavar="N", type=int, help="examples per property and column")
    verify.add_argument("--exitfirst", action="store_true", help="stop at the first failing property")
    verify.add_argument("--report", metavar="PATH", help="write a JSON report here and Markdown beside it")
    verify.add_argument("--seed", metavar="N", type=int,
                        help="seed every cell from N and its name, without the example database (reproducible)")
    verify.add_argument("--junitxml", metavar="PATH", help="write a JUnit XML report: one test case per cell")
    verify.add_argument("--summary", metavar="PATH", help="append a Markdown summary to PATH (e.g. "
                                                          "$GITHUB_STEP_SUMMARY)")
    verify.add_argument("--max-time", metavar="SECONDS", type=float,
                        help="start no new cell after this many seconds; the report says the run is partial")
    verify.add_argument("-k", dest="select", metavar="PATTERN",
                        help="only the cells whose PROPERTY-COLUMN id (as under pytest) matches this regular "
                             "expression, e.g. -k 'zeroed-exactly-(eager|xla)$'")
    listing = commands.add_parser("list", help="the built-in specs, the properties, a spec's columns, the profiles")
    listing.add_argument("what", choices=("specs", "properties", "columns", "profiles"))
    listing.add_argument("--spec", metavar="SPEC", default="center-zero",
                         help="for columns: the spec whose property/column cells to list (default center-zero)")
    replay = commands.add_parser("replay", help="rerun one failure from its blob")
    replay.add_argument("spec", metavar="SPEC")
    replay.add_argument("property", metavar="PROPERTY")
    replay.add_argument("column", metavar="COLUMN")
    replay.add_argument("--blob", required=True)
    replay.add_argument("--layer", metavar="MODULE:ATTR")
    from properties.tools import soak

    soak.add_parser(commands)
    # The trace subcommand's parser is defined here: its module imports TensorFlow.
    trace = commands.add_parser("trace", help="each promise -> properties -> columns -> a specimen, and what "
                                              "caught it")
    trace.add_argument("spec", metavar="SPEC", help="a built-in spec name (center-zero) or MODULE:ATTR")
    trace.add_argument("--layer", metavar="MODULE:ATTR", help="trace this class instead of the spec's layer")
    trace.add_argument("--profile", metavar="NAME", default="ci", help="the profile the specimens run under (ci)")
    trace.add_argument("--promise", metavar="ID", action="append", help="only this promise (repeatable)")
    trace.add_argument("--write", metavar="PATH", help="write the table as Markdown to PATH")
    return parser


def _load(args):
    """The spec (with --layer applied); usage errors exit 2."""
    sys.path.insert(0, os.getcwd())
    from properties.core.imports import import_object
    from properties.specs import load_spec

    try:
        spec = load_spec(args.spec)
        if args.layer:
            spec = spec.with_layer(import_object(args.layer, "--layer"))
    except (ValueError, ImportError) as error:
        print(f"python -m properties {args.command}: error: {error}", file=sys.stderr)
        sys.exit(2)
    return spec


def list_(args):
    """``list specs|properties|columns|profiles``: the names ``verify``, ``-k`` and ``replay`` take."""
    if args.what == "profiles":
        from properties.core.profiles import PROFILES

        for name, values in PROFILES.items():
            print(f"{name:10} " + ", ".join(f"{k}={v}" for k, v in values.items()))
        return 0
    if args.what == "specs":
        from properties.specs import builtin_specs

        for name, spec in builtin_specs().items():
            layer = f"{getattr(spec.layer, '__module__', '?')}:{getattr(spec.layer, '__qualname__', '?')}"
            print(f"{name:15} {layer}")
        return 0
    if args.what == "properties":
        from properties.checks.catalogue import all_properties

        for prop in all_properties():
            print(f"{prop.name:28} {prop.summary}")
        return 0
    args.command = "list"
    args.spec, args.layer = args.spec, None
    from properties.running.verify import plan

    for prop, column in plan(_load(args)):
        print(f"{prop.name}-{column}")
    return 0


def verify(args):
    """``verify`` over each spec named (one, or a bare ``verify``'s configured specs); the
    worst exit status wins (1 over 0, and 2 for an interrupted run)."""
    names = list(args.specs)
    statuses = []
    for name in names:
        one = argparse.Namespace(**vars(args))
        one.spec = name
        for option in ("report", "junitxml"):
            one_path = getattr(args, option)
            label = name.replace(":", "-")
            if one_path and "{spec}" in one_path:
                one_path = one_path.replace("{spec}", label)
            elif one_path and len(names) > 1:
                one_path = "{0}-{2}{1}".format(*os.path.splitext(one_path), label)
            setattr(one, option, one_path)
        statuses.append(_verify_one(one))
        if statuses[-1] == 2:
            break
    if len(names) > 1:
        print(f"\nverified {len(statuses)} of {len(names)} specs: " + ", ".join(
            f"{name} exit {status}" for name, status in zip(names, statuses)))
    return 2 if 2 in statuses else 1 if 1 in statuses else 5 if all(s == 5 for s in statuses) else 0


def _verify_one(args):
    from properties.execution.devices import split_cpu_for_device_checks

    split_cpu_for_device_checks()
    from properties.reporting import report as reporting
    from properties.running.verify import verify as run_verify

    spec = _load(args)

    def on_start(result):
        seeded = "" if args.seed is None else f"  seed {args.seed} (no database)"
        print(f"verify {spec.name}  layer {result.layer_name}  profile {result.profile}{seeded}")
        print(", ".join(f"{k} {v}" for k, v in reporting.versions().items()))
        print(f"{'':11} {'property':26} {'column':20} {'examples':>8} {'seconds':>8}  result")

    def on_cell(result, cell):
        done = len(result.cells)
        left = result.seconds / done * (result.planned - done)
        skipped = f" ({cell.crash_skips} not run: known crash)" if cell.crash_skips else ""
        print(f"{f'[{done}/{result.planned}]':11} {cell.prop:26} {cell.column:20} {cell.examples:8d} "
              f"{cell.seconds:8.1f}  {cell.status}{skipped}  ({result.seconds:.0f} s, ~{left:.0f} s left)",
              flush=True)
        if cell.failures:
            # At once on stderr too (stdout repeats it at the end): a run stopped by a time
            # limit keeps every failure found so far.
            print(cell.message + "\n", file=sys.stderr, flush=True)

    try:
        result = run_verify(spec, profile=args.profile, seed=args.seed, max_examples=args.max_examples,
                            select=args.select, exitfirst=args.exitfirst, max_time=args.max_time,
                            on_start=on_start, on_cell=on_cell, spec_arg=args.spec, layer_arg=args.layer)
    except ValueError as error:  # an unknown profile
        print(f"python -m properties verify: error: {error}", file=sys.stderr)
        sys.exit(2)
    if not result.planned:
        print(f"no property/column cell matches -k {args.select!r} (`list columns --spec SPEC` names them)")
        return 5
    cells = result.cells
    _print_findings(spec, result)
    _print_reach(spec, cells)
    _print_promises(spec, cells)
    if result.stopped in ("max-time", "interrupted"):
        why = f"--max-time {args.max_time:g} s passed" if result.stopped == "max-time" else "interrupted"
        print(f"\nPARTIAL RUN ({why}): {len(cells)} of {result.planned} cells ran; the rest did not")
    print(f"\n{len(cells) - len(result.failed)} of {len(cells)} property/column cells hold; "
          f"{sum(c.examples for c in cells)} examples in {result.seconds:.0f} s")
    _write_reports(args, spec, result, reporting)
    if result.stopped == "interrupted":
        return 2  # as pytest's KeyboardInterrupt
    return result.exit_code


def _print_findings(spec, result):
    """Each failure's message, then the documented findings, flaky findings and known crashes."""
    for cell in result.failed:
        print("\n" + cell.message)
    if result.known:
        print(f"\n{len(result.known)} cells failed as the spec documents (known findings, not counted as failures):")
        for cell in result.known:
            print(f"  {cell.prop} [{cell.column}]: {spec.known_failure(cell.prop, cell.column)}")
    if result.flaky:
        print(f"\n{len(result.flaky)} cells failed where the spec declares a flaky finding (thread-dependent; "
              "not counted as failures):")
        for cell in result.flaky:
            print(f"  {cell.prop} [{cell.column}]: {spec.flaky_finding(cell.prop, cell.column)}")
    if any(c.crash_skips for c in result.cells):
        print("\nExamples not run because they would kill the process (the spec's known_crashes):")
        for crash in spec.known_crashes:
            if crash.applies:
                print(f"  {crash.op} in {crash.mode}: {crash.reason}")


def _write_reports(args, spec, result, reporting):
    """--report (JSON and Markdown), --junitxml and --summary."""
    cells = result.cells
    if args.report:
        data = reporting.as_json(spec.name, result.layer_name, result.profile, cells, result.seconds, spec=spec,
                                 stopped=result.stopped, planned=result.planned)
        markdown = reporting.write(args.report, data)
        print(f"report: {args.report} and {markdown}")
    if args.junitxml or args.summary:
        from properties.reporting import junit

        cases = junit.cell_cases(spec.name, cells)
        if args.junitxml:
            print(f"junit: {junit.write(args.junitxml, f'verify {spec.name}', cases, result.seconds)}")
        if args.summary:
            partial = ["", f"Partial run ({result.stopped}): {len(cells)} of {result.planned} cells ran."] \
                if result.stopped in ("max-time", "interrupted") else []
            junit.append_summary(args.summary, junit.summary(f"verify {spec.name} ({result.profile})", cases,
                                                             result.seconds, partial,
                                                             result.stopped == "interrupted"))


def _print_promises(spec, cells):
    """One line per promise whose cells did not all hold or that no property checks."""
    from properties.reporting.promises import machine_limits, promise_rows

    rows = [row for row in promise_rows(spec, cells, limits=machine_limits()) if row["scope"] != "not claimed"]
    checked = [row for row in rows if row["scope"] == "checked"]
    print(f"promises: {len(checked)} in scope for {spec.name}"
          + (f", {len(rows) - len(checked)} opted out" if len(rows) > len(checked) else "")
          + " (python -m properties trace SPEC maps each to a specimen)")
    for row in checked:
        unchecked = [gap for gap in row["gaps"] if "property" in gap]
        failing = {status: n for status, n in row["results"].items() if status != "ok"}
        if unchecked or failing or row["limit"]:
            print(f"  {row['id']}: " + "; ".join(unchecked + [f"{n} cells {status}" for status, n in failing.items()]
                                                 + ([f"limit: {row['limit']}"] if row["limit"] else [])))


def _print_reach(spec, cells):
    """The size distribution per column and the special-value generator gaps (contract 2.4)."""
    from properties.reporting.coverage import coverage_rows, size_rows

    print("\ninput sizes (elements): column, inputs, min / median / max, inputs above 2^16 / 2^20 / 2^22")
    for column, row in size_rows(cells).items():
        if row.get("inputs"):
            print(f"  {column:20} {row['inputs']:6d}  {row['min']} / {row['median']} / {row['max']}  "
                  f"{row['above 2^16']} / {row['above 2^20']} / {row['above 2^22']}")
    from properties.reporting.coverage import class_limits, missing_classes, reach_classes

    classes = reach_classes(cells)
    unreached = {column: [m for m in missing_classes(row) if m not in class_limits(spec, column, cells)]
                 for column, row in classes.items()}
    limited = sum(1 for column, row in classes.items() if set(missing_classes(row)) & set(class_limits(
        spec, column, cells)))
    print(f"reach classes (elements, batch length, longest other axis): {sum(not m for m in unreached.values())} "
          f"of {len(classes)} columns reached every class or name why not"
          + (f" ({limited} by cost: one property of a few dozen examples; see --report)" if limited else ""))
    for column, missing in unreached.items():
        if missing:
            print(f"  {column:20} not reached: {', '.join(missing)}")
    for column, row in classes.items():
        if row.get("patterns"):
            print(f"  {column:20} " + ", ".join(f"{label} {n}" for label, n in sorted(row["patterns"].items())))
    rows = coverage_rows(spec, cells)
    gaps = {prop: row["gaps"] for prop, row in rows.items() if row["gaps"]}
    if rows:
        claimed = next(iter(rows.values()))["claimed"]
        print(f"special values in eager mode: {len(rows) - len(gaps)} of {len(rows)} properties reached all "
              f"{claimed} claimed (dtype, kind, region) combinations")
    for prop, missing in gaps.items():
        print(f"  generator gap in {prop}: " + ", ".join("/".join(g) for g in missing[:12])
              + (f" and {len(missing) - 12} more" if len(missing) > 12 else ""))


def replay(args):
    from properties.execution.devices import split_cpu_for_device_checks

    split_cpu_for_device_checks()
    from properties.core.profiles import choose_profile
    from properties.checks.catalogue import all_properties
    from properties.running.runner import run_cell

    choose_profile("ci")
    spec = _load(args)
    matching = [p for p in all_properties() if p.name == args.property]
    if not matching or args.column not in matching[0].columns(spec):
        print(f"python -m properties replay: error: no property {args.property!r} in column {args.column!r}",
              file=sys.stderr)
        sys.exit(2)
    cell = run_cell(spec, matching[0], args.column, spec_arg=args.spec, layer_arg=args.layer, reproduce=args.blob)
    documented = f" ({cell.status}: the spec documents this finding)" if cell.status in ("known", "flaky") else ""
    print(cell.message or (cell.expected_failure or cell.flaky_failure) + documented
          or f"{args.property} [{args.column}] holds on the replayed example")
    return 1 if cell.failures else 0


def trace(args):
    from properties.execution.devices import split_cpu_for_device_checks

    split_cpu_for_device_checks()
    from properties.tools import trace as tracing

    return tracing.main(args, _load(args))


def _missing_dependency():
    """The extra to install where the kit's own dependencies are missing (the distribution
    itself needs only NumPy: the layer's users need neither Hypothesis nor the kit)."""
    import importlib.util

    for module, extra in (("hypothesis", "kit"), ("tensorflow", "cpu")):
        try:
            found = importlib.util.find_spec(module) is not None
        except ImportError:
            found = False
        if not found:
            return f"the property kit needs {module}: pip install 'centerzero[{extra}]'"
    return None


def _check_usage(args):
    """Usage errors that need no TensorFlow, found before anything imports it: the spec's name
    (with a "did you mean") or the form of MODULE:ATTR, and the profile's name."""
    from properties.core.imports import check_module_found
    from properties.core.names import PROFILE_NAMES, check_select, check_spec_argument, did_you_mean

    for spec in [getattr(args, "spec", None), *(getattr(args, "specs", None) or [])]:
        if spec is not None:
            check_spec_argument(spec)
    if getattr(args, "layer", None):
        if ":" not in args.layer:
            raise ValueError(f"--layer must look like MODULE:ATTR, got {args.layer!r}")
        check_module_found(args.layer, "--layer")
    for promise_id in getattr(args, "promise", None) or ():
        from properties.core.promises import BY_ID

        if promise_id not in BY_ID:
            raise ValueError(f"unknown promise {promise_id!r}: choose one of {sorted(BY_ID)}"
                             f"{did_you_mean(promise_id, BY_ID)}")
    if args.command == "verify":  # numbers, also from [tool.properties]
        if args.max_examples is not None and args.max_examples < 1:
            raise ValueError(f"--max-examples must be >= 1, got {args.max_examples}")
        if args.seed is not None and args.seed < 0:
            raise ValueError(f"--seed must be >= 0, got {args.seed}")
        if args.max_time is not None and not args.max_time > 0:  # also NaN
            raise ValueError(f"--max-time must be > 0, got {args.max_time}")
        if args.select is not None:
            check_select(args.select)
    profile = getattr(args, "profile", None)
    if profile is not None:
        if profile not in PROFILE_NAMES:
            raise ValueError(f"unknown profile {profile!r}: choose one of {sorted(PROFILE_NAMES)}"
                             f"{did_you_mean(profile, PROFILE_NAMES)}")


def _apply_config(args):
    """Fill what the command line left out from ``[tool.properties]``; name the specs a bare
    ``verify`` checks.  Usage errors are ValueErrors."""
    from properties.core.config import default_specs, tool_config

    config = tool_config()
    if args.command == "verify":
        for option in ("profile", "report", "junitxml", "summary", "max-examples", "max-time", "seed"):
            attr = option.replace("-", "_")
            if getattr(args, attr, None) is None and option in config:
                setattr(args, attr, config[option])
        args.specs = [args.spec] if args.spec else default_specs()
        if not args.specs:
            raise ValueError("no SPEC given, and the project names none: give one, list them in "
                             "[tool.properties] specs, or register them in [project.entry-points.\"properties.specs\"]")
        args.spec = None
    if args.command == "selftest" and getattr(args, "fail_under", None) is None:
        args.fail_under = config.get("selftest-fail-under")


def _stop_on_sigterm(command):
    """SIGTERM (``timeout``, a CI job's time limit) ends a run as Ctrl-C does: in this process
    it raises ``KeyboardInterrupt``, so ``verify``, ``soak`` and ``selftest`` stop, write their
    partial reports, end their child processes and exit 2.  Installed only where SIGTERM has
    its default action, from the main thread (a host that handles or ignores it keeps its
    choice), until :func:`main` returns; a process forked from this one inherits the handler and
    ends at SIGTERM as it would have without it.  Returns whether it was installed."""
    if threading.current_thread() is not threading.main_thread() \
            or signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        return False
    main_pid = os.getpid()

    def stop(signum, frame):
        if os.getpid() != main_pid:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGTERM)
            return
        print(f"python -m properties {command}: SIGTERM: stopping as for Ctrl-C", file=sys.stderr, flush=True)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    return True


def _end_with_the_soak():
    """A run or replay that ``soak`` started ends (exit 2) within a second of the soak's end,
    even a SIGKILL's, which the soak cannot pass on: its children sit in sessions of their own.
    Only in a direct child of the soak (``PROPERTIES_SOAK_PID`` is its parent's pid)."""
    from properties.tools.soak import PARENT_ENV

    soak = os.environ.get(PARENT_ENV, "")
    if not soak.isdigit() or os.getppid() != int(soak):
        return

    def watch():
        while os.getppid() == int(soak):
            time.sleep(1)
        os._exit(2)

    threading.Thread(target=watch, name="properties-end-with-the-soak", daemon=True).start()


def main(argv=None):
    args = _parser().parse_args(argv)
    missing = _missing_dependency()
    if missing:
        print(f"python -m properties {args.command}: error: {missing}", file=sys.stderr)
        sys.exit(2)
    try:
        _apply_config(args)
        _check_usage(args)
    except ValueError as error:  # as every usage error here: SystemExit(2)
        print(f"python -m properties {args.command}: error: {error}", file=sys.stderr)
        sys.exit(2)
    handles_sigterm = _stop_on_sigterm(args.command)
    _end_with_the_soak()
    try:
        if args.command == "selftest":
            from properties.tools.selftest.cli import selftest

            return selftest(args)
        if args.command == "soak":
            from properties.tools import soak

            return soak.main(args)
        return {"verify": verify, "list": list_, "replay": replay, "trace": trace}[args.command](args)
    except KeyboardInterrupt:  # outside a run (TensorFlow's import, the reports): nothing more to write
        print(f"python -m properties {args.command}: interrupted", file=sys.stderr)
        return 2
    except Exception:  # noqa: BLE001 - the harness itself failed: not a property failing (1)
        import traceback

        traceback.print_exc()
        print(f"python -m properties {args.command}: internal error (exit 3): the harness failed, "
              "not a property", file=sys.stderr)
        return 3
    finally:
        if handles_sigterm:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)


if __name__ == "__main__":
    sys.exit(main())
