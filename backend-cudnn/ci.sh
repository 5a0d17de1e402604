#!/usr/bin/env bash
# CI step for the cuDNN backend: runs backend-cudnn's tests against the real cuDNN 9.5.1 / CUDA 12.6 libraries
# (host tier only; no GPU needed) with the Maven profile cudnn-libs. Called by .ci/run from the repository root.
# The libraries come from org.bytedeco:cuda:12.6-9.5-1.5.11:linux-x86_64-redist (2.0 GB, downloaded once into
# the local Maven repository); if the disk cannot hold that, the step is skipped visibly and exits 0.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

source .ci/find-jdk.sh
JAVA_HOME="$(fovea_find_jdk25)" || { echo "backend-cudnn: no JDK 25 found" >&2; exit 1; }
export JAVA_HOME

m2="${MAVEN_REPO:-$HOME/.m2/repository}"
jar="$m2/org/bytedeco/cuda/12.6-9.5-1.5.11/cuda-12.6-9.5-1.5.11-linux-x86_64-redist.jar"
if [ -f "$jar" ]; then
  need_mb=500            # cached: only the 112 MB of unpacked .so files and the build
else
  need_mb=3072           # 2.0 GB download plus unpacking
fi
mkdir -p "$m2"
free_m2=$(df -Pm "$m2" | awk 'NR==2 {print $4}')
free_here=$(df -Pm "$root" | awk 'NR==2 {print $4}')
free_mb=$(( free_m2 < free_here ? free_m2 : free_here ))
if [ "$free_mb" -lt "$need_mb" ]; then
  echo "SKIP backend-cudnn native tests: ${free_mb} MB free, ${need_mb} MB needed for the cuDNN libraries" \
       "(org.bytedeco:cuda redist jar $( [ -f "$jar" ] && echo cached || echo 'not cached, 2.0 GB download'))"
  exit 0
fi
echo "backend-cudnn: running the cudnn-libs profile (${free_mb} MB free)"
# Only this module's tests: the upstream modules (api, conformance-tests) are built but tested by their own steps.
mvn -B -q -Pcudnn-libs -pl backend-cudnn -am verify -Dsurefire.failIfNoSpecifiedTests=false \
  '-Dtest=dev/fovea/backend/cudnn/**/*Test'
