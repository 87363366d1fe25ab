"""``MODULE:ATTR`` arguments (a user's spec or layer) -> the object, with errors that name the argument."""

import importlib


def import_object(path, what):
    """``"package.module:attr"`` -> the object; the module is found on ``sys.path`` (cwd first).

    ``what`` names the argument in errors (``"SPEC"``, ``"--layer"``)."""
    module_name, sep, attr = path.partition(":")
    if not sep or not module_name or not attr:
        raise ValueError(f"{what} must look like MODULE:ATTR, got {path!r}")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise ImportError(f"{what} {path!r}: cannot import module {module_name!r} ({error}); it is looked up in "
                          f"the current directory and on PYTHONPATH") from error
    obj = module
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise ValueError(f"{what} {path!r}: module {module_name!r} has no attribute {attr!r}") from None
    return obj
