#!/usr/bin/env bash
# Cosmic Ray's own distribution, shown with two HTTP workers on this machine:
#   scripts/cosmic_ray_workers.sh [SPEC] [MODULE] [MAX_MUTANTS]
# Each worker runs in its own copy of the committed tree (a worker mutates files in place):
# a fork server (`python -m properties.tools.selftest.source serve`, TensorFlow imported once) and
# `cosmic-ray http-worker`.  The test command is the fork server's client, which runs
# `python -m properties verify SPEC --profile quick --exitfirst` in a child of the server of the
# tree it is run in.  `cosmic-ray exec` with the http distributor hands the workers mutants.
# Across machines: on each machine, in a checkout at the same commit, run the same two commands
# (serve, then `cosmic-ray http-worker --port P`) and list every http://HOST:P in worker-urls; the
# session database stays with `exec`.  `python -m properties selftest SPEC --engine source --jobs 2`
# does all of this itself on one machine.
# MAX_MUTANTS (default 6) trims the session so the demonstration ends in minutes.
set -euo pipefail
SPEC=${1:-center-zero}
MODULE=${2:-centerzero/ops.py}
MAX=${3:-6}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY=${PYTHON:-$ROOT/.venv/bin/python}
WORK=$(mktemp -d /tmp/cr-workers-XXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
for i in 0 1; do
  mkdir -p "$WORK/w$i" && git -C "$ROOT" archive HEAD | tar -x -C "$WORK/w$i"
  (cd "$WORK/w$i" && PYTHONPATH="$WORK/w$i" TF_CPP_MIN_LOG_LEVEL=3 exec "$PY" -m properties.tools.selftest.source serve \
    .selftest-forkserver.sock "$MODULE") > "$WORK/forkserver-$i.log" 2>&1 &
  PIDS+=($!)
  port=$((9870 + i))
  (cd "$WORK/w$i" && PYTHONPATH="$WORK/w$i" TF_CPP_MIN_LOG_LEVEL=3 exec "$PY" -m cosmic_ray.cli http-worker --port "$port") \
    > "$WORK/worker-$i.log" 2>&1 &
  PIDS+=($!)
done
cat > "$WORK/cosmic-ray.toml" <<TOML
[cosmic-ray]
module-path = "$MODULE"
timeout = 600.0
excluded-modules = []
test-command = "$PY -m properties.tools.selftest.source client -- verify $SPEC --profile quick --exitfirst"

[cosmic-ray.distributor]
name = "http"

[cosmic-ray.distributor.http]
worker-urls = ["http://127.0.0.1:9870", "http://127.0.0.1:9871"]
TOML
cd "$WORK/w0"
"$PY" -m cosmic_ray.cli init "$WORK/cosmic-ray.toml" "$WORK/session.sqlite"
# Keep MAX mutants (a demonstration, not a campaign): drop the other work items.
"$PY" - "$WORK/session.sqlite" "$MAX" <<'PYEOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1]); keep = int(sys.argv[2])
ids = [r[0] for r in db.execute("select job_id from work_items order by rowid")][keep:]
db.executemany("delete from mutation_specs where job_id = ?", [(i,) for i in ids])
db.executemany("delete from work_items where job_id = ?", [(i,) for i in ids])
db.commit()
PYEOF
for i in 0 1; do  # both fork servers (TensorFlow imported) and both HTTP workers listening
  until [ -S "$WORK/w$i/.selftest-forkserver.sock" ]; do sleep 1; done
  until "$PY" -c "import socket,sys; socket.create_connection(('127.0.0.1', $((9870 + i))), 1)" 2>/dev/null; do sleep 1; done
done
start=$(date +%s)
"$PY" -m cosmic_ray.cli exec "$WORK/cosmic-ray.toml" "$WORK/session.sqlite"
echo "exec: $(( $(date +%s) - start )) s with 2 workers"
"$PY" -m cosmic_ray.tools.survival_rate "$WORK/session.sqlite" 2>/dev/null || true
"$PY" -m cosmic_ray.cli dump "$WORK/session.sqlite" | "$PY" -c '
import json, sys
for line in sys.stdin:
    item, result = json.loads(line)
    m = item["mutations"][0]
    print(m["operator_name"], m["start_pos"], result and result["test_outcome"])'
for i in 0 1; do
  echo "worker $i (tree $WORK/w$i): $(grep -c '^run ' "$WORK/forkserver-$i.log" || true) mutants tested by its fork server:"
  grep '^run ' "$WORK/forkserver-$i.log" || true
done
