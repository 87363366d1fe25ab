"""Contract 2.7: installing the package changes nothing for anyone else.

* The pytest plugin does nothing until the kit's own tests ask for it: a foreign project's test
  run (Hypothesis tests, the settings they see, the modules loaded, the environment and the
  devices) is the same with the plugin loaded and without it.
* ``import centerzero`` starts no process and writes no file.
* The layer and its op use public TensorFlow and Keras API only.
"""

import ast
import json
import os
import pathlib
import re
import subprocess
import sys
import textwrap

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]

FOREIGN_TESTS = textwrap.dedent('''
    import json, os, sys
    from hypothesis import given, settings, strategies as st

    SEEN = []

    @given(st.integers())
    def test_a_foreign_property(n):
        SEEN.append(n)

    def test_report():
        current = settings()
        facts = {
            "profile": settings.get_current_profile_name(),
            "max_examples": current.max_examples,
            "deadline": str(current.deadline),
            "derandomize": current.derandomize,
            "examples_run": len(SEEN),
            "tensorflow imported": "tensorflow" in sys.modules,
            "keras imported": "keras" in sys.modules,
            # White-box (Hypothesis's private table of registered profiles): Hypothesis has no
            # public way to list them, and a plugin that registers one must show up here.
            "hypothesis profiles": sorted(n for n in ("dev", "quick", "thorough") if n in settings._profiles),
            "environment": {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")},
        }
        print("FOREIGN " + json.dumps(facts, sort_keys=True))

    def test_devices():
        import tensorflow as tf
        print("DEVICES " + json.dumps([d.name for d in tf.config.list_logical_devices()]))
''')


def _foreign_run(tmp_path, env, *plugin_args, devices=True):
    project = tmp_path / "foreign"
    project.mkdir(exist_ok=True)
    (project / "test_foreign.py").write_text(FOREIGN_TESTS)
    # The order matters: test_report after the property, test_devices last.
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-s", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", *plugin_args,
         *([] if devices else ["-k", "not test_devices"]), "test_foreign.py"],
        cwd=project, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    lines = {found.group(1): json.loads(found.group(2))
             for found in re.finditer(r"(FOREIGN|DEVICES) (.*)$", result.stdout, re.MULTILINE)}
    assert set(lines) == ({"FOREIGN", "DEVICES"} if devices else {"FOREIGN"}), result.stdout[-3000:]
    return lines


@pytest.mark.parametrize("extra_env", [{}, {"CI": "1"}, {"HYPOTHESIS_PROFILE": "myown"}],
                         ids=["plain", "CI", "unknown HYPOTHESIS_PROFILE"])
def test_a_foreign_projects_tests_see_no_difference_with_the_plugin(tmp_path, extra_env):
    env = {k: v for k, v in os.environ.items()
           if k not in ("CI", "GITHUB_ACTIONS", "TF_BUILD", "HYPOTHESIS_PROFILE", "PROPERTIES_PROFILE", "PYTHONPATH")}
    env.update(extra_env, TF_CPP_MIN_LOG_LEVEL="3")
    # --properties-profile exists only where the plugin is loaded: the first run proves it is.
    with_plugin = _foreign_run(tmp_path, env, "--properties-profile", "quick")
    without = _foreign_run(tmp_path, env, "-p", "no:properties")
    assert with_plugin == without
    facts = with_plugin["FOREIGN"]
    assert not facts["tensorflow imported"] and facts["hypothesis profiles"] == []
    assert facts["examples_run"] == facts["max_examples"] >= 100  # Hypothesis's own profiles
    assert len(with_plugin["DEVICES"]) == 1, with_plugin["DEVICES"]


def test_a_planted_plugin_that_loads_a_profile_is_told_apart(tmp_path):
    """The comparison above can fail: a plugin that loads a profile at start-up, as this one did,
    changes what the foreign tests see."""
    (tmp_path / "loud_plugin.py").write_text(textwrap.dedent('''
        from hypothesis import settings
        settings.register_profile("dev", max_examples=25, deadline=None)
        def pytest_configure(config):
            settings.load_profile("dev")
    '''))
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "GITHUB_ACTIONS", "TF_BUILD", "HYPOTHESIS_PROFILE")}
    env.update(TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=str(tmp_path))
    # Without test_devices (TensorFlow's import): the profile is what tells them apart.
    loud = _foreign_run(tmp_path, env, "-p", "loud_plugin", "-p", "no:properties", devices=False)
    quiet = _foreign_run(tmp_path, env, "-p", "no:properties", devices=False)
    assert loud["FOREIGN"]["max_examples"] == 25 != quiet["FOREIGN"]["max_examples"]


