#!/bin/bash
# Pack TensorFlow and the test dependencies for a GPU machine that has Python 3.12 and no
# package index (this workplace's lent machines), in parts small enough to travel one per call.
#   bash scripts/gpu/pack.sh [DIR]     (default DIR: .gpu, which .git/info/exclude should list)
# Then, one call per part (each call replaces .gpu there, so each part is moved out at once):
#   carry [".gpu/partNN"], command: mkdir -p /tmp/parts && mv .gpu/part* /tmp/parts/
# and last: carry the last part and .gpu/extra, command:
#   mv /tmp/parts/part* .gpu/ && bash scripts/gpu/run.sh bench tests
# and at once (the machine stays warm 30 s; TensorFlow stays unpacked), carrying .gpu/extra:
#   bash scripts/gpu/run.sh tests
# (one call may run 10 minutes: bench takes about 3, tests about 4)
# .gpu/extra holds the zstd binary and empty libraries named like cuBLAS, cuFFT, cuSOLVER and
# cuSPARSE 12: TensorFlow only checks that they open, and none of these ops calls them (cuDNN
# must be real: XLA creates a handle; run.sh takes the machine's own).
set -euo pipefail
DIR=${1:-.gpu}
W=$(mktemp -d)
PLAT="--python-version 3.12 --implementation cp --only-binary=:all: --platform manylinux_2_28_x86_64
  --platform manylinux_2_27_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64
  --platform manylinux_2_5_x86_64 --platform manylinux1_x86_64 --platform any"
python3 -m pip download -q --no-deps $PLAT -d "$W/whl" tensorflow==2.21.0 keras==3.15.1 astunparse gast \
  google-pasta termcolor namex optree 'protobuf>=6.31.1,<8' 'ml_dtypes>=0.5.1,<1' 'h5py<3.15' flatbuffers \
  hypothesis absl-py 'numpy<2.5' wrapt 'nvidia-cuda-runtime-cu12<13' sortedcontainers attrs
python3 -m pip install -q --no-index --no-deps --no-compile $PLAT --target "$W/site" "$W"/whl/*.whl
rm -rf "$W/site/tensorflow/include"  # C++ headers: 430 MB that nothing here reads
# the profiler client (tf.profiler.experimental.client) and StableHLO's Python extension:
# 111 MB that `import tensorflow`, Keras and this project never load
rm -f "$W/site/tensorflow/python/profiler/internal/_pywrap_profiler_plugin.so" \
  "$W/site/tensorflow/compiler/mlir/stablehlo/stablehlo_extension.so"
# ... but `import tensorflow` imports the profiler's module by name: an empty one stands in
touch "$W/site/tensorflow/python/profiler/internal/_pywrap_profiler_plugin.py" \
  "$W/site/tensorflow/compiler/mlir/stablehlo/stablehlo_extension.py"
mkdir -p "$DIR/extra/stubs"
# parts of 65,000,000 bytes: with the working tree (1.3 MiB) each call stays under 64 MiB
(tar -C "$W/site" -cf - . | zstd -q -T0 -19 --long=30) | split -b 65000000 -d -a 2 - "$DIR/part"
cp "$(command -v zstd)" "$DIR/extra/"
echo 'int centerzero_stub_marker(void) { return 0; }' > "$W/empty.c"
for lib in libcublas.so.12 libcublasLt.so.12 libcufft.so.11 libcusolver.so.11 libcusparse.so.12; do
  gcc -shared -fPIC -o "$DIR/extra/stubs/$lib" -Wl,-soname,$lib "$W/empty.c"
done
rm -rf "$W"
ls -la "$DIR"
