"""The ``MaskSpec`` field table of the spec reference (``docs/kit/spec-reference.md``), generated
from the dataclass and its docstring, so the documentation cannot drift from the code.

``python -m properties.spec.fields`` prints the table; ``--write FILE`` replaces the table
between the ``<!-- fields:start -->`` and ``<!-- fields:end -->`` lines of FILE.  A test fails
when the file's table is stale.
"""

import dataclasses
import inspect
import re
import sys

from properties.spec.mask_spec import MaskSpec

START, END = "<!-- fields:start -->", "<!-- fields:end -->"


def descriptions(cls=MaskSpec):
    """``{field: text}`` from the ``Args:`` section of ``cls``'s docstring."""
    doc = inspect.getdoc(cls)
    args = doc.split("Args:", 1)[1].split("\n\n>>>", 1)[0].split("\n>>>", 1)[0]
    found, name = {}, None
    for line in args.splitlines():
        entry = re.match(r"^    (\w+): ?(.*)$", line)
        if entry:
            name = entry.group(1)
            found[name] = entry.group(2).strip()
        elif name and line.strip():
            found[name] += " " + line.strip()
    return found


def _default(field):
    if field.default is not dataclasses.MISSING:
        value = field.default
        if callable(value) and getattr(value, "__name__", "") == "<lambda>":
            return "axis 0"
        return f"`{value!r}`" if not isinstance(value, tuple) or len(value) < 6 else "every one"
    if field.default_factory is not dataclasses.MISSING:
        return f"`{field.default_factory()!r}`"
    return "required"


def _type(field):
    text = field.type.__name__ if isinstance(field.type, type) else str(field.type)
    return "`" + re.sub(r"typing\.|hypothesis\.strategies\._internal\.strategies\.", "", text) + "`"


def rows(cls=MaskSpec):
    """``(name, type, default, description)`` for every field, in declaration order."""
    text = descriptions(cls)
    missing = [f.name for f in dataclasses.fields(cls) if f.name not in text]
    if missing:
        raise ValueError(f"{cls.__name__}'s docstring does not describe {missing}")
    return [(f.name, _type(f), _default(f), text[f.name]) for f in dataclasses.fields(cls)]


def markdown(cls=MaskSpec):
    """The field table as Markdown."""
    lines = ["| field | type | default | what it says |", "|---|---|---|---|"]
    for name, kind, default, text in rows(cls):
        text = re.sub(r":\w+:`~?([\w.]+)`", r"`\1`", text).replace("``", "`").replace("|", "&#124;")
        lines.append(f"| `{name}` | {kind.replace('|', '&#124;')} | {default} | {text} |")
    return "\n".join(lines) + "\n"


def replace_table(text, table):
    """``text`` with the part between the markers replaced by ``table``."""
    before, sep, rest = text.partition(START)
    _, sep2, after = rest.partition(END)
    if not sep or not sep2:
        raise ValueError(f"the page has no {START} ... {END} markers")
    return f"{before}{START}\n{table}{END}{after}"


def main(argv):
    if argv[:1] == ["--write"] and len(argv) == 2:
        with open(argv[1]) as f:
            text = f.read()
        with open(argv[1], "w") as f:
            f.write(replace_table(text, markdown()))
        return 0
    if argv:
        print("usage: python -m properties.spec.fields [--write FILE]", file=sys.stderr)
        return 2
    print(markdown(), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
