#!/bin/bash
# The GPU run (see pack.sh): unpack TensorFlow (carried in parts), benchmark, verify, pytest.
#   bash scripts/gpu/run.sh [bench] [flush] [tests]   (results under $OUT, this workplace's device folder)
# bench: the benchmark; tests: verify on the six specs without shrinking, beside pytest (-v: a
# run stopped at its limit still names each test it finished).  BENCH_RUNS=3 runs the benchmark
# three times (bench.log holds every run; bench1.json, bench2.json, ... each run's rows).
set -u
export PYTHONUNBUFFERED=1
S=/tmp/site
T0=$SECONDS
stamp() { echo "== $1 ($((SECONDS - T0)) s)"; }
if [ ! -f $S/.done ]; then
  mkdir -p $S
  Z=$(command -v zstd || echo "$PWD/.gpu/extra/zstd")
  cat .gpu/part?? | "$Z" -d --long=31 -q | tar -x -C $S && touch $S/.done
fi
# pack.sh drops these two extensions; `import tensorflow` imports the profiler's by name
for m in tensorflow/python/profiler/internal/_pywrap_profiler_plugin tensorflow/compiler/mlir/stablehlo/stablehlo_extension; do
  [ -e $S/$m.so ] || touch $S/$m.py
done
stamp "unpacked"
PTXAS=$(command -v ptxas || ls /usr/local/cuda*/bin/ptxas 2>/dev/null | head -1)
CUDA_DIR=$(dirname "$(dirname "$PTXAS")")
ls "$CUDA_DIR"/nvvm/libdevice/ 2>&1 | head -2
export PATH=$CUDA_DIR/bin:$PATH XLA_FLAGS=--xla_gpu_cuda_data_dir=$CUDA_DIR
export PYTHONPATH=$S:$PWD
# cuDNN: XLA creates a handle when it compiles; the machine's own cuDNN 9 and its CUDA 13 cuBLAS
CUDNN=$(dirname "$(find / -name 'libcudnn.so.9' -not -path '*/stubs/*' 2>/dev/null | head -1)")
BLASLT=$(dirname "$(find / -name 'libcublasLt.so.1*' 2>/dev/null | head -1)")
export LD_LIBRARY_PATH=$PWD/.gpu/extra/stubs:$S/nvidia/cuda_runtime/lib:$CUDNN:$BLASLT:${LD_LIBRARY_PATH:-}
export TF_FORCE_GPU_ALLOW_GROWTH=true CUDA_MODULE_LOADING=LAZY CUDA_CACHE_MAXSIZE=4294967296
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader
python3 --version; nproc
python3 -c "import tensorflow as tf; print('devices:', tf.config.list_physical_devices())"
for stage in "$@"; do
  case $stage in
  bench)
    for run in $(seq 1 ${BENCH_RUNS:-1}); do
      stamp "benchmark, run $run"
      json=$OUT/bench$run.json; [ "${BENCH_RUNS:-1}" = 1 ] && json=$OUT/bench.json
      echo "== run $run" >> $OUT/bench.log
      timeout ${BENCH_S:-240} python3 benchmarks/layer_speed.py --rounds 5 --seconds 0.03 \
        --cases ${BENCH_CASES:-float32,uint8,float16,bfloat16,int64,complex64,batch1,nchw,window200,small} \
        --json $json >> $OUT/bench.log 2>&1; echo "bench exit $?"
    done
    grep -v "^W0000\|^I0000\|^WARNING" $OUT/bench.log | grep -A12 "^worst\|^per call" | tail -60 ;;
  flush)
    stamp "which comparisons flush subnormals, and keras-masking's GPU failures replayed (in the background)"
    mkdir -p /tmp/rep
    (python3 scripts/gpu/flush_probe.py > /tmp/rep/flush.log 2>&1
     for args in ${REPLAYS:-}; do python3 -m properties replay ${args//,/ } >> /tmp/rep/flush.log 2>&1; done) & ;;
  tests)
    stamp "verify (6 specs) and pytest, side by side"
    mkdir -p /tmp/rep
    for spec in center-zero band-zero border-zero causal-zero keras-masking random-cutout; do
      # the two specs that failed on the GPU before log straight into $OUT, so that a run stopped
      # at its limit still brings them back (at most 8 files come back)
      case $spec in center-zero|keras-masking) log=$OUT/$spec.log ;; *) log=/tmp/rep/$spec.log ;; esac
      (timeout ${VERIFY_S:-150} python3 scripts/gpu/verify.py $spec --report /tmp/rep/$spec.json \
        > $log 2>&1; echo "$spec exit $? at $((SECONDS - T0)) s" >> /tmp/rep/exits) &
    done
    pip install -q --no-deps --no-build-isolation --no-index -e . > /tmp/pipe.log 2>&1 || tail -3 /tmp/pipe.log
    PROPERTIES_PROFILE=ci timeout ${PYTEST_S:-200} python3 -m pytest -n 10 -p no:cacheprovider -m "not kit" \
      -v --timeout 180 > $OUT/pytest.log 2>&1
    echo "pytest exit $? at $((SECONDS - T0)) s"
    wait
    cat /tmp/rep/exits
    for spec in band-zero border-zero causal-zero random-cutout; do
      echo "-- $spec"; grep -v "^W0000\|^I0000\|^WARNING\|^E0000" /tmp/rep/$spec.log | tail -400
    done > /tmp/rep/verify.log
    tar -czf $OUT/rest.tgz -C /tmp rep  # at most 8 files come back: the rest travels as one
    grep -E "FAILED|ERROR|passed|failed" $OUT/pytest.log | tail -60
    grep -iE "^-- |fail|passed|devices" /tmp/rep/verify.log | head -40
    tail -n 4 $OUT/center-zero.log $OUT/keras-masking.log ;;
  esac
done
wait  # a flush stage still running in the background
# without a tests stage (whose rest.tgz holds it), the flush log comes back on its own
if [ -f /tmp/rep/flush.log ] && [ ! -f $OUT/rest.tgz ]; then cp /tmp/rep/flush.log $OUT/; tail -40 /tmp/rep/flush.log; fi
stamp "done"
