"""Run one property's check on one explicit example, as the harness would under Hypothesis."""

from hypothesis import given, settings
from hypothesis import strategies as st

from properties.core.failures import PropertyFailure
from properties.execution.executor import Executor
from properties.checks.table import Context
from properties.checks.catalogue import all_properties


def check_one(spec, prop_name, column, drawn):
    """The PropertyFailure the property's check raises on ``drawn`` in ``column``, or None.

    The check runs inside a one-example Hypothesis test, so that its ``event`` calls are
    allowed; any other exception becomes a PropertyFailure, as the runner reports it."""
    prop = next(p for p in all_properties() if p.name == prop_name)
    ctx = Context(prop, spec, column, Executor(spec))

    @settings(max_examples=1, database=None, deadline=None)
    @given(st.just(drawn))
    def check(d):
        prop.check(ctx, d)

    try:
        check()
    except PropertyFailure as failure:
        return failure
    except Exception as error:  # the harness wraps these when it runs under Hypothesis
        return PropertyFailure(f"raised {type(error).__name__}: {error}")
    return None
