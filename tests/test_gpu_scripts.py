"""The GPU run's helpers that need no GPU: each dtype's write order chosen from a benchmark's
JSON (``scripts/gpu/choose_writes.py``) and applied to a script (``scripts/gpu/with_writes.py``)."""

import importlib.util
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GPU = os.path.join(ROOT, "scripts", "gpu")


def _module(name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(GPU, f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _row(case, mode, **medians):
    dtype = "float32" if case == "window200" else case
    return {"case": case, "dtype": dtype, "mode": mode, "path": "update", "medians": {"copy": 1.0, **medians}}


def test_each_dtype_gets_its_eager_writes_fastest_first_without_the_misplaced_or_wrong(capsys):
    bench = {
        "rows": [
            _row("uint8", "eager", scatter=9.0, strided=5.0, select=1.2, op=5.0),
            _row("uint8", "graph", scatter=0.1, strided=0.2, select=0.3),  # graph rows do not choose
            _row("float32", "eager", scatter=1.1, strided=3.0, select=1.3, **{"and": 1.2}),
            _row("window200", "eager", scatter=0.1),  # not a dtype case
            _row("int64", "eager", scatter=0.5, strided=2.0, select=1.5, **{"and": 1.4}),
        ],
        "elsewhere": [["int64 eager", "scatter", "/job:localhost/replica:0/task:0/device:CPU:0"]],
        "mismatches": [["float32 eager", "and"]],
    }
    choice = _module("choose_writes").choose(bench)
    assert choice == {
        "uint8": ["select", "strided", "scatter"],
        "float32": ["scatter", "select", "strided"],
        "int64": ["and", "select", "strided"],
    }
    assert "uint8      /copy: select 1.20, strided 5.00, scatter 9.00" in capsys.readouterr().err


def test_with_writes_applies_the_orders_before_the_script_runs(tmp_path):
    choice = tmp_path / "choice.json"
    choice.write_text(json.dumps({"uint8": ["select", "strided"], "float16": ["and"]}))
    script = tmp_path / "show.py"
    script.write_text(
        "import sys\n"
        "from centerzero import ops\n"
        "print(sorted(ops._WRITE_ORDER.items()), sys.argv[1:], __name__)\n"
    )
    env = dict(os.environ, PYTHONPATH=ROOT, TF_CPP_MIN_LOG_LEVEL="3")
    result = subprocess.run([sys.executable, os.path.join(GPU, "with_writes.py"), str(choice), str(script), "--x", "1"],
                            env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    expected = "[(('GPU', 'float16'), ('and',)), (('GPU', 'uint8'), ('select', 'strided'))] ['--x', '1'] __main__"
    assert expected in result.stdout, result.stdout
