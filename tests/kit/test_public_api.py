"""The kit's public face: ``properties.__all__``, what the package gives, and the documented API
(``docs/kit/api.md``) agree; ``import properties`` imports neither TensorFlow nor Hypothesis; the
``MaskSpec`` field table of the spec reference is generated from the code and not stale."""

import pathlib
import re
import subprocess
import sys

import properties
from properties.spec import fields

ROOT = pathlib.Path(__file__).resolve().parents[2]


def documented_names():
    text = (ROOT / "docs" / "kit" / "api.md").read_text()
    return re.findall(r"^### `(\w+)`", text, re.M)


def test_all_lists_exactly_the_documented_api():
    assert sorted(documented_names()) == sorted(properties.__all__)
    assert len(documented_names()) == len(set(documented_names()))


def test_every_public_name_resolves_and_an_unknown_one_is_an_attribute_error():
    for name in properties.__all__:
        assert getattr(properties, name) is not None, name
    assert set(properties.__all__) <= set(dir(properties))
    try:
        properties.no_such_name
    except AttributeError as error:
        assert "no_such_name" in str(error)
    else:
        raise AssertionError("properties.no_such_name did not raise AttributeError")


def test_importing_the_package_imports_neither_tensorflow_nor_hypothesis():
    code = "import sys, properties; print(sorted(m for m in ('tensorflow', 'hypothesis') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_the_spec_reference_field_table_is_generated_from_the_code():
    page = (ROOT / "docs" / "kit" / "spec-reference.md").read_text()
    assert fields.replace_table(page, fields.markdown()) == page, (
        "docs/kit/spec-reference.md is stale: run python -m properties.spec.fields --write docs/kit/spec-reference.md")


def test_the_field_table_goes_stale_when_a_field_changes():
    """The staleness check can fail: a spec type with one more field gives another table."""
    import dataclasses

    from properties.spec.mask_spec import MaskSpec

    @dataclasses.dataclass(frozen=True)
    class Extended(MaskSpec):
        extra: int = 0

    Extended.__doc__ = MaskSpec.__doc__.replace("    Args:\n", "    Args:\n        extra: a planted field.\n")
    assert "`extra`" in fields.markdown(Extended) and fields.markdown(Extended) != fields.markdown()
    undocumented = dataclasses.make_dataclass("Undocumented", [("extra", int, 0)], bases=(MaskSpec,), frozen=True)
    undocumented.__doc__ = MaskSpec.__doc__
    try:
        fields.rows(undocumented)
    except ValueError as error:
        assert "extra" in str(error)
    else:
        raise AssertionError("a field missing from the docstring was not reported")
