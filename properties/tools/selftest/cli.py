"""``python -m properties selftest SPEC [--layer MODULE:ATTR] [--engine wrap|source]
[--profile NAME] [--jobs N] [--report PATH] [--operators A,B] [--module PATH]`` (contract 2.6).

Exit status: 0 when every applicable mutant is killed (or ``--fail-under`` is met), 1 when any
survives, 2 for a usage error or a Ctrl-C (which still prints and writes the partial results).

>>> main(["selftest", "center-zero", "--profile", "quick", "--operators", "nan-scrubbed,upcast"])
0
"""

import os
import sys
import time


def add_parser(commands):
    """Add the ``selftest`` subcommand to ``python -m properties``'s subparsers."""
    parser = commands.add_parser("selftest", help="measure the properties' detection power on planted defects")
    parser.add_argument("spec", metavar="SPEC", help="a built-in spec name (center-zero) or MODULE:ATTR")
    parser.add_argument("--layer", metavar="MODULE:ATTR", help="build the layer from this class instead")
    parser.add_argument("--engine", choices=("wrap", "source"), default="wrap",
                        help="wrap: generic defect operators around the layer (default); source: mutate the "
                             "layer's module with Cosmic Ray")
    parser.add_argument("--profile", metavar="NAME", default="quick",
                        help="Hypothesis profile for the property runs (default quick)")
    parser.add_argument("--jobs", metavar="N", type=int, default=1, help="mutants run in N processes at once")
    parser.add_argument("--report", metavar="PATH", help="write a JSON report here and Markdown beside it")
    parser.add_argument("--operators", metavar="A,B", help="wrap: only these operators (default: all)")
    parser.add_argument("--module", metavar="PATH", help="source: the file to mutate (default: the layer's module)")
    parser.add_argument("--runner", choices=("fork", "process"), default=None,
                        help="source: fork (default) runs each mutant's verify in a child of a per-worker fork "
                             "server that imported TensorFlow once; process runs a fresh process per mutant")
    parser.add_argument("--exclude-operators", metavar="RE,RE",
                        help="source: Cosmic Ray operators to skip (regular expressions; reported as excluded)")
    parser.add_argument("--since", metavar="REV",
                        help="source: only mutants on lines of the module changed since this commit "
                             "(Cosmic Ray's git filter; the rest are reported as unchanged)")
    parser.add_argument("--max-minutes", metavar="M", type=float,
                        help="source: stop after M minutes; the mutants run so far are a random sample and the "
                             "rest stay pending (--resume)")
    parser.add_argument("--resume", metavar="WORKDIR",
                        help="source: run the pending mutants of an earlier campaign's work directory")
    parser.add_argument("--max-examples", metavar="N", type=int, help="examples per property and column")
    parser.add_argument("--junitxml", metavar="PATH", help="write a JUnit XML report: one test case per mutant")
    parser.add_argument("--summary", metavar="PATH", help="append a Markdown summary to PATH ($GITHUB_STEP_SUMMARY)")
    parser.add_argument("--fail-under", metavar="PCT", type=float,
                        help="exit 0 when at least PCT percent of the applicable mutants are killed (default: "
                             "exit 1 on any survivor)")
    return parser


def _usage(message):
    print(f"python -m properties selftest: error: {message}", file=sys.stderr)
    sys.exit(2)


def _line(result):
    by = result.killed_by if result.killed else ("" if not result.applicable else "-")
    return (f"{result.operator:26} {result.group:7} {result.status:9} {by:38} {result.examples:8d} "
            f"{result.seconds + result.proof_seconds:8.1f}")


