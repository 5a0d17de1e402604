#!/usr/bin/env bash
# The cuDNN backend's one-shot device check, at most 8 minutes on a machine with an NVIDIA GPU:
#   FOVEA_CUDNN_PATH=/path/to/dir/with/libcudnn.so.9 backend-cudnn/gpu-check.sh
# (FOVEA_CUDNN_PATH may be left unset when cuDNN is on LD_LIBRARY_PATH, in /usr/local/cuda/lib64 or in a Python
# environment's nvidia/cudnn/lib). Prints, in order:
#   1. the device and driver (nvidia-smi);
#   2. the libraries found and the probe's verdict in a bare environment (env -i: no LD_LIBRARY_PATH help);
#   3. backend-cudnn's GPU tests (cuDNN against the reference backend);
#   4. the full conformance suite on cudnn, with its "N passed, N failed, N skipped" count;
#   5. fashion-cnn trained for one epoch on cudnn (test accuracy and wall time);
#   6. per-layer timings of Fovea against the bare cuDNN calls (GpuBench, NCHW and NHWC).
# Each step has its own time limit. Without a GPU it says so and exits 2 within seconds, having checked nothing.
# Record the output in backend-cudnn/GPU-RESULTS.md.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
started=$(date +%s)

if ! command -v nvidia-smi >/dev/null 2>&1 || ! nvidia-smi -L >/dev/null 2>&1; then
  echo "gpu-check: no GPU: nvidia-smi finds no NVIDIA device or driver on this machine; nothing was checked"
  exit 2
fi

source .ci/find-jdk.sh
JAVA_HOME="$(fovea_find_jdk25)" || { echo "gpu-check: no JDK 25 found" >&2; exit 1; }
export JAVA_HOME
java="$JAVA_HOME/bin/java"
failed=0
step() { echo; echo "== $1 ($(( $(date +%s) - started )) s elapsed)"; }
budget=480 # the whole check: 8 minutes
run() { # run LIMIT_SECONDS COMMAND...: a failure or timeout is reported and counted, the next step still runs
  local limit=$1; shift
  local left=$(( budget - ($(date +%s) - started) ))
  if [ "$left" -le 5 ]; then
    echo "gpu-check: FAILED (the 8-minute budget is spent): $*"
    failed=$((failed + 1))
    return 0
  fi
  [ "$limit" -gt "$left" ] && limit=$left
  timeout "$limit" "$@"
  local rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "gpu-check: FAILED (exit $rc$( [ "$rc" -eq 124 ] && echo ", over ${limit} s")): $*"
    failed=$((failed + 1))
  fi
  return 0
}

step "1. device and driver"
nvidia-smi --query-gpu=index,name,driver_version,memory.total,compute_cap --format=csv

step "build (backend-cudnn's test classes; ./fovea builds the rest on first use and lists the backends)"
run 90 mvn -B -q -pl backend-cudnn -am test-compile
run 150 ./fovea backends
cp="api/target/classes:backend-cudnn/target/classes:backend-cudnn/target/test-classes"

step "2. libraries and probe in a bare environment"
run 30 env -i PATH=/usr/bin:/bin HOME="$HOME" ${FOVEA_CUDNN_PATH:+FOVEA_CUDNN_PATH="$FOVEA_CUDNN_PATH"} \
  "$java" --enable-native-access=ALL-UNNAMED -cp "$cp" dev.fovea.backend.cudnn.ProbeMain

step "3. backend-cudnn GPU tests"
run 90 mvn -B -q -pl backend-cudnn -am test \
  -Dfovea.cudnn.required=true -Dfovea.cudnn.requireGpu=true -Dsurefire.failIfNoSpecifiedTests=false \
  -Dtest='CudnnBackendGpuTest,NativeBindingsTest,ProbeTest'

step "4. conformance suite on cudnn"
report="$(mktemp)"
run 120 ./fovea conformance --backend cudnn --require-available > "$report" 2>&1
grep -E '^(FAIL|ERROR)' "$report" | head -20
tail -1 "$report"
rm -f "$report"

step "5. fashion-cnn, one epoch on cudnn"
t0=$(date +%s)
run 90 ./fovea --backend cudnn train fashion-cnn --epochs 1
echo "training wall time: $(( $(date +%s) - t0 )) s"

step "6. per-layer timings: Fovea against the bare cuDNN calls"
for layout in NCHW NHWC; do
  run 30 "$java" --enable-native-access=ALL-UNNAMED -cp "$cp" dev.fovea.backend.cudnn.GpuBench "$layout"
done

echo
echo "gpu-check: $failed step(s) failed, $(( $(date +%s) - started )) s in all"
[ "$failed" -eq 0 ]
