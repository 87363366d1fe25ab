"""Contract 2.8: every promise is checked.  Each promise has a property; every generic promise
runs for every built-in spec unless the spec opts out with a reason; and on ``center-zero``
every promise in scope has a specimen that its own properties catch under ``ci``
(``python -m properties trace``).  Each check is shown failing on a planted gap."""

import dataclasses

import pytest

from centerzero import CenterZero
from properties.checks.catalogue import all_properties
from properties.checks.table import Property
from properties.core.promises import BY_ID, DEFAULT_SPECIMENS, PROMISES
from properties.reporting.promises import promise_rows
from properties.running.verify import plan
from properties.specs import builtin_specs, load_spec
from properties.tools import trace


def declared(props):
    return {entry if isinstance(entry, str) else entry[0] for prop in props for entry in prop.promises}


def test_every_promise_is_declared_by_a_property_and_every_declaration_names_a_promise():
    ids = declared(all_properties())
    assert ids <= set(BY_ID), ids - set(BY_ID)
    assert set(BY_ID) <= ids, f"promises no property declares: {sorted(set(BY_ID) - ids)}"
    assert all(prop.promises for prop in all_properties()), [p.name for p in all_properties() if not p.promises]


def test_the_check_fails_on_a_promise_no_property_declares():
    """Planted: the threads property left out of the catalogue."""
    without = [prop for prop in all_properties() if prop.name != "threads-agree"]
    assert "threads" not in declared(without)


@pytest.mark.parametrize("name", sorted(builtin_specs()))
def test_every_generic_promise_runs_for_every_builtin_spec(name):
    spec = builtin_specs()[name]
    rows = promise_rows(spec)
    unchecked = [row["id"] for row in rows if any("no property" in gap for gap in row["gaps"])]
    assert not unchecked, f"{name}: generic promises no property checks: {unchecked}"
    for row in rows:
        if BY_ID[row["id"]].generic:
            assert row["scope"] == "checked" or row["scope"].startswith("opted out: "), (name, row)


def test_a_spec_opts_out_of_a_generic_promise_with_a_reason_and_its_property_stops():
    spec = load_spec("center-zero")
    out = dataclasses.replace(spec, opt_out={"threads": "calls from one thread only, by design"})
    assert any(p.name == "threads-agree" for p, _ in plan(spec))
    assert not any(p.name == "threads-agree" for p, _ in plan(out))
    row = next(row for row in promise_rows(out) if row["id"] == "threads")
    assert row["scope"] == "opted out: calls from one thread only, by design" and not row["gaps"]
    with pytest.raises(ValueError, match="zero-inside"):
        dataclasses.replace(spec, opt_out={"zero-inside": "a mask promise cannot be opted out"})
    with pytest.raises(ValueError, match="reason"):
        dataclasses.replace(spec, opt_out={"threads": " "})


def test_a_generic_promise_without_a_running_property_is_a_gap():
    """Planted: a spec whose layer makes the generic promises but whose only property checking
    ``threads`` does not apply to it."""
    spec = load_spec("center-zero")
    props = [dataclasses.replace(p, applies=lambda s: False) if p.name == "threads-agree" else p
             for p in all_properties()]
    import properties.reporting.promises as rows_module

    original = rows_module.all_properties
    rows_module.all_properties = lambda: props
    try:
        row = next(row for row in promise_rows(spec) if row["id"] == "threads")
    finally:
        rows_module.all_properties = original
    assert row["gaps"] == ["no property checks it for this spec"]


def test_every_promise_of_center_zero_has_a_specimen_and_none_missing_shows_as_a_gap():
    spec = load_spec("center-zero")
    rows = [row for row in promise_rows(spec, default_specimens=DEFAULT_SPECIMENS) if row["scope"] == "checked"]
    contract = {p.id for p in PROMISES if p.section.startswith("1.")}
    assert contract <= {row["id"] for row in rows}, contract - {row["id"] for row in rows}
    assert not [row for row in rows if row["gaps"]]
    bare = dataclasses.replace(spec, specimens={})
    gaps = {row["id"] for row in promise_rows(bare) if "no specimen breaks it" in row["gaps"]}
    assert "zero-inside" in gaps and "threads" in gaps


def test_a_specimen_its_properties_do_not_catch_is_reported_not_caught():
    """Planted: the real layer given as the specimen of ``no-weights``."""
    spec = dataclasses.replace(load_spec("center-zero"), specimens={"no-weights": CenterZero})
    row = next(row for row in promise_rows(spec) if row["id"] == "no-weights")
    run = trace.trace_promise(spec, row, profile="quick")
    assert "caught_by" not in run and "held" in run["error"]
    assert trace.gaps([row], {"no-weights": run}) == [("no-weights", f"specimen not caught ({run['error']})")]


def _center_zero_rows():
    spec = load_spec("center-zero")
    return [row for row in promise_rows(spec, default_specimens=DEFAULT_SPECIMENS) if row["scope"] == "checked"]


@pytest.mark.kit
@pytest.mark.parametrize("promise_id", [row["id"] for row in _center_zero_rows()])
def test_every_center_zero_specimen_is_caught_by_its_promises_properties_under_ci(promise_id):
    """``python -m properties trace center-zero``, one promise per test so that xdist spreads
    them: the specimen fails a cell of its own promise's properties under ``ci``."""
    spec = load_spec("center-zero")
    row = next(row for row in _center_zero_rows() if row["id"] == promise_id)
    assert not row["gaps"], row
    run = trace.trace_promise(spec, row, profile="ci")
    assert run.get("caught_by") in row["columns"], (promise_id, run)


def test_property_declarations_name_columns_the_property_has():
    spec = load_spec("center-zero")
    for prop in all_properties():
        if not prop.runs_for(spec):
            continue
        columns = set(prop.columns(spec))
        for entry in prop.promises:
            if not isinstance(entry, str):
                assert set(entry[1]) & columns or not columns, (prop.name, entry, columns)
    assert isinstance(Property.promise_columns, object)


def test_a_promise_this_machine_cannot_check_in_full_is_listed_with_the_reason():
    import tensorflow as tf

    from properties.reporting.promises import machine_limits, markdown

    limits = machine_limits()
    assert ("devices-agree" in limits) == (not tf.config.list_logical_devices("GPU"))
    planted = {"devices-agree": "planted: no GPU"}
    row = next(row for row in promise_rows(load_spec("center-zero"), limits=planted) if row["id"] == "devices-agree")
    assert row["limit"] == "planted: no GPU" and "(limit: planted: no GPU)" in markdown([row])
