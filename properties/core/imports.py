"""``MODULE:ATTR`` arguments (a user's spec or layer) -> the object, with errors that name the argument."""

import importlib
import importlib.machinery
import importlib.util
import os
import sys


def _cannot_import(what, path, module, reason):
    return (f"{what} {path!r}: cannot import module {module!r} ({reason}); it is looked up in the current "
            "directory and on PYTHONPATH")


def check_module_found(path, what):
    """A usage error (``ValueError``) for ``MODULE:ATTR`` (argument ``what``) whose top-level
    package is found neither in the current directory nor on ``sys.path``.  Looking it up
    imports nothing (``importlib.util.find_spec`` on a top-level name), so the answer comes
    before TensorFlow's import; a missing submodule or attribute is found by
    :func:`import_object`, in the same words."""
    module = path.partition(":")[0]
    top = module.split(".")[0]
    if not top or top in sys.modules or importlib.util.find_spec(top) is not None \
            or importlib.machinery.PathFinder.find_spec(top, [os.getcwd()]) is not None:
        return path
    raise ValueError(_cannot_import(what, path, module, f"No module named {top!r}"))


def import_object(path, what):
    """``"package.module:attr"`` -> the object; the module is found on ``sys.path`` (cwd first).

    ``what`` names the argument in errors (``"SPEC"``, ``"--layer"``)."""
    module_name, sep, attr = path.partition(":")
    if not sep or not module_name or not attr:
        raise ValueError(f"{what} must look like MODULE:ATTR, got {path!r}")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise ImportError(_cannot_import(what, path, module_name, error)) from error
    obj = module
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise ValueError(f"{what} {path!r}: module {module_name!r} has no attribute {attr!r}") from None
    return obj
