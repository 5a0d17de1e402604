#!/usr/bin/env bash
# For a maintainer on a machine with an NVIDIA GPU, driver, and cuDNN 9 for CUDA 12 (all sub-libraries):
#   FOVEA_CUDNN_PATH=/path/to/dir/with/libcudnn.so.9 backend-cudnn/gpu-check.sh
# (or leave FOVEA_CUDNN_PATH unset when cuDNN is on LD_LIBRARY_PATH, in /usr/local/cuda/lib64 or in a Python
# environment's nvidia/cudnn/lib). Steps, each must pass:
#   1. backend-cudnn's tests, with the GPU tests required (cuDNN vs the reference backend, both layouts,
#      asymmetric/ceil padding, concat into channel slices, dense, softmax, copies);
#   2. the conformance suite against cudnn (fails if cudnn is unavailable);
#   3. fovea bench W1–W6 on cudnn, then single-op timings of Fovea vs the bare cuDNN call (GpuBench).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
if [ -z "${JAVA_HOME:-}" ] || ! "$JAVA_HOME/bin/java" -version 2>&1 | grep -q 'version "25'; then
  for j in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/java-25-openjdk-amd64 /usr/lib/jvm/jdk-25*; do
    if [ -x "$j/bin/java" ]; then export JAVA_HOME="$j"; break; fi
  done
fi
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"

echo "== 1. backend-cudnn tests on the GPU"
mvn -B -q -pl backend-cudnn -am install -Dfovea.cudnn.required=true -Dfovea.cudnn.requireGpu=true \
  -Dsurefire.failIfNoSpecifiedTests=false '-Dtest=dev/fovea/backend/cudnn/**/*Test'

echo "== 2. conformance against cudnn"
./fovea conformance --backend cudnn --require-available

echo "== 3. benchmarks"
./fovea bench --backend cudnn
cp="api/target/classes:backend-cudnn/target/classes:backend-cudnn/target/test-classes"
for layout in NCHW NHWC; do
  "$java" --enable-native-access=ALL-UNNAMED -cp "$cp" dev.fovea.backend.cudnn.GpuBench "$layout"
done
echo "gpu-check: all steps passed"