IMPORT_SIDE_EFFECTS = textwrap.dedent('''
    import os, sys
    import tensorflow as tf
    tf.keras.layers.Layer  # Keras writes its own config file on its first import: Keras's doing
    seen = []
    WRITES = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC

    def hook(event, args):
        if event.startswith(("subprocess.", "os.system", "os.exec", "os.spawn", "os.posix_spawn", "os.fork",
                             "os.mkdir", "os.rename", "os.remove", "os.replace", "shutil.")):
            seen.append(event)
        elif event == "open" and ((args[1] and any(c in args[1] for c in "wax+")) or (args[2] or 0) & WRITES):
            seen.append(f"open {args[0]} {args[1]}")

    sys.addaudithook(hook)
    import MODULE
    MODULE.CenterZero(size=2)(tf.ones((4, 10, 10)))
    print("SIDE EFFECTS", seen)
''')


def _side_effects(module, path, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    # Python's own bytecode cache is not the package's doing (pip compiles it at install time).
    env = dict(os.environ, HOME=str(home), TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=str(path), PYTHONDONTWRITEBYTECODE="1")
    env.pop("XDG_CACHE_HOME", None)
    result = subprocess.run([sys.executable, "-c", IMPORT_SIDE_EFFECTS.replace("MODULE", module)], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return [line for line in result.stdout.splitlines() if line.startswith("SIDE EFFECTS")]


def test_import_centerzero_starts_no_process_and_writes_no_file(tmp_path):
    assert _side_effects("centerzero", ROOT, tmp_path) == ["SIDE EFFECTS []"]


def test_a_planted_import_that_builds_something_is_seen(tmp_path):
    """The audit above can fail: a package that runs a compiler and caches its output at import."""
    package = tmp_path / "builds_at_import"
    package.mkdir()
    (package / "__init__.py").write_text(textwrap.dedent('''
        import os, subprocess, sys
        from centerzero import CenterZero
        cache = os.path.join(os.path.expanduser("~"), ".cache", "builds_at_import")
        os.makedirs(cache, exist_ok=True)
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        with open(os.path.join(cache, "kernel.so"), "wb") as f:
            f.write(b"")
    '''))
    (seen,) = _side_effects("builds_at_import", f"{tmp_path}{os.pathsep}{ROOT}", tmp_path)
    assert "os.mkdir" in seen and "subprocess.Popen" in seen and "kernel.so" in seen, seen


#: Module prefixes that are not public API.
PRIVATE_MODULES = ("keras.src", "tensorflow.python", "tensorflow.core", "tf_keras.src", "keras._tf_keras",
                   "tensorflow.compiler", "tensorflow.lite.python")


def private_uses(source, filename="<source>"):
    """Where ``source`` reaches past public API: an import of a private module, a name that
    says ``pywrap``, or an attribute with a leading underscore on anything but ``self``/``cls``."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            names = []
        found += [f"line {node.lineno}: import {n}" for n in names if n.startswith(PRIVATE_MODULES) or "pywrap" in n]
        if isinstance(node, ast.Attribute):
            private = node.attr.startswith("_") and not node.attr.startswith("__") or node.attr == "__internal__"
            owner = node.value.id if isinstance(node.value, ast.Name) else None
            if (private and owner not in ("self", "cls")) or "pywrap" in node.attr:
                found.append(f"line {node.lineno}: attribute {node.attr}")
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith(PRIVATE_MODULES):
            found.append(f"line {node.lineno}: string {node.value!r}")  # importlib.import_module("keras.src...")
    return found


@pytest.mark.parametrize("path", sorted(str(p.relative_to(ROOT)) for p in (ROOT / "centerzero").rglob("*.py")))
def test_the_layer_and_its_op_use_public_api_only(path):
    assert private_uses((ROOT / path).read_text(), path) == []


@pytest.mark.parametrize("planted", [
    "from keras.src.backend.common import global_state",
    "from tensorflow.python import pywrap_tfe",
    "import tensorflow.python.eager.context as context",
    "ctx = context._context",
    "fast = tf.__internal__.something",
    "module = importlib.import_module('keras.src.layers')",
])
def test_the_public_api_check_sees_each_kind_of_private_use(planted):
    assert private_uses(planted), planted


def test_the_layer_overrides_no_call_machinery():
    from centerzero import CenterZero

    assert "__call__" not in vars(CenterZero)


def test_the_kit_names_the_extra_it_needs_where_hypothesis_is_missing(tmp_path):
    """The distribution depends on NumPy only; the kit says which extra brings Hypothesis."""
    (tmp_path / "hypothesis.py").write_text("raise ImportError('planted: no Hypothesis here')\n")
    blocker = tmp_path / "sitecustomize.py"
    blocker.write_text(textwrap.dedent('''
        import importlib.abc, sys
        class NoHypothesis(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name == "hypothesis" or name.startswith("hypothesis."):
                    raise ModuleNotFoundError(f"No module named {name!r}")
                return None
        sys.meta_path.insert(0, NoHypothesis())
    '''))
    (tmp_path / "hypothesis.py").unlink()
    env = dict(os.environ, PYTHONPATH=f"{tmp_path}{os.pathsep}{ROOT}", TF_CPP_MIN_LOG_LEVEL="3")
    result = subprocess.run([sys.executable, "-m", "properties", "verify", "center-zero", "--profile", "quick"],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stdout[-2000:] + result.stderr[-2000:]
    assert "centerzero[kit]" in result.stderr, result.stderr
