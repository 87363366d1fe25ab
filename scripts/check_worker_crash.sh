#!/usr/bin/env bash
# Resilience demonstration: under pytest -n 2, a worker that dies is a failure, not a hang, and a
# test stuck inside a TensorFlow C++ call is ended by pytest-timeout's "thread" method (the
# "signal" method cannot interrupt it). Throwaway tests in a temporary directory; nothing in the
# repository is touched. Usage, from the repository root:
#   scripts/check_worker_crash.sh [PYTHON]        (default .venv/bin/python; needs pytest-xdist,
#                                                  pytest-timeout and TensorFlow)
# Exit status 0 when every demonstration behaves as described, 1 otherwise. About 2-3 minutes.
set -uo pipefail
py=${1:-.venv/bin/python}
py="$(cd "$(dirname "$py")" && pwd)/$(basename "$py")"   # absolute, but not through the venv's symlink
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
export TF_CPP_MIN_LOG_LEVEL=3
printf '[pytest]\n' > pytest.ini    # keep the repository's configuration out
cat > test_crash.py <<'EOF'
import os

def test_before():
    pass

def test_worker_dies():
    os._exit(1)          # the worker process disappears mid-test

def test_after():
    pass
EOF
cat > test_hang.py <<'EOF'
import tensorflow as tf

def test_stuck_in_tensorflow():
    tf.queue.FIFOQueue(1, tf.float32).dequeue()   # blocks in C++ forever; never returns to Python
EOF
status=0
run() {  # label, hard limit in seconds, pytest arguments...
    local label=$1 limit=$2; shift 2
    echo "== $label: pytest $*"
    local start=$SECONDS
    timeout "$limit" "$py" -m pytest -p no:properties -p no:cacheprovider -q "$@" > out.txt 2>&1
    rc=$?
    grep -E "crashed|replacing|Timeout|^(FAILED|ERROR)|passed|failed" out.txt | grep -v "^  File" | sed 's/^/   /'
    echo "   -> exit $rc after $((SECONDS - start)) s"
}
run "a worker calls os._exit(1)" 300 -n 2 test_crash.py
[ "$rc" = 1 ] && grep -q "crashed while running 'test_crash.py::test_worker_dies'" out.txt || { echo "UNEXPECTED"; status=1; }
run "stuck in C++, --timeout-method=signal (expected to hang: killed by an outer 90 s limit)" 90 \
    -n 2 --timeout 15 --timeout-method signal test_hang.py
[ "$rc" = 124 ] || echo "   (note: the signal method did end it this time)"
run "stuck in C++, --timeout-method=thread (the repository's setting)" 300 \
    -n 2 --timeout 15 --timeout-method thread test_hang.py
[ "$rc" = 1 ] && grep -q "crashed while running 'test_hang.py::test_stuck_in_tensorflow'" out.txt || { echo "UNEXPECTED"; status=1; }
echo "== verdict: $([ $status = 0 ] && echo 'a crashed or stuck worker is reported as a failure, not a hang' || echo 'NOT as expected')"
exit $status