def _check_arguments(args):
    """Usage errors of the arguments alone (exit 2), before TensorFlow is imported."""
    if args.jobs is None or args.jobs < 1:
        _usage(f"--jobs must be an integer >= 1, got {args.jobs!r}")
    if args.max_examples is not None and args.max_examples < 1:
        _usage(f"--max-examples must be >= 1, got {args.max_examples!r}")
    if args.fail_under is not None and not 0 <= args.fail_under <= 100:
        _usage(f"--fail-under must be a percentage from 0 to 100, got {args.fail_under!r}")
    if args.engine == "wrap" and args.module:
        _usage(f"--module {args.module!r} is for --engine source only")
    if args.engine == "source" and args.operators:
        _usage(f"--operators {args.operators!r} is for --engine wrap only")
    source_only = [f"--{n.replace('_', '-')} {getattr(args, n)!r}" for n in ("runner", "exclude_operators", "since",
                                                                         "max_minutes", "resume") if getattr(args, n)]
    if args.engine == "wrap" and source_only:
        _usage(f"{', '.join(source_only)}: for --engine source only")
    if args.max_minutes is not None and args.max_minutes <= 0:
        _usage(f"--max-minutes must be > 0, got {args.max_minutes!r}")
    if args.resume and args.since:
        _usage(f"--since {args.since!r}: a resumed campaign keeps the --since of its first run")
    if args.resume and not os.path.isfile(os.path.join(args.resume, "campaign.json")):
        _usage(f"--resume {args.resume!r}: no campaign.json there (not a selftest --engine source work directory)")


def selftest(args):
    """Run the subcommand; returns the exit status."""
    _check_arguments(args)
    sys.path.insert(0, os.getcwd())
    from properties.execution.devices import split_cpu_for_device_checks

    split_cpu_for_device_checks()
    import logging

    import tensorflow as tf

    tf.get_logger().setLevel(logging.ERROR)  # the mutants retrace and warn on purpose
    from properties.core.profiles import choose_profile
    from properties.tools.selftest import report as reporting
    from properties.tools.selftest.operators import operators_by_name
    from properties.tools.selftest.wrap import load

    try:
        profile = choose_profile(args.profile)
        spec = load(args.spec, args.layer)
        names = [n.strip() for n in args.operators.split(",") if n.strip()] if args.operators else None
        if names is not None and not names:
            raise ValueError(f"--operators names no operator: {args.operators!r}")
        operators = operators_by_name(names)
    except (ValueError, ImportError) as error:
        _usage(str(error))
    layer_name = args.layer or f"{getattr(spec.layer, '__module__', '?')}:{getattr(spec.layer, '__qualname__', '?')}"
    start = time.perf_counter()
    if args.engine == "source":
        from properties.tools.selftest import source

        try:
            excluded = [e.strip() for e in (args.exclude_operators or "").split(",") if e.strip()]
            results, extra = source.run_source(spec, args.spec, layer_arg=args.layer, module=args.module,
                                               profile=profile, jobs=args.jobs, runner=args.runner or "fork",
                                               exclude_operators=excluded, resume=args.resume, since=args.since,
                                               max_seconds=args.max_minutes * 60 if args.max_minutes else None)
        except ValueError as error:
            _usage(str(error))
        except KeyboardInterrupt:  # before cosmic-ray exec ran (a Ctrl-C there is a partial campaign)
            print("\nselftest: interrupted before any mutant ran: nothing to report (exit 2)")
            return 2
        not_run = []
    else:
        print(f"selftest {spec.name}  layer {layer_name}  engine wrap  profile {profile}  "
              f"{len(operators)} operators  jobs {args.jobs}")
        print(f"{'mutant':26} {'group':7} {'result':9} {'killed by':38} {'examples':>8} {'seconds':>8}")
        from properties.tools.selftest.wrap import run_wrap

        from properties.reporting.progress import Progress

        with Progress(len(operators), f"selftest {spec.name}") as progress:
            results = run_wrap(spec, operators, profile, args.jobs, args.spec, args.layer, args.max_examples,
                               on_result=lambda result: progress.line(_line(result)))
        ran = {r.operator for r in results}
        not_run = [op.name for op in operators if op.name not in ran]  # fewer results: a Ctrl-C
        extra = {"interrupted": bool(not_run), "not_run": not_run}
    seconds = time.perf_counter() - start
    killed, applicable, survivors = _print_summary(results, extra, seconds, reporting)
    interrupted = bool(extra.get("interrupted"))
    if interrupted:
        print(f"\nPARTIAL SELFTEST (interrupted): {len(results)} mutants ran; "
              + (f"not run: {', '.join(not_run)}" if args.engine == "wrap" else
                 f"{extra.get('pending', 0)} pending in the session (--resume {os.path.dirname(extra['session'])})"))
    if args.report:
        data = reporting.as_json(spec.name, layer_name, args.engine, profile, results, seconds, extra)
        markdown = reporting.write(args.report, data)
        print(f"report: {args.report} and {markdown}")
    _ci_reports(args, spec, results, seconds, not_run, interrupted)
    if interrupted:
        if args.fail_under is not None:
            print(f"--fail-under {args.fail_under:g}: not judged, the run was interrupted")
        return 2  # as pytest's KeyboardInterrupt
    if args.fail_under is not None:
        reached = 100 * killed / applicable if applicable else 0.0
        print(f"--fail-under {args.fail_under:g}: {reached:.1f}% killed, "
              f"{'met' if reached >= args.fail_under else 'NOT met'}")
        return 0 if reached >= args.fail_under else 1
    return 1 if survivors else 0


