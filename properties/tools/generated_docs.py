"""The tables of the documentation that are generated from the code, and a check that they are
current: ``python -m properties.tools.generated_docs`` rewrites them, ``--check`` exits 1 and names
the stale pages (a test runs it).

* ``docs/kit/spec-reference.md``: every ``MaskSpec`` field (``properties.spec.fields``);
* ``docs/promises.md``: every promise and the properties that declare it;
* ``docs/kit/traceability.md``: for ``center-zero``, promise -> properties -> columns -> specimen.
"""

import os
import sys

from properties.core.promises import DEFAULT_SPECIMENS
from properties.reporting.promises import catalogue_markdown, markdown, promise_rows
from properties.spec import fields


def _traceability():
    from properties.specs import load_spec

    return markdown(promise_rows(load_spec("center-zero"), default_specimens=DEFAULT_SPECIMENS))


#: (page, start marker, end marker, generator)
GENERATED = (
    ("docs/kit/spec-reference.md", fields.START, fields.END, fields.markdown),
    ("docs/promises.md", "<!-- promises:start -->", "<!-- promises:end -->", catalogue_markdown),
    ("docs/kit/traceability.md", "<!-- trace:start -->", "<!-- trace:end -->", _traceability),
)


def replace_between(text, start, end, table):
    before, sep, rest = text.partition(start)
    _, sep2, after = rest.partition(end)
    if not sep or not sep2:
        raise ValueError(f"the page has no {start} ... {end} markers")
    return f"{before}{start}\n{table}{end}{after}"


def regenerate(root=".", check=False):
    """Rewrite (or, with ``check``, only compare) every generated table; returns the stale pages."""
    stale = []
    for page, start, end, make in GENERATED:
        path = os.path.join(root, page)
        with open(path) as handle:
            text = handle.read()
        new = replace_between(text, start, end, make())
        if new != text:
            stale.append(page)
            if not check:
                with open(path, "w") as handle:
                    handle.write(new)
    return stale


def main(argv):
    check = argv == ["--check"]
    if argv and not check:
        print("usage: python -m properties.tools.generated_docs [--check]", file=sys.stderr)
        return 2
    stale = regenerate(check=check)
    for page in stale:
        print(f"{'stale' if check else 'rewrote'}: {page}")
    return 1 if check and stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