def _ci_reports(args, spec, results, seconds, not_run=(), interrupted=False):
    """--junitxml (one test case per mutant; a mutant a Ctrl-C left unrun is skipped) and --summary."""
    if getattr(args, "junitxml", None) or getattr(args, "summary", None):
        from properties.reporting import junit

        cases = junit.mutant_cases(spec.name, results) + [
            junit.Case(f"properties.selftest.{spec.name}", name, outcome="skipped",
                       message="not run: the selftest was interrupted") for name in not_run]
        if getattr(args, "junitxml", None):
            print(f"junit: {junit.write(args.junitxml, f'selftest {spec.name}', cases, seconds)}")
        if getattr(args, "summary", None):
            partial = ["", f"Partial selftest (interrupted): {len(results)} mutants ran."] if interrupted else []
            junit.append_summary(args.summary, junit.summary(f"selftest {spec.name} ({args.engine})", cases, seconds,
                                                             partial, interrupted))


def _print_summary(results, extra, seconds, reporting):
    """Survivors, mutants not applicable, voided kills, the score and the source campaign's
    counts; returns ``(killed, applicable, survivors)``."""
    survivors = [r for r in results if r.applicable and not r.killed]
    if survivors:
        print("\nSurvivors (applicable, proved real, and no property failed):")
        for r in survivors:
            print(f"  {r.operator}: {r.summary}  [{r.cells} cells, {r.examples} examples]")
            if getattr(r, "diff", ""):
                print("    " + r.diff.rstrip().replace("\n", "\n    "))
    not_applicable = [r for r in results if not r.applicable]
    if not_applicable:
        print("\nNot applicable:")
        for r in not_applicable:
            print(f"  {r.operator}: {r.reason}")
    voided = [r for r in results if r.void_kills]
    if voided:
        print("\nCells that failed for the unmutated layer too (not counted as kills):")
        for r in voided:
            print(f"  {r.operator}: {', '.join(r.void_kills)}")
    killed, applicable = reporting.score(results)
    percent = f" ({100 * killed / applicable:.0f}%)" if applicable else ""
    print(f"\nscore: {killed} / {applicable} applicable mutants killed{percent}, {len(survivors)} survived, "
          f"{len(not_applicable)} not applicable; {seconds:.0f} s")
    if not applicable:
        print("warning: no applicable mutant: nothing was measured")
    if extra.get("session"):
        print(f"source: {extra['generated_mutants']} mutants generated, {extra['excluded']} excluded by filter, "
              + (f"{extra['unchanged_since']} on lines unchanged since {extra['since']}, " if extra['since'] else "") +
              f"{extra['left_out_by_limit']} left out by limit, {extra['tested']} run: {extra['killed_count']} killed, "
              f"{extra['survived_count']} survived, {extra['incompetent_count']} incompetent, {extra['pending']} pending"
              f"{' (stopped by --max-minutes: a random sample; --resume to finish)' if extra['stopped_by_budget'] else ''}; "
              f"{extra['mutants_per_hour']} mutants/hour with {extra['jobs']} job(s), runner {extra['runner']}; "
              f"module {extra['module']} last changed in {extra['module_commit']}, tree {extra['commit']}; "
              f"session {extra['session']} (cosmic-ray dump / cr-report / cr-html)")
    return killed, applicable, survivors
